package dev.fletch.core.expr;

import dev.fletch.core.expr.SqlType.Kind;
import dev.fletch.core.expr.Typed.Op;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * DuckDB's implicit conversions: the common type of several values (CASE, IN, coalesce, lists,
 * arithmetic), and which argument types a parameter accepts without a written cast.
 */
final class Coercion {
  private Coercion() {}

  /** The type all of {@code values} convert to, as DuckDB's max logical type; throws if none. */
  static SqlType common(List<Typed> values, String what, int pos) {
    SqlType common = SqlType.NULL;
    Typed first = null;
    for (Typed v : values) {
      if (first == null || common.kind() == Kind.NULL) {
        common = v.type();
        first = v;
        continue;
      }
      SqlType next = pair(common, first, v);
      if (next == null) {
        throw new ExpressionException(
            what
                + " mixes "
                + common
                + " and "
                + v.type()
                + " values (write a CAST to say which type to use)",
            v.pos());
      }
      common = next;
    }
    return common;
  }

  /**
   * The common type of {@code a} (typed {@code at}, {@code first} one of its values) and {@code b}:
   * string and NULL literals take the other's type, integer literals narrow to a small integer type
   * they fit.
   */
  private static SqlType pair(SqlType at, Typed first, Typed b) {
    SqlType bt = b.type();
    if (bt.kind() == Kind.NULL) {
      return at;
    }
    if (b.isStringLiteral() && at.kind() != Kind.VARCHAR) {
      return at;
    }
    if (first.isStringLiteral() && first.type().equals(at) && bt.kind() != Kind.VARCHAR) {
      return bt;
    }
    if (b.isIntegerLiteral() && at.isSmallInteger() && fits(b, at)) {
      return max(at, at);
    }
    if (first.isIntegerLiteral()
        && first.type().equals(at)
        && bt.isSmallInteger()
        && fits(first, bt)) {
      return bt;
    }
    return max(at, bt);
  }

  static boolean fits(Typed integerLiteral, SqlType t) {
    Object v = integerLiteral.value();
    if (v instanceof Long l) {
      return l >= t.minValue() && l <= t.maxValue();
    }
    return false;
  }

  /** DuckDB's max of two types, or null when they do not mix. */
  static SqlType max(SqlType a, SqlType b) {
    if (a.equals(b)) {
      return a;
    }
    if (a.kind() == Kind.NULL) {
      return b;
    }
    if (b.kind() == Kind.NULL) {
      return a;
    }
    if (a.isNumeric() && b.isNumeric()) {
      return maxNumeric(a, b);
    }
    if (isDateTime(a) && isDateTime(b)) {
      if (a.kind() == Kind.TIMESTAMPTZ || b.kind() == Kind.TIMESTAMPTZ) {
        return SqlType.TIMESTAMPTZ;
      }
      return SqlType.TIMESTAMP;
    }
    if (a.isList() && b.isList()) {
      SqlType e = max(a.element(), b.element());
      return e == null ? null : SqlType.list(e);
    }
    return null;
  }

  private static boolean isDateTime(SqlType t) {
    return t.kind() == Kind.DATE || t.isTimestamp();
  }

  static SqlType maxNumeric(SqlType a, SqlType b) {
    if (a.kind() == Kind.DOUBLE || b.kind() == Kind.DOUBLE) {
      return SqlType.DOUBLE;
    }
    if (a.kind() == Kind.FLOAT || b.kind() == Kind.FLOAT) {
      return SqlType.FLOAT;
    }
    if (a.kind() == Kind.DECIMAL || b.kind() == Kind.DECIMAL) {
      SqlType x = a.asDecimal();
      SqlType y = b.asDecimal();
      int scale = Math.max(x.scale(), y.scale());
      int digits = Math.max(x.width() - x.scale(), y.width() - y.scale());
      return SqlType.decimal(Math.min(SqlType.MAX_DECIMAL_WIDTH, digits + scale), scale);
    }
    return a.kind().ordinal() >= b.kind().ordinal() ? a : b;
  }

  /**
   * The type both sides of a comparison convert to: as {@link #common}, and a VARCHAR compared with
   * a number, a date or a time converts to that type (DuckDB casts the text, row by row).
   */
  static SqlType comparison(Typed l, Typed r, boolean equality, String what, int pos) {
    SqlType lt = l.type();
    SqlType rt = r.type();
    boolean textLeft = lt.kind() == Kind.VARCHAR && !l.isStringLiteral();
    boolean textRight = rt.kind() == Kind.VARCHAR && !r.isStringLiteral();
    if ((textLeft && convertsFromText(rt)) || (textRight && convertsFromText(lt))) {
      if (!equality) {
        throw new ExpressionException(
            "cannot compare values of type "
                + lt
                + " and "
                + rt
                + " with "
                + what
                + " (write a CAST)",
            pos);
      }
      return textLeft ? rt : lt;
    }
    return common(List.of(l, r), what, pos);
  }

  private static boolean convertsFromText(SqlType t) {
    return t.isNumeric() || t.kind() == Kind.DATE || t.isTimestamp() || t.kind() == Kind.BOOLEAN;
  }

  /** {@code t} converted to {@code to} (which the caller found it converts to). */
  static Typed coerce(Typed t, SqlType to) {
    if (t.type().equals(to)) {
      return t;
    }
    if (t.op() == Op.LITERAL
        && (t.value() == null || t.isStringLiteral() || t.isIntegerLiteral())) {
      return TypeChecker.constantCast(t, to, false);
    }
    return new Typed(Op.CAST, to, List.of(t), null, t.pos());
  }

  static List<Typed> coerceAll(List<Typed> values, SqlType to) {
    List<Typed> out = new ArrayList<>(values.size());
    for (Typed v : values) {
      out.add(coerce(v, to));
    }
    return out;
  }

  /** {@code t} as a BOOLEAN operand of {@code what}. */
  static Typed toBoolean(Typed t, String what) {
    return expect(t, SqlType.BOOLEAN, what, t.pos());
  }

  /** {@code t} as text, for {@code ||} and concat: any value converts. */
  static Typed toText(Typed t) {
    if (t.type().kind() == Kind.VARCHAR) {
      return t;
    }
    if (t.type().kind() == Kind.NULL) {
      return new Typed(Op.LITERAL, SqlType.VARCHAR, List.of(), null, t.pos());
    }
    return new Typed(Op.CAST, SqlType.VARCHAR, List.of(t), null, t.pos());
  }

  /** {@code t} converted to a parameter of type {@code to}, or an error naming {@code what}. */
  static Typed expect(Typed t, SqlType to, String what, int pos) {
    if (!implicit(t, to)) {
      throw new ExpressionException(what + " takes " + to + ", not " + t.type(), t.pos());
    }
    return coerce(t, to);
  }

  /** Whether DuckDB converts {@code t} to {@code to} without a written cast. */
  static boolean implicit(Typed t, SqlType to) {
    SqlType from = t.type();
    if (from.equals(to) || from.kind() == Kind.NULL) {
      return true;
    }
    if (t.isStringLiteral()) {
      return Casts.canCast(from, to);
    }
    if (t.isIntegerLiteral() && to.isSmallInteger() && fits(t, to)) {
      return true;
    }
    return implicitType(from, to);
  }

  static boolean implicitType(SqlType from, SqlType to) {
    if (from.equals(to) || from.kind() == Kind.NULL) {
      return true;
    }
    if (from.isInteger()) {
      if (to.isInteger()) {
        return to.kind().ordinal() >= from.kind().ordinal();
      }
      if (to.kind() == Kind.DECIMAL) {
        SqlType d = from.asDecimal();
        return to.width() - to.scale() >= d.width();
      }
      return to.isFloating();
    }
    if (from.kind() == Kind.DECIMAL) {
      if (to.kind() == Kind.DECIMAL) {
        return to.scale() >= from.scale() && to.width() - to.scale() >= from.width() - from.scale();
      }
      return to.isFloating();
    }
    if (from.kind() == Kind.FLOAT) {
      return to.kind() == Kind.DOUBLE;
    }
    if (from.kind() == Kind.DATE) {
      return to.isTimestamp();
    }
    if (from.kind() == Kind.TIMESTAMP) {
      return to.kind() == Kind.TIMESTAMPTZ;
    }
    if (from.isList() && to.isList()) {
      return implicitType(from.element(), to.element());
    }
    return false;
  }

  /** Whether an integer literal's value fits a small integer type. */
  static boolean fitsValue(BigInteger v, SqlType t) {
    return v.bitLength() < 64 && v.longValue() >= t.minValue() && v.longValue() <= t.maxValue();
  }
}
