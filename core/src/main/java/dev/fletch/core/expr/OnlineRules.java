package dev.fletch.core.expr;

import dev.fletch.core.expr.Expr.BinaryOp;
import dev.fletch.core.expr.SqlType.Kind;
import dev.fletch.core.expr.Typed.Op;
import java.util.Set;

/**
 * What the Java evaluator refuses to compute because it could not match DuckDB exactly: each
 * refusal names the construct and what to write instead (docs/expressions.md lists them).
 */
final class OnlineRules {
  private OnlineRules() {}

  /** Consumers of a list that do not depend on its order (list_distinct's order is DuckDB's). */
  private static final Set<String> ORDER_FREE =
      Set.of("list_sort", "len", "list_contains", "list_min", "list_max");

  static void check(Typed root) {
    walk(root, null);
  }

  private static void walk(Typed t, Typed parent) {
    for (Typed a : t.args()) {
      walk(a, t);
    }
    if (t.op() == Op.ARITHMETIC) {
      BinaryOp op = (BinaryOp) t.value();
      if (t.type().kind() == Kind.INTERVAL
          && (op == BinaryOp.DIVIDE
              || (op == BinaryOp.MULTIPLY
                  && (t.arg(0).type().kind() == Kind.DOUBLE
                      || t.arg(1).type().kind() == Kind.DOUBLE)))) {
        throw refuse(
            "an interval "
                + op.sql()
                + " a fraction (its spill of months into days) is computed"
                + " only in DuckDB; multiply by a whole number",
            t.pos());
      }
    }
    if (t.op() == Op.ARITHMETIC
        && t.type().kind() == Kind.INTERVAL
        && t.arg(0).type().kind() == Kind.TIMESTAMPTZ) {
      throw refuse(
          "TIMESTAMP WITH TIME ZONE - TIMESTAMP WITH TIME ZONE (DuckDB computes it through ICU,"
              + " up to a millisecond off for some times before 1970); use date_diff('second', a,"
              + " b) or epoch_us(a) - epoch_us(b)",
          t.pos());
    }
    if (t.op() == Op.CAST || t.op() == Op.TRY_CAST) {
      checkCast(t.arg(0).type(), t.type(), t.pos());
    }
    if ((t.op() == Op.CAST || t.op() == Op.TRY_CAST)
        && t.arg(0).type().kind() == Kind.VARCHAR
        && t.type().kind() == Kind.INTERVAL) {
      throw refuse("a cast of text to INTERVAL", t.pos());
    }
    if (t.op() != Op.CALL) {
      return;
    }
    String fn = (String) t.value();
    switch (fn) {
      case "regexp_matches", "regexp_replace", "regexp_extract" -> {
        String pattern = literal(t.arg(1), fn + "()'s pattern");
        int optionArg = fn.equals("regexp_replace") ? 3 : fn.equals("regexp_matches") ? 2 : -1;
        String options = "";
        if (optionArg > 0 && t.args().size() > optionArg) {
          options = literal(t.arg(optionArg), fn + "()'s options");
          String allowed = fn.equals("regexp_replace") ? "cig" : "ci";
          for (char c : options.toCharArray()) {
            if (allowed.indexOf(c) < 0) {
              throw refuse(
                  fn + "() option '" + c + "' (online: " + allowed + ")", t.arg(optionArg).pos());
            }
          }
        }
        if (fn.equals("regexp_replace")) {
          literal(t.arg(2), fn + "()'s replacement");
        }
        if (fn.equals("regexp_extract")
            && t.args().size() > 2
            && (t.arg(2).op() != Op.LITERAL || t.arg(2).value() == null)) {
          throw refuse(
              fn + "()'s group must be a whole number written in the expression", t.arg(2).pos());
        }
        Re2.compile(pattern, options.contains("i"), t.arg(1).pos());
      }
      case "strftime", "strptime" -> {
        String format = literal(t.arg(1), fn + "()'s format");
        String why = TimeFormat.check(format, fn.equals("strptime"));
        if (why != null) {
          throw refuse(fn + "() format '" + format + "' uses " + why, t.arg(1).pos());
        }
      }
      case "date_part", "date_trunc", "date_diff" -> {
        String written = literal(t.arg(0), fn + "()'s part");
        String part = Temporal.partName(written);
        if (part == null) {
          throw new ExpressionException("unknown date part '" + written + "'", t.arg(0).pos());
        }
        if (fn.equals("date_trunc")
            && Set.of("dow", "isodow", "doy", "epoch", "isoyear").contains(part)) {
          throw refuse("date_trunc() to '" + written + "'", t.arg(0).pos());
        }
        if (fn.equals("date_diff") && Set.of("epoch", "isoyear").contains(part)) {
          throw refuse("date_diff() in '" + written + "'", t.arg(0).pos());
        }
        if (t.args().get(1).type().kind() == Kind.INTERVAL) {
          throw refuse(fn + "() of an INTERVAL", t.pos());
        }
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
          "quarter",
          "epoch",
          "epoch_ms",
          "epoch_us" -> {
        if (t.arg(0).type().kind() == Kind.INTERVAL) {
          throw refuse(fn + "() of an INTERVAL", t.pos());
        }
      }
      case "log10", "log2" ->
          throw refuse(
              fn
                  + "() (the C library's, which DuckDB calls, can differ from Java's in the last bit);"
                  + " use ln(x) / ln("
                  + (fn.equals("log10") ? "10" : "2")
                  + ")",
              t.pos());
      case "cbrt" ->
          throw refuse(
              "cbrt() (DuckDB's cube root, the C library's, can differ from Java's in the last bit);"
                  + " use pow(x, 1.0 / 3) for a positive x",
              t.pos());
      case "list_distinct" -> {
        if (parent == null
            || parent.op() != Op.CALL
            || !ORDER_FREE.contains((String) parent.value())) {
          throw refuse(
              "list_distinct() returns its elements in DuckDB's hash order; use"
                  + " list_sort(list_distinct(x)) (or len, list_contains, list_min, list_max of it)",
              t.pos());
        }
      }
      default -> {}
    }
  }

  /**
   * A FLOAT written as text: DuckDB's digits for a FLOAT are not always the shortest that read back
   * (173381808 stays 173381808.0 where the shortest is 173381810.0), so Java cannot reproduce them.
   */
  static void checkCast(SqlType from, SqlType to, int pos) {
    SqlType f = from.isList() ? from.element() : from;
    if (f.kind() == Kind.FLOAT && to.kind() == Kind.VARCHAR) {
      throw refuse(
          "a FLOAT as text (DuckDB's digits for a FLOAT are not always the shortest); cast it to"
              + " DOUBLE first",
          pos);
    }
  }

  private static String literal(Typed t, String what) {
    if (t.op() != Op.LITERAL || !(t.value() instanceof String s)) {
      throw refuse(what + " must be a string written in the expression", t.pos());
    }
    return s;
  }

  private static ExpressionException refuse(String what, int pos) {
    return new ExpressionException(
        what + " is not evaluated online (see \"Online evaluation\" in docs/expressions.md)", pos);
  }
}
