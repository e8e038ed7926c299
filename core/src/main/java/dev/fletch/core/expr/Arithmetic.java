package dev.fletch.core.expr;

import dev.fletch.core.expr.Expr.BinaryOp;
import dev.fletch.core.expr.SqlType.Kind;
import dev.fletch.core.expr.Typed.Op;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;

/**
 * {@code + - * / %} as DuckDB types and computes them: integers of the wider operand's type that
 * fail on overflow, {@code /} always fractional (DOUBLE, or FLOAT for two FLOATs), {@code %} by
 * zero an error for integers and DECIMALs and NaN for floating point, DECIMAL widths and scales as
 * DuckDB derives them, and dates, timestamps and intervals.
 */
final class Arithmetic {
  private Arithmetic() {}

  static Typed type(BinaryOp op, Typed l, Typed r, int pos) {
    SqlType a = l.type();
    SqlType b = r.type();
    if (a.kind() == Kind.NULL && b.kind() == Kind.NULL) {
      SqlType t = op == BinaryOp.DIVIDE ? SqlType.DOUBLE : SqlType.BIGINT;
      return new Typed(Op.LITERAL, t, List.of(), null, pos);
    }
    if (a.kind() == Kind.NULL) {
      l = Coercion.coerce(l, r.isStringLiteral() ? SqlType.VARCHAR : b);
      a = l.type();
    }
    if (b.kind() == Kind.NULL) {
      r = Coercion.coerce(r, a);
      b = r.type();
    }
    Typed temporal = temporal(op, l, r, pos);
    if (temporal != null) {
      return temporal;
    }
    if (!(a.isNumeric() || l.isStringLiteral()) || !(b.isNumeric() || r.isStringLiteral())) {
      throw new ExpressionException(
          op.sql() + " does not take " + a + " and " + b + " (cast the values explicitly)", pos);
    }
    if (l.isStringLiteral() && r.isStringLiteral()) {
      throw new ExpressionException(
          op.sql() + " of two texts: write the numbers without quotes", pos);
    }
    SqlType common = Coercion.common(List.of(l, r), op.sql(), pos);
    if (common.kind() == Kind.DECIMAL) {
      return decimal(op, l, r, pos);
    }
    if (op == BinaryOp.DIVIDE && common.kind() != Kind.FLOAT) {
      common = SqlType.DOUBLE;
    }
    return new Typed(
        Op.ARITHMETIC,
        common,
        List.of(Coercion.coerce(l, common), Coercion.coerce(r, common)),
        op,
        pos);
  }

  private static Typed decimal(BinaryOp op, Typed l, Typed r, int pos) {
    SqlType x =
        l.type().kind() == Kind.DECIMAL
            ? l.type()
            : l.isStringLiteral() ? null : l.type().asDecimal();
    SqlType y =
        r.type().kind() == Kind.DECIMAL
            ? r.type()
            : r.isStringLiteral() ? null : r.type().asDecimal();
    if (x == null) {
      x = y;
    }
    if (y == null) {
      y = x;
    }
    if (op == BinaryOp.DIVIDE) {
      return new Typed(
          Op.ARITHMETIC,
          SqlType.DOUBLE,
          List.of(Coercion.coerce(l, SqlType.DOUBLE), Coercion.coerce(r, SqlType.DOUBLE)),
          op,
          pos);
    }
    int digits = Math.max(x.width() - x.scale(), y.width() - y.scale());
    int scale = Math.max(x.scale(), y.scale());
    int width;
    switch (op) {
      case ADD, SUBTRACT -> width = digits + scale + 1;
      case MODULO -> width = digits + scale;
      case MULTIPLY -> {
        scale = x.scale() + y.scale();
        if (scale > SqlType.MAX_DECIMAL_WIDTH) {
          throw new ExpressionException(
              "the product of DECIMALs needs scale "
                  + scale
                  + ", more than "
                  + SqlType.MAX_DECIMAL_WIDTH
                  + " (cast one side to DOUBLE)",
              pos);
        }
        width = x.width() + y.width();
        if (width > 18 && x.width() <= 18 && y.width() <= 18) {
          width = 18;
        }
        width = Math.max(width, scale);
      }
      default -> throw new IllegalStateException(op.name());
    }
    width = Math.min(width, SqlType.MAX_DECIMAL_WIDTH);
    return new Typed(
        Op.ARITHMETIC,
        SqlType.decimal(width, scale),
        List.of(Coercion.coerce(l, x), Coercion.coerce(r, y)),
        op,
        pos);
  }

  /** Dates, timestamps and intervals, or null when neither side is one. */
  private static Typed temporal(BinaryOp op, Typed l, Typed r, int pos) {
    Kind a = l.type().kind();
    Kind b = r.type().kind();
    boolean aTime = a == Kind.DATE || a == Kind.TIMESTAMP || a == Kind.TIMESTAMPTZ;
    boolean bTime = b == Kind.DATE || b == Kind.TIMESTAMP || b == Kind.TIMESTAMPTZ;
    if (!aTime && !bTime && a != Kind.INTERVAL && b != Kind.INTERVAL) {
      return null;
    }
    String refuse = op.sql() + " does not take " + l.type() + " and " + r.type();
    switch (op) {
      case ADD:
        if (a == Kind.DATE && smallInt(r)) {
          return node(op, SqlType.DATE, l, Coercion.coerce(r, SqlType.INTEGER), pos);
        }
        if (b == Kind.DATE && smallInt(l)) {
          return node(op, SqlType.DATE, Coercion.coerce(l, SqlType.INTEGER), r, pos);
        }
        if (aTime && b == Kind.INTERVAL) {
          SqlType t = a == Kind.DATE ? SqlType.TIMESTAMP : l.type();
          return node(op, t, Coercion.coerce(l, t), r, pos);
        }
        if (a == Kind.INTERVAL && bTime) {
          SqlType t = b == Kind.DATE ? SqlType.TIMESTAMP : r.type();
          return node(op, t, l, Coercion.coerce(r, t), pos);
        }
        if (a == Kind.INTERVAL && b == Kind.INTERVAL) {
          return node(op, SqlType.INTERVAL, l, r, pos);
        }
        break;
      case SUBTRACT:
        if (a == Kind.DATE && smallInt(r)) {
          return node(op, SqlType.DATE, l, Coercion.coerce(r, SqlType.INTEGER), pos);
        }
        if (a == Kind.DATE && b == Kind.DATE) {
          return node(op, SqlType.BIGINT, l, r, pos);
        }
        if (aTime && b == Kind.INTERVAL) {
          SqlType t = a == Kind.DATE ? SqlType.TIMESTAMP : l.type();
          return node(op, t, Coercion.coerce(l, t), r, pos);
        }
        if (aTime && bTime) {
          SqlType t = Coercion.max(l.type(), r.type());
          if (t.kind() == Kind.DATE) {
            break;
          }
          return node(op, SqlType.INTERVAL, Coercion.coerce(l, t), Coercion.coerce(r, t), pos);
        }
        if (a == Kind.INTERVAL && b == Kind.INTERVAL) {
          return node(op, SqlType.INTERVAL, l, r, pos);
        }
        break;
      case MULTIPLY:
        if (a == Kind.INTERVAL && (r.type().isNumeric())) {
          return node(op, SqlType.INTERVAL, l, numberFactor(r), pos);
        }
        if (b == Kind.INTERVAL && (l.type().isNumeric())) {
          return node(op, SqlType.INTERVAL, numberFactor(l), r, pos);
        }
        break;
      case DIVIDE:
        if (a == Kind.INTERVAL && r.type().isNumeric()) {
          return node(op, SqlType.INTERVAL, l, numberFactor(r), pos);
        }
        break;
      default:
        break;
    }
    throw new ExpressionException(refuse, pos);
  }

  /** An interval's factor: integers as BIGINT, other numbers as DOUBLE (DuckDB's overloads). */
  private static Typed numberFactor(Typed t) {
    return Coercion.coerce(
        t,
        t.type().isInteger() && t.type().kind() != Kind.HUGEINT ? SqlType.BIGINT : SqlType.DOUBLE);
  }

  private static boolean smallInt(Typed t) {
    Kind k = t.type().kind();
    return k == Kind.TINYINT || k == Kind.SMALLINT || k == Kind.INTEGER;
  }

  private static Typed node(BinaryOp op, SqlType t, Typed l, Typed r, int pos) {
    return new Typed(Op.ARITHMETIC, t, List.of(l, r), op, pos);
  }

  // ---- evaluation -------------------------------------------------------------------------

  /** The operation for operands of the types in {@code t}'s arguments. */
  static Compiled.Binary compile(Typed t) {
    BinaryOp op = (BinaryOp) t.value();
    SqlType type = t.type();
    SqlType a = t.arg(0).type();
    SqlType b = t.arg(1).type();
    if (a.kind() == Kind.INTERVAL
        || b.kind() == Kind.INTERVAL
        || a.kind() == Kind.DATE
        || a.isTimestamp()
        || b.kind() == Kind.DATE
        || b.isTimestamp()) {
      return Temporal.arithmetic(op, a, b, type);
    }
    switch (type.kind()) {
      case DOUBLE:
        return switch (op) {
          case ADD -> (x, y) -> (Double) x + (Double) y;
          case SUBTRACT -> (x, y) -> (Double) x - (Double) y;
          case MULTIPLY -> (x, y) -> (Double) x * (Double) y;
          case DIVIDE -> (x, y) -> (Double) x / (Double) y;
          case MODULO -> (x, y) -> (Double) x % (Double) y;
          default -> throw new IllegalStateException(op.name());
        };
      case FLOAT:
        return switch (op) {
          case ADD -> (x, y) -> (Float) x + (Float) y;
          case SUBTRACT -> (x, y) -> (Float) x - (Float) y;
          case MULTIPLY -> (x, y) -> (Float) x * (Float) y;
          case DIVIDE -> (x, y) -> (Float) x / (Float) y;
          case MODULO -> (x, y) -> (Float) x % (Float) y;
          default -> throw new IllegalStateException(op.name());
        };
      case TINYINT:
      case SMALLINT:
      case INTEGER:
      case BIGINT:
        return integer(op, type);
      case HUGEINT:
        return huge(op);
      case DECIMAL:
        return decimal(op, type);
      default:
        throw new IllegalStateException("arithmetic on " + type);
    }
  }

  private static Compiled.Binary integer(BinaryOp op, SqlType type) {
    long min = type.minValue();
    long max = type.maxValue();
    String name = type.physicalName();
    if (type.kind() == Kind.BIGINT) {
      return switch (op) {
        case ADD ->
            (x, y) -> {
              long p = (Long) x;
              long q = (Long) y;
              long s = p + q;
              if (((p ^ s) & (q ^ s)) < 0) {
                throw overflow("addition", name, p, "+", q);
              }
              return s;
            };
        case SUBTRACT ->
            (x, y) -> {
              long p = (Long) x;
              long q = (Long) y;
              long s = p - q;
              if (((p ^ q) & (p ^ s)) < 0) {
                throw overflow("subtraction", name, p, "-", q);
              }
              return s;
            };
        case MULTIPLY ->
            (x, y) -> {
              long p = (Long) x;
              long q = (Long) y;
              long hi = Math.multiplyHigh(p, q);
              long lo = p * q;
              if ((hi != 0 || lo < 0) && (hi != -1 || lo >= 0)) {
                throw overflow("multiplication", name, p, "*", q);
              }
              return lo;
            };
        case MODULO -> (x, y) -> modulo((Long) x, (Long) y, min);
        default -> throw new IllegalStateException(op.name());
      };
    }
    return switch (op) {
      case ADD -> (x, y) -> checked((Long) x + (Long) y, min, max, "addition", name, x, "+", y);
      case SUBTRACT ->
          (x, y) -> checked((Long) x - (Long) y, min, max, "subtraction", name, x, "-", y);
      case MULTIPLY ->
          (x, y) -> checked((Long) x * (Long) y, min, max, "multiplication", name, x, "*", y);
      case MODULO -> (x, y) -> modulo((Long) x, (Long) y, min);
      default -> throw new IllegalStateException(op.name());
    };
  }

  private static Object modulo(long p, long q, long min) {
    if (q == 0) {
      throw divisionByZero(p, "%", q);
    }
    if (p == min && q == -1) {
      throw new EvaluationException("Overflow in division of " + p + " / " + q);
    }
    return p % q;
  }

  private static long checked(
      long v, long min, long max, String what, String type, Object x, String op, Object y) {
    if (v < min || v > max) {
      throw new EvaluationException(
          "Overflow in " + what + " of " + type + " (" + x + " " + op + " " + y + ")!");
    }
    return v;
  }

  static EvaluationException overflow(String what, String type, Object x, String op, Object y) {
    return new EvaluationException(
        "Overflow in " + what + " of " + type + " (" + x + " " + op + " " + y + ")!");
  }

  static EvaluationException divisionByZero(Object x, String op, Object y) {
    return new EvaluationException(
        "Division by zero in expression (" + x + " " + op + " " + y + ")");
  }

  private static final BigInteger HUGE_MIN = BigInteger.ONE.shiftLeft(127).negate();

  private static Compiled.Binary huge(BinaryOp op) {
    return switch (op) {
      case ADD ->
          (x, y) -> hugeChecked(((BigInteger) x).add((BigInteger) y), "addition", x, "+", y);
      case SUBTRACT ->
          (x, y) ->
              hugeChecked(((BigInteger) x).subtract((BigInteger) y), "subtraction", x, "-", y);
      case MULTIPLY ->
          (x, y) ->
              hugeChecked(((BigInteger) x).multiply((BigInteger) y), "multiplication", x, "*", y);
      case MODULO ->
          (x, y) -> {
            BigInteger q = (BigInteger) y;
            if (q.signum() == 0) {
              throw divisionByZero(x, "%", y);
            }
            if (x.equals(HUGE_MIN) && q.equals(BigInteger.ONE.negate())) {
              throw new EvaluationException("Overflow in division of " + x + " / " + y);
            }
            return ((BigInteger) x).remainder(q);
          };
      default -> throw new IllegalStateException(op.name());
    };
  }

  static BigInteger hugeChecked(BigInteger v, String what, Object x, String op, Object y) {
    if (v.bitLength() > 127) {
      throw overflow(what, "INT128", x, op, y);
    }
    return v;
  }

  private static Compiled.Binary decimal(BinaryOp op, SqlType type) {
    int scale = type.scale();
    BigInteger limit = BigInteger.TEN.pow(type.width());
    String name = "DECIMAL(" + type.width() + ")";
    return switch (op) {
      case ADD ->
          (x, y) ->
              decimalChecked(
                  ((BigDecimal) x).add((BigDecimal) y), limit, "addition", name, x, "+", y);
      case SUBTRACT ->
          (x, y) ->
              decimalChecked(
                  ((BigDecimal) x).subtract((BigDecimal) y), limit, "subtraction", name, x, "-", y);
      case MULTIPLY ->
          (x, y) ->
              decimalChecked(
                  ((BigDecimal) x).multiply((BigDecimal) y),
                  limit,
                  "multiplication",
                  name,
                  x,
                  "*",
                  y);
      case MODULO ->
          (x, y) -> {
            BigDecimal q = (BigDecimal) y;
            if (q.signum() == 0) {
              throw divisionByZero(x, "%", y);
            }
            return ((BigDecimal) x).remainder(q).setScale(scale);
          };
      default -> throw new IllegalStateException(op.name());
    };
  }

  private static BigDecimal decimalChecked(
      BigDecimal v, BigInteger limit, String what, String type, Object x, String op, Object y) {
    if (v.unscaledValue().abs().compareTo(limit) >= 0) {
      throw new EvaluationException(
          "Overflow in "
              + what
              + " of "
              + type
              + " ("
              + ((BigDecimal) x).unscaledValue()
              + " "
              + op
              + " "
              + ((BigDecimal) y).unscaledValue()
              + ")");
    }
    return v;
  }

  /** Unary minus of a value of {@code type}. */
  static Compiled.Unary negate(SqlType type) {
    return switch (type.kind()) {
      case DOUBLE -> x -> -(Double) x;
      case FLOAT -> x -> -(Float) x;
      case TINYINT, SMALLINT, INTEGER, BIGINT -> {
        long min = type.minValue();
        yield x -> {
          long v = (Long) x;
          if (v == min) {
            throw new EvaluationException("Overflow in negation of numeric value!");
          }
          return -v;
        };
      }
      case HUGEINT ->
          x -> {
            if (x.equals(HUGE_MIN)) {
              throw new EvaluationException("Overflow in negation of numeric value!");
            }
            return ((BigInteger) x).negate();
          };
      case DECIMAL -> x -> ((BigDecimal) x).negate();
      case INTERVAL ->
          x -> {
            Interval i = (Interval) x;
            return new Interval(
                Math.negateExact(i.months()),
                Math.negateExact(i.days()),
                Math.negateExact(i.micros()));
          };
      default -> throw new IllegalStateException("negate " + type);
    };
  }
}
