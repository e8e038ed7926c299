package dev.fletch.core.expr;

import dev.fletch.core.InvalidRequestException;

/**
 * An expression that does not parse or uses what is not allowed; {@code offset} is the 0-based
 * position in the expression's text where the problem is.
 */
public final class ExpressionException extends InvalidRequestException {
  private final int offset;
  private final String problem;

  public ExpressionException(String problem, int offset) {
    super(problem + " (at character " + (offset + 1) + " of the expression)");
    this.problem = problem;
    this.offset = offset;
  }

  /** The problem without the position, for callers that show the position their own way. */
  public String problem() {
    return problem;
  }

  public int offset() {
    return offset;
  }
}
