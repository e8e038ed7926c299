package dev.fletch.core.expr;

import dev.fletch.core.expr.Compiled.Node;
import dev.fletch.core.expr.Expr.BinaryOp;

/**
 * LIKE and ILIKE as DuckDB matches them: {@code %} any run of characters, {@code _} exactly one (a
 * code point), no escape character (a backslash is itself), ILIKE lower-casing both sides.
 */
final class Like {
  private Like() {}

  static Node compile(Typed t, Node text, Node pattern) {
    BinaryOp op = (BinaryOp) t.value();
    boolean negated = op == BinaryOp.NOT_LIKE || op == BinaryOp.NOT_ILIKE;
    boolean ignoreCase = op == BinaryOp.ILIKE || op == BinaryOp.NOT_ILIKE;
    Typed p = t.arg(1);
    if (p.op() == Typed.Op.LITERAL && p.value() instanceof String constant) {
      int[] pat = codePoints(constant, ignoreCase);
      return FunctionImpls.strict(
          text, x -> negated != matches(codePoints((String) x, ignoreCase), pat));
    }
    return FunctionImpls.strict2(
        text,
        pattern,
        (x, y) ->
            negated
                != matches(codePoints((String) x, ignoreCase), codePoints((String) y, ignoreCase)));
  }

  private static int[] codePoints(String s, boolean lower) {
    return (lower ? Texts.lower(s) : s).codePoints().toArray();
  }

  /** Greedy matching with backtracking to the last {@code %} (linear in practice). */
  static boolean matches(int[] s, int[] p) {
    int i = 0;
    int j = 0;
    int star = -1;
    int mark = 0;
    while (i < s.length) {
      if (j < p.length && (p[j] == '_' || (p[j] != '%' && p[j] == s[i]))) {
        i++;
        j++;
      } else if (j < p.length && p[j] == '%') {
        star = j++;
        mark = i;
      } else if (star >= 0) {
        j = star + 1;
        i = ++mark;
      } else {
        return false;
      }
    }
    while (j < p.length && p[j] == '%') {
      j++;
    }
    return j == p.length;
  }
}
