package dev.fletch.serving;

import static java.util.Objects.requireNonNull;

import dev.fletch.core.DaemonScheduler;
import dev.fletch.online.OnlineStore;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether this server can answer GetFeatures now, for load balancers and readiness probes: it can
 * when definitions have been applied to its project and the online store answers a ping. Checked
 * every interval on a thread of its own (never on a request); a registry outage after the first
 * load does not count, since the last definitions keep being served.
 */
final class ServingHealth implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ServingHealth.class);

  /** SERVING, or NOT_SERVING with the reason. */
  record State(boolean serving, String reason) {
    static final State SERVING = new State(true, null);
  }

  private final RegistryCache definitions;
  private final OnlineStore store;
  private final Duration interval;
  private final Consumer<State> onChange;
  private volatile State state;
  private volatile boolean draining;
  private volatile String warmingUp;
  private volatile java.util.function.Supplier<String> listeners = () -> null;
  private ScheduledExecutorService checks;

  ServingHealth(
      RegistryCache definitions, OnlineStore store, Duration interval, Consumer<State> onChange) {
    this.definitions = requireNonNull(definitions, "definitions is null");
    this.store = requireNonNull(store, "store is null");
    this.interval = requireNonNull(interval, "interval is null");
    this.onChange = requireNonNull(onChange, "onChange is null");
  }

  State state() {
    State s = state;
    return s == null ? check() : s;
  }

  /** Checks now (waiting at most the interval, 2 s at most, for the store), records and returns. */
  synchronized State check() {
    State next;
    if (draining) {
      next = DRAINING;
    } else if (definitions.catalogOrNull() == null) {
      next =
          new State(
              false,
              "no definitions applied to project '"
                  + definitions.project()
                  + "' yet: run 'fletch apply'");
    } else if (warmingUp != null) {
      next = new State(false, warmingUp);
    } else if (listenerProblem() != null) {
      next = new State(false, listenerProblem);
    } else {
      long waitMillis = Math.max(100, Math.min(2000, interval.toMillis()));
      try {
        store.ping().get(waitMillis, TimeUnit.MILLISECONDS);
        next = State.SERVING;
      } catch (java.util.concurrent.TimeoutException e) {
        next =
            new State(
                false,
                "online store "
                    + store.describe()
                    + " did not answer a ping within "
                    + waitMillis
                    + " ms");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return state == null ? new State(false, "interrupted") : state;
      } catch (Exception e) {
        Throwable cause = ErrorCodes.cause(e);
        next =
            new State(
                false,
                "online store " + store.describe() + " is unreachable: " + cause.getMessage());
      }
    }
    State previous = state;
    state = next;
    if (!next.equals(previous)) {
      if (next.serving()) {
        LOG.info("serving: SERVING");
      } else {
        LOG.warn("serving: NOT_SERVING ({})", next.reason());
      }
      onChange.accept(next);
    }
    return next;
  }

  /**
   * Checks every interval from one interval on (the first state comes from {@link #state}, which
   * the server asks for as it starts).
   */
  void start() {
    checks = DaemonScheduler.named("fletch-health");
    long every = Math.max(1, interval.toMillis());
    checks.scheduleWithFixedDelay(this::checkQuietly, every, every, TimeUnit.MILLISECONDS);
  }

  private static final State DRAINING =
      new State(false, "shutting down: draining before the listeners close");

  /**
   * From now on NOT_SERVING, for good: the server is about to stop and load balancers should send
   * new calls elsewhere while it still answers the ones that come.
   */
  void drain() {
    draining = true;
    close();
    check();
  }

  /**
   * NOT_SERVING with this reason until called again with null (the server's warm-up is running);
   * checks at once either way.
   */
  void warmingUp(String reason) {
    warmingUp = reason;
    check();
  }

  private volatile String listenerProblem;

  private String listenerProblem() {
    listenerProblem = listeners.get();
    return listenerProblem;
  }

  /**
   * How the server finds out whether its listeners still accept connections: null when they do,
   * else which one is gone. A port that stopped listening turns health NOT_SERVING on the other.
   */
  void listeners(java.util.function.Supplier<String> check) {
    listeners = requireNonNull(check, "check is null");
  }

  private void checkQuietly() {
    try {
      check();
    } catch (RuntimeException e) {
      LOG.warn("health check failed: {}", e.toString());
    }
  }

  @Override
  public void close() {
    if (checks != null) {
      checks.shutdownNow();
    }
  }
}
