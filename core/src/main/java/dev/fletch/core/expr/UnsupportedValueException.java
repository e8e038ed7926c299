package dev.fletch.core.expr;

/**
 * A value DuckDB has and Fletch's evaluator does not (an infinite date or timestamp read from
 * text): evaluation fails, even inside TRY_CAST, rather than computing something else.
 */
public class UnsupportedValueException extends EvaluationException {
  public UnsupportedValueException(String message) {
    super(message);
  }
}
