package dev.fletch.offline;

import static dev.fletch.offline.Sql.ident;

import dev.fletch.core.expr.CastType;
import dev.fletch.core.expr.Expr;
import dev.fletch.core.expr.Functions;
import java.util.StringJoiner;
import java.util.function.Function;

/**
 * Renders a checked {@link Expr} as DuckDB SQL. Every node is parenthesized, so DuckDB's own
 * operator precedence never matters; names come out quoted through {@code column}, strings escaped,
 * numbers as the digits the parser accepted, functions by their allow-listed name. No text of the
 * user's reaches the SQL any other way.
 */
final class DuckDbExpressions implements Expr.Visitor<String> {
  private final Function<Expr.Column, String> column;

  private DuckDbExpressions(Function<Expr.Column, String> column) {
    this.column = column;
  }

  /**
   * {@code e} as DuckDB SQL; {@code column} turns each column reference into a qualified, quoted
   * name (and refuses the ones the relation does not have).
   */
  static String render(Expr e, Function<Expr.Column, String> column) {
    return e.accept(new DuckDbExpressions(column));
  }

  @Override
  public String literal(Expr.Literal e) {
    return switch (e.kind()) {
      case NULL -> "NULL";
      case BOOLEAN -> e.text();
      case INTEGER, DECIMAL -> e.text();
      case STRING -> Sql.literal(e.text());
      // "<digits> <unit>", both checked by the parser
      case INTERVAL -> "INTERVAL '" + e.text() + "'";
    };
  }

  @Override
  public String column(Expr.Column e) {
    return column.apply(e);
  }

  @Override
  public String unary(Expr.Unary e) {
    return "(" + e.op().sql() + " " + e.operand().accept(this) + ")";
  }

  @Override
  public String binary(Expr.Binary e) {
    return "(" + e.left().accept(this) + " " + e.op().sql() + " " + e.right().accept(this) + ")";
  }

  @Override
  public String isNull(Expr.IsNull e) {
    return "(" + e.operand().accept(this) + (e.negated() ? " IS NOT NULL)" : " IS NULL)");
  }

  @Override
  public String inList(Expr.InList e) {
    StringJoiner values = new StringJoiner(", ", "(", ")");
    e.values().forEach(v -> values.add(v.accept(this)));
    return "(" + e.operand().accept(this) + (e.negated() ? " NOT IN " : " IN ") + values + ")";
  }

  @Override
  public String between(Expr.Between e) {
    return "("
        + e.operand().accept(this)
        + (e.negated() ? " NOT BETWEEN " : " BETWEEN ")
        + e.low().accept(this)
        + " AND "
        + e.high().accept(this)
        + ")";
  }

  @Override
  public String caseWhen(Expr.Case e) {
    StringBuilder b = new StringBuilder("(CASE");
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
    return b.append(" END)").toString();
  }

  @Override
  public String cast(Expr.Cast e) {
    return (e.tryCast() ? "TRY_CAST(" : "CAST(")
        + e.operand().accept(this)
        + " AS "
        + duckType(e.type())
        + ")";
  }

  private static String duckType(CastType t) {
    return switch (t) {
      case BOOLEAN -> "BOOLEAN";
      case INTEGER -> "INTEGER";
      case BIGINT -> "BIGINT";
      case FLOAT -> "FLOAT";
      case DOUBLE -> "DOUBLE";
      case VARCHAR -> "VARCHAR";
      case DATE -> "DATE";
      case TIMESTAMP -> "TIMESTAMP";
      case TIMESTAMPTZ -> "TIMESTAMPTZ";
    };
  }

  @Override
  public String call(Expr.Call e) {
    // The name is the allow-list's own (lower case, letters and _), so it cannot carry anything.
    if (Functions.find(e.function()).isEmpty()) {
      throw new IllegalArgumentException("not an allowed function: " + e.function());
    }
    StringJoiner args = new StringJoiner(", ", e.function() + "(", ")");
    e.args().forEach(a -> args.add(a.accept(this)));
    return args.toString();
  }

  static String quotedColumn(String relation, String name) {
    return relation + "." + ident(name);
  }
}
