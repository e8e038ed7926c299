package dev.fletch.core.expr;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** What definitions need of an expression besides parsing: the names it reads. */
public final class Expressions {
  private Expressions() {}

  /**
   * The expression of a feature view's feature checked and in canonical form; throws {@link
   * ExpressionException} when it does not parse, uses what is not allowed, or names a column with a
   * qualifier ({@code a.b} is for on-demand features).
   */
  public static Expr parseRowExpression(String text) {
    Expr e = ExprParser.parse(text);
    for (Expr.Column c : columns(e)) {
      if (c.qualifier() != null) {
        throw new ExpressionException(
            "'"
                + c.qualifier()
                + "."
                + c.name()
                + "': a feature view's expression reads its own source's columns by plain name",
            c.pos());
      }
    }
    return e;
  }

  /**
   * {@code e} checked for evaluation in Java (serving's on-demand features, the stream ingestor)
   * and compiled, its result cast to {@code declared} as the offline store casts it: compile once
   * (per registry version), evaluate per row. Throws {@link ExpressionException} at the offending
   * token for an unknown column, a function or operator given types it does not take, a result that
   * does not cast to {@code declared}, or what is evaluated only in DuckDB (docs/expressions.md,
   * "Online evaluation").
   */
  public static CompiledExpression compile(
      Expr e, TypeChecker.Resolver inputs, dev.fletch.core.model.ValueType declared) {
    Typed typed = TypeChecker.check(e, inputs, TypeChecker.Target.JAVA);
    return ExprCompiler.compile(typed, declared, e.pos());
  }

  /** Every column reference, in the order written (each occurrence). */
  public static List<Expr.Column> columns(Expr e) {
    List<Expr.Column> out = new ArrayList<>();
    collect(e, out);
    return out;
  }

  /** The distinct column names read (unqualified references). */
  public static Set<String> columnNames(Expr e) {
    Set<String> names = new LinkedHashSet<>();
    for (Expr.Column c : columns(e)) {
      names.add(c.name());
    }
    return names;
  }

  private static void collect(Expr e, List<Expr.Column> out) {
    if (e instanceof Expr.Column c) {
      out.add(c);
    } else if (e instanceof Expr.Unary u) {
      collect(u.operand(), out);
    } else if (e instanceof Expr.Binary b) {
      collect(b.left(), out);
      collect(b.right(), out);
    } else if (e instanceof Expr.IsNull n) {
      collect(n.operand(), out);
    } else if (e instanceof Expr.InList in) {
      collect(in.operand(), out);
      in.values().forEach(v -> collect(v, out));
    } else if (e instanceof Expr.Between b) {
      collect(b.operand(), out);
      collect(b.low(), out);
      collect(b.high(), out);
    } else if (e instanceof Expr.Case c) {
      if (c.operand() != null) {
        collect(c.operand(), out);
      }
      for (Expr.When w : c.whens()) {
        collect(w.condition(), out);
        collect(w.result(), out);
      }
      if (c.otherwise() != null) {
        collect(c.otherwise(), out);
      }
    } else if (e instanceof Expr.Cast c) {
      collect(c.operand(), out);
    } else if (e instanceof Expr.Call c) {
      c.args().forEach(a -> collect(a, out));
    }
  }
}
