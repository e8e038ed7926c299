package dev.fletch.core.expr;

import dev.fletch.core.expr.SqlType.Kind;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/**
 * CAST as DuckDB does it: which casts exist, and each conversion's rounding, range errors and text
 * forms (DuckDB's spelling of doubles, dates, timestamps, intervals and lists).
 */
final class Casts {
  private Casts() {}

  /** Whether DuckDB has a cast from {@code from} to {@code to} (explicit or implicit). */
  static boolean canCast(SqlType from, SqlType to) {
    Kind f = from.kind();
    Kind t = to.kind();
    if (from.equals(to) || f == Kind.NULL || t == Kind.VARCHAR) {
      return true;
    }
    if (f == Kind.VARCHAR) {
      return t != Kind.LIST && t != Kind.NULL;
    }
    if ((from.isNumeric() || f == Kind.BOOLEAN) && (to.isNumeric() || t == Kind.BOOLEAN)) {
      return true;
    }
    if ((f == Kind.DATE || from.isTimestamp()) && (t == Kind.DATE || to.isTimestamp())) {
      return true;
    }
    if (from.isList() && to.isList()) {
      return canCast(from.element(), to.element());
    }
    return false;
  }

  /** A conversion of non-null values of {@code from} to {@code to}. */
  static Compiled.Unary compile(SqlType from, SqlType to) {
    if (from.equals(to)) {
      return x -> x;
    }
    Kind f = from.kind();
    Kind t = to.kind();
    if (from.isSmallInteger() && to.isSmallInteger()) {
      if (to.kind().ordinal() >= from.kind().ordinal()) {
        return x -> x;
      }
      long min = to.minValue();
      long max = to.maxValue();
      return x -> {
        long v = (Long) x;
        if (v < min || v > max) {
          throw outOfRange(from, x, to);
        }
        return x;
      };
    }
    if (from.isSmallInteger() && t == Kind.DOUBLE) {
      return x -> (double) (Long) x;
    }
    if (f == Kind.FLOAT && t == Kind.DOUBLE) {
      return x -> (double) (Float) x;
    }
    if (from.isSmallInteger() && t == Kind.FLOAT) {
      return x -> (float) (Long) x;
    }
    if (f == Kind.DATE && t == Kind.TIMESTAMP || f == Kind.DATE && t == Kind.TIMESTAMPTZ) {
      return x -> Temporal.dateToMicros((Integer) x);
    }
    if (from.isTimestamp() && to.isTimestamp()) {
      return x -> x;
    }
    return x -> cast(x, from, to);
  }

  /** {@code v} (non-null, of {@code from}) as a value of {@code to}. */
  static Object cast(Object v, SqlType from, SqlType to) {
    if (v == null || from.equals(to)) {
      return v;
    }
    Kind f = from.kind();
    Kind t = to.kind();
    if (t == Kind.VARCHAR) {
      return text(v, from);
    }
    if (f == Kind.VARCHAR) {
      return Parse.parse((String) v, to);
    }
    if (f == Kind.NULL) {
      return null;
    }
    if (from.isList() && to.isList()) {
      List<?> in = (List<?>) v;
      List<Object> out = new ArrayList<>(in.size());
      for (Object e : in) {
        out.add(e == null ? null : cast(e, from.element(), to.element()));
      }
      return out;
    }
    if (f == Kind.BOOLEAN) {
      boolean b = (Boolean) v;
      return numberFromLong(b ? 1 : 0, to);
    }
    if (t == Kind.BOOLEAN) {
      return switch (f) {
        case TINYINT, SMALLINT, INTEGER, BIGINT -> (Long) v != 0;
        case HUGEINT -> ((BigInteger) v).signum() != 0;
        case DECIMAL -> ((BigDecimal) v).signum() != 0;
        case FLOAT -> (Float) v != 0;
        case DOUBLE -> (Double) v != 0;
        default -> throw new IllegalStateException(from + " to BOOLEAN");
      };
    }
    if (from.isNumeric() && to.isNumeric()) {
      return numeric(v, from, to);
    }
    if (f == Kind.DATE && to.isTimestamp()) {
      return Temporal.dateToMicros((Integer) v);
    }
    if (from.isTimestamp() && t == Kind.DATE) {
      return Temporal.microsToDate((Long) v);
    }
    if (from.isTimestamp() && to.isTimestamp()) {
      return v;
    }
    throw new IllegalStateException("no cast from " + from + " to " + to);
  }

  private static Object numberFromLong(long v, SqlType to) {
    return switch (to.kind()) {
      case TINYINT, SMALLINT, INTEGER, BIGINT -> v;
      case HUGEINT -> BigInteger.valueOf(v);
      case DECIMAL -> BigDecimal.valueOf(v).setScale(to.scale());
      case FLOAT -> (float) v;
      case DOUBLE -> (double) v;
      default -> throw new IllegalStateException("to " + to);
    };
  }

  private static final BigInteger LONG_MIN = BigInteger.valueOf(Long.MIN_VALUE);
  private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);

  private static Object numeric(Object v, SqlType from, SqlType to) {
    Kind f = from.kind();
    switch (to.kind()) {
      case DOUBLE:
        return switch (f) {
          case TINYINT, SMALLINT, INTEGER, BIGINT -> (double) (Long) v;
          case HUGEINT -> ((BigInteger) v).doubleValue();
          case DECIMAL -> decimalToDouble((BigDecimal) v);
          case FLOAT -> (double) (Float) v;
          default -> throw new IllegalStateException();
        };
      case FLOAT:
        return switch (f) {
          case TINYINT, SMALLINT, INTEGER, BIGINT -> (float) (Long) v;
          case HUGEINT -> ((BigInteger) v).floatValue();
          case DECIMAL -> ((BigDecimal) v).floatValue();
          case DOUBLE -> {
            double d = (Double) v;
            float r = (float) d;
            if (Float.isInfinite(r) && !Double.isInfinite(d)) {
              throw outOfRange(from, v, to);
            }
            yield r;
          }
          default -> throw new IllegalStateException();
        };
      case DECIMAL:
        {
          BigDecimal d =
              switch (f) {
                case TINYINT, SMALLINT, INTEGER, BIGINT -> BigDecimal.valueOf((Long) v);
                case HUGEINT -> new BigDecimal((BigInteger) v);
                case DECIMAL -> (BigDecimal) v;
                case FLOAT, DOUBLE -> {
                  double x = f == Kind.FLOAT ? (Float) v : (Double) v;
                  if (Double.isNaN(x) || Double.isInfinite(x)) {
                    throw new EvaluationException(
                        "Could not cast value " + text(v, from) + " to " + to);
                  }
                  yield new BigDecimal(x);
                }
                default -> throw new IllegalStateException();
              };
          BigDecimal r = d.setScale(to.scale(), RoundingMode.HALF_UP);
          if (r.precision() > to.width()
              && r.signum() != 0
              && r.unscaledValue().abs().compareTo(BigInteger.TEN.pow(to.width())) >= 0) {
            throw new EvaluationException("Could not cast value " + text(v, from) + " to " + to);
          }
          return r;
        }
      default:
        break;
    }
    // to an integer kind
    BigInteger i;
    switch (f) {
      case TINYINT, SMALLINT, INTEGER, BIGINT -> {
        long l = (Long) v;
        if (to.isSmallInteger()) {
          if (l < to.minValue() || l > to.maxValue()) {
            throw outOfRange(from, v, to);
          }
          return l;
        }
        return BigInteger.valueOf(l);
      }
      case HUGEINT -> i = (BigInteger) v;
      case DECIMAL -> i = ((BigDecimal) v).setScale(0, RoundingMode.HALF_UP).toBigIntegerExact();
      case FLOAT, DOUBLE -> {
        double x = f == Kind.FLOAT ? (Float) v : (Double) v;
        if (Double.isNaN(x) || Double.isInfinite(x)) {
          throw outOfRange(from, v, to);
        }
        // DuckDB rounds half to even here (nearbyint), unlike DECIMAL and text (half away).
        double r = Math.rint(x);
        if (Math.abs(r) >= 1.7e38) {
          throw outOfRange(from, v, to);
        }
        i = new BigDecimal(r).toBigIntegerExact();
      }
      default -> throw new IllegalStateException();
    }
    if (to.kind() == Kind.HUGEINT) {
      if (i.bitLength() > 127) {
        throw outOfRange(from, v, to);
      }
      return i;
    }
    if (i.compareTo(LONG_MIN) < 0 || i.compareTo(LONG_MAX) > 0) {
      throw outOfRange(from, v, to);
    }
    long l = i.longValue();
    if (l < to.minValue() || l > to.maxValue()) {
      throw outOfRange(from, v, to);
    }
    return l;
  }

  /** DuckDB's DECIMAL to DOUBLE: the unscaled integer divided by the power of ten. */
  static double decimalToDouble(BigDecimal d) {
    return d.doubleValue();
  }

  static EvaluationException outOfRange(SqlType from, Object v, SqlType to) {
    return new EvaluationException(
        "Type "
            + from.physicalName()
            + " with value "
            + text(v, from)
            + " can't be cast because the value is out of range for the destination type "
            + to.physicalName());
  }

  // ---- values as text ------------------------------------------------------------------------

  /** A value as DuckDB's CAST(v AS VARCHAR) writes it. */
  static String text(Object v, SqlType type) {
    if (v == null) {
      return null;
    }
    return switch (type.kind()) {
      case BOOLEAN -> ((Boolean) v) ? "true" : "false";
      case TINYINT, SMALLINT, INTEGER, BIGINT, HUGEINT -> v.toString();
      case DECIMAL -> ((BigDecimal) v).toPlainString();
      case DOUBLE -> doubleText((Double) v);
      case FLOAT -> floatText((Float) v);
      case VARCHAR -> (String) v;
      case BLOB -> blobText((byte[]) v);
      case DATE -> Temporal.dateText((Integer) v);
      case TIMESTAMP -> Temporal.timestampText((Long) v);
      case TIMESTAMPTZ -> Temporal.timestampText((Long) v) + "+00";
      case INTERVAL -> Temporal.intervalText((Interval) v);
      case LIST -> listText((List<?>) v, type.element());
      case NULL -> null;
    };
  }

  private static String listText(List<?> list, SqlType element) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < list.size(); i++) {
      if (i > 0) {
        b.append(", ");
      }
      Object e = list.get(i);
      if (e == null) {
        b.append("NULL");
      } else if (element.isList()) {
        b.append(text(e, element));
      } else {
        // every element's text is quoted where it would not read back (a space, a colon, ...)
        b.append(quoteInList(text(e, element)));
      }
    }
    return b.append(']').toString();
  }

  /** DuckDB quotes a list's text element when it would not read back as itself. */
  private static String quoteInList(String s) {
    boolean quote = s.isEmpty() || s.equalsIgnoreCase("null");
    if (!quote) {
      if (Character.isWhitespace(s.charAt(0)) || Character.isWhitespace(s.charAt(s.length() - 1))) {
        quote = true;
      }
      for (int i = 0; i < s.length() && !quote; i++) {
        char c = s.charAt(i);
        if (c == ',' || c == '\'' || c == '"' || c == '[' || c == ']' || c == '{' || c == '}'
            || c == '(' || c == ')' || c == ':' || c == '\\') {
          quote = true;
        }
      }
    }
    if (!quote) {
      return s;
    }
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  static String blobText(byte[] bytes) {
    StringBuilder b = new StringBuilder();
    for (byte x : bytes) {
      int c = x & 0xff;
      if (c >= 32 && c <= 126 && c != '\\' && c != '\'' && c != '"') {
        b.append((char) c);
      } else {
        b.append(String.format("\\x%02X", c));
      }
    }
    return b.toString();
  }

  /** A double as DuckDB writes it: the shortest digits that read back, Python's layout. */
  static String doubleText(double d) {
    if (Double.isNaN(d)) {
      return "nan";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? "inf" : "-inf";
    }
    if (d == 0) {
      return (1 / d < 0) ? "-0.0" : "0.0";
    }
    BigDecimal shortest = null;
    BigDecimal exact = new BigDecimal(d);
    for (int p = 1; p <= 17; p++) {
      BigDecimal r = exact.round(new MathContext(p, RoundingMode.HALF_EVEN));
      if (r.doubleValue() == d) {
        shortest = r;
        break;
      }
    }
    return layout(shortest.stripTrailingZeros());
  }

  /** A float the same way, shortest digits that read back as the float. */
  static String floatText(float f) {
    if (Float.isNaN(f)) {
      return "nan";
    }
    if (Float.isInfinite(f)) {
      return f > 0 ? "inf" : "-inf";
    }
    if (f == 0) {
      return (1 / f < 0) ? "-0.0" : "0.0";
    }
    BigDecimal exact = new BigDecimal(f);
    BigDecimal shortest = null;
    for (int p = 1; p <= 9; p++) {
      BigDecimal r = exact.round(new MathContext(p, RoundingMode.HALF_EVEN));
      if (r.floatValue() == f) {
        shortest = r;
        break;
      }
    }
    return layout(shortest.stripTrailingZeros());
  }

  /** Digits in fixed notation for exponents -5 < e < 16, else 1.5e+20 / 1e-05. */
  private static String layout(BigDecimal v) {
    String digits = v.unscaledValue().abs().toString();
    int exponent = digits.length() - 1 - v.scale();
    String sign = v.signum() < 0 ? "-" : "";
    if (exponent < -4 || exponent >= 16) {
      String mantissa =
          digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
      String e = String.format("%02d", Math.abs(exponent));
      return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + e;
    }
    String plain = v.abs().toPlainString();
    if (!plain.contains(".")) {
      plain = plain + ".0";
    }
    return sign + plain;
  }
}
