package dev.fletch.serving;

import static java.util.Objects.requireNonNull;

import io.grpc.Attributes;
import io.grpc.ServerTransportFilter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The metrics of a serving process, in Prometheus form ({@code GET /metrics}): the one registry
 * every part of the process registers in. Names are {@code fletch_<part>_<what>[_<unit>]}, parts
 * being {@code serving} (the request path), {@code online_store}, {@code materialization}, {@code
 * stream}; labels name Fletch objects ({@code view}, {@code service}, {@code source}) or a closed
 * set of values ({@code method}, {@code transport}, {@code status}, {@code operation}, {@code
 * kind}, {@code outcome}). Histograms use fixed buckets chosen for what they measure.
 * docs/operations.md lists every metric; ops/ holds a Grafana dashboard and Prometheus alert rules
 * over them.
 *
 * <ul>
 *   <li>{@code fletch_serving_requests_total{method,service,transport,status}}, {@code
 *       fletch_serving_request_seconds{method,service,transport}} (latency histogram) and {@code
 *       fletch_serving_errors_total{method,transport,status}} (at 0 from the start for the statuses
 *       a server answers); {@code service} is the GetFeatures call's feature service, {@code
 *       (none)} for a call by feature refs or another method, {@code (unknown)} for a name the
 *       served version does not define
 *   <li>{@code fletch_serving_entity_rows_total}, {@code fletch_serving_feature_values_total}
 *   <li>{@code fletch_serving_freshness_seconds{view}}: now - event time of served rows
 *   <li>{@code fletch_serving_view_rows_total{view,status}}: entity rows served per view, by
 *       whether the view had an entry for them: FOUND, OUTSIDE_MAX_AGE (older than the view's ttl)
 *       or NOT_FOUND
 *   <li>{@code fletch_serving_grpc_connections}: open gRPC connections; {@code
 *       fletch_serving_grpc_connections_opened_total}: accepted since start
 *   <li>{@code fletch_serving_ready}: 1 while health says SERVING
 *   <li>{@code fletch_serving_registry_version{project}}, {@code
 *       fletch_serving_registry_refresh_failures_total{project}}, {@code
 *       fletch_serving_registry_last_refresh_timestamp_seconds{project}}
 *   <li>the online store's ({@link StoreMetrics}), materialization's ({@link
 *       MaterializationMetrics}), and the JVM's and process's (Micrometer's binders: {@code jvm_*},
 *       {@code process_*}, {@code system_*})
 * </ul>
 */
public final class ServingMetrics {
  private static final Attributes.Key<Boolean> COUNTED =
      Attributes.Key.create("fletch.connectionCounted");

  /** The {@code service} label of calls that name no feature service. */
  public static final String NO_SERVICE = "(none)";

  /** The {@code service} label of calls naming a service the served version does not define. */
  public static final String UNKNOWN_SERVICE = "(unknown)";

  /** Bucket bounds of request latency. */
  static final Duration[] LATENCY_BUCKETS = {
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
    Duration.ofSeconds(10),
  };

  /**
   * Bucket bounds of freshness, in seconds: from "just written" to "a month old", at the steps
   * schedules and ttls are written in (1 m, 15 m, 1 h, 6 h, 1 d ...).
   */
  static final double[] FRESHNESS_BUCKETS = {
    1,
    10,
    60,
    300,
    900,
    1800,
    3600,
    3 * 3600,
    6 * 3600,
    12 * 3600,
    86_400,
    2 * 86_400,
    7 * 86_400,
    30 * 86_400
  };

  /** The methods and statuses whose error counters exist from the start. */
  private static final String[] METHODS = {"GetFeatures", "Push"};

  private static final String[] TRANSPORTS = {"grpc", "http"};
  private static final String[] ERROR_STATUSES = {
    "INVALID_ARGUMENT",
    "NOT_FOUND",
    "UNAVAILABLE",
    "INTERNAL",
    "UNAUTHENTICATED",
    "PERMISSION_DENIED"
  };

  /** Records what nobody reads: for the server's own warm-up calls (after the constants above). */
  static final ServingMetrics DISCARDED = new ServingMetrics();

  private final PrometheusMeterRegistry registry;
  private final StoreMetrics store;
  private final MaterializationMetrics materialization;
  private final AtomicInteger ready = new AtomicInteger();
  private final Map<String, Counter> registryRefreshFailures = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> registryVersions = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> registryRefreshedAt = new ConcurrentHashMap<>();
  private final List<AutoCloseable> binders = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final Counter entityRows;
  private final Counter featureValues;
  private final Counter connectionsOpened;
  private final AtomicInteger connections = new AtomicInteger();
  private final Map<String, Timer> latency = new ConcurrentHashMap<>();
  private final Map<String, Counter> requests = new ConcurrentHashMap<>();
  private final Map<String, Counter> errors = new ConcurrentHashMap<>();
  private final Map<String, DistributionSummary> freshness = new ConcurrentHashMap<>();
  private final Map<String, Counter[]> viewRows = new ConcurrentHashMap<>();

  public ServingMetrics() {
    this(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
  }

  public ServingMetrics(PrometheusMeterRegistry registry) {
    this.registry = requireNonNull(registry, "registry is null");
    this.entityRows =
        Counter.builder("fletch.serving.entity.rows")
            .description("Entity rows answered by GetFeatures")
            .register(registry);
    this.featureValues =
        Counter.builder("fletch.serving.feature.values")
            .description("Feature values returned by GetFeatures (features x entity rows)")
            .register(registry);
    this.connectionsOpened =
        Counter.builder("fletch.serving.grpc.connections.opened")
            .description("gRPC connections accepted since start")
            .register(registry);
    Gauge.builder("fletch.serving.grpc.connections", connections, AtomicInteger::get)
        .description("Open gRPC connections")
        .register(registry);
    Gauge.builder("fletch.serving.ready", ready, AtomicInteger::get)
        .description("1 while this server reports SERVING (health), else 0")
        .register(registry);
    for (String method : METHODS) {
      for (String transport : TRANSPORTS) {
        for (String status : ERROR_STATUSES) {
          errorCounter(method, transport, status);
        }
      }
    }
    this.store = new StoreMetrics(registry);
    this.materialization = new MaterializationMetrics(registry);
  }

  /** The online store's metrics. */
  StoreMetrics store() {
    return store;
  }

  /** Materialization's metrics: jobs of this process's scheduler, watermark ages. */
  public MaterializationMetrics materialization() {
    return materialization;
  }

  /** Whether health says SERVING now. */
  void ready(boolean serving) {
    ready.set(serving ? 1 : 0);
  }

  /**
   * The JVM's and the process's metrics (memory, GC, threads, classes, CPU, file descriptors,
   * uptime), by Micrometer's binders; {@link #close()} lets go of what they hold (GC listeners).
   */
  public synchronized void bindJvmAndProcess() {
    if (!binders.isEmpty()) {
      return;
    }
    new io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics().bindTo(registry);
    new io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics().bindTo(registry);
    new io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics().bindTo(registry);
    new io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics().bindTo(registry);
    new io.micrometer.core.instrument.binder.system.ProcessorMetrics().bindTo(registry);
    new io.micrometer.core.instrument.binder.system.UptimeMetrics().bindTo(registry);
    new io.micrometer.core.instrument.binder.system.FileDescriptorMetrics().bindTo(registry);
    io.micrometer.core.instrument.binder.jvm.JvmGcMetrics gc =
        new io.micrometer.core.instrument.binder.jvm.JvmGcMetrics();
    gc.bindTo(registry);
    binders.add(gc);
    io.micrometer.core.instrument.binder.jvm.JvmHeapPressureMetrics pressure =
        new io.micrometer.core.instrument.binder.jvm.JvmHeapPressureMetrics();
    pressure.bindTo(registry);
    binders.add(pressure);
  }

  /** Releases the JVM binders (GC notification listeners). Idempotent. */
  public void close() {
    for (AutoCloseable b : binders) {
      try {
        b.close();
      } catch (Exception ignored) {
        // a listener that is gone already
      }
    }
    binders.clear();
    materialization.close();
  }

  /** The registry version this server serves for the project, after a successful check. */
  void registryRefreshed(String project, long version) {
    registryGauges(project);
    registryVersions.get(project).set(version);
    registryRefreshedAt.get(project).set(System.currentTimeMillis());
  }

  /** A check of the registry for a newer version failed (the last definitions stay served). */
  void registryRefreshFailed(String project) {
    registryGauges(project);
    registryRefreshFailures.get(project).increment();
  }

  private void registryGauges(String project) {
    registryVersions.computeIfAbsent(
        project,
        p -> {
          AtomicLong version = new AtomicLong();
          AtomicLong at = new AtomicLong();
          registryRefreshedAt.put(p, at);
          registryRefreshFailures.put(
              p,
              Counter.builder("fletch.serving.registry.refresh.failures")
                  .description(
                      "Checks of the registry for a new version that failed (the last definitions"
                          + " stay served)")
                  .tag("project", p)
                  .register(registry));
          Gauge.builder("fletch.serving.registry.version", version, AtomicLong::get)
              .description("The registry version of the definitions this server serves")
              .tag("project", p)
              .register(registry);
          Gauge.builder("fletch.serving.registry.last.refresh.timestamp", at, a -> a.get() / 1000.0)
              .description("When this server last reached the registry (Unix time)")
              .baseUnit("seconds")
              .tag("project", p)
              .register(registry);
          return version;
        });
  }

  /** Publishes the online lookups waiting for the store now (once per registry). */
  void gaugeInFlight(AtomicInteger inFlight) {
    Gauge.builder("fletch.serving.in.flight", inFlight, AtomicInteger::get)
        .description("GetFeatures lookups waiting for the online store now")
        .register(registry);
  }

  /** Counts gRPC connections as they open and close (a transport filter of the gRPC server). */
  ServerTransportFilter connectionCounter() {
    return new ServerTransportFilter() {
      @Override
      public Attributes transportReady(Attributes attributes) {
        connections.incrementAndGet();
        connectionsOpened.increment();
        return attributes.toBuilder().set(COUNTED, Boolean.TRUE).build();
      }

      @Override
      public void transportTerminated(Attributes attributes) {
        // A connection that never became ready (a failed TLS handshake) was not counted.
        if (attributes.get(COUNTED) != null) {
          connections.decrementAndGet();
        }
      }
    };
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** The Prometheus text exposition of every metric. */
  public String scrape() {
    for (Runnable r : beforeScrape) {
      r.run();
    }
    return registry.scrape();
  }

  private final java.util.List<Runnable> beforeScrape =
      new java.util.concurrent.CopyOnWriteArrayList<>();

  /**
   * Runs {@code refresh} before every scrape: for meters whose set of series changes (one per
   * partition, say) and is rebuilt from the current state then.
   */
  public void beforeScrape(Runnable refresh) {
    beforeScrape.add(java.util.Objects.requireNonNull(refresh, "refresh is null"));
  }

  /** Records one finished call; {@code status} is the gRPC code name (OK, NOT_FOUND, ...). */
  public void recordRequest(String method, String transport, String status, long nanos) {
    recordRequest(method, NO_SERVICE, transport, status, nanos);
  }

  /**
   * Records one finished call of a feature service ({@link #NO_SERVICE} / {@link #UNKNOWN_SERVICE}:
   * see the class comment).
   */
  public void recordRequest(
      String method, String service, String transport, String status, long nanos) {
    String key = method + '|' + service + '|' + transport;
    latency
        .computeIfAbsent(
            key,
            k ->
                Timer.builder("fletch.serving.request")
                    .description("Latency of serving calls, receipt to answer")
                    .tag("method", method)
                    .tag("service", service)
                    .tag("transport", transport)
                    .serviceLevelObjectives(LATENCY_BUCKETS)
                    .register(registry))
        .record(nanos, TimeUnit.NANOSECONDS);
    requests
        .computeIfAbsent(
            key + '|' + status,
            k ->
                Counter.builder("fletch.serving.requests")
                    .description("Serving calls by method, feature service, transport and status")
                    .tag("method", method)
                    .tag("service", service)
                    .tag("transport", transport)
                    .tag("status", status)
                    .register(registry))
        .increment();
    if (!"OK".equals(status)) {
      errorCounter(method, transport, status).increment();
    }
  }

  private Counter errorCounter(String method, String transport, String status) {
    return errors.computeIfAbsent(
        method + '|' + transport + '|' + status,
        k ->
            Counter.builder("fletch.serving.errors")
                .description("Failed serving calls by method, transport and status")
                .tag("method", method)
                .tag("transport", transport)
                .tag("status", status)
                .register(registry));
  }

  /** Records the size of one answered GetFeatures. */
  public void recordServed(int rows, int features) {
    entityRows.increment(rows);
    featureValues.increment((double) rows * features);
  }

  /**
   * Records one answer's rows of a view: found within the view's ttl, found but older, and not
   * found. A rising NOT_FOUND or OUTSIDE_MAX_AGE share means materialization is missing entities or
   * falling behind.
   */
  public void recordRows(String view, int found, int stale, int missing) {
    Counter[] c =
        viewRows.computeIfAbsent(
            view,
            v -> {
              Counter[] out = new Counter[3];
              String[] statuses = {"FOUND", "OUTSIDE_MAX_AGE", "NOT_FOUND"};
              for (int i = 0; i < 3; i++) {
                out[i] =
                    Counter.builder("fletch.serving.view.rows")
                        .description(
                            "Entity rows served per feature view, by whether the view had an entry"
                                + " (FOUND, OUTSIDE_MAX_AGE: older than the ttl, NOT_FOUND)")
                        .tag("view", v)
                        .tag("status", statuses[i])
                        .register(registry);
              }
              return out;
            });
    if (found > 0) {
      c[0].increment(found);
    }
    if (stale > 0) {
      c[1].increment(stale);
    }
    if (missing > 0) {
      c[2].increment(missing);
    }
  }

  /** Records the age of one served row of a view. */
  public void recordFreshness(String view, Duration age) {
    freshness
        .computeIfAbsent(
            view,
            v ->
                DistributionSummary.builder("fletch.serving.freshness")
                    .description("Age of served rows (now - event time) per feature view")
                    .baseUnit("seconds")
                    .tag("view", v)
                    .serviceLevelObjectives(FRESHNESS_BUCKETS)
                    .register(registry))
        .record(Math.max(0, age.toNanos()) / 1e9);
  }
}
