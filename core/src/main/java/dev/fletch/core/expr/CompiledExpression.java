package dev.fletch.core.expr;

import dev.fletch.core.model.ValueType;

/**
 * A checked expression compiled once (per registry version) and evaluated per row. Thread-safe and
 * immutable: serving threads share one instance. {@link #evaluate} takes the inputs by the slots
 * the {@link TypeChecker.Resolver} gave, as Fletch's Java values ({@link ValueType}: Integer, Long,
 * Float, Double, String, byte[], Boolean, java.time.Instant, List), and returns the declared type's
 * Java value, or the SQL type's value (see {@link SqlType}) when compiled without one. A row's
 * values that make DuckDB fail (an overflow, a text that is not a number) throw {@link
 * EvaluationException}.
 */
public final class CompiledExpression {
  private final Compiled.Node root;
  private final SqlType type;
  private final ValueType declared;

  CompiledExpression(Compiled.Node root, SqlType type, ValueType declared) {
    this.root = root;
    this.type = type;
    this.declared = declared;
  }

  /** The SQL type of the result (after the cast to the declared type, if there is one). */
  public SqlType type() {
    return type;
  }

  /** The declared feature type the result is cast to, or null. */
  public ValueType declaredType() {
    return declared;
  }

  /** The value for one row of inputs (indexed by slot; a missing value is null). */
  public Object evaluate(Object[] inputs) {
    Object v = root.eval(inputs);
    return declared == null ? v : Values.out(v, declared);
  }
}
