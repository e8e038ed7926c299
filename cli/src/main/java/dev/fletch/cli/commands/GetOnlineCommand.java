package dev.fletch.cli.commands;

import dev.fletch.cli.AppliedDefinitions;
import dev.fletch.cli.CliContext;
import dev.fletch.cli.CommonOptions;
import dev.fletch.cli.ExitCodes;
import dev.fletch.core.FletchException;
import dev.fletch.core.model.Entity;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.model.JoinKey;
import dev.fletch.core.model.ValueType;
import dev.fletch.serving.ErrorCodes;
import dev.fletch.serving.JsonMapping;
import dev.fletch.serving.OnlineFeatures;
import dev.fletch.serving.OnlineQuery;
import dev.fletch.serving.OnlineResult;
import dev.fletch.serving.RegistryCache;
import dev.fletch.serving.ServingMetrics;
import dev.fletch.serving.ValueStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code fletch get-online}: what serving answers for some entities right now, read from the online
 * store through the same lookup {@code fletch serve} runs (applied definitions, statuses, ttl),
 * without a server. For checking materialization and debugging a model's inputs.
 */
@Command(
    name = "get-online",
    description =
        "Look up features in the online store as serving would answer now: value, status and event"
            + " time per entity row. Reads the store directly with the applied definitions; no"
            + " server needed.",
    sortOptions = false)
public final class GetOnlineCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Spec CommandSpec spec;

  static final class What {
    @Option(
        names = {"-f", "--features"},
        paramLabel = "REF",
        split = ",",
        required = true,
        description = "Feature refs, view:feature or view:* (repeat or separate with commas).")
    List<String> features;

    @Option(
        names = {"-s", "--service"},
        paramLabel = "NAME",
        required = true,
        description = "A feature service, instead of --features.")
    String service;
  }

  @ArgGroup(exclusive = true, multiplicity = "1")
  What what;

  @Option(
      names = {"-e", "--entity"},
      paramLabel = "KEY=V1[,V2...]",
      required = true,
      description =
          "Join key values, one per entity row (repeat for more keys or rows), e.g. -e"
              + " customer_id=1001,1002; on-demand features' request fields the same way"
              + " (-e amount=120.5,null).")
  List<String> entities;

  @Option(names = "--full-names", description = "Name outputs view__feature.")
  boolean fullNames;

  @Option(names = "--json", description = "Print the answer as POST /api/v1/features/online does.")
  boolean json;

  @Option(
      names = "--timeout",
      paramLabel = "SECONDS",
      defaultValue = "10",
      description = "Give up on the online store after this long (default: ${DEFAULT-VALUE}).")
  double timeoutSeconds;

  @Mixin ProjectOption project;

  @Override
  public Integer call() {
    if (!(timeoutSeconds > 0)) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--timeout must be positive, got " + timeoutSeconds);
    }
    try (CliContext ctx = common.newContext()) {
      FeatureRepo applied = AppliedDefinitions.load(ctx, project.name);
      Map<String, List<Object>> columns = entityColumns(applied);
      OnlineQuery query =
          new OnlineQuery(applied.project(), what.features, what.service, columns, fullNames);
      Duration timeout = Duration.ofMillis(Math.round(timeoutSeconds * 1000));
      Instant now;
      OnlineResult result;
      long version;
      try (RegistryCache definitions =
          new RegistryCache(ctx.registry(), applied.project(), Duration.ofHours(1), null)) {
        OnlineFeatures lookup =
            new OnlineFeatures(
                definitions,
                ctx.onlineStore(),
                Integer.MAX_VALUE,
                Clock.systemUTC(),
                new ServingMetrics(),
                Runnable::run,
                0);
        now = Instant.now();
        result = await(lookup, query, timeout);
        version = definitions.version();
      }
      if (json) {
        ctx.out().println(JsonMapping.toJson(result).encodePrettily());
      } else {
        print(ctx, applied, version, columns, result, now);
      }
    }
    return ExitCodes.OK;
  }

  private static OnlineResult await(OnlineFeatures lookup, OnlineQuery query, Duration timeout) {
    try {
      // The lookup bounds the store read by the timeout itself; the extra second only guards
      // against a store client that never completes.
      return lookup.get(query, timeout).get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException | CompletionException e) {
      Throwable cause = ErrorCodes.cause(e);
      if (cause instanceof FletchException f) {
        throw f;
      }
      throw new FletchException("online lookup failed: " + cause, cause);
    } catch (TimeoutException e) {
      throw new FletchException(
          "the online store did not answer within " + timeout.toMillis() + " ms", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FletchException("interrupted while waiting for the online store", e);
    }
  }

  /**
   * The {@code -e KEY=V1,V2} options as entity columns, each value parsed by its join key's type in
   * the applied definitions (so {@code 1001} is an integer for an INT64 key and a string for a
   * STRING key).
   */
  Map<String, List<Object>> entityColumns(FeatureRepo applied) {
    Map<String, ValueType> types = new TreeMap<>();
    for (Entity entity : applied.entities()) {
      for (JoinKey key : entity.joinKeys()) {
        types.putIfAbsent(key.name(), key.type());
      }
    }
    Map<String, ValueType> requestFields = new TreeMap<>();
    for (var odfv : applied.onDemandFeatureViews()) {
      for (var field : odfv.requestFields()) {
        requestFields.putIfAbsent(field.name(), field.type());
      }
    }
    Map<String, List<Object>> columns = new LinkedHashMap<>();
    for (String option : entities) {
      int eq = option.indexOf('=');
      if (eq <= 0) {
        throw usage("-e needs KEY=VALUE[,VALUE...], got '" + option + "'");
      }
      String key = option.substring(0, eq).strip();
      ValueType type = types.get(key);
      if (type == null && requestFields.containsKey(key)) {
        List<Object> column = columns.computeIfAbsent(key, k -> new ArrayList<>());
        for (String raw : option.substring(eq + 1).split(",", -1)) {
          column.add(requestValue(requestFields.get(key), raw.strip()));
        }
        continue;
      }
      if (type == null) {
        throw usage(
            "unknown join key '"
                + key
                + "' in -e "
                + option
                + ": project '"
                + applied.project()
                + "' has join keys "
                + types.keySet()
                + (requestFields.isEmpty() ? "" : " and request fields " + requestFields.keySet()));
      }
      List<Object> column = columns.computeIfAbsent(key, k -> new ArrayList<>());
      for (String raw : option.substring(eq + 1).split(",", -1)) {
        column.add(parse(key, type, raw, option));
      }
    }
    return columns;
  }

  /**
   * A request field's value as typed on the command line: {@code null} for none, numbers and
   * true/false as such, anything else as text (times as ISO-8601); the server checks it against the
   * field's type and names what does not fit.
   */
  private static Object requestValue(ValueType type, String raw) {
    if (raw.equals("null")) {
      return null;
    }
    try {
      return switch (type) {
        case INT32, INT64 -> Long.parseLong(raw);
        case FLOAT, DOUBLE -> Double.parseDouble(raw);
        case BOOL -> raw.equals("true") ? Boolean.TRUE : raw.equals("false") ? Boolean.FALSE : raw;
        default -> raw;
      };
    } catch (NumberFormatException e) {
      return raw;
    }
  }

  private Object parse(String key, ValueType type, String raw, String option) {
    if (type == ValueType.STRING) {
      return raw;
    }
    try {
      return Long.parseLong(raw.strip());
    } catch (NumberFormatException e) {
      throw usage(
          "join key '"
              + key
              + "' is "
              + type
              + ": '"
              + raw
              + "' is not an integer (in -e "
              + option
              + ")");
    }
  }

  private CommandLine.ParameterException usage(String message) {
    return new CommandLine.ParameterException(spec.commandLine(), message);
  }

  private void print(
      CliContext ctx,
      FeatureRepo applied,
      long version,
      Map<String, List<Object>> keys,
      OnlineResult result,
      Instant now) {
    var out = ctx.out();
    out.printf(
        Locale.ROOT,
        "project '%s', registry version %d, online store %s, read at %s%n",
        applied.project(),
        version,
        ctx.onlineStore().describe(),
        now.truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
    int width = "FEATURE".length();
    for (OnlineResult.Column c : result.columns()) {
      width = Math.max(width, c.name().length());
    }
    int valueWidth = "VALUE".length();
    for (OnlineResult.Column c : result.columns()) {
      for (Object v : c.values()) {
        valueWidth = Math.max(valueWidth, Math.min(40, shown(v).length()));
      }
    }
    Map<ValueStatus, Integer> counts = new EnumMap<>(ValueStatus.class);
    for (int row = 0; row < result.entityRows(); row++) {
      out.println();
      List<String> rowKeys = new ArrayList<>();
      for (var e : keys.entrySet()) {
        rowKeys.add(e.getKey() + "=" + e.getValue().get(row));
      }
      out.printf(Locale.ROOT, "entity row %d: %s%n", row, String.join(", ", rowKeys));
      String format = "  %-" + width + "s  %-" + valueWidth + "s  %-16s  %s%n";
      out.printf(Locale.ROOT, format, "FEATURE", "VALUE", "STATUS", "EVENT TIME");
      for (OnlineResult.Column c : result.columns()) {
        ValueStatus status = c.statuses().get(row);
        counts.merge(status, 1, Integer::sum);
        Instant eventTime = c.eventTimes().get(row);
        String when = "-";
        if (eventTime != null) {
          Duration old = Duration.between(eventTime, now);
          when =
              eventTime
                  + (old.isNegative()
                      ? " (in the future by " + age(old.negated()) + ")"
                      : " (" + age(old) + " ago)");
          if (status == ValueStatus.OUTSIDE_MAX_AGE) {
            when += ", older than ttl " + age(applied.view(c.ref().view()).ttl());
          }
        }
        out.printf(Locale.ROOT, format, c.name(), shown(c.values().get(row)), status, when);
      }
    }
    List<String> summary = new ArrayList<>();
    counts.forEach((status, n) -> summary.add(n + " " + status));
    out.printf(
        Locale.ROOT,
        "%n%d entity %s x %d %s: %s%n",
        result.entityRows(),
        result.entityRows() == 1 ? "row" : "rows",
        result.columns().size(),
        result.columns().size() == 1 ? "feature" : "features",
        String.join(", ", summary));
    if (counts.containsKey(ValueStatus.NOT_MATERIALIZED)) {
      out.println(
          "NOT_MATERIALIZED: the stored rows were written before those features were added (or"
              + " changed type); run fletch materialize-incremental (a changed view's next job is a"
              + " full one) or fletch materialize");
    }
  }

  /** A value as JSON shows it (lists as arrays, bytes base64), cut at 40 characters. */
  private static String shown(Object value) {
    if (value == null) {
      return "null";
    }
    Object json = JsonMapping.toJsonValue(value);
    String s = String.valueOf(json);
    return s.length() <= 40 ? s : s.substring(0, 37) + "...";
  }

  /** A duration for people: "45 s", "3 min", "5 h 12 min", "12 d 4 h". */
  static String age(Duration d) {
    long s = d.getSeconds();
    if (s < 60) {
      return s + " s";
    } else if (s < 3600) {
      return s / 60 + " min";
    } else if (s < 86_400) {
      return s / 3600 + " h" + (s % 3600 / 60 == 0 ? "" : " " + s % 3600 / 60 + " min");
    }
    return s / 86_400 + " d" + (s % 86_400 / 3600 == 0 ? "" : " " + s % 86_400 / 3600 + " h");
  }
}
