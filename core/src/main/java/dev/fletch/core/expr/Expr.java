package dev.fletch.core.expr;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A checked expression: the parsed form of a definition's {@code expression}. Only the node kinds
 * below exist, so a value computed from an {@code Expr} can read nothing but the columns it names
 * and call nothing but {@link Functions}. Engines turn it into their own SQL with a {@link
 * Visitor}; nobody pastes the text a user wrote. {@code pos} is the 0-based offset in that text.
 */
public sealed interface Expr {
  int pos();

  <R> R accept(Visitor<R> v);

  /** One method per node kind; an engine's renderer or an evaluator implements them all. */
  interface Visitor<R> {
    R literal(Literal e);

    R column(Column e);

    R unary(Unary e);

    R binary(Binary e);

    R isNull(IsNull e);

    R inList(InList e);

    R between(Between e);

    R caseWhen(Case e);

    R cast(Cast e);

    R call(Call e);
  }

  /** The kinds of literal; {@code text} holds digits as written, or a string's unescaped value. */
  enum LiteralKind {
    NULL,
    BOOLEAN,
    INTEGER,
    DECIMAL,
    STRING,
    /**
     * A span of time; {@code text} is {@code "<integer> <unit>"}, unit as {@link ExprParser}
     * allows.
     */
    INTERVAL
  }

  record Literal(LiteralKind kind, String text, int pos) implements Expr {
    public Literal {
      requireNonNull(kind, "kind is null");
      requireNonNull(text, "text is null");
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.literal(this);
    }
  }

  /**
   * A column of the row the expression is computed over; {@code qualifier} is null except in
   * on-demand features, where {@code view.feature} names a feature of another view.
   */
  record Column(String qualifier, String name, int pos) implements Expr {
    public Column {
      requireNonNull(name, "name is null");
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.column(this);
    }
  }

  /** {@code -x}, {@code +x} or {@code NOT x}. */
  record Unary(UnaryOp op, Expr operand, int pos) implements Expr {
    public Unary {
      requireNonNull(op, "op is null");
      requireNonNull(operand, "operand is null");
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.unary(this);
    }
  }

  enum UnaryOp {
    NEGATE("-"),
    PLUS("+"),
    NOT("NOT");

    private final String sql;

    UnaryOp(String sql) {
      this.sql = sql;
    }

    public String sql() {
      return sql;
    }
  }

  record Binary(BinaryOp op, Expr left, Expr right, int pos) implements Expr {
    public Binary {
      requireNonNull(op, "op is null");
      requireNonNull(left, "left is null");
      requireNonNull(right, "right is null");
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.binary(this);
    }
  }

  /**
   * Binary operators with their SQL spelling and binding strength (higher binds tighter); the
   * comparison level does not associate ({@code a < b < c} is refused).
   */
  enum BinaryOp {
    OR("OR", 1),
    AND("AND", 2),
    EQ("=", 4),
    NE("<>", 4),
    LT("<", 4),
    LE("<=", 4),
    GT(">", 4),
    GE(">=", 4),
    DISTINCT("IS DISTINCT FROM", 4),
    NOT_DISTINCT("IS NOT DISTINCT FROM", 4),
    LIKE("LIKE", 4),
    NOT_LIKE("NOT LIKE", 4),
    ILIKE("ILIKE", 4),
    NOT_ILIKE("NOT ILIKE", 4),
    CONCAT("||", 5),
    ADD("+", 6),
    SUBTRACT("-", 6),
    MULTIPLY("*", 7),
    DIVIDE("/", 7),
    MODULO("%", 7);

    private final String sql;
    private final int precedence;

    BinaryOp(String sql, int precedence) {
      this.sql = sql;
      this.precedence = precedence;
    }

    public String sql() {
      return sql;
    }

    public int precedence() {
      return precedence;
    }
  }

  record IsNull(Expr operand, boolean negated, int pos) implements Expr {
    public IsNull {
      requireNonNull(operand, "operand is null");
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.isNull(this);
    }
  }

  record InList(Expr operand, List<Expr> values, boolean negated, int pos) implements Expr {
    public InList {
      requireNonNull(operand, "operand is null");
      values = List.copyOf(values);
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.inList(this);
    }
  }

  record Between(Expr operand, Expr low, Expr high, boolean negated, int pos) implements Expr {
    public Between {
      requireNonNull(operand, "operand is null");
      requireNonNull(low, "low is null");
      requireNonNull(high, "high is null");
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.between(this);
    }
  }

  record When(Expr condition, Expr result) {
    public When {
      requireNonNull(condition, "condition is null");
      requireNonNull(result, "result is null");
    }
  }

  /**
   * {@code CASE [operand] WHEN .. THEN .. [ELSE ..] END}; {@code operand} and {@code otherwise} may
   * be null.
   */
  record Case(Expr operand, List<When> whens, Expr otherwise, int pos) implements Expr {
    public Case {
      whens = List.copyOf(whens);
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.caseWhen(this);
    }
  }

  /** {@code CAST(x AS type)}, {@code x::type}, or {@code TRY_CAST} (NULL where it fails). */
  record Cast(Expr operand, CastType type, boolean tryCast, int pos) implements Expr {
    public Cast {
      requireNonNull(operand, "operand is null");
      requireNonNull(type, "type is null");
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.cast(this);
    }
  }

  /** A call of one of the {@link Functions}; {@code function} is its canonical (lower) name. */
  record Call(String function, List<Expr> args, int pos) implements Expr {
    public Call {
      requireNonNull(function, "function is null");
      args = List.copyOf(args);
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.call(this);
    }
  }
}
