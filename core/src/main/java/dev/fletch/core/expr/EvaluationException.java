package dev.fletch.core.expr;

import dev.fletch.core.InvalidRequestException;

/**
 * A checked expression failed on the values of one row, where DuckDB fails too: an integer
 * overflow, {@code %} by zero, a text that is not a number a CAST asked for, a date out of range.
 * The message is DuckDB's wording where there is one. Serving reports it for the feature (the row's
 * values caused it, not the definition).
 */
public class EvaluationException extends InvalidRequestException {
  public EvaluationException(String message) {
    super(message);
  }
}
