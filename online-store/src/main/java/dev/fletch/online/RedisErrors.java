package dev.fletch.online;

import dev.fletch.core.FletchException;
import dev.fletch.core.UnavailableException;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import java.io.IOException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Maps Lettuce failures onto Fletch's exceptions: anything about reaching Redis is Unavailable. */
final class RedisErrors {
  private RedisErrors() {}

  static FletchException map(String what, Throwable error) {
    Throwable e = error;
    while ((e instanceof CompletionException || e instanceof ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    if (e instanceof FletchException f) {
      return f;
    }
    String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    if (isUnavailable(e)) {
      return new UnavailableException(what + ": Redis unavailable (" + detail + ")", e);
    }
    return new FletchException(what + ": " + detail, e);
  }

  private static boolean isUnavailable(Throwable e) {
    if (e instanceof RedisConnectionException
        || e instanceof RedisCommandTimeoutException
        || e instanceof IOException) {
      return true;
    }
    if (e instanceof RedisCommandExecutionException) {
      // The server answered: LOADING / BUSY / MASTERDOWN / CLUSTERDOWN are transient, the rest is
      // not.
      String m = String.valueOf(e.getMessage());
      return m.startsWith("LOADING")
          || m.startsWith("BUSY")
          || m.startsWith("MASTERDOWN")
          || m.startsWith("CLUSTERDOWN")
          || m.startsWith("TRYAGAIN");
    }
    // Lettuce reports a closed or rejected connection as a plain RedisException.
    return e instanceof RedisException
        || (e.getCause() != null && e.getCause() instanceof IOException);
  }
}
