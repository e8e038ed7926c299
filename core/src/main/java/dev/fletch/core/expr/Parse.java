package dev.fletch.core.expr;

import dev.fletch.core.expr.SqlType.Kind;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Text cast to other types as DuckDB reads it: CAST('1.5' AS INTEGER) is 2, ' 7 ' is 7. */
final class Parse {
  private Parse() {}

  private static final Pattern NUMBER =
      Pattern.compile("([+-]?)(\\d+(?:_\\d+)*)?(?:\\.(\\d+(?:_\\d+)*)?)?(?:[eE]([+-]?\\d+))?");
  private static final Pattern HEX = Pattern.compile("([+-]?)0[xX]([0-9a-fA-F]+)");
  private static final Pattern BINARY = Pattern.compile("([+-]?)0[bB]([01]+)");

  static Object parse(String s, SqlType to) {
    return switch (to.kind()) {
      case BOOLEAN -> bool(s);
      case TINYINT, SMALLINT, INTEGER, BIGINT, HUGEINT -> integer(s, to);
      case DECIMAL -> decimal(s, to);
      case DOUBLE -> dbl(s);
      case FLOAT -> {
        double d = dbl(s);
        float f = (float) d;
        if (Float.isInfinite(f) && !Double.isInfinite(d)) {
          throw fail(s, to);
        }
        yield f;
      }
      case VARCHAR -> s;
      case BLOB -> blob(s);
      case DATE -> Temporal.parseDate(s);
      case TIMESTAMP, TIMESTAMPTZ -> Temporal.parseTimestamp(s, to);
      case INTERVAL ->
          throw new EvaluationException("Could not convert string '" + s + "' to INTERVAL");
      default -> throw fail(s, to);
    };
  }

  static EvaluationException fail(String s, SqlType to) {
    String name =
        switch (to.kind()) {
          case BOOLEAN -> "BOOL";
          case TINYINT, SMALLINT, INTEGER, BIGINT, HUGEINT -> to.physicalName();
          default -> to.toString();
        };
    return new EvaluationException("Could not convert string '" + s + "' to " + name);
  }

  private static boolean bool(String s) {
    switch (s.toLowerCase(Locale.ROOT)) {
      case "t", "true", "y", "yes", "1":
        return true;
      case "f", "false", "n", "no", "0":
        return false;
      default:
        throw fail(s, SqlType.BOOLEAN);
    }
  }

  /** The exact number a text spells (sign, digits with single underscores, point, exponent). */
  private static BigDecimal number(String s, SqlType to) {
    String t = s.strip();
    Matcher h = HEX.matcher(t);
    if (h.matches()) {
      BigInteger v = new BigInteger(h.group(2), 16);
      return new BigDecimal(h.group(1).equals("-") ? v.negate() : v);
    }
    Matcher b = BINARY.matcher(t);
    if (b.matches()) {
      BigInteger v = new BigInteger(b.group(2), 2);
      return new BigDecimal(b.group(1).equals("-") ? v.negate() : v);
    }
    Matcher m = NUMBER.matcher(t);
    if (!m.matches() || (m.group(2) == null && m.group(3) == null)) {
      throw fail(s, to);
    }
    String digits = (m.group(2) == null ? "0" : m.group(2)).replace("_", "");
    String fraction = m.group(3) == null ? "" : m.group(3).replace("_", "");
    BigDecimal v = new BigDecimal(digits + (fraction.isEmpty() ? "" : "." + fraction));
    if (m.group(4) != null) {
      int e;
      try {
        e = Integer.parseInt(m.group(4));
      } catch (NumberFormatException x) {
        throw fail(s, to);
      }
      if (Math.abs(e) > 400) {
        throw fail(s, to);
      }
      v = v.scaleByPowerOfTen(e);
    }
    return m.group(1).equals("-") ? v.negate() : v;
  }

  private static Object integer(String s, SqlType to) {
    BigInteger v = number(s, to).setScale(0, RoundingMode.HALF_UP).toBigIntegerExact();
    if (to.kind() == Kind.HUGEINT) {
      if (v.bitLength() > 127) {
        throw fail(s, to);
      }
      return v;
    }
    if (v.bitLength() > 63 || v.longValue() < to.minValue() || v.longValue() > to.maxValue()) {
      throw fail(s, to);
    }
    return v.longValue();
  }

  private static BigDecimal decimal(String s, SqlType to) {
    BigDecimal v = number(s, to).setScale(to.scale(), RoundingMode.HALF_UP);
    if (v.unscaledValue().abs().compareTo(BigInteger.TEN.pow(to.width())) >= 0) {
      throw fail(s, to);
    }
    return v;
  }

  private static double dbl(String s) {
    String t = s.strip().toLowerCase(Locale.ROOT);
    switch (t) {
      case "inf", "+inf", "infinity", "+infinity":
        return Double.POSITIVE_INFINITY;
      case "-inf", "-infinity":
        return Double.NEGATIVE_INFINITY;
      case "nan", "+nan", "-nan":
        return Double.NaN;
      default:
        break;
    }
    Matcher m = NUMBER.matcher(t);
    if (!m.matches() || (m.group(2) == null && m.group(3) == null)) {
      throw fail(s, SqlType.DOUBLE);
    }
    return Double.parseDouble(t.replace("_", ""));
  }

  /** DuckDB's text form of a BLOB: bytes as characters, {@code \xAB} for any byte. */
  static byte[] blob(String s) {
    byte[] utf8 = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(utf8.length);
    for (int i = 0; i < utf8.length; i++) {
      if (utf8[i] == '\\') {
        if (i + 3 < utf8.length + 0
            && (utf8[i + 1] == 'x' || utf8[i + 1] == 'X')
            && hex(utf8[i + 2]) >= 0
            && hex(utf8[i + 3]) >= 0) {
          out.write(hex(utf8[i + 2]) * 16 + hex(utf8[i + 3]));
          i += 3;
          continue;
        }
        throw new EvaluationException(
            "Invalid hex escape code encountered in string -> blob conversion of string \""
                + s
                + "\"");
      }
      out.write(utf8[i]);
    }
    return out.toByteArray();
  }

  private static int hex(byte b) {
    if (b >= '0' && b <= '9') {
      return b - '0';
    }
    if (b >= 'a' && b <= 'f') {
      return b - 'a' + 10;
    }
    if (b >= 'A' && b <= 'F') {
      return b - 'A' + 10;
    }
    return -1;
  }
}
