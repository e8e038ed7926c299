package dev.fletch.core;

/**
 * A backing store (Redis, the registry database, a source file system) cannot be reached right now.
 */
public class UnavailableException extends FletchException {
  public UnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
