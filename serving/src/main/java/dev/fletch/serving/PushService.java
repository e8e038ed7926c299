package dev.fletch.serving;

import static java.util.Objects.requireNonNull;

import dev.fletch.core.InvalidRequestException;
import dev.fletch.core.NotFoundException;
import dev.fletch.core.model.Aggregation;
import dev.fletch.core.model.EntityKey;
import dev.fletch.core.model.Feature;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.model.FeatureRow;
import dev.fletch.core.model.FeatureView;
import dev.fletch.core.model.JoinKey;
import dev.fletch.core.model.Source;
import dev.fletch.core.model.ValueType;
import dev.fletch.core.window.Partial;
import dev.fletch.core.window.TileLayout;
import dev.fletch.core.window.Windows;
import dev.fletch.offline.OfflineStore;
import dev.fletch.online.OnlineStore;
import dev.fletch.online.StreamTiles;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The Push API: rows of one feature view, checked against the registered definition as a whole
 * before anything is written, then written to the source's push log (offline), the online store, or
 * both (the log first). A plain view's rows go online under the never-older rule; an aggregated
 * view's raw events go into its streamed tiles ({@link StreamTiles}).
 *
 * <p>Rows are given in the source's terms, the same shape as its offline files: the join keys, the
 * source's timestamp field, optionally its created timestamp field, and the view's value columns (a
 * plain view's features, an aggregated view's aggregated columns). Pushing to views whose values
 * are SQL expressions is refused: the push API does not evaluate expressions.
 */
final class PushService {
  /** The most rows one push may carry. */
  static final int MAX_ROWS = 10_000;

  /** Where pushed rows go. */
  enum Target {
    ONLINE,
    OFFLINE,
    BOTH;

    boolean online() {
      return this != OFFLINE;
    }

    boolean offline() {
      return this != ONLINE;
    }

    /** {@code online}, {@code offline} or {@code both} (null: online). */
    static Target parse(String text) {
      if (text == null) {
        return ONLINE;
      }
      return switch (text.toLowerCase(Locale.ROOT)) {
        case "online" -> ONLINE;
        case "offline" -> OFFLINE;
        case "both" -> BOTH;
        default ->
            throw new InvalidRequestException(
                "'to' must be online, offline or both, not '" + text + "'");
      };
    }
  }

  /** A push as it arrived: rows as maps of column name to value (JSON or protobuf values). */
  record Request(String project, String view, Target to, List<Map<String, Object>> rows) {}

  /** What a push did. */
  record Result(int rows, long onlineRows, long lateRows, int offlineRows) {}

  /** One column a push may carry: its name in the request, in the source's files, and its type. */
  private record Column(String name, String fileName, ValueType type, boolean required) {}

  private final RegistryCache definitions;
  private final OnlineStore store;
  private final OfflineStore offline;
  private final Executor blocking;

  PushService(
      RegistryCache definitions, OnlineStore store, OfflineStore offline, Executor blocking) {
    this.definitions = requireNonNull(definitions, "definitions is null");
    this.store = requireNonNull(store, "store is null");
    this.offline = offline;
    this.blocking = requireNonNull(blocking, "blocking is null");
  }

  /** Checks and writes one push; failures (also validation) come back as a failed future. */
  CompletableFuture<Result> push(Request request) {
    Checked checked;
    try {
      checked = check(request);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    CompletableFuture<Integer> logged =
        request.to().offline()
            ? CompletableFuture.supplyAsync(
                () -> {
                  offline.appendPushLog(
                      checked.repo(),
                      checked.source().name(),
                      checked.logColumns(),
                      checked.logRows());
                  return checked.rows();
                },
                blocking)
            : CompletableFuture.completedFuture(0);
    return logged.thenCompose(
        offlineRows -> {
          if (!request.to().online()) {
            return CompletableFuture.completedFuture(new Result(checked.rows(), 0, 0, offlineRows));
          }
          if (checked.view().aggregated()) {
            return StreamTiles.add(store, definitions.project(), checked.view(), checked.events())
                .thenApply(r -> new Result(checked.rows(), r.applied(), r.late(), offlineRows));
          }
          return store
              .write(definitions.project(), checked.view(), checked.featureRows())
              .thenApply(v -> new Result(checked.rows(), checked.rows(), 0, offlineRows));
        });
  }

  /** A push that passed every check: what goes online and what goes to the log. */
  private record Checked(
      FeatureRepo repo,
      FeatureView view,
      Source source,
      int rows,
      List<FeatureRow> featureRows,
      List<StreamTiles.Event> events,
      List<OfflineStore.PushColumn> logColumns,
      List<Object[]> logRows) {}

  private Checked check(Request request) {
    if (request.project() != null
        && !request.project().isEmpty()
        && !request.project().equals(definitions.project())) {
      throw new NotFoundException(
          "project", request.project(), "this server serves '" + definitions.project() + "'");
    }
    if (request.view() == null || request.view().isEmpty()) {
      throw new InvalidRequestException("'feature_view' is missing: name the view to push to");
    }
    List<Map<String, Object>> rows = request.rows();
    if (rows == null || rows.isEmpty()) {
      throw new InvalidRequestException("no rows: give at least one row to push");
    }
    if (rows.size() > MAX_ROWS) {
      throw new InvalidRequestException(
          rows.size() + " rows in one push; at most " + MAX_ROWS + " are allowed: split it");
    }
    FeatureRepo repo = definitions.catalog().repo();
    FeatureView view = repo.view(request.view());
    Source source = repo.source(view.source());
    String where = "feature view '" + view.name() + "'";
    if (request.to().online() && !view.online()) {
      throw new InvalidRequestException(
          where + " is not online (online: false): push to: offline to keep its rows");
    }
    if (request.to().offline() && offline == null) {
      throw new InvalidRequestException(
          "this server has no offline store, so pushed rows cannot be kept offline: push to the"
              + " online store only");
    }
    if (request.to().offline() && source.pushLog() == null) {
      throw new InvalidRequestException(
          "source '"
              + source.name()
              + "' of "
              + where
              + " has no push_log folder, so pushed rows cannot be kept offline: add 'push_log:"
              + " data/pushed/"
              + source.name()
              + "' to it, or push to: online");
    }
    Map<String, String> fileNames = new HashMap<>();
    source.fieldMapping().forEach((file, mapped) -> fileNames.put(mapped, file));
    List<JoinKey> keys = repo.joinKeys(view);
    List<Column> columns = new ArrayList<>();
    for (JoinKey k : keys) {
      columns.add(new Column(k.name(), fileNames.getOrDefault(k.name(), k.name()), k.type(), true));
    }
    columns.add(
        new Column(source.timestampField(), source.timestampField(), ValueType.TIMESTAMP, true));
    boolean hasCreated =
        source.createdTimestampField() != null && !source.createdTimestampField().isBlank();
    if (hasCreated) {
      columns.add(
          new Column(
              source.createdTimestampField(),
              source.createdTimestampField(),
              ValueType.TIMESTAMP,
              false));
    }
    int firstValue = columns.size();
    TileLayout layout = null;
    if (view.aggregated()) {
      layout = TileLayout.of(view);
      for (Aggregation a : layout.inputs()) {
        if (a.column() == null) {
          throw new InvalidRequestException(
              where
                  + " aggregates the expression '"
                  + a.expression()
                  + "' ('"
                  + a.name()
                  + "'); the push API does not evaluate expressions, so its events cannot be"
                  + " pushed online: push them to: offline and materialize");
        }
        columns.add(
            new Column(
                a.column(), fileNames.getOrDefault(a.column(), a.column()), a.inputType(), true));
      }
    } else {
      for (Feature f : view.features()) {
        if (f.hasExpression()) {
          throw new InvalidRequestException(
              where
                  + " computes feature '"
                  + f.name()
                  + "' with a SQL expression; the push API does not evaluate expressions, so"
                  + " push the source rows to: offline and materialize");
        }
        columns.add(
            new Column(f.name(), fileNames.getOrDefault(f.name(), f.name()), f.type(), true));
      }
    }
    Map<String, Integer> index = new LinkedHashMap<>();
    for (int c = 0; c < columns.size(); c++) {
      index.putIfAbsent(columns.get(c).name(), c);
    }
    List<FeatureRow> featureRows = new ArrayList<>();
    List<StreamTiles.Event> events = new ArrayList<>();
    List<Object[]> logRows = new ArrayList<>(rows.size());
    List<String> keyNames = keys.stream().map(JoinKey::name).toList();
    for (int r = 0; r < rows.size(); r++) {
      Map<String, Object> row = rows.get(r);
      if (row == null) {
        throw new InvalidRequestException("row " + r + " is null: each row is an object");
      }
      for (String name : row.keySet()) {
        if (!index.containsKey(name)) {
          throw new InvalidRequestException(
              "row "
                  + r
                  + ": unknown column '"
                  + name
                  + "' for "
                  + where
                  + "; its columns are "
                  + index.keySet());
        }
      }
      Object[] values = new Object[columns.size()];
      for (int c = 0; c < columns.size(); c++) {
        Column col = columns.get(c);
        boolean present = row.containsKey(col.name());
        if (!present && col.required() && c < firstValue) {
          throw new InvalidRequestException(
              "row "
                  + r
                  + ": column '"
                  + col.name()
                  + "' is missing ("
                  + describe(col, c, keys.size())
                  + ")");
        }
        if (!present && col.required()) {
          throw new InvalidRequestException(
              "row "
                  + r
                  + ": column '"
                  + col.name()
                  + "' is missing; give every value column of "
                  + where
                  + " (null for a missing value)");
        }
        Object v = convert(row.get(col.name()), col.type(), r, col.name());
        if (v == null && c <= keys.size()) {
          throw new InvalidRequestException(
              "row "
                  + r
                  + ": column '"
                  + col.name()
                  + "' is null ("
                  + describe(col, c, keys.size())
                  + ")");
        }
        values[c] = v;
      }
      logRows.add(values);
      List<Object> keyValues = new ArrayList<>(keys.size());
      for (int k = 0; k < keys.size(); k++) {
        Object v = values[k];
        keyValues.add(v instanceof Integer i ? Long.valueOf(i) : v);
      }
      EntityKey key = new EntityKey(keyNames, keyValues);
      Instant time = (Instant) values[keys.size()];
      Instant created = hasCreated ? (Instant) values[keys.size() + 1] : null;
      if (layout != null) {
        Object[] inputs = new Object[layout.inputs().size()];
        for (int i = 0; i < inputs.length; i++) {
          inputs[i] = Partial.canonical(values[firstValue + i]);
        }
        events.add(
            new StreamTiles.Event(
                key,
                Windows.micros(time),
                created == null ? null : Windows.micros(created),
                inputs,
                null,
                0));
      } else {
        List<Object> featureValues = new ArrayList<>(view.features().size());
        for (int f = 0; f < view.features().size(); f++) {
          featureValues.add(values[firstValue + f]);
        }
        featureRows.add(new FeatureRow(key, time, featureValues));
      }
    }
    List<OfflineStore.PushColumn> logColumns = new ArrayList<>(columns.size());
    for (Column c : columns) {
      logColumns.add(new OfflineStore.PushColumn(c.fileName(), c.type()));
    }
    return new Checked(repo, view, source, rows.size(), featureRows, events, logColumns, logRows);
  }

  private static String describe(Column col, int c, int keyCount) {
    return c < keyCount ? "a join key" : c == keyCount ? "the source's timestamp_field" : "a value";
  }

  /**
   * A request value as Fletch carries values of {@code type}, or an error naming row and column.
   */
  static Object convert(Object v, ValueType type, int row, String column) {
    if (v == null) {
      return null;
    }
    try {
      return switch (type) {
        case BOOL -> {
          if (v instanceof Boolean b) {
            yield b;
          }
          throw wrong(v);
        }
        case INT32 -> Math.toIntExact(integer(v));
        case INT64 -> integer(v);
        case FLOAT -> (float) number(v);
        case DOUBLE -> number(v);
        case STRING -> {
          if (v instanceof String s) {
            yield s;
          }
          throw wrong(v);
        }
        case BYTES -> {
          if (v instanceof byte[] b) {
            yield b;
          }
          if (v instanceof String s) {
            yield Base64.getDecoder().decode(s);
          }
          throw wrong(v);
        }
        case TIMESTAMP -> {
          if (v instanceof Instant t) {
            yield t;
          }
          if (v instanceof String s) {
            yield OffsetDateTime.parse(s).toInstant();
          }
          throw new IllegalArgumentException(
              "expected an ISO-8601 time with an offset such as \"2026-12-04T10:00:00Z\", got "
                  + OnlineFeatures.describeValue(v));
        }
        default -> {
          if (!(v instanceof List<?> list)) {
            throw wrong(v);
          }
          List<Object> out = new ArrayList<>(list.size());
          for (Object e : list) {
            out.add(convert(e, type.elementType(), row, column));
          }
          yield out;
        }
      };
    } catch (InvalidRequestException e) {
      throw e;
    } catch (ArithmeticException e) {
      throw new InvalidRequestException(
          "row " + row + ", column '" + column + "': " + v + " is out of range for " + type);
    } catch (DateTimeParseException e) {
      throw new InvalidRequestException(
          "row "
              + row
              + ", column '"
              + column
              + "': expected an ISO-8601 time with an offset such as \"2026-12-04T10:00:00Z\", got \""
              + v
              + "\"");
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException(
          "row " + row + ", column '" + column + "' (" + type + "): " + e.getMessage());
    }
  }

  private static IllegalArgumentException wrong(Object v) {
    return new IllegalArgumentException("got " + OnlineFeatures.describeValue(v));
  }

  private static long integer(Object v) {
    if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
      return ((Number) v).longValue();
    }
    if (v instanceof BigInteger b) {
      return b.longValueExact();
    }
    if (v instanceof BigDecimal d) {
      return d.longValueExact();
    }
    if (v instanceof Double d && d == Math.rint(d) && Math.abs(d) < 0x1p53) {
      return d.longValue();
    }
    throw new IllegalArgumentException(
        "expected a whole number, got " + OnlineFeatures.describeValue(v));
  }

  private static double number(Object v) {
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    throw new IllegalArgumentException("expected a number, got " + OnlineFeatures.describeValue(v));
  }
}
