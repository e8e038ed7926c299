package dev.fletch.serving;

import dev.fletch.online.StoreErrorKind;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The online store as this server sees it, in {@code /metrics}:
 *
 * <ul>
 *   <li>{@code fletch_online_store_request_seconds{operation}}: latency of each store call
 *       (histogram), {@code operation} one of {@code read} (GetFeatures lookups), {@code write}
 *       (materialization batches, pushes), {@code read_entries} and {@code replace_entries}
 *       (streamed tiles), {@code delete_view}, {@code content_marker};
 *   <li>{@code fletch_online_store_errors_total{operation,kind}}: failed calls, {@code kind} one of
 *       {@code timeout}, {@code connection}, {@code cluster_down}, {@code server_busy}, {@code
 *       other} (see {@link StoreErrorKind}); every kind of {@code read} and {@code write} exists at
 *       0 from the start;
 *   <li>{@code fletch_online_store_up}: 1 when the last health check's ping reached the store
 *       (every primary of a cluster), else 0;
 *   <li>{@code fletch_online_store_cluster_state}: for a Redis Cluster, 1 when every primary
 *       reports {@code cluster_state:ok}, else 0 (absent for a store that is no cluster).
 * </ul>
 *
 * <p>It also keeps the run of failed reads that readiness follows ({@link #failingReads}).
 */
final class StoreMetrics {
  /** Bucket bounds of store latency: a healthy Redis answers in well under a millisecond. */
  static final Duration[] LATENCY_BUCKETS = {
    Duration.ofNanos(250_000),
    Duration.ofNanos(500_000),
    Duration.ofMillis(1),
    Duration.ofMillis(2),
    Duration.ofMillis(5),
    Duration.ofMillis(10),
    Duration.ofMillis(25),
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofMillis(2500),
    Duration.ofSeconds(5),
  };

  /** Reads failing in a row (with no success between) that make readiness NOT_SERVING. */
  static final int FAILED_READS_TO_TRIP = 5;

  /** A run of failed reads older than this no longer counts (the health probe decides then). */
  static final Duration FAILED_READS_WINDOW = Duration.ofSeconds(10);

  /**
   * A read that timed out sooner than this was cut short by its caller's deadline, not by the
   * store: it says nothing about the store.
   */
  static final Duration TIMEOUT_COUNTS_AFTER = Duration.ofMillis(250);

  private final MeterRegistry registry;
  private final Map<String, Timer> latency = new ConcurrentHashMap<>();
  private final Map<String, Counter> errors = new ConcurrentHashMap<>();
  private final AtomicInteger up = new AtomicInteger(1);
  private final AtomicInteger clusterOk = new AtomicInteger(1);
  private volatile boolean clusterGauge;

  private final AtomicInteger failedReadsInARow = new AtomicInteger();
  private final AtomicLong lastFailedReadNanos = new AtomicLong();
  private volatile String lastReadFailure;

  StoreMetrics(MeterRegistry registry) {
    this.registry = registry;
    for (String operation : new String[] {"read", "write"}) {
      timer(operation);
      for (StoreErrorKind kind : StoreErrorKind.values()) {
        errorCounter(operation, kind);
      }
    }
    Gauge.builder("fletch.online.store.up", up, AtomicInteger::get)
        .description(
            "1 when the last health check reached the online store (every primary of a cluster)")
        .register(registry);
  }

  private Timer timer(String operation) {
    return latency.computeIfAbsent(
        operation,
        op ->
            Timer.builder("fletch.online.store.request")
                .description("Latency of online store calls, sent to answered or failed")
                .tag("operation", op)
                .serviceLevelObjectives(LATENCY_BUCKETS)
                .register(registry));
  }

  private Counter errorCounter(String operation, StoreErrorKind kind) {
    return errors.computeIfAbsent(
        operation + '|' + kind.label(),
        k ->
            Counter.builder("fletch.online.store.errors")
                .description("Failed online store calls by operation and kind of failure")
                .tag("operation", operation)
                .tag("kind", kind.label())
                .register(registry));
  }

  /** A call that answered. */
  void succeeded(String operation, long nanos) {
    timer(operation).record(nanos, TimeUnit.NANOSECONDS);
    if ("read".equals(operation)) {
      failedReadsInARow.set(0);
    }
  }

  /** A call that failed. */
  void failed(String operation, Throwable error, long nanos) {
    timer(operation).record(nanos, TimeUnit.NANOSECONDS);
    StoreErrorKind kind = StoreErrorKind.of(error);
    errorCounter(operation, kind).increment();
    if ("read".equals(operation)
        && (kind != StoreErrorKind.TIMEOUT || nanos >= TIMEOUT_COUNTS_AFTER.toNanos())) {
      lastReadFailure = kind.label() + ": " + ErrorCodes.message(error);
      lastFailedReadNanos.set(System.nanoTime());
      failedReadsInARow.incrementAndGet();
    }
  }

  /**
   * Null while reads work; else what readiness should say: at least {@link #FAILED_READS_TO_TRIP}
   * reads failed in a row, the last within {@link #FAILED_READS_WINDOW}.
   */
  String failingReads() {
    int n = failedReadsInARow.get();
    if (n < FAILED_READS_TO_TRIP
        || System.nanoTime() - lastFailedReadNanos.get() > FAILED_READS_WINDOW.toNanos()) {
      return null;
    }
    return n + " reads in a row failed (last: " + lastReadFailure + ")";
  }

  /** A read succeeded (the health probe's): the run of failures is over. */
  void readsWork() {
    failedReadsInARow.set(0);
  }

  /** The outcome of the last health check's ping. */
  void up(boolean reachable) {
    up.set(reachable ? 1 : 0);
  }

  /**
   * A primary of a cluster did not answer in time: the cluster is not known to be ok (no-op for a
   * store not yet known to be a cluster).
   */
  void clusterUnknown() {
    if (clusterGauge) {
      clusterOk.set(0);
    }
  }

  /** The cluster state the last health check saw (only called for clusters). */
  void clusterState(boolean ok) {
    clusterOk.set(ok ? 1 : 0);
    if (!clusterGauge) {
      synchronized (this) {
        if (!clusterGauge) {
          Gauge.builder("fletch.online.store.cluster.state", clusterOk, AtomicInteger::get)
              .description(
                  "Redis Cluster: 1 when every primary reports cluster_state:ok, else 0 (reads"
                      + " answer CLUSTERDOWN)")
              .register(registry);
          clusterGauge = true;
        }
      }
    }
  }
}
