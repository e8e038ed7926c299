package dev.fletch.core.expr;

import dev.fletch.core.expr.Compiled.Node;
import dev.fletch.core.expr.SqlType.Kind;
import dev.fletch.core.model.ValueType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Orders, list aggregates, rounding, and the conversion of Fletch's Java values in and out. */
final class Values {
  private Values() {}

  /** DuckDB's order of non-null values of {@code t}: NaN above every number and equal to NaN. */
  @SuppressWarnings("unchecked")
  static Comparator<Object> comparator(SqlType t) {
    return switch (t.kind()) {
      case BOOLEAN -> (a, b) -> Boolean.compare((Boolean) a, (Boolean) b);
      case TINYINT, SMALLINT, INTEGER, BIGINT, TIMESTAMP, TIMESTAMPTZ ->
          (a, b) -> Long.compare((Long) a, (Long) b);
      case DATE -> (a, b) -> Integer.compare((Integer) a, (Integer) b);
      case HUGEINT -> (a, b) -> ((BigInteger) a).compareTo((BigInteger) b);
      case DECIMAL -> (a, b) -> ((BigDecimal) a).compareTo((BigDecimal) b);
      case DOUBLE -> (a, b) -> compareDouble((Double) a, (Double) b);
      case FLOAT -> (a, b) -> compareDouble((Float) a, (Float) b);
      case VARCHAR -> (a, b) -> Texts.compare((String) a, (String) b);
      case BLOB -> (a, b) -> java.util.Arrays.compareUnsigned((byte[]) a, (byte[]) b);
      case INTERVAL -> (a, b) -> ((Interval) a).compareTo((Interval) b);
      case LIST -> {
        Comparator<Object> e = Comparator.nullsLast(comparator(t.element()));
        yield (a, b) -> {
          List<Object> x = (List<Object>) a;
          List<Object> y = (List<Object>) b;
          int n = Math.min(x.size(), y.size());
          for (int i = 0; i < n; i++) {
            int c = e.compare(x.get(i), y.get(i));
            if (c != 0) {
              return c;
            }
          }
          return Integer.compare(x.size(), y.size());
        };
      }
      case NULL -> (a, b) -> 0;
    };
  }

  static int compareDouble(double a, double b) {
    boolean an = Double.isNaN(a);
    boolean bn = Double.isNaN(b);
    if (an || bn) {
      return an == bn ? 0 : an ? 1 : -1;
    }
    return a < b ? -1 : a > b ? 1 : 0;
  }

  static Object listExtract(List<?> l, long index) {
    if (index == 0) {
      return null;
    }
    long i = index > 0 ? index - 1 : l.size() + index;
    if (i < 0 || i >= l.size()) {
      return null;
    }
    return l.get((int) i);
  }

  static Node listAggregate(String fn, SqlType element, SqlType result, Node list) {
    Comparator<Object> cmp = comparator(element);
    return row -> {
      Object v = list.eval(row);
      if (v == null) {
        return null;
      }
      List<?> l = (List<?>) v;
      switch (fn) {
        case "list_min", "list_max" -> {
          Object best = null;
          for (Object e : l) {
            if (e != null
                && (best == null
                    || (fn.equals("list_max")
                        ? cmp.compare(e, best) > 0
                        : cmp.compare(e, best) < 0))) {
              best = e;
            }
          }
          return best;
        }
        case "list_sum", "list_avg" -> {
          long count = 0;
          double dsum = 0;
          BigInteger isum = BigInteger.ZERO;
          BigDecimal dec = BigDecimal.ZERO;
          for (Object e : l) {
            if (e == null) {
              continue;
            }
            count++;
            switch (element.kind()) {
              case DOUBLE -> dsum += (Double) e;
              case FLOAT -> dsum += (Float) e;
              case HUGEINT -> isum = isum.add((BigInteger) e);
              case DECIMAL -> dec = dec.add((BigDecimal) e);
              default -> isum = isum.add(BigInteger.valueOf((Long) e));
            }
          }
          if (count == 0) {
            return null;
          }
          boolean sum = fn.equals("list_sum");
          return switch (element.kind()) {
            case DOUBLE, FLOAT -> sum ? dsum : dsum / count;
            case DECIMAL -> {
              if (sum) {
                if (dec.unscaledValue().abs().compareTo(BigInteger.TEN.pow(38)) >= 0) {
                  throw new EvaluationException("Overflow in SUM of DECIMAL(38)");
                }
                yield dec.setScale(result.scale());
              }
              yield Casts.decimalToDouble(dec) / count;
            }
            default -> {
              if (sum) {
                yield Arithmetic.hugeChecked(isum, "SUM", isum, "+", 0);
              }
              yield isum.doubleValue() / count;
            }
          };
        }
        default -> throw new IllegalStateException(fn);
      }
    };
  }

  static Object roundInteger(Object v, long digits, SqlType t, boolean trunc) {
    if (digits >= 0) {
      return v;
    }
    if (digits < -38) {
      return t.kind() == Kind.HUGEINT ? BigInteger.ZERO : (Object) 0L;
    }
    BigDecimal d =
        t.kind() == Kind.HUGEINT ? new BigDecimal((BigInteger) v) : BigDecimal.valueOf((Long) v);
    BigDecimal r =
        d.setScale(
            (int) digits, trunc ? java.math.RoundingMode.DOWN : java.math.RoundingMode.HALF_UP);
    BigInteger i = r.toBigInteger();
    if (t.kind() == Kind.HUGEINT) {
      return i;
    }
    if (i.bitLength() > 63 || i.longValue() < t.minValue() || i.longValue() > t.maxValue()) {
      throw new EvaluationException("Overflow in rounding of " + v);
    }
    return i.longValue();
  }

  /** C's round(): halves away from zero. */
  static double roundHalfAway(double d) {
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      return d;
    }
    double f = Math.floor(d);
    double diff = d - f;
    double r;
    if (diff > 0.5) {
      r = f + 1;
    } else if (diff < 0.5) {
      r = f;
    } else {
      r = d > 0 ? f + 1 : f;
    }
    return r == 0 ? Math.copySign(0.0, d) : r;
  }

  static double roundDigits(double d, long digits) {
    if (digits < 0) {
      double m = Math.pow(10, -digits);
      return roundHalfAway(d / m) * m;
    }
    double m = Math.pow(10, digits);
    double r = roundHalfAway(d * m) / m;
    return Double.isInfinite(r) || Double.isNaN(r) ? d : r;
  }

  static double truncDigits(double d, long digits) {
    if (digits < 0) {
      double m = Math.pow(10, -digits);
      return trunc(d / m) * m;
    }
    double m = Math.pow(10, digits);
    double r = trunc(d * m) / m;
    return Double.isInfinite(r) || Double.isNaN(r) ? d : r;
  }

  private static double trunc(double d) {
    return d < 0 ? Math.ceil(d) : Math.floor(d);
  }

  // ---- Fletch values in and out -------------------------------------------------------------

  /** A Fletch value of {@code t} (see {@link ValueType}) in the evaluator's representation. */
  static Object in(Object v, SqlType t) {
    if (v == null) {
      return null;
    }
    switch (t.kind()) {
      case TINYINT, SMALLINT, INTEGER, BIGINT:
        return ((Number) v).longValue();
      case FLOAT:
        return ((Number) v).floatValue();
      case DOUBLE:
        return ((Number) v).doubleValue();
      case TIMESTAMP, TIMESTAMPTZ:
        if (v instanceof Instant i) {
          return Math.addExact(
              Math.multiplyExact(i.getEpochSecond(), 1_000_000L), i.getNano() / 1000);
        }
        return ((Number) v).longValue();
      case LIST:
        {
          List<?> l = (List<?>) v;
          List<Object> out = new ArrayList<>(l.size());
          for (Object e : l) {
            out.add(in(e, t.element()));
          }
          return out;
        }
      default:
        return v;
    }
  }

  /** An evaluator value of the SQL type of {@code declared} as Fletch's Java value of it. */
  static Object out(Object v, ValueType declared) {
    if (v == null) {
      return null;
    }
    return switch (declared) {
      case INT32 -> (int) (long) (Long) v;
      case TIMESTAMP -> {
        long m = (Long) v;
        yield Instant.ofEpochSecond(
            Math.floorDiv(m, 1_000_000L), Math.floorMod(m, 1_000_000L) * 1000);
      }
      case INT32_LIST -> {
        List<?> l = (List<?>) v;
        List<Object> o = new ArrayList<>(l.size());
        for (Object e : l) {
          o.add(out(e, declared.elementType()));
        }
        yield o;
      }
      default -> v;
    };
  }
}
