package dev.fletch.serving;

import dev.fletch.core.ConflictException;
import dev.fletch.core.InvalidRequestException;
import dev.fletch.core.NotFoundException;
import dev.fletch.core.Secrets;
import dev.fletch.core.UnavailableException;
import io.grpc.Status;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Maps Fletch failures to gRPC statuses and HTTP codes, precisely (never a blanket INTERNAL for
 * input errors).
 */
public final class ErrorCodes {
  private ErrorCodes() {}

  /** The failure behind wrappers such as CompletionException. */
  public static Throwable cause(Throwable error) {
    Throwable e = error;
    while ((e instanceof CompletionException || e instanceof ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }

  public static Status.Code grpcCode(Throwable error) {
    Throwable e = cause(error);
    if (e instanceof NotFoundException) {
      return Status.Code.NOT_FOUND;
    }
    if (e instanceof InvalidRequestException || e instanceof IllegalArgumentException) {
      return Status.Code.INVALID_ARGUMENT;
    }
    if (e instanceof UnavailableException) {
      return Status.Code.UNAVAILABLE;
    }
    if (e instanceof ConflictException) {
      return Status.Code.FAILED_PRECONDITION;
    }
    return Status.Code.INTERNAL;
  }

  public static Status grpcStatus(Throwable error) {
    Throwable e = cause(error);
    return Status.fromCode(grpcCode(e)).withDescription(message(e)).withCause(e);
  }

  /** The failure's message as a client may read it: URL credentials masked. */
  public static String message(Throwable error) {
    Throwable e = cause(error);
    return Secrets.mask(e.getMessage() == null ? e.toString() : e.getMessage());
  }

  public static int httpStatus(Throwable error) {
    return switch (grpcCode(error)) {
      case NOT_FOUND -> 404;
      case INVALID_ARGUMENT -> 400;
      case UNAVAILABLE -> 503;
      case FAILED_PRECONDITION -> 409;
      default -> 500;
    };
  }
}
