package dev.fletch.core;

/**
 * The operation lost a race or contradicts the current state (stale registry version, breaking
 * change).
 */
public class ConflictException extends FletchException {
  public ConflictException(String message) {
    super(message);
  }

  public ConflictException(String message, Throwable cause) {
    super(message, cause);
  }
}
