package dev.fletch.core;

/**
 * A request (CLI arguments, HTTP body, gRPC message, entity file) is malformed; the message says
 * how.
 */
public class InvalidRequestException extends FletchException {
  public InvalidRequestException(String message) {
    super(message);
  }

  public InvalidRequestException(String message, Throwable cause) {
    super(message, cause);
  }
}
