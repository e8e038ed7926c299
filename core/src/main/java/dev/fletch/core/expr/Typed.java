package dev.fletch.core.expr;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A checked expression with the SQL type of every node, as DuckDB would bind it: what {@link
 * TypeChecker} returns and {@link ExprCompiler} compiles. Implicit conversions DuckDB makes (an
 * INTEGER added to a BIGINT, a string literal compared with a TIMESTAMP) are explicit {@link
 * Op#CAST} nodes here, so every operator and function sees arguments of exactly the types its
 * implementation takes; {@code CASE x WHEN a}, {@code BETWEEN} and {@code nullif}/{@code
 * ifnull}/{@code if} are rewritten to the forms DuckDB evaluates.
 *
 * <p>{@code value} is the literal's value (in the evaluator's representation, see {@link SqlType}),
 * the column's slot, the operator ({@link Expr.BinaryOp}) or the function's name; {@code pos} the
 * offset in the text the node comes from.
 */
public record Typed(Op op, SqlType type, List<Typed> args, Object value, int pos) {
  /** Node kinds. */
  public enum Op {
    LITERAL,
    COLUMN,
    CAST,
    TRY_CAST,
    NEGATE,
    NOT,
    AND,
    OR,
    /** {@code + - * / %}; {@code value} is the {@link Expr.BinaryOp}. */
    ARITHMETIC,
    /** {@code ||} of two VARCHARs or two lists. */
    CONCAT,
    /** {@code = <> < <= > >=}, IS [NOT] DISTINCT FROM: both sides of one type. */
    COMPARE,
    /** [NOT] LIKE, [NOT] ILIKE. */
    LIKE,
    IS_NULL,
    IS_NOT_NULL,
    /** {@code args[0] IN (args[1..])}, all of one type. */
    IN,
    NOT_IN,
    /** {@code args} = condition, result, condition, result, ..., else (a NULL literal if none). */
    CASE,
    /** A call of an allowed function; {@code value} is its name. */
    CALL
  }

  public Typed {
    requireNonNull(op, "op is null");
    requireNonNull(type, "type is null");
    args = List.copyOf(args);
  }

  Typed arg(int i) {
    return args.get(i);
  }

  /** Whether this is a string literal (DuckDB converts those implicitly to any type). */
  boolean isStringLiteral() {
    return op == Op.LITERAL && type.kind() == SqlType.Kind.VARCHAR;
  }

  boolean isNullLiteral() {
    return op == Op.LITERAL && value == null;
  }

  /** Whether this is an integer literal (DuckDB narrows those to the other operand's type). */
  boolean isIntegerLiteral() {
    return op == Op.LITERAL && type.isInteger() && value != null;
  }

  boolean isConstant() {
    if (op == Op.COLUMN) {
      return false;
    }
    for (Typed a : args) {
      if (!a.isConstant()) {
        return false;
      }
    }
    return true;
  }
}
