package dev.fletch.core.ingest;

import static java.util.Objects.requireNonNull;

import dev.fletch.core.InvalidRequestException;
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
import java.util.Map;

/**
 * What rows written to a feature view as they happen (pushed, streamed) look like: the view's
 * source columns as its definition names them, the shape of its offline files. Every join key, the
 * source's timestamp field, optionally its created timestamp field, and the view's value columns: a
 * plain view's features, an aggregated view's aggregated columns (the raw event). {@link #check}
 * turns one row as it arrived (JSON or protobuf values) into Fletch's values, or fails naming the
 * row and column; nothing of it is pasted anywhere.
 *
 * <p>Views whose values are SQL expressions have no shape: rows written as they happen are not
 * evaluated ({@link #of} says so).
 */
public final class RowShape {
  /** One column: its name in rows, in the source's files, its type, and what it is. */
  public record Column(String name, String fileName, ValueType type, Role role) {}

  /** What a column is for. */
  public enum Role {
    KEY,
    TIME,
    CREATED,
    VALUE
  }

  /** One checked row: its entity, times, and every column's value (null where absent). */
  public record Row(EntityKey key, Instant time, Instant created, Object[] values) {}

  private final FeatureView view;
  private final Source source;
  private final List<Column> columns;
  private final Map<String, Integer> index = new LinkedHashMap<>();
  private final List<String> keyNames;
  private final int keyCount;
  private final int firstValue;
  private final boolean hasCreated;
  private final TileLayout layout;

  private RowShape(
      FeatureView view,
      Source source,
      List<Column> columns,
      List<String> keyNames,
      boolean hasCreated,
      TileLayout layout) {
    this.view = view;
    this.source = source;
    this.columns = List.copyOf(columns);
    this.keyNames = List.copyOf(keyNames);
    this.keyCount = keyNames.size();
    this.hasCreated = hasCreated;
    this.firstValue = keyCount + 1 + (hasCreated ? 1 : 0);
    this.layout = layout;
    for (int c = 0; c < columns.size(); c++) {
      index.putIfAbsent(columns.get(c).name(), c);
    }
  }

  /** The shape of {@code view}'s rows; InvalidRequestException when its values are expressions. */
  public static RowShape of(FeatureRepo repo, FeatureView view) {
    requireNonNull(repo, "repo is null");
    requireNonNull(view, "view is null");
    Source source = repo.source(view.source());
    String where = "feature view '" + view.name() + "'";
    Map<String, String> fileNames = new HashMap<>();
    source.fieldMapping().forEach((file, mapped) -> fileNames.put(mapped, file));
    List<JoinKey> keys = repo.joinKeys(view);
    List<Column> columns = new ArrayList<>();
    for (JoinKey k : keys) {
      columns.add(
          new Column(k.name(), fileNames.getOrDefault(k.name(), k.name()), k.type(), Role.KEY));
    }
    columns.add(
        new Column(
            source.timestampField(), source.timestampField(), ValueType.TIMESTAMP, Role.TIME));
    boolean hasCreated =
        source.createdTimestampField() != null && !source.createdTimestampField().isBlank();
    if (hasCreated) {
      columns.add(
          new Column(
              source.createdTimestampField(),
              source.createdTimestampField(),
              ValueType.TIMESTAMP,
              Role.CREATED));
    }
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
                  + "'); rows written as they happen are not evaluated, so its events cannot"
                  + " go online this way: keep them offline (to: offline) and materialize");
        }
        columns.add(
            new Column(
                a.column(),
                fileNames.getOrDefault(a.column(), a.column()),
                a.inputType(),
                Role.VALUE));
      }
    } else {
      for (Feature f : view.features()) {
        if (f.hasExpression()) {
          throw new InvalidRequestException(
              where
                  + " computes feature '"
                  + f.name()
                  + "' with a SQL expression; rows written as they happen are not evaluated, so"
                  + " keep the source rows offline (to: offline) and materialize");
        }
        columns.add(
            new Column(f.name(), fileNames.getOrDefault(f.name(), f.name()), f.type(), Role.VALUE));
      }
    }
    return new RowShape(
        view, source, columns, keys.stream().map(JoinKey::name).toList(), hasCreated, layout);
  }

  public FeatureView view() {
    return view;
  }

  public Source source() {
    return source;
  }

  public List<Column> columns() {
    return columns;
  }

  /** The tile layout of an aggregated view (null for a plain view). */
  public TileLayout layout() {
    return layout;
  }

  /**
   * Checks one row ({@code n}, for messages) and converts its values to the columns' types.
   *
   * @param strict whether a column the shape does not know is an error (a push) or ignored (a
   *     message carrying more fields than this view reads)
   */
  public Row check(Map<String, ?> row, int n, boolean strict) {
    String where = "feature view '" + view.name() + "'";
    if (row == null) {
      throw new InvalidRequestException("row " + n + " is null: each row is an object");
    }
    if (strict) {
      for (String name : row.keySet()) {
        if (!index.containsKey(name)) {
          throw new InvalidRequestException(
              "row "
                  + n
                  + ": unknown column '"
                  + name
                  + "' for "
                  + where
                  + "; its columns are "
                  + index.keySet());
        }
      }
    }
    Object[] values = new Object[columns.size()];
    for (int c = 0; c < columns.size(); c++) {
      Column col = columns.get(c);
      boolean present = row.containsKey(col.name());
      if (!present && col.role() != Role.CREATED) {
        throw new InvalidRequestException(
            "row "
                + n
                + ": column '"
                + col.name()
                + "' is missing ("
                + switch (col.role()) {
                  case KEY -> "a join key";
                  case TIME -> "the source's timestamp_field";
                  default -> "give every value column of " + where + ", null for a missing value";
                }
                + ")");
      }
      Object v = convert(row.get(col.name()), col.type(), n, col.name());
      if (v == null && (col.role() == Role.KEY || col.role() == Role.TIME)) {
        throw new InvalidRequestException(
            "row "
                + n
                + ": column '"
                + col.name()
                + "' is null ("
                + (col.role() == Role.KEY ? "a join key" : "the source's timestamp_field")
                + ")");
      }
      values[c] = v;
    }
    List<Object> keyValues = new ArrayList<>(keyCount);
    for (int k = 0; k < keyCount; k++) {
      Object v = values[k];
      keyValues.add(v instanceof Integer i ? Long.valueOf(i) : v);
    }
    return new Row(
        new EntityKey(keyNames, keyValues),
        (Instant) values[keyCount],
        hasCreated ? (Instant) values[keyCount + 1] : null,
        values);
  }

  /** A plain view's row as the online store writes it. */
  public FeatureRow featureRow(Row row) {
    List<Object> featureValues = new ArrayList<>(view.features().size());
    for (int f = 0; f < view.features().size(); f++) {
      featureValues.add(row.values()[firstValue + f]);
    }
    return new FeatureRow(row.key(), row.time(), featureValues);
  }

  /** An aggregated view's event inputs, in {@link TileLayout#inputs()} order, canonical. */
  public Object[] inputs(Row row) {
    Object[] inputs = new Object[layout.inputs().size()];
    for (int i = 0; i < inputs.length; i++) {
      inputs[i] = Partial.canonical(row.values()[firstValue + i]);
    }
    return inputs;
  }

  /**
   * A request value as Fletch carries values of {@code type} (Integer, Long, Float, Double, String,
   * Boolean, Instant, byte[], List), or an error naming row and column. Numbers of JSON and
   * protobuf, ISO-8601 text with an offset or Instants for times, base64 text or bytes for BYTES,
   * lists for list types.
   */
  public static Object convert(Object v, ValueType type, int row, String column) {
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
                  + describe(v));
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
              + "': expected an ISO-8601 time with an offset such as \"2026-12-04T10:00:00Z\","
              + " got \""
              + v
              + "\"");
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException(
          "row " + row + ", column '" + column + "' (" + type + "): " + e.getMessage());
    }
  }

  /** A value for messages: its kind and (abbreviated) text. */
  public static String describe(Object value) {
    String kind =
        value instanceof String
            ? "a string"
            : value instanceof Number
                ? "a number"
                : value instanceof Boolean ? "a boolean" : "a " + value.getClass().getSimpleName();
    String text = String.valueOf(value);
    return kind + " (" + (text.length() > 40 ? text.substring(0, 40) + "..." : text) + ")";
  }

  private static IllegalArgumentException wrong(Object v) {
    return new IllegalArgumentException("got " + describe(v));
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
    throw new IllegalArgumentException("expected a whole number, got " + describe(v));
  }

  private static double number(Object v) {
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    throw new IllegalArgumentException("expected a number, got " + describe(v));
  }
}
