package dev.fletch.serving;

import dev.fletch.core.ErrorBody;
import dev.fletch.core.Secrets;
import io.grpc.Status;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Maps Fletch failures to gRPC statuses and HTTP codes, precisely (never a blanket INTERNAL for
 * input errors), by the one mapping both transports share ({@link ErrorBody#codeOf}).
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
    return Status.Code.valueOf(ErrorBody.codeOf(cause(error)).name());
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
    return ErrorBody.httpStatus(cause(error));
  }
}
