package dev.fletch.core;

/**
 * Root of every failure Fletch raises. Unchecked; each subclass names one kind of failure so that
 * the serving edge can map it to a precise status (INVALID_ARGUMENT, NOT_FOUND, CONFLICT,
 * UNAVAILABLE).
 */
public class FletchException extends RuntimeException {
  public FletchException(String message) {
    super(message);
  }

  public FletchException(String message, Throwable cause) {
    super(message, cause);
  }
}
