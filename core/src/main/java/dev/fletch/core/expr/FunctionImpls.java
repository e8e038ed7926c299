package dev.fletch.core.expr;

import dev.fletch.core.expr.Compiled.Node;
import dev.fletch.core.expr.SqlType.Kind;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The allowed functions, evaluated as DuckDB evaluates them (see {@link FunctionTypes}). */
final class FunctionImpls {
  private FunctionImpls() {}

  /** Longest text or list a function may build (repeat, lpad): bounds one row's allocation. */
  static final int MAX_BUILT_LENGTH = 1 << 20;

  static Node compile(Typed t, Node[] a) {
    String fn = (String) t.value();
    List<Typed> args = t.args();
    SqlType type = t.type();
    SqlType a0 = args.isEmpty() ? null : args.get(0).type();
    switch (fn) {
      case "coalesce":
        return row -> {
          for (Node n : a) {
            Object v = n.eval(row);
            if (v != null) {
              return v;
            }
          }
          return null;
        };
      case "abs":
        return strict(a[0], abs(type));
      case "ceil", "ceiling", "floor":
        {
          boolean ceil = !fn.equals("floor");
          return switch (a0.kind()) {
            case DOUBLE -> strict(a[0], x -> ceil ? Math.ceil((Double) x) : Math.floor((Double) x));
            case FLOAT ->
                strict(a[0], x -> (float) (ceil ? Math.ceil((Float) x) : Math.floor((Float) x)));
            default ->
                strict(
                    a[0],
                    x ->
                        ((BigDecimal) x)
                            .setScale(0, ceil ? RoundingMode.CEILING : RoundingMode.FLOOR));
          };
        }
      case "round", "trunc":
        return round(fn.equals("trunc"), t, a);
      case "sqrt":
        return strict(a[0], x -> Math.sqrt((Double) x));
      case "cbrt":
        return strict(a[0], x -> Math.cbrt((Double) x));
      case "exp":
        return strict(a[0], x -> Math.exp((Double) x));
      case "ln":
        return strict(a[0], x -> Math.log((Double) x));
      case "log10":
        return strict(a[0], x -> Math.log10((Double) x));
      case "log2":
        return strict(a[0], x -> Math.log((Double) x) / Math.log(2));
      case "pow":
        return strict2(a[0], a[1], (x, y) -> Math.pow((Double) x, (Double) y));
      case "sign":
        return strict(a[0], sign(a0));
      case "greatest", "least":
        {
          Comparator<Object> cmp = Values.comparator(type);
          boolean greatest = fn.equals("greatest");
          return row -> {
            Object best = null;
            for (Node n : a) {
              Object v = n.eval(row);
              if (v != null
                  && (best == null
                      || (greatest ? cmp.compare(v, best) > 0 : cmp.compare(v, best) < 0))) {
                best = v;
              }
            }
            return best;
          };
        }
      case "isnan":
        return strict(
            a[0],
            a0.kind() == Kind.FLOAT ? x -> Float.isNaN((Float) x) : x -> Double.isNaN((Double) x));
      case "isinf":
        if (a0.kind() == Kind.DATE || a0.isTimestamp()) {
          return strict(a[0], x -> false);
        }
        return strict(
            a[0],
            a0.kind() == Kind.FLOAT
                ? x -> Float.isInfinite((Float) x)
                : x -> Double.isInfinite((Double) x));
      case "isfinite":
        if (a0.kind() == Kind.DATE || a0.isTimestamp()) {
          return strict(a[0], x -> true);
        }
        return strict(
            a[0],
            a0.kind() == Kind.FLOAT
                ? x -> Float.isFinite((Float) x)
                : x -> Double.isFinite((Double) x));
      case "lower":
        return strict(a[0], x -> Texts.lower((String) x));
      case "upper":
        return strict(a[0], x -> Texts.upper((String) x));
      case "reverse":
        return strict(a[0], x -> Texts.reverse((String) x));
      case "md5":
        return strict(a[0], x -> digest("MD5", bytes(x)));
      case "sha256":
        return strict(a[0], x -> digest("SHA-256", bytes(x)));
      case "length":
        return strict(a[0], x -> (long) ((String) x).codePointCount(0, ((String) x).length()));
      case "len":
        return strict(a[0], x -> (long) ((List<?>) x).size());
      case "trim", "ltrim", "rtrim":
        {
          boolean left = !fn.equals("rtrim");
          boolean right = !fn.equals("ltrim");
          if (a.length == 1) {
            return strict(a[0], x -> Texts.trim((String) x, " ", left, right));
          }
          return strict2(a[0], a[1], (x, y) -> Texts.trim((String) x, (String) y, left, right));
        }
      case "substr":
        if (a.length == 2) {
          return strict2(a[0], a[1], (x, y) -> Texts.substring((String) x, (Long) y, null));
        }
        return strict3(
            a[0], a[1], a[2], (x, y, z) -> Texts.substring((String) x, (Long) y, (Long) z));
      case "concat":
        return row -> {
          StringBuilder b = new StringBuilder();
          for (Node n : a) {
            Object v = n.eval(row);
            if (v != null) {
              b.append((String) v);
            }
          }
          return b.toString();
        };
      case "list_concat":
        return row -> {
          List<Object> out = new ArrayList<>();
          for (Node n : a) {
            Object v = n.eval(row);
            if (v != null) {
              out.addAll((List<?>) v);
            }
          }
          return out;
        };
      case "concat_ws":
        return row -> {
          Object sep = a[0].eval(row);
          if (sep == null) {
            return null;
          }
          StringBuilder b = new StringBuilder();
          boolean first = true;
          for (int i = 1; i < a.length; i++) {
            Object v = a[i].eval(row);
            if (v != null) {
              if (!first) {
                b.append((String) sep);
              }
              b.append((String) v);
              first = false;
            }
          }
          return b.toString();
        };
      case "replace":
        return strict3(
            a[0],
            a[1],
            a[2],
            (x, y, z) -> ((String) y).isEmpty() ? x : ((String) x).replace((String) y, (String) z));
      case "starts_with":
        return strict2(a[0], a[1], (x, y) -> ((String) x).startsWith((String) y));
      case "ends_with":
        return strict2(a[0], a[1], (x, y) -> ((String) x).endsWith((String) y));
      case "contains":
        return strict2(a[0], a[1], (x, y) -> ((String) x).contains((String) y));
      case "strpos":
        return strict2(
            a[0],
            a[1],
            (x, y) -> {
              String s = (String) x;
              int i = s.indexOf((String) y);
              return i < 0 ? 0L : (long) s.codePointCount(0, i) + 1;
            });
      case "left":
        return strict2(a[0], a[1], (x, y) -> Texts.left((String) x, (Long) y));
      case "right":
        return strict2(a[0], a[1], (x, y) -> Texts.right((String) x, (Long) y));
      case "repeat":
        return strict2(a[0], a[1], (x, y) -> Texts.repeat((String) x, (Long) y));
      case "lpad":
        return strict3(
            a[0], a[1], a[2], (x, y, z) -> Texts.pad((String) x, (Long) y, (String) z, true));
      case "rpad":
        return strict3(
            a[0], a[1], a[2], (x, y, z) -> Texts.pad((String) x, (Long) y, (String) z, false));
      case "split_part":
        return strict3(
            a[0], a[1], a[2], (x, y, z) -> Texts.splitPart((String) x, (String) y, (Long) z));
      case "string_split":
        // a NULL separator leaves the text whole
        return row -> {
          Object x = a[0].eval(row);
          Object y = a[1].eval(row);
          if (x == null) {
            return null;
          }
          return y == null
              ? new ArrayList<Object>(List.of(x))
              : Texts.split((String) x, (String) y);
        };
      case "regexp_matches", "regexp_replace", "regexp_extract":
        return regex(fn, t, a);
      case "encode":
        return strict(a[0], x -> ((String) x).getBytes(StandardCharsets.UTF_8));
      case "decode":
        return strict(a[0], x -> decode((byte[]) x));
      case "date_trunc", "date_part":
        return datePart(fn, t, a);
      case "date_diff":
        {
          String part = constantPart(args.get(0));
          boolean dates = args.get(1).type().kind() == Kind.DATE;
          return strict2(
              a[1], a[2], (x, y) -> Temporal.diff(part, micros(x, dates), micros(y, dates)));
        }
      case "year",
      "month",
      "day",
      "hour",
      "minute",
      "second",
      "dayofweek",
      "isodow",
      "dayofyear",
      "week",
      "quarter":
        {
          String part = Temporal.partName(fn);
          boolean dates = a0.kind() == Kind.DATE;
          return strict(a[0], x -> Temporal.part(part, micros(x, dates)));
        }
      case "epoch":
        {
          boolean dates = a0.kind() == Kind.DATE;
          if (a0.kind() == Kind.TIMESTAMPTZ) {
            // DuckDB's TIMESTAMPTZ functions work in milliseconds (ICU) plus the microseconds
            return strict(a[0], x -> tzEpoch((Long) x));
          }
          return strict(a[0], x -> micros(x, dates) / 1e6);
        }
      case "epoch_ms":
        {
          boolean dates = a0.kind() == Kind.DATE;
          // DuckDB rounds to the nearest millisecond, halves away from zero
          return strict(
              a[0],
              x -> {
                long m = micros(x, dates);
                long q = m / 1000;
                long r = m % 1000;
                return r >= 500 ? q + 1 : r <= -500 ? q - 1 : q;
              });
        }
      case "epoch_us":
        {
          boolean dates = a0.kind() == Kind.DATE;
          return strict(a[0], x -> micros(x, dates));
        }
      case "epoch_ms_to_timestamp":
        return strict(
            a[0],
            x -> {
              try {
                long m = Math.multiplyExact((Long) x, 1000L);
                if (m < Temporal.MIN_MICROS || m > Temporal.MAX_MICROS) {
                  throw new EvaluationException("Timestamp out of range");
                }
                return m;
              } catch (ArithmeticException e) {
                throw new EvaluationException("Timestamp out of range");
              }
            });
      case "to_timestamp":
        return strict(a[0], x -> toTimestamp((Double) x));
      case "make_date":
        return strict3(a[0], a[1], a[2], (x, y, z) -> makeDate((Long) x, (Long) y, (Long) z));
      case "strftime":
        {
          String format = constantText(args.get(1));
          boolean dates = a0.kind() == Kind.DATE;
          return strict(a[0], x -> TimeFormat.format(micros(x, dates), format));
        }
      case "strptime":
        {
          String format = constantText(args.get(1));
          return strict(a[0], x -> TimeFormat.parse((String) x, format));
        }
      case "list_value":
        return row -> {
          List<Object> out = new ArrayList<>(a.length);
          for (Node n : a) {
            out.add(n.eval(row));
          }
          return out;
        };
      case "list_contains", "list_position":
        {
          boolean position = fn.equals("list_position");
          Comparator<Object> cmp = Values.comparator(args.get(1).type());
          // list_contains(l, NULL) is NULL; list_position(l, NULL) finds a NULL element; a
          // position not found is NULL
          return row -> {
            Object l = a[0].eval(row);
            Object x = a[1].eval(row);
            if (l == null || (x == null && !position)) {
              return null;
            }
            List<?> list = (List<?>) l;
            for (int i = 0; i < list.size(); i++) {
              Object e = list.get(i);
              if (x == null ? e == null : e != null && cmp.compare(e, x) == 0) {
                return position ? (Object) (long) (i + 1) : Boolean.TRUE;
              }
            }
            return position ? null : Boolean.FALSE;
          };
        }
      case "list_extract":
        return strict2(a[0], a[1], (x, y) -> Values.listExtract((List<?>) x, (Long) y));
      case "string_extract":
        return strict2(a[0], a[1], (x, y) -> Texts.charAt((String) x, (Long) y));
      case "list_sum", "list_avg", "list_min", "list_max":
        return Values.listAggregate(fn, args.get(0).type().element(), type, a[0]);
      case "list_distinct":
        {
          Comparator<Object> cmp = Values.comparator(type.element());
          return strict(
              a[0],
              x -> {
                List<Object> out = new ArrayList<>();
                java.util.TreeSet<Object> seen = new java.util.TreeSet<>(cmp);
                for (Object e : (List<?>) x) {
                  if (e != null && seen.add(e)) {
                    out.add(e);
                  }
                }
                return out;
              });
        }
      case "list_sort":
        {
          Comparator<Object> cmp = Comparator.nullsLast(Values.comparator(type.element()));
          return strict(
              a[0],
              x -> {
                List<Object> out = new ArrayList<>((List<?>) x);
                out.sort(cmp);
                return out;
              });
        }
      default:
        throw new IllegalStateException("no evaluation for " + fn + "()");
    }
  }

  // ---- null handling ----------------------------------------------------------------------------

  static Node strict(Node x, Compiled.Unary f) {
    return row -> {
      Object v = x.eval(row);
      return v == null ? null : f.apply(v);
    };
  }

  static Node strict2(Node x, Node y, Compiled.Binary f) {
    // DuckDB evaluates every argument of a function, so an error in one is raised even where
    // another is NULL
    return row -> {
      Object v = x.eval(row);
      Object w = y.eval(row);
      return v == null || w == null ? null : f.apply(v, w);
    };
  }

  interface Ternary {
    Object apply(Object x, Object y, Object z);
  }

  static Node strict3(Node x, Node y, Node z, Ternary f) {
    return row -> {
      Object u = x.eval(row);
      Object v = y.eval(row);
      Object w = z.eval(row);
      return u == null || v == null || w == null ? null : f.apply(u, v, w);
    };
  }

  // ---- math -------------------------------------------------------------------------------------

  private static Compiled.Unary abs(SqlType t) {
    return switch (t.kind()) {
      case DOUBLE -> x -> Math.abs((Double) x);
      case FLOAT -> x -> Math.abs((Float) x);
      case TINYINT, SMALLINT, INTEGER, BIGINT -> {
        long min = t.minValue();
        yield x -> {
          long v = (Long) x;
          if (v == min) {
            throw new EvaluationException("Overflow on abs(" + v + ")");
          }
          return Math.abs(v);
        };
      }
      case HUGEINT ->
          x -> {
            BigInteger v = ((BigInteger) x).abs();
            if (v.bitLength() > 127) {
              throw new EvaluationException("Overflow on abs(" + x + ")");
            }
            return v;
          };
      case DECIMAL -> x -> ((BigDecimal) x).abs();
      default -> throw new IllegalStateException("abs " + t);
    };
  }

  private static Compiled.Unary sign(SqlType t) {
    return switch (t.kind()) {
      case DOUBLE ->
          x -> {
            double d = (Double) x;
            return d > 0 ? 1L : d < 0 ? -1L : 0L;
          };
      case FLOAT ->
          x -> {
            float d = (Float) x;
            return d > 0 ? 1L : d < 0 ? -1L : 0L;
          };
      case HUGEINT -> x -> (long) ((BigInteger) x).signum();
      default -> x -> (long) Long.signum((Long) x);
    };
  }

  private static Node round(boolean trunc, Typed t, Node[] a) {
    SqlType x = t.arg(0).type();
    RoundingMode mode = trunc ? RoundingMode.DOWN : RoundingMode.HALF_UP;
    if (x.kind() == Kind.DECIMAL) {
      int scale = t.type().scale();
      if (a.length == 1) {
        return strict(a[0], v -> ((BigDecimal) v).setScale(0, mode));
      }
      long digits = (Long) t.arg(1).value();
      return strict(
          a[0],
          v -> {
            BigDecimal r =
                ((BigDecimal) v).setScale((int) Math.max(-100, Math.min(digits, 100)), mode);
            return r.setScale(scale, RoundingMode.UNNECESSARY);
          });
    }
    if (x.isInteger()) {
      if (a.length == 1) {
        return a[0];
      }
      return strict2(a[0], a[1], (v, d) -> Values.roundInteger(v, (Long) d, x, trunc));
    }
    boolean isFloat = x.kind() == Kind.FLOAT;
    if (a.length == 1) {
      return strict(
          a[0],
          v -> {
            double d = isFloat ? (Float) v : (Double) v;
            double r = trunc ? (d < 0 ? Math.ceil(d) : Math.floor(d)) : Values.roundHalfAway(d);
            return isFloat ? (Object) (float) r : (Object) r;
          });
    }
    return strict2(
        a[0],
        a[1],
        (v, dg) -> {
          double d = isFloat ? (Float) v : (Double) v;
          double r = trunc ? Values.truncDigits(d, (Long) dg) : Values.roundDigits(d, (Long) dg);
          return isFloat ? (Object) (float) r : (Object) r;
        });
  }

  // ---- text -------------------------------------------------------------------------------------

  private static byte[] bytes(Object x) {
    return x instanceof byte[] b ? b : ((String) x).getBytes(StandardCharsets.UTF_8);
  }

  private static String digest(String algorithm, byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(algorithm, e);
    }
  }

  private static String decode(byte[] b) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(b))
          .toString();
    } catch (CharacterCodingException e) {
      throw new EvaluationException(
          "Failure in decode: could not convert blob to UTF8 string, the blob contained invalid"
              + " UTF8 characters");
    }
  }

  private static Node regex(String fn, Typed t, Node[] a) {
    String pattern = constantText(t.arg(1));
    String options = "";
    int optionArg = fn.equals("regexp_replace") ? 3 : 2;
    if (fn.equals("regexp_extract")) {
      optionArg = -1;
    }
    if (optionArg > 0 && t.args().size() > optionArg) {
      options = constantText(t.arg(optionArg));
    }
    boolean global = options.contains("g");
    Pattern p = Re2.compile(pattern, options.contains("i"), t.arg(1).pos());
    switch (fn) {
      case "regexp_matches":
        return strict(a[0], x -> p.matcher((String) x).find());
      case "regexp_replace":
        {
          String rewrite = Re2.replacement(constantText(t.arg(2)));
          return strict(
              a[0],
              x -> {
                Matcher m = p.matcher((String) x);
                return global ? m.replaceAll(rewrite) : m.replaceFirst(rewrite);
              });
        }
      default:
        {
          int group = t.args().size() > 2 ? (int) (long) (Long) t.arg(2).value() : 0;
          if (group < 0 || group > p.matcher("").groupCount()) {
            throw new ExpressionException(
                "regexp_extract() group " + group + " is not in the pattern", t.arg(2).pos());
          }
          return strict(
              a[0],
              x -> {
                Matcher m = p.matcher((String) x);
                if (!m.find()) {
                  return "";
                }
                String g = m.group(group);
                return g == null ? "" : g;
              });
        }
    }
  }

  static String constantText(Typed t) {
    if (t.op() != Typed.Op.LITERAL || !(t.value() instanceof String s)) {
      throw new ExpressionException("must be a constant text (a string literal)", t.pos());
    }
    return s;
  }

  static String constantPart(Typed t) {
    String written = constantText(t);
    String part = Temporal.partName(written);
    if (part == null) {
      throw new ExpressionException("unknown date part '" + written + "'", t.pos());
    }
    return part;
  }

  // ---- dates ------------------------------------------------------------------------------------

  private static long micros(Object x, boolean date) {
    return date ? Temporal.dateToMicros((Integer) x) : (Long) x;
  }

  private static Node datePart(String fn, Typed t, Node[] a) {
    String part = constantPart(t.arg(0));
    boolean dates = t.arg(1).type().kind() == Kind.DATE;
    if (fn.equals("date_trunc")) {
      return strict(a[1], x -> Temporal.trunc(part, micros(x, dates)));
    }
    if (part.equals("epoch")) {
      if (t.arg(1).type().kind() == Kind.TIMESTAMPTZ) {
        return strict(a[1], x -> tzEpoch((Long) x));
      }
      return strict(a[1], x -> micros(x, dates) / 1e6);
    }
    return strict(a[1], x -> Temporal.part(part, micros(x, dates)));
  }

  static double tzEpoch(long micros) {
    return Math.floorDiv(micros, 1000L) / 1e3 + Math.floorMod(micros, 1000L) / 1e6;
  }

  private static Object toTimestamp(double seconds) {
    if (Double.isNaN(seconds) || Double.isInfinite(seconds)) {
      throw new EvaluationException("Could not convert epoch seconds to TIMESTAMP WITH TIME ZONE");
    }
    double m = seconds * 1e6;
    if (!(m >= Temporal.MIN_MICROS && m <= Temporal.MAX_MICROS)) {
      throw new EvaluationException("Epoch seconds out of range for TIMESTAMP WITH TIME ZONE");
    }
    return (long) Math.rint(m);
  }

  private static Object makeDate(long y, long m, long d) {
    try {
      return Math.toIntExact(
          java.time.LocalDate.of(Math.toIntExact(y), Math.toIntExact(m), Math.toIntExact(d))
              .toEpochDay());
    } catch (java.time.DateTimeException | ArithmeticException e) {
      throw new EvaluationException("Date out of range: " + y + "-" + m + "-" + d);
    }
  }

  static List<String> distinctStrings(List<String> in) {
    return new ArrayList<>(new LinkedHashSet<>(in));
  }
}
