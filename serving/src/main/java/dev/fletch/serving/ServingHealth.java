package dev.fletch.serving;

import static java.util.Objects.requireNonNull;

import dev.fletch.core.DaemonScheduler;
import dev.fletch.online.OnlineStore;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether this server can answer GetFeatures now, for load balancers and readiness probes. It can
 * when definitions have been applied to its project and reads of the online store work: the store
 * answers a ping (on a Redis Cluster, every primary does), a cluster reports {@code
 * cluster_state:ok} on every primary, and reads are not failing in a row ({@link
 * StoreMetrics#failingReads}; then a probe read of its own decides, so health turns back as soon as
 * reads work again even when no traffic comes). Checked every interval on a thread of its own
 * (never on a request); a registry outage after the first load does not count, since the last
 * definitions keep being served.
 */
final class ServingHealth implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ServingHealth.class);

  /** SERVING, or NOT_SERVING with the reason. */
  record State(boolean serving, String reason) {
    static final State SERVING = new State(true, null);
  }

  private final RegistryCache definitions;
  private final OnlineStore store;
  private final StoreMetrics storeMetrics;
  private final Duration interval;
  private final Consumer<State> onChange;
  private volatile State state;
  private volatile boolean draining;
  private volatile String warmingUp;
  private volatile java.util.function.Supplier<String> listeners = () -> null;
  private ScheduledExecutorService checks;

  /**
   * @param store the store as the server reads it, unmeasured: the health check's own pings and
   *     probe reads are not traffic
   */
  ServingHealth(
      RegistryCache definitions,
      OnlineStore store,
      StoreMetrics storeMetrics,
      Duration interval,
      Consumer<State> onChange) {
    this.definitions = requireNonNull(definitions, "definitions is null");
    this.store = requireNonNull(store, "store is null");
    this.storeMetrics = requireNonNull(storeMetrics, "storeMetrics is null");
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
      next = storeState();
      if (next == null) {
        return state == null ? new State(false, "interrupted") : state;
      }
    }
    State previous = state;
    state = next;
    boolean flipped = previous == null || previous.serving() != next.serving();
    long now = System.nanoTime();
    // A reason that changes while NOT_SERVING (another node, another count) is logged now and
    // then, not on every check.
    if (flipped || (!next.equals(previous) && now - reasonLoggedAt > REASON_LOG_EVERY_NANOS)) {
      reasonLoggedAt = now;
      if (next.serving()) {
        LOG.info("serving: SERVING");
      } else {
        LOG.warn("serving: NOT_SERVING ({})", next.reason());
      }
    }
    if (!next.equals(previous)) {
      onChange.accept(next);
    }
    return next;
  }

  /**
   * SERVING when reads of the online store work, else NOT_SERVING with why; null when interrupted.
   * Waits at most the interval (2 s at most) for the store in all.
   */
  private State storeState() {
    long waitMillis = Math.max(100, Math.min(2000, interval.toMillis()));
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
    CompletableFuture<Void> ping = store.ping();
    CompletableFuture<Optional<OnlineStore.ClusterState>> cluster = store.clusterState();
    // The gauge follows the answer whenever it comes, also after this check stopped waiting.
    cluster.thenAccept(c -> c.ifPresent(s -> storeMetrics.clusterState(s.ok())));
    try {
      ping.get(left(deadline), TimeUnit.NANOSECONDS);
      storeMetrics.up(true);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } catch (java.util.concurrent.TimeoutException e) {
      storeMetrics.up(false);
      storeMetrics.clusterUnknown();
      return new State(
          false,
          "online store "
              + store.describe()
              + " did not answer a ping within "
              + waitMillis
              + " ms");
    } catch (Exception e) {
      storeMetrics.up(false);
      storeMetrics.clusterUnknown();
      return new State(
          false, "online store " + store.describe() + " is unreachable: " + ErrorCodes.message(e));
    }
    try {
      Optional<OnlineStore.ClusterState> c = cluster.get(left(deadline), TimeUnit.NANOSECONDS);
      if (c.isPresent() && !c.get().ok()) {
        return new State(
            false,
            "online store "
                + store.describe()
                + ": the Redis Cluster does not serve ("
                + c.get().detail()
                + "), reads answer CLUSTERDOWN");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } catch (java.util.concurrent.TimeoutException e) {
      storeMetrics.clusterUnknown();
      return new State(
          false,
          "online store "
              + store.describe()
              + " did not tell its cluster state within "
              + waitMillis
              + " ms");
    } catch (Exception e) {
      return new State(
          false,
          "online store "
              + store.describe()
              + " cannot tell its cluster state: "
              + ErrorCodes.message(e));
    }
    String failing = storeMetrics.failingReads();
    if (failing == null) {
      return State.SERVING;
    }
    // Reads have been failing: a read of its own tells whether they work now.
    OnlineStore.ReadRequest probe = probe();
    if (probe == null) {
      storeMetrics.readsWork();
      return State.SERVING;
    }
    try {
      store
          .read(definitions.project(), java.util.List.of(probe))
          .get(left(deadline), TimeUnit.NANOSECONDS);
      storeMetrics.readsWork();
      LOG.info("online store reads work again (a probe read answered)");
      return State.SERVING;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } catch (Exception e) {
      String why =
          e instanceof java.util.concurrent.TimeoutException
              ? "did not answer within " + waitMillis + " ms"
              : ErrorCodes.message(e);
      return new State(
          false,
          "online store "
              + store.describe()
              + ": "
              + failing
              + "; a probe read failed too: "
              + why);
    }
  }

  private static long left(long deadline) {
    return Math.max(0, deadline - System.nanoTime());
  }

  private ServingCatalog probeCatalog;
  private OnlineStore.ReadRequest probeRead;

  /**
   * A read of one made-up entity of the first online view of the served version (nothing is stored
   * under it; the read only has to answer), or null when nothing is online.
   */
  private OnlineStore.ReadRequest probe() {
    ServingCatalog catalog = definitions.catalogOrNull();
    if (catalog == null) {
      return null;
    }
    if (catalog != probeCatalog) {
      probeCatalog = catalog;
      probeRead = null;
      for (dev.fletch.core.model.FeatureView view : catalog.repo().featureViews()) {
        if (!view.online()) {
          continue;
        }
        java.util.List<dev.fletch.core.model.JoinKey> keys = catalog.repo().joinKeys(view);
        java.util.List<String> names = new java.util.ArrayList<>();
        java.util.List<Object> values = new java.util.ArrayList<>();
        for (dev.fletch.core.model.JoinKey k : keys) {
          names.add(k.name());
          values.add(
              k.type() == dev.fletch.core.model.ValueType.STRING
                  ? "__fletch_readiness_probe__"
                  : (Object) Long.MIN_VALUE);
        }
        probeRead =
            new OnlineStore.ReadRequest(
                new dev.fletch.core.model.EntityKey(names, values),
                new ServingCatalog.ViewRead(view, keys).stored());
        break;
      }
    }
    return probeRead;
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

  private static final long REASON_LOG_EVERY_NANOS = TimeUnit.SECONDS.toNanos(30);
  private long reasonLoggedAt;

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
