package dev.fletch.online;

import dev.fletch.core.UnavailableException;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import java.io.IOException;
import java.util.Locale;
import java.util.concurrent.TimeoutException;

/**
 * What kind of failure an online store call met, for metrics and readiness: the store did not
 * answer in time, the connection is gone, the Redis Cluster is down, the server is busy (loading, a
 * long script, a replica without its primary), or anything else.
 */
public enum StoreErrorKind {
  /** No answer within the command timeout (or the caller's deadline). */
  TIMEOUT,
  /** Refused, reset or closed connections; a node that cannot be reached. */
  CONNECTION,
  /** {@code CLUSTERDOWN}: the cluster does not serve (a primary without a replica is gone). */
  CLUSTER_DOWN,
  /** {@code LOADING}, {@code BUSY}, {@code TRYAGAIN}, {@code MASTERDOWN}: the server cannot now. */
  SERVER_BUSY,
  /** Anything else (a bad entry, a script error, a bug). */
  OTHER;

  /** The metric label: {@code timeout}, {@code connection}, {@code cluster_down} ... */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The kind of {@code error} (wrappers such as CompletionException looked through). */
  public static StoreErrorKind of(Throwable error) {
    StoreErrorKind found = null;
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      StoreErrorKind k = direct(t);
      if (k != null && k != CONNECTION) {
        return k; // a precise kind anywhere in the chain wins over a generic one
      }
      if (k != null && found == null) {
        found = k;
      }
    }
    return found != null ? found : error instanceof UnavailableException ? CONNECTION : OTHER;
  }

  private static StoreErrorKind direct(Throwable t) {
    if (t instanceof RedisCommandTimeoutException || t instanceof TimeoutException) {
      return TIMEOUT;
    }
    if (t instanceof RedisCommandExecutionException) {
      String m = String.valueOf(t.getMessage());
      if (m.startsWith("CLUSTERDOWN")) {
        return CLUSTER_DOWN;
      }
      if (m.startsWith("LOADING")
          || m.startsWith("BUSY")
          || m.startsWith("TRYAGAIN")
          || m.startsWith("MASTERDOWN")) {
        return SERVER_BUSY;
      }
      return null;
    }
    if (t instanceof RedisConnectionException || t instanceof IOException) {
      return CONNECTION;
    }
    if (t instanceof RedisException) {
      // Lettuce reports a closed or rejected connection as a plain RedisException ("Connection
      // closed", "Currently not connected"); other plain ones are not about the connection.
      String m = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
      return m.contains("connect") || m.contains("closed") ? CONNECTION : null;
    }
    return null;
  }
}
