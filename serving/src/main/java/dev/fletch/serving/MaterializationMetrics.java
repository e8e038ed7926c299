package dev.fletch.serving;

import static java.util.Objects.requireNonNull;

import dev.fletch.core.DaemonScheduler;
import dev.fletch.core.JobHistory;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.model.FeatureView;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Materialization in {@code /metrics}, per feature view:
 *
 * <ul>
 *   <li>{@code fletch_materialization_jobs_total{view,outcome}} ({@code succeeded}, {@code
 *       failed}), {@code fletch_materialization_rows_total{view}} and {@code
 *       fletch_materialization_job_seconds{view}} (histogram): jobs run by this process's scheduler
 *       ({@code fletch serve}); both outcomes exist at 0 for every online view;
 *   <li>{@code fletch_materialization_watermark_age_seconds{view}}: now minus the view's watermark
 *       (the end of its last successful job, whoever ran it: read from the job history every {@link
 *       #WATERMARK_REFRESH}); absent for a view never materialized.
 * </ul>
 */
public final class MaterializationMetrics {
  private static final Logger LOG = LoggerFactory.getLogger(MaterializationMetrics.class);

  /** How often watermarks are read from the job history. */
  static final Duration WATERMARK_REFRESH = Duration.ofSeconds(15);

  /** Bucket bounds of job durations, in seconds. */
  static final double[] DURATION_BUCKETS = {1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 3 * 3600};

  private final MeterRegistry registry;
  private final Clock clock = Clock.systemUTC();
  private final Map<String, Counter[]> jobs = new ConcurrentHashMap<>();
  private final Map<String, Counter> rows = new ConcurrentHashMap<>();
  private final Map<String, DistributionSummary> durations = new ConcurrentHashMap<>();

  /** Watermark per view, as epoch milliseconds; a gauge once known. */
  private final Map<String, AtomicLong> watermarks = new ConcurrentHashMap<>();

  private ScheduledExecutorService refresher;

  MaterializationMetrics(MeterRegistry registry) {
    this.registry = requireNonNull(registry, "registry is null");
  }

  /** A job of the view succeeded: its rows, how long it took, the watermark it moved to. */
  public void jobSucceeded(String view, long rowsWritten, Duration took, Instant watermark) {
    counters(view)[0].increment();
    rows(view).increment(rowsWritten);
    duration(view).record(took.toNanos() / 1e9);
    if (watermark != null) {
      watermark(view, watermark);
    }
  }

  /** A job of the view failed after {@code took}. */
  public void jobFailed(String view, Duration took) {
    counters(view)[1].increment();
    duration(view).record(took.toNanos() / 1e9);
  }

  /**
   * Reads the watermark of every online view of the served definitions from the job history now and
   * every {@link #WATERMARK_REFRESH} (on a thread of its own; a failing read is logged and
   * retried), and makes the job counters of those views exist at 0.
   */
  public synchronized void followWatermarks(JobHistory history, Supplier<FeatureRepo> served) {
    requireNonNull(history, "history is null");
    requireNonNull(served, "served is null");
    if (refresher != null) {
      return;
    }
    // The first read now: the served views' series exist from the first scrape.
    refreshWatermarks(history, served);
    refresher = DaemonScheduler.named("fletch-watermarks");
    long every = WATERMARK_REFRESH.toMillis();
    refresher.scheduleWithFixedDelay(
        () -> refreshWatermarks(history, served), every, every, TimeUnit.MILLISECONDS);
  }

  void refreshWatermarks(JobHistory history, Supplier<FeatureRepo> served) {
    FeatureRepo repo;
    try {
      repo = served.get();
    } catch (RuntimeException e) {
      return;
    }
    if (repo == null) {
      return;
    }
    for (FeatureView view : repo.featureViews()) {
      if (!view.online()) {
        continue;
      }
      counters(view.name());
      rows(view.name());
      try {
        history.watermark(repo.project(), view.name()).ifPresent(w -> watermark(view.name(), w));
      } catch (RuntimeException e) {
        LOG.debug("cannot read the watermark of '{}': {}", view.name(), e.toString());
      }
    }
  }

  private void watermark(String view, Instant at) {
    watermarks
        .computeIfAbsent(
            view,
            v -> {
              AtomicLong millis = new AtomicLong(at.toEpochMilli());
              Gauge.builder(
                      "fletch.materialization.watermark.age",
                      millis,
                      m -> Math.max(0, clock.millis() - m.get()) / 1000.0)
                  .description(
                      "Now minus the view's watermark: the end of its last successful"
                          + " materialization")
                  .baseUnit("seconds")
                  .tag("view", v)
                  .register(registry);
              return millis;
            })
        .accumulateAndGet(at.toEpochMilli(), Math::max);
  }

  private Counter[] counters(String view) {
    return jobs.computeIfAbsent(
        view,
        v -> {
          Counter[] out = new Counter[2];
          String[] outcomes = {"succeeded", "failed"};
          for (int i = 0; i < 2; i++) {
            out[i] =
                Counter.builder("fletch.materialization.jobs")
                    .description("Materialization jobs run by this process, by outcome")
                    .tag("view", v)
                    .tag("outcome", outcomes[i])
                    .register(registry);
          }
          return out;
        });
  }

  private Counter rows(String view) {
    return rows.computeIfAbsent(
        view,
        v ->
            Counter.builder("fletch.materialization.rows")
                .description("Rows written online by this process's materialization jobs")
                .tag("view", v)
                .register(registry));
  }

  private DistributionSummary duration(String view) {
    return durations.computeIfAbsent(
        view,
        v ->
            DistributionSummary.builder("fletch.materialization.job")
                .description("Duration of materialization jobs run by this process")
                .baseUnit("seconds")
                .tag("view", v)
                .serviceLevelObjectives(DURATION_BUCKETS)
                .register(registry));
  }

  synchronized void close() {
    if (refresher != null) {
      refresher.shutdownNow();
    }
  }
}
