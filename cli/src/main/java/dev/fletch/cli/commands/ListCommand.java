package dev.fletch.cli.commands;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.fletch.cli.CliContext;
import dev.fletch.cli.CommonOptions;
import dev.fletch.cli.ExitCodes;
import dev.fletch.core.DefinitionJson;
import dev.fletch.core.FletchException;
import dev.fletch.core.model.Entity;
import dev.fletch.core.model.FeatureService;
import dev.fletch.core.model.FeatureView;
import dev.fletch.core.model.OnDemandFeatureView;
import dev.fletch.core.model.Source;
import dev.fletch.registry.ObjectKind;
import dev.fletch.registry.Registry;
import dev.fletch.registry.StoredObject;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Lists what the registry holds (not what the YAML says: run {@code fletch plan} for the
 * difference).
 */
@Command(
    name = "list",
    description =
        "List the registry's entities, sources, feature-views, on-demand-feature-views,"
            + " feature-services, features or projects.")
public final class ListCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Parameters(
      index = "0",
      paramLabel = "KIND",
      description =
          "entities | sources | feature-views | on-demand-feature-views | feature-services |"
              + " features | projects")
  String kind;

  @Mixin ProjectOption project;

  @Option(
      names = "--version",
      paramLabel = "N",
      description = "A past registry version (default: the latest).")
  long version;

  @Option(names = "--json", description = "Print JSON.")
  boolean json;

  @Override
  public Integer call() {
    try (CliContext ctx = common.newContext()) {
      Registry registry = ctx.registry();
      PrintStream out = ctx.out();
      if (kind.trim().toLowerCase(Locale.ROOT).equals("projects")) {
        List<String> projects = registry.projects();
        if (json) {
          List<java.util.Map<String, Object>> rows = new ArrayList<>();
          projects.forEach(
              p -> rows.add(java.util.Map.of("name", p, "version", registry.currentVersion(p))));
          out.println(prettyJson(rows));
        } else if (projects.isEmpty()) {
          out.println(
              "No projects: nothing was applied to this registry yet, or every project was deleted"
                  + " (fletch history --project NAME shows a deleted one).");
        } else {
          List<List<String>> rows = new ArrayList<>();
          for (String p : projects) {
            rows.add(List.of(p, Long.toString(registry.currentVersion(p))));
          }
          table(out, List.of("PROJECT", "VERSION"), rows);
        }
        return ExitCodes.OK;
      }
      String p = project.resolve(ctx);
      if (kind.trim().toLowerCase(Locale.ROOT).equals("features")) {
        return listFeatures(ctx, registry, p);
      }
      ObjectKind k;
      try {
        k = ObjectKind.parse(kind);
      } catch (dev.fletch.core.InvalidRequestException e) {
        throw new dev.fletch.core.InvalidRequestException(
            "unknown kind '"
                + kind
                + "': expected entities, sources, feature-views, on-demand-feature-views,"
                + " feature-services, features or projects");
      }
      List<StoredObject> objects = registry.objects(p, k, version);
      if (json) {
        out.println(prettyJson(objects));
        return ExitCodes.OK;
      }
      List<List<String>> rows = new ArrayList<>();
      for (StoredObject o : objects) {
        rows.add(row(o.value()));
      }
      if (rows.isEmpty()) {
        out.println("No " + k.plural() + " in project '" + p + "'.");
      } else {
        table(out, header(k), rows);
      }
    }
    return ExitCodes.OK;
  }

  /** Every feature of the project: its reference, type, view, ttl, online flag and description. */
  private int listFeatures(CliContext ctx, Registry registry, String p) {
    dev.fletch.core.model.FeatureRepo repo =
        version > 0 ? registry.load(p, version) : registry.load(p);
    List<java.util.Map<String, Object>> asJson = new ArrayList<>();
    List<List<String>> rows = new ArrayList<>();
    for (FeatureView v : repo.featureViews()) {
      for (dev.fletch.core.model.Feature f : v.features()) {
        String description = describeFeature(v, f);
        java.util.Map<String, Object> o = new java.util.LinkedHashMap<>();
        o.put("feature", v.name() + ":" + f.name());
        o.put("type", f.type().toString());
        o.put("view", v.name());
        o.put("ttl", v.aggregated() ? "windows" : v.hasTtl() ? duration(v.ttl()) : "none");
        o.put("online", v.online());
        o.put("description", description);
        asJson.add(o);
        rows.add(
            List.of(
                v.name() + ":" + f.name(),
                f.type().toString(),
                (String) o.get("ttl"),
                Boolean.toString(v.online()),
                description));
      }
    }
    for (OnDemandFeatureView v : repo.onDemandFeatureViews()) {
      for (dev.fletch.core.model.Feature f : v.features()) {
        String description = f.description().isEmpty() ? f.expression() : f.description();
        java.util.Map<String, Object> o = new java.util.LinkedHashMap<>();
        o.put("feature", v.name() + ":" + f.name());
        o.put("type", f.type().toString());
        o.put("view", v.name());
        o.put("ttl", "request time");
        o.put("online", true);
        o.put("description", description);
        asJson.add(o);
        rows.add(
            List.of(
                v.name() + ":" + f.name(),
                f.type().toString(),
                "request time",
                "true",
                description));
      }
    }
    PrintStream out = ctx.out();
    if (json) {
      out.println(prettyJson(asJson));
    } else if (rows.isEmpty()) {
      out.println("No features in project '" + p + "'.");
    } else {
      table(out, List.of("FEATURE", "TYPE", "TTL", "ONLINE", "DESCRIPTION"), rows);
    }
    return ExitCodes.OK;
  }

  /** A feature's description, or for a window aggregation what it computes. */
  static String describeFeature(FeatureView v, dev.fletch.core.model.Feature f) {
    if (!f.description().isEmpty()) {
      return f.description();
    }
    return v.aggregation(f.name())
        .map(
            a ->
                a.function().key()
                    + (a.countsEvents()
                        ? " of events"
                        : " of " + (a.column() != null ? a.column() : a.expression()))
                    + " over "
                    + duration(a.window()))
        .orElse(f.expression() == null ? "" : f.expression());
  }

  private static List<String> header(ObjectKind kind) {
    return switch (kind) {
      case ENTITY -> List.of("NAME", "JOIN KEYS", "DESCRIPTION");
      case SOURCE -> List.of("NAME", "FORMAT", "PATH", "TIMESTAMP FIELD");
      case FEATURE_VIEW -> List.of("NAME", "ENTITIES", "SOURCE", "TTL", "ONLINE", "FEATURES");
      case ON_DEMAND_FEATURE_VIEW -> List.of("NAME", "REQUEST FIELDS", "VIEWS", "FEATURES");
      case FEATURE_SERVICE -> List.of("NAME", "FEATURES", "OWNER");
    };
  }

  private static List<String> row(Object o) {
    if (o instanceof Entity e) {
      return List.of(
          e.name(),
          e.joinKeys().stream()
              .map(k -> k.name() + " " + k.type())
              .collect(Collectors.joining(", ")),
          e.description());
    } else if (o instanceof Source s) {
      return List.of(s.name(), s.format().toString(), s.path(), s.timestampField());
    } else if (o instanceof FeatureView v) {
      return List.of(
          v.name(),
          String.join(", ", v.entities()),
          v.source(),
          v.hasTtl() ? duration(v.ttl()) : "none",
          Boolean.toString(v.online()),
          Integer.toString(v.features().size()));
    } else if (o instanceof OnDemandFeatureView v) {
      return List.of(
          v.name(),
          v.requestFields().stream()
              .map(f -> f.name() + " " + f.type())
              .collect(Collectors.joining(", ")),
          String.join(", ", v.views()),
          Integer.toString(v.features().size()));
    } else if (o instanceof FeatureService s) {
      return List.of(s.name(), String.join(", ", s.features()), s.owner());
    }
    throw new IllegalStateException("unknown object " + o);
  }

  /** A duration as YAML writes it: {@code 30d}, {@code 12h}, {@code 15m}, else ISO-8601. */
  static String duration(Duration d) {
    long s = d.getSeconds();
    if (d.getNano() == 0 && s > 0) {
      if (s % 86_400 == 0) {
        return s / 86_400 + "d";
      }
      if (s % 3_600 == 0) {
        return s / 3_600 + "h";
      }
      if (s % 60 == 0) {
        return s / 60 + "m";
      }
      return s + "s";
    }
    return d.toString();
  }

  static String prettyJson(Object value) {
    try {
      return DefinitionJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new FletchException("cannot print JSON: " + e.getOriginalMessage(), e);
    }
  }

  /** Left-aligned columns, two spaces apart. */
  static void table(PrintStream out, List<String> header, List<List<String>> rows) {
    int[] width = new int[header.size()];
    List<List<String>> all = new ArrayList<>();
    all.add(header);
    all.addAll(rows);
    for (List<String> r : all) {
      for (int i = 0; i < r.size(); i++) {
        width[i] = Math.max(width[i], r.get(i).length());
      }
    }
    for (List<String> r : all) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < r.size(); i++) {
        sb.append(
            i == r.size() - 1 ? r.get(i) : String.format("%-" + (width[i] + 2) + "s", r.get(i)));
      }
      out.println(sb.toString().stripTrailing());
    }
  }
}
