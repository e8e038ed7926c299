package dev.fletch.core;

/**
 * The server refused the caller: no API key, an unknown or revoked one, or one without the role.
 */
public class AccessDeniedException extends FletchException {
  public AccessDeniedException(String message, Throwable cause) {
    super(message, cause);
  }
}
