package dev.fletch.core.expr;

import static java.util.Objects.requireNonNull;

import dev.fletch.core.model.ValueType;
import java.util.Objects;

/**
 * The SQL type of a value inside an expression, as DuckDB names it ({@link #toString()} is what
 * DuckDB's {@code typeof} prints). Fletch's {@link ValueType}s are the types of what goes in and
 * what comes out; inside, a value can also be a small integer, a DECIMAL, a DATE, an INTERVAL or
 * the type of a bare {@code NULL}.
 *
 * <p>The Java value the evaluator carries for each kind (null is SQL NULL):
 *
 * <ul>
 *   <li>BOOLEAN: {@link Boolean}
 *   <li>TINYINT, SMALLINT, INTEGER, BIGINT: {@link Long} (the type bounds the range)
 *   <li>HUGEINT: {@link java.math.BigInteger}
 *   <li>DECIMAL(w,s): {@link java.math.BigDecimal} with scale {@code s}
 *   <li>FLOAT: {@link Float}; DOUBLE: {@link Double}
 *   <li>VARCHAR: {@link String}; BLOB: {@code byte[]}
 *   <li>DATE: {@link Integer} days since 1970-01-01
 *   <li>TIMESTAMP, TIMESTAMPTZ: {@link Long} microseconds since 1970-01-01 00:00 UTC
 *   <li>INTERVAL: {@link Interval} (months, days, microseconds)
 *   <li>LIST: {@link java.util.List} of the element's Java values (elements may be null)
 * </ul>
 */
public final class SqlType {
  /** The kinds of type, in the order DuckDB widens numbers (TINYINT ... DOUBLE). */
  public enum Kind {
    NULL,
    BOOLEAN,
    TINYINT,
    SMALLINT,
    INTEGER,
    BIGINT,
    HUGEINT,
    DECIMAL,
    FLOAT,
    DOUBLE,
    VARCHAR,
    BLOB,
    DATE,
    TIMESTAMP,
    TIMESTAMPTZ,
    INTERVAL,
    LIST
  }

  /** DuckDB's widest DECIMAL. */
  public static final int MAX_DECIMAL_WIDTH = 38;

  public static final SqlType NULL = new SqlType(Kind.NULL, 0, 0, null);
  public static final SqlType BOOLEAN = new SqlType(Kind.BOOLEAN, 0, 0, null);
  public static final SqlType TINYINT = new SqlType(Kind.TINYINT, 0, 0, null);
  public static final SqlType SMALLINT = new SqlType(Kind.SMALLINT, 0, 0, null);
  public static final SqlType INTEGER = new SqlType(Kind.INTEGER, 0, 0, null);
  public static final SqlType BIGINT = new SqlType(Kind.BIGINT, 0, 0, null);
  public static final SqlType HUGEINT = new SqlType(Kind.HUGEINT, 0, 0, null);
  public static final SqlType FLOAT = new SqlType(Kind.FLOAT, 0, 0, null);
  public static final SqlType DOUBLE = new SqlType(Kind.DOUBLE, 0, 0, null);
  public static final SqlType VARCHAR = new SqlType(Kind.VARCHAR, 0, 0, null);
  public static final SqlType BLOB = new SqlType(Kind.BLOB, 0, 0, null);
  public static final SqlType DATE = new SqlType(Kind.DATE, 0, 0, null);
  public static final SqlType TIMESTAMP = new SqlType(Kind.TIMESTAMP, 0, 0, null);
  public static final SqlType TIMESTAMPTZ = new SqlType(Kind.TIMESTAMPTZ, 0, 0, null);
  public static final SqlType INTERVAL = new SqlType(Kind.INTERVAL, 0, 0, null);

  private final Kind kind;
  private final int width;
  private final int scale;
  private final SqlType element;

  private SqlType(Kind kind, int width, int scale, SqlType element) {
    this.kind = kind;
    this.width = width;
    this.scale = scale;
    this.element = element;
  }

  /** DECIMAL(width, scale); 1 <= width <= 38, 0 <= scale <= width. */
  public static SqlType decimal(int width, int scale) {
    if (width < 1 || width > MAX_DECIMAL_WIDTH || scale < 0 || scale > width) {
      throw new IllegalArgumentException("no DECIMAL(" + width + "," + scale + ")");
    }
    return new SqlType(Kind.DECIMAL, width, scale, null);
  }

  /** A list of {@code element}. */
  public static SqlType list(SqlType element) {
    requireNonNull(element, "element is null");
    return new SqlType(Kind.LIST, 0, 0, element);
  }

  /** The SQL type a value of a Fletch type has inside an expression. */
  public static SqlType of(ValueType t) {
    return switch (t) {
      case BOOL -> BOOLEAN;
      case INT32 -> INTEGER;
      case INT64 -> BIGINT;
      case FLOAT -> FLOAT;
      case DOUBLE -> DOUBLE;
      case STRING -> VARCHAR;
      case BYTES -> BLOB;
      // What the offline store casts a TIMESTAMP feature to (DuckDB TIMESTAMPTZ, in UTC).
      case TIMESTAMP -> TIMESTAMPTZ;
      case BOOL_LIST, INT32_LIST, INT64_LIST, FLOAT_LIST, DOUBLE_LIST, STRING_LIST ->
          list(of(t.elementType()));
    };
  }

  /** The type a CAST names. */
  public static SqlType of(CastType t) {
    return switch (t) {
      case BOOLEAN -> BOOLEAN;
      case INTEGER -> INTEGER;
      case BIGINT -> BIGINT;
      case FLOAT -> FLOAT;
      case DOUBLE -> DOUBLE;
      case VARCHAR -> VARCHAR;
      case DATE -> DATE;
      case TIMESTAMP -> TIMESTAMP;
      case TIMESTAMPTZ -> TIMESTAMPTZ;
    };
  }

  public Kind kind() {
    return kind;
  }

  /** A DECIMAL's total digits (0 for other kinds). */
  public int width() {
    return width;
  }

  /** A DECIMAL's digits after the point (0 for other kinds). */
  public int scale() {
    return scale;
  }

  /** A list's element type, or null. */
  public SqlType element() {
    return element;
  }

  public boolean isList() {
    return kind == Kind.LIST;
  }

  /** TINYINT, SMALLINT, INTEGER, BIGINT (carried as Long). */
  public boolean isSmallInteger() {
    return kind == Kind.TINYINT
        || kind == Kind.SMALLINT
        || kind == Kind.INTEGER
        || kind == Kind.BIGINT;
  }

  /** Any integer kind, HUGEINT included. */
  public boolean isInteger() {
    return isSmallInteger() || kind == Kind.HUGEINT;
  }

  public boolean isNumeric() {
    return isInteger() || kind == Kind.DECIMAL || kind == Kind.FLOAT || kind == Kind.DOUBLE;
  }

  public boolean isFloating() {
    return kind == Kind.FLOAT || kind == Kind.DOUBLE;
  }

  public boolean isTimestamp() {
    return kind == Kind.TIMESTAMP || kind == Kind.TIMESTAMPTZ;
  }

  /** The smallest and largest value of a small integer kind. */
  long minValue() {
    return switch (kind) {
      case TINYINT -> Byte.MIN_VALUE;
      case SMALLINT -> Short.MIN_VALUE;
      case INTEGER -> Integer.MIN_VALUE;
      default -> Long.MIN_VALUE;
    };
  }

  long maxValue() {
    return switch (kind) {
      case TINYINT -> Byte.MAX_VALUE;
      case SMALLINT -> Short.MAX_VALUE;
      case INTEGER -> Integer.MAX_VALUE;
      default -> Long.MAX_VALUE;
    };
  }

  /** DuckDB's name for an integer kind in overflow messages (INT8 ... INT128). */
  String physicalName() {
    return switch (kind) {
      case TINYINT -> "INT8";
      case SMALLINT -> "INT16";
      case INTEGER -> "INT32";
      case BIGINT -> "INT64";
      case HUGEINT -> "INT128";
      default -> toString();
    };
  }

  /** The DECIMAL an integer kind converts to without loss (INTEGER: DECIMAL(10,0)). */
  SqlType asDecimal() {
    return switch (kind) {
      case TINYINT -> decimal(3, 0);
      case SMALLINT -> decimal(5, 0);
      case INTEGER -> decimal(10, 0);
      case BIGINT -> decimal(19, 0);
      case HUGEINT -> decimal(38, 0);
      case DECIMAL -> this;
      default -> throw new IllegalStateException("not an integer: " + this);
    };
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SqlType t
        && t.kind == kind
        && t.width == width
        && t.scale == scale
        && Objects.equals(t.element, element);
  }

  @Override
  public int hashCode() {
    return Objects.hash(kind, width, scale, element);
  }

  /** As DuckDB's {@code typeof} prints it: {@code DECIMAL(12,1)}, {@code INTEGER[]}. */
  @Override
  public String toString() {
    return switch (kind) {
      case NULL -> "\"NULL\"";
      case DECIMAL -> "DECIMAL(" + width + "," + scale + ")";
      case LIST -> element + "[]";
      case TIMESTAMPTZ -> "TIMESTAMP WITH TIME ZONE";
      default -> kind.name();
    };
  }
}
