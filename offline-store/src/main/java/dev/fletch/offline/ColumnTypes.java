package dev.fletch.offline;

import dev.fletch.core.model.ValueType;
import java.util.Locale;
import java.util.Set;

/**
 * Which DuckDB column types a declared {@link ValueType} reads without loss: the type itself and
 * its widenings (a smaller integer as a larger one, integers and decimals as DOUBLE, FLOAT as
 * DOUBLE, and lists of those). What a read would narrow, round or parse (DOUBLE as FLOAT, BIGINT as
 * INT32, text as a number) does not. Times follow the offline store's one rule for time columns
 * ({@link TimeTypes#accepts}).
 */
final class ColumnTypes {
  private ColumnTypes() {}

  private static final Set<String> INT32 =
      Set.of("INTEGER", "SMALLINT", "TINYINT", "USMALLINT", "UTINYINT");
  private static final Set<String> SMALL = Set.of("SMALLINT", "TINYINT", "USMALLINT", "UTINYINT");

  /** Whether a column of DuckDB type {@code duckType} reads as {@code declared} without loss. */
  static boolean reads(String duckType, ValueType declared) {
    String t = duckType.strip().toUpperCase(Locale.ROOT);
    if (t.equals("NULL") || t.equals("\"NULL\"")) {
      return true; // a column of nulls only reads as anything
    }
    if (declared.isList()) {
      return t.endsWith("[]") && reads(t.substring(0, t.length() - 2), declared.elementType());
    }
    return switch (declared) {
      case BOOL -> t.equals("BOOLEAN");
      case INT32 -> INT32.contains(t);
      case INT64 -> INT32.contains(t) || t.equals("BIGINT") || t.equals("UINTEGER");
      case FLOAT -> t.equals("FLOAT") || SMALL.contains(t);
      case DOUBLE ->
          t.equals("DOUBLE")
              || t.equals("FLOAT")
              || INT32.contains(t)
              || t.equals("BIGINT")
              || t.equals("UINTEGER")
              || t.startsWith("DECIMAL");
      case STRING -> t.equals("VARCHAR") || t.equals("UUID") || t.startsWith("ENUM(");
      case BYTES -> t.equals("BLOB");
      case TIMESTAMP -> TimeTypes.accepts(duckType);
      default -> false;
    };
  }

  /**
   * {@link #reads}, for a column whose type DuckDB detected from a CSV file's text rather than read
   * from the file: there BIGINT only says "integers" and DOUBLE "decimals", so INT32 and FLOAT
   * declarations of them pass too (a value that does not fit is reported, with its line, when
   * read). Text declared as a number still does not.
   */
  static boolean readsCsv(String duckType, ValueType declared) {
    String t = duckType.strip().toUpperCase(Locale.ROOT);
    return reads(duckType, declared)
        || (declared == ValueType.INT32 && t.equals("BIGINT"))
        || (declared == ValueType.FLOAT && (t.equals("DOUBLE") || t.equals("BIGINT")));
  }

  /** The declared type that reads a DuckDB column type as it is, when there is one; else null. */
  static String suggestion(String duckType) {
    String t = duckType.strip().toUpperCase(Locale.ROOT);
    if (t.endsWith("[]")) {
      String element = suggestion(t.substring(0, t.length() - 2));
      return element == null || element.equals("BYTES") || element.equals("TIMESTAMP")
          ? null
          : "list<" + element.toLowerCase(Locale.ROOT) + ">";
    }
    for (ValueType v :
        new ValueType[] {
          ValueType.BOOL,
          ValueType.INT32,
          ValueType.INT64,
          ValueType.FLOAT,
          ValueType.DOUBLE,
          ValueType.STRING,
          ValueType.BYTES,
          ValueType.TIMESTAMP
        }) {
      if (reads(duckType, v)) {
        return v.name();
      }
    }
    return null;
  }
}
