package dev.fletch.core.expr;

import dev.fletch.core.expr.Expr.BinaryOp;
import java.util.StringJoiner;
import java.util.regex.Pattern;

/**
 * The canonical text of an expression: what the registry stores and shows. It parses back to an
 * equal tree ({@code parse(print(e)) == e} up to positions), with only the parentheses the binding
 * rules of {@link ExprParser} need.
 */
public final class ExprPrinter implements Expr.Visitor<String> {
  private static final Pattern PLAIN_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final int NOT_LEVEL = 3;
  private static final int COMPARISON_LEVEL = 4;
  private static final int CONCAT_LEVEL = 5;
  private static final int UNARY_LEVEL = 8;
  private static final int PRIMARY_LEVEL = 9;

  private static final ExprPrinter INSTANCE = new ExprPrinter();

  private ExprPrinter() {}

  public static String print(Expr e) {
    return e.accept(INSTANCE);
  }

  /** A name as the language writes it: bare when it can be, else double-quoted. */
  public static String name(String name) {
    if (PLAIN_NAME.matcher(name).matches() && !ExprParser.isReserved(name)) {
      return name;
    }
    return '"' + name.replace("\"", "\"\"") + '"';
  }

  private static int level(Expr e) {
    if (e instanceof Expr.Binary b) {
      return b.op().precedence();
    }
    if (e instanceof Expr.Unary u) {
      return u.op() == Expr.UnaryOp.NOT ? NOT_LEVEL : UNARY_LEVEL;
    }
    if (e instanceof Expr.IsNull || e instanceof Expr.InList || e instanceof Expr.Between) {
      return COMPARISON_LEVEL;
    }
    if (e instanceof Expr.Literal l && l.text().startsWith("-")) {
      return UNARY_LEVEL;
    }
    return PRIMARY_LEVEL;
  }

  /** {@code e} printed, in parentheses unless it binds at least as tightly as {@code min}. */
  private String operand(Expr e, int min) {
    String s = e.accept(this);
    return level(e) >= min ? s : "(" + s + ")";
  }

  @Override
  public String literal(Expr.Literal e) {
    return switch (e.kind()) {
      case STRING -> "'" + e.text().replace("'", "''") + "'";
      case INTERVAL -> "INTERVAL '" + e.text() + "'";
      default -> e.text();
    };
  }

  @Override
  public String column(Expr.Column e) {
    return e.qualifier() == null ? name(e.name()) : name(e.qualifier()) + "." + name(e.name());
  }

  @Override
  public String unary(Expr.Unary e) {
    if (e.op() == Expr.UnaryOp.NOT) {
      return "NOT " + operand(e.operand(), NOT_LEVEL);
    }
    String inner = operand(e.operand(), UNARY_LEVEL);
    // "--" would start a comment, "+-" is hard to read: keep the sign apart.
    if (inner.startsWith("-") || inner.startsWith("+")) {
      inner = "(" + inner + ")";
    }
    return e.op().sql() + inner;
  }

  @Override
  public String binary(Expr.Binary e) {
    int p = e.op().precedence();
    boolean comparison = p == COMPARISON_LEVEL;
    String left = operand(e.left(), comparison ? p + 1 : p);
    String right = operand(e.right(), p + 1);
    return left + " " + e.op().sql() + " " + right;
  }

  @Override
  public String isNull(Expr.IsNull e) {
    return operand(e.operand(), CONCAT_LEVEL) + (e.negated() ? " IS NOT NULL" : " IS NULL");
  }

  @Override
  public String inList(Expr.InList e) {
    StringJoiner values = new StringJoiner(", ", "(", ")");
    e.values().forEach(v -> values.add(v.accept(this)));
    return operand(e.operand(), CONCAT_LEVEL) + (e.negated() ? " NOT IN " : " IN ") + values;
  }

  @Override
  public String between(Expr.Between e) {
    return operand(e.operand(), CONCAT_LEVEL)
        + (e.negated() ? " NOT BETWEEN " : " BETWEEN ")
        + operand(e.low(), CONCAT_LEVEL)
        + " AND "
        + operand(e.high(), CONCAT_LEVEL);
  }

  @Override
  public String caseWhen(Expr.Case e) {
    StringBuilder b = new StringBuilder("CASE");
    if (e.operand() != null) {
      b.append(' ').append(e.operand().accept(this));
    }
    for (Expr.When w : e.whens()) {
      b.append(" WHEN ")
          .append(w.condition().accept(this))
          .append(" THEN ")
          .append(w.result().accept(this));
    }
    if (e.otherwise() != null) {
      b.append(" ELSE ").append(e.otherwise().accept(this));
    }
    return b.append(" END").toString();
  }

  @Override
  public String cast(Expr.Cast e) {
    return (e.tryCast() ? "TRY_CAST(" : "CAST(")
        + e.operand().accept(this)
        + " AS "
        + e.type().name()
        + ")";
  }

  @Override
  public String call(Expr.Call e) {
    StringJoiner args = new StringJoiner(", ", e.function() + "(", ")");
    e.args().forEach(a -> args.add(a.accept(this)));
    return args.toString();
  }

  static boolean isComparison(BinaryOp op) {
    return op.precedence() == COMPARISON_LEVEL;
  }
}
