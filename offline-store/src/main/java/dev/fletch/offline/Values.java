package dev.fletch.offline;

import dev.fletch.core.model.ValueType;
import dev.fletch.core.window.Windows;
import java.math.BigDecimal;
import java.sql.Array;
import java.sql.Blob;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** JDBC values from DuckDB as the plain Java values documented on {@link ValueType}. */
final class Values {
  private Values() {}

  /**
   * Column {@code i} of the current row as {@code type}'s Java type. The SQL already cast it to
   * that type, and TIMESTAMP columns were selected as epoch microseconds so no JVM zone is
   * involved.
   */
  static Object read(ResultSet rs, int i, ValueType type) throws SQLException {
    Object raw = rs.getObject(i);
    if (raw == null) {
      return null;
    }
    return switch (type) {
      case BOOL, STRING -> raw;
      case INT32 -> ((Number) raw).intValue();
      case INT64 -> ((Number) raw).longValue();
      case FLOAT -> ((Number) raw).floatValue();
      case DOUBLE -> ((Number) raw).doubleValue();
      case BYTES -> rs.getBytes(i);
      case TIMESTAMP -> instantOfMicros(((Number) raw).longValue());
      case BOOL_LIST, INT32_LIST, INT64_LIST, FLOAT_LIST, DOUBLE_LIST, STRING_LIST ->
          list((Array) raw, type.elementType());
    };
  }

  static Instant instantOfMicros(long micros) {
    return Windows.instant(micros);
  }

  static long microsOf(Instant t, boolean roundUp) {
    long micros = Windows.micros(t);
    return roundUp && t.getNano() % 1000 != 0 ? micros + 1 : micros;
  }

  private static List<Object> list(Array array, ValueType element) throws SQLException {
    Object[] items = (Object[]) array.getArray();
    List<Object> out = new ArrayList<>(items.length);
    for (Object item : items) {
      out.add(item == null ? null : element(item, element));
    }
    return Collections.unmodifiableList(out);
  }

  private static Object element(Object item, ValueType element) {
    return switch (element) {
      case INT32 -> ((Number) item).intValue();
      case INT64 -> ((Number) item).longValue();
      case FLOAT -> ((Number) item).floatValue();
      case DOUBLE -> ((Number) item).doubleValue();
      default -> item;
    };
  }

  /**
   * Column {@code i} of a file preview in the closest plain Java type: times as Instant (a naive
   * TIMESTAMP is UTC), dates as LocalDate, lists as List, blobs as byte[].
   */
  static Object plain(ResultSet rs, int i) throws SQLException {
    Object raw = rs.getObject(i);
    if (raw == null) {
      return null;
    }
    String type = rs.getMetaData().getColumnTypeName(i).toUpperCase(Locale.ROOT);
    if (raw instanceof OffsetDateTime odt) {
      return odt.toInstant();
    }
    if (type.startsWith("TIMESTAMP")) {
      return rs.getObject(i, LocalDateTime.class).toInstant(ZoneOffset.UTC);
    }
    if (type.equals("DATE")) {
      return rs.getObject(i, LocalDate.class);
    }
    if (raw instanceof Array a) {
      Object[] items = (Object[]) a.getArray();
      return Collections.unmodifiableList(Arrays.asList(items));
    }
    if (raw instanceof Blob || type.equals("BLOB")) {
      return rs.getBytes(i);
    }
    if (raw instanceof BigDecimal
        || raw instanceof Number
        || raw instanceof String
        || raw instanceof Boolean) {
      return raw;
    }
    return raw.toString();
  }
}
