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
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Serving metrics in Prometheus form ({@code GET /metrics}):
 *
 * <ul>
 *   <li>{@code fletch_serving_requests_total{method,transport,status}} and {@code
 *       fletch_serving_errors_total{method,transport,status}}
 *   <li>{@code fletch_serving_request_seconds{method,transport}} latency histogram
 *   <li>{@code fletch_serving_entity_rows_total}, {@code fletch_serving_feature_values_total}
 *   <li>{@code fletch_serving_freshness_seconds{view}}: now - event time of each served row
 *   <li>{@code fletch_serving_view_rows_total{view,status}}: entity rows served per view, by
 *       whether the view had an entry for them: FOUND, OUTSIDE_MAX_AGE (older than the view's ttl)
 *       or NOT_FOUND
 *   <li>{@code fletch_serving_grpc_connections}: open gRPC connections; {@code
 *       fletch_serving_grpc_connections_opened_total}: accepted since start
 * </ul>
 */
public final class ServingMetrics {
  private static final Attributes.Key<Boolean> COUNTED =
      Attributes.Key.create("fletch.connectionCounted");

  /** Records what nobody reads: for the server's own warm-up calls. */
  static final ServingMetrics DISCARDED = new ServingMetrics();

  private final PrometheusMeterRegistry registry;
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
    latency
        .computeIfAbsent(
            method + '|' + transport,
            k ->
                Timer.builder("fletch.serving.request")
                    .description("Latency of serving calls, receipt to answer")
                    .tag("method", method)
                    .tag("transport", transport)
                    .publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofMillis(1).dividedBy(10))
                    .maximumExpectedValue(Duration.ofSeconds(10))
                    .register(registry))
        .record(nanos, TimeUnit.NANOSECONDS);
    String key = method + '|' + transport + '|' + status;
    requests
        .computeIfAbsent(
            key,
            k ->
                Counter.builder("fletch.serving.requests")
                    .description("Serving calls by method, transport and status")
                    .tag("method", method)
                    .tag("transport", transport)
                    .tag("status", status)
                    .register(registry))
        .increment();
    if (!"OK".equals(status)) {
      errors
          .computeIfAbsent(
              key,
              k ->
                  Counter.builder("fletch.serving.errors")
                      .description("Failed serving calls by method, transport and status")
                      .tag("method", method)
                      .tag("transport", transport)
                      .tag("status", status)
                      .register(registry))
          .increment();
    }
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
                    .publishPercentileHistogram()
                    .register(registry))
        .record(Math.max(0, age.toNanos()) / 1e9);
  }
}
