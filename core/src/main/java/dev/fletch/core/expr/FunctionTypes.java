package dev.fletch.core.expr;

import dev.fletch.core.expr.Expr.BinaryOp;
import dev.fletch.core.expr.SqlType.Kind;
import dev.fletch.core.expr.Typed.Op;
import java.util.ArrayList;
import java.util.List;

/**
 * The overloads of each allowed function, as DuckDB binds them: which argument types it takes
 * (converting the others where DuckDB converts implicitly) and the type it returns. {@code nullif},
 * {@code ifnull} and {@code if} become the CASE or coalesce DuckDB expands them to.
 */
final class FunctionTypes {
  private FunctionTypes() {}

  static Typed call(String fn, List<Typed> args, int pos) {
    switch (fn) {
      case "coalesce":
      case "ifnull":
        {
          SqlType t = Coercion.common(args, fn + "()", pos);
          return new Typed(Op.CALL, t, Coercion.coerceAll(args, t), "coalesce", pos);
        }
      case "nullif":
        {
          Typed a = args.get(0);
          Typed eq = TypeChecker.binary(BinaryOp.EQ, a, args.get(1), pos);
          SqlType t = a.type();
          return TypeChecker.caseOf(
              List.of(eq), List.of(new Typed(Op.LITERAL, t, List.of(), null, pos), a), t, pos);
        }
      case "if":
        {
          Typed c = Coercion.toBoolean(args.get(0), "if()");
          List<Typed> values = List.of(args.get(1), args.get(2));
          SqlType t = Coercion.common(values, "if()", pos);
          return TypeChecker.caseOf(List.of(c), Coercion.coerceAll(values, t), t, pos);
        }
      case "abs":
        {
          Typed x = number(fn, args.get(0));
          return call(fn, x.type(), pos, x);
        }
      case "ceil":
      case "ceiling":
      case "floor":
        {
          Typed x = number(fn, args.get(0));
          SqlType t = x.type();
          if (t.kind() == Kind.DECIMAL) {
            return call(fn, SqlType.decimal(t.width(), 0), pos, x);
          }
          if (t.kind() != Kind.FLOAT) {
            x = Coercion.coerce(x, SqlType.DOUBLE);
          }
          return call(fn, x.type(), pos, x);
        }
      case "round":
      case "trunc":
        {
          Typed x = number(fn, args.get(0));
          SqlType t = x.type();
          if (args.size() == 1) {
            return call(fn, t.kind() == Kind.DECIMAL ? SqlType.decimal(t.width(), 0) : t, pos, x);
          }
          Typed n = Coercion.expect(args.get(1), SqlType.INTEGER, fn + "()'s digits", pos);
          if (t.kind() == Kind.DECIMAL) {
            if (n.op() != Op.LITERAL || n.value() == null) {
              throw new ExpressionException(
                  fn + "() of a DECIMAL needs a constant number of digits", n.pos());
            }
            long digits = (Long) n.value();
            int scale = digits >= 0 ? (int) Math.min(digits, t.scale()) : 0;
            return call(fn, SqlType.decimal(t.width(), scale), pos, x, n);
          }
          return call(fn, t, pos, x, n);
        }
      case "sqrt":
      case "cbrt":
      case "exp":
      case "ln":
      case "log10":
      case "log2":
        return call(fn, SqlType.DOUBLE, pos, toDouble(fn, args.get(0)));
      case "pow":
      case "power":
        return call(
            "pow", SqlType.DOUBLE, pos, toDouble(fn, args.get(0)), toDouble(fn, args.get(1)));
      case "sign":
        {
          Typed x = number(fn, args.get(0));
          if (x.type().kind() == Kind.DECIMAL) {
            x = Coercion.coerce(x, SqlType.DOUBLE);
          }
          return call(fn, SqlType.TINYINT, pos, x);
        }
      case "greatest":
      case "least":
        {
          SqlType t = Coercion.common(args, fn + "()", pos);
          TypeChecker.comparable(t, fn + "()", pos);
          return new Typed(Op.CALL, t, Coercion.coerceAll(args, t), fn, pos);
        }
      case "isnan":
      case "isinf":
      case "isfinite":
        {
          Typed x = args.get(0);
          SqlType t = x.type();
          if (!fn.equals("isnan") && (t.kind() == Kind.DATE || t.isTimestamp())) {
            return call(fn, SqlType.BOOLEAN, pos, x);
          }
          x = number(fn, x);
          if (x.type().kind() != Kind.FLOAT) {
            x = Coercion.coerce(x, SqlType.DOUBLE);
          }
          return call(fn, SqlType.BOOLEAN, pos, x);
        }
      case "lower":
      case "upper":
      case "reverse":
        return call(fn, SqlType.VARCHAR, pos, text(fn, args.get(0)));
      case "md5":
      case "sha256":
        {
          Typed x = args.get(0);
          if (x.type().kind() != Kind.BLOB) {
            x = text(fn, x);
          }
          return call(fn, SqlType.VARCHAR, pos, x);
        }
      case "length":
      case "len":
      case "array_length":
        {
          Typed x = args.get(0);
          if (x.type().isList()) {
            return call("len", SqlType.BIGINT, pos, x);
          }
          if (fn.equals("array_length")) {
            throw new ExpressionException(fn + "() takes a list, not " + x.type(), x.pos());
          }
          return call("length", SqlType.BIGINT, pos, text(fn, x));
        }
      case "trim":
      case "ltrim":
      case "rtrim":
        return call(fn, SqlType.VARCHAR, pos, texts(fn, args));
      case "substr":
      case "substring":
        {
          List<Typed> a = new ArrayList<>();
          a.add(text(fn, args.get(0)));
          for (int i = 1; i < args.size(); i++) {
            a.add(Coercion.expect(args.get(i), SqlType.BIGINT, fn + "()", pos));
          }
          return new Typed(Op.CALL, SqlType.VARCHAR, a, "substr", pos);
        }
      case "concat":
        {
          boolean lists =
              args.stream().allMatch(a -> a.type().isList() || a.type().kind() == Kind.NULL)
                  && args.stream().anyMatch(a -> a.type().isList());
          if (lists) {
            SqlType t = Coercion.common(args, "concat()", pos);
            return new Typed(Op.CALL, t, Coercion.coerceAll(args, t), "list_concat", pos);
          }
          List<Typed> a = new ArrayList<>();
          for (Typed x : args) {
            a.add(Coercion.toText(x));
          }
          return new Typed(Op.CALL, SqlType.VARCHAR, a, fn, pos);
        }
      case "concat_ws":
        {
          List<Typed> a = new ArrayList<>();
          a.add(text(fn, args.get(0)));
          for (int i = 1; i < args.size(); i++) {
            a.add(Coercion.toText(args.get(i)));
          }
          return new Typed(Op.CALL, SqlType.VARCHAR, a, fn, pos);
        }
      case "replace":
        return call(fn, SqlType.VARCHAR, pos, texts(fn, args));
      case "starts_with":
      case "ends_with":
        return call(fn, SqlType.BOOLEAN, pos, texts(fn, args));
      case "contains":
        if (args.get(0).type().isList()) {
          return listAndElement("list_contains", SqlType.BOOLEAN, args, pos);
        }
        return call(fn, SqlType.BOOLEAN, pos, texts(fn, args));
      case "strpos":
        return call(fn, SqlType.BIGINT, pos, texts(fn, args));
      case "left":
      case "right":
      case "repeat":
        return call(
            fn,
            SqlType.VARCHAR,
            pos,
            text(fn, args.get(0)),
            Coercion.expect(args.get(1), SqlType.BIGINT, fn + "()", pos));
      case "lpad":
      case "rpad":
        return call(
            fn,
            SqlType.VARCHAR,
            pos,
            text(fn, args.get(0)),
            Coercion.expect(args.get(1), SqlType.INTEGER, fn + "()", pos),
            text(fn, args.get(2)));
      case "split_part":
        return call(
            fn,
            SqlType.VARCHAR,
            pos,
            text(fn, args.get(0)),
            text(fn, args.get(1)),
            Coercion.expect(args.get(2), SqlType.BIGINT, fn + "()", pos));
      case "string_split":
        return call(fn, SqlType.list(SqlType.VARCHAR), pos, texts(fn, args));
      case "regexp_matches":
        return call(fn, SqlType.BOOLEAN, pos, texts(fn, args));
      case "regexp_replace":
        return call(fn, SqlType.VARCHAR, pos, texts(fn, args));
      case "regexp_extract":
        {
          List<Typed> a = new ArrayList<>();
          a.add(text(fn, args.get(0)));
          a.add(text(fn, args.get(1)));
          if (args.size() == 3) {
            a.add(Coercion.expect(args.get(2), SqlType.INTEGER, fn + "()'s group", pos));
          }
          return new Typed(Op.CALL, SqlType.VARCHAR, a, fn, pos);
        }
      case "encode":
        return call(fn, SqlType.BLOB, pos, text(fn, args.get(0)));
      case "decode":
        return call(
            fn, SqlType.VARCHAR, pos, Coercion.expect(args.get(0), SqlType.BLOB, fn + "()", pos));
      case "date_trunc":
        {
          Typed part = text(fn, args.get(0));
          Typed x = dateTime(fn, args.get(1));
          if (x.type().kind() == Kind.DATE) {
            return call(fn, SqlType.TIMESTAMP, pos, part, x);
          }
          return call(fn, x.type(), pos, part, x);
        }
      case "date_part":
        {
          Typed part = text(fn, args.get(0));
          Typed x = dateTime(fn, args.get(1));
          SqlType t = SqlType.BIGINT;
          if (part.op() != Op.LITERAL
              || part.value() == null
              || "epoch".equals(Temporal.partName((String) part.value()))) {
            t = SqlType.DOUBLE;
          }
          return call(fn, t, pos, part, x);
        }
      case "date_diff":
        {
          Typed part = text(fn, args.get(0));
          Typed a = dateTime(fn, args.get(1));
          Typed b = dateTime(fn, args.get(2));
          SqlType t = Coercion.common(List.of(a, b), "date_diff()", pos);
          return call(fn, SqlType.BIGINT, pos, part, Coercion.coerce(a, t), Coercion.coerce(b, t));
        }
      case "year":
      case "month":
      case "day":
      case "hour":
      case "minute":
      case "second":
      case "dayofweek":
      case "isodow":
      case "dayofyear":
      case "week":
      case "quarter":
        return call(fn, SqlType.BIGINT, pos, dateTime(fn, args.get(0)));
      case "epoch":
        return call(fn, SqlType.DOUBLE, pos, dateTime(fn, args.get(0)));
      case "epoch_ms":
        {
          Typed x = args.get(0);
          if (x.type().isInteger() || (x.isStringLiteral() && false)) {
            return call(
                "epoch_ms_to_timestamp",
                SqlType.TIMESTAMP,
                pos,
                Coercion.expect(x, SqlType.BIGINT, fn + "()", pos));
          }
          return call(fn, SqlType.BIGINT, pos, dateTime(fn, x));
        }
      case "epoch_us":
        return call(fn, SqlType.BIGINT, pos, dateTime(fn, args.get(0)));
      case "to_timestamp":
        return call(fn, SqlType.TIMESTAMPTZ, pos, toDouble(fn, args.get(0)));
      case "make_date":
        return call(
            fn,
            SqlType.DATE,
            pos,
            Coercion.expect(args.get(0), SqlType.BIGINT, fn + "()", pos),
            Coercion.expect(args.get(1), SqlType.BIGINT, fn + "()", pos),
            Coercion.expect(args.get(2), SqlType.BIGINT, fn + "()", pos));
      case "strftime":
        {
          Typed x = args.get(0);
          Typed f = args.get(1);
          if (x.type().kind() == Kind.VARCHAR && !x.isStringLiteral()) {
            throw new ExpressionException(
                "strftime() takes the date or timestamp first, then the format", x.pos());
          }
          return call(fn, SqlType.VARCHAR, pos, dateTime(fn, x), text(fn, f));
        }
      case "strptime":
        {
          // with a time zone in the format, DuckDB returns TIMESTAMP WITH TIME ZONE
          Typed f = args.get(1);
          boolean zone =
              f.isStringLiteral()
                  && (((String) f.value()).contains("%z") || ((String) f.value()).contains("%Z"));
          return call(fn, zone ? SqlType.TIMESTAMPTZ : SqlType.TIMESTAMP, pos, texts(fn, args));
        }
      case "list_value":
        {
          SqlType t = Coercion.common(args, "a list", pos);
          return new Typed(Op.CALL, SqlType.list(t), Coercion.coerceAll(args, t), fn, pos);
        }
      case "list_contains":
        return listAndElement(fn, SqlType.BOOLEAN, args, pos);
      case "list_position":
        return listAndElement(fn, SqlType.INTEGER, args, pos);
      case "list_extract":
        {
          Typed l = args.get(0);
          Typed i = Coercion.expect(args.get(1), SqlType.BIGINT, fn + "()", pos);
          if (l.type().kind() == Kind.VARCHAR) {
            return call("string_extract", SqlType.VARCHAR, pos, l, i);
          }
          l = list(fn, l);
          return call(fn, l.type().element(), pos, l, i);
        }
      case "list_sum":
        {
          Typed l = list(fn, args.get(0));
          SqlType e = l.type().element();
          SqlType t;
          if (e.isInteger()) {
            t = SqlType.HUGEINT;
          } else if (e.isFloating()) {
            t = SqlType.DOUBLE;
          } else if (e.kind() == Kind.DECIMAL) {
            t = SqlType.decimal(SqlType.MAX_DECIMAL_WIDTH, e.scale());
          } else if (e.kind() == Kind.NULL) {
            t = SqlType.HUGEINT;
          } else {
            throw new ExpressionException(
                "list_sum() takes a list of numbers, not " + l.type(), pos);
          }
          return call(fn, t, pos, l);
        }
      case "list_avg":
        {
          Typed l = list(fn, args.get(0));
          SqlType e = l.type().element();
          if (!e.isNumeric() && e.kind() != Kind.NULL) {
            throw new ExpressionException(
                "list_avg() takes a list of numbers, not " + l.type(), pos);
          }
          return call(fn, SqlType.DOUBLE, pos, l);
        }
      case "list_min":
      case "list_max":
        {
          Typed l = list(fn, args.get(0));
          return call(fn, l.type().element(), pos, l);
        }
      case "list_distinct":
      case "list_sort":
        {
          Typed l = list(fn, args.get(0));
          return call(fn, l.type(), pos, l);
        }
      default:
        throw new IllegalStateException("no types for " + fn + "()");
    }
  }

  private static Typed call(String fn, SqlType t, int pos, Typed... args) {
    return new Typed(Op.CALL, t, List.of(args), fn, pos);
  }

  private static Typed call(String fn, SqlType t, int pos, List<Typed> args) {
    return new Typed(Op.CALL, t, args, fn, pos);
  }

  private static Typed listAndElement(String fn, SqlType result, List<Typed> args, int pos) {
    Typed l = list(fn, args.get(0));
    Typed x = args.get(1);
    SqlType e = Coercion.max(l.type().element(), x.type());
    if (x.isStringLiteral() && l.type().element().kind() != Kind.NULL) {
      e = l.type().element();
    }
    if (e == null) {
      throw new ExpressionException(
          fn + "() looks for a " + x.type() + " in a " + l.type(), x.pos());
    }
    return call(fn, result, pos, Coercion.coerce(l, SqlType.list(e)), Coercion.coerce(x, e));
  }

  private static Typed list(String fn, Typed x) {
    if (x.type().kind() == Kind.NULL) {
      return Coercion.coerce(x, SqlType.list(SqlType.INTEGER));
    }
    if (!x.type().isList()) {
      throw new ExpressionException(fn + "() takes a list, not " + x.type(), x.pos());
    }
    return x;
  }

  private static Typed number(String fn, Typed x) {
    if (x.type().kind() == Kind.NULL) {
      return Coercion.coerce(x, SqlType.DOUBLE);
    }
    if (x.isStringLiteral()) {
      return Coercion.coerce(x, SqlType.DOUBLE);
    }
    if (!x.type().isNumeric()) {
      throw new ExpressionException(fn + "() takes a number, not " + x.type(), x.pos());
    }
    return x;
  }

  private static Typed toDouble(String fn, Typed x) {
    return Coercion.expect(x, SqlType.DOUBLE, fn + "()", x.pos());
  }

  private static Typed text(String fn, Typed x) {
    return Coercion.expect(x, SqlType.VARCHAR, fn + "()", x.pos());
  }

  private static List<Typed> texts(String fn, List<Typed> args) {
    List<Typed> out = new ArrayList<>(args.size());
    for (Typed a : args) {
      out.add(text(fn, a));
    }
    return out;
  }

  private static Typed dateTime(String fn, Typed x) {
    Kind k = x.type().kind();
    if (k == Kind.DATE || k == Kind.TIMESTAMP || k == Kind.TIMESTAMPTZ || k == Kind.INTERVAL) {
      return x;
    }
    if (k == Kind.NULL) {
      return Coercion.coerce(x, SqlType.TIMESTAMP);
    }
    if (x.isStringLiteral()) {
      return Coercion.coerce(x, SqlType.TIMESTAMP);
    }
    throw new ExpressionException(
        fn + "() takes a DATE, TIMESTAMP or TIMESTAMP WITH TIME ZONE, not " + x.type(), x.pos());
  }
}
