package dev.fletch.materializer;

import static java.util.Objects.requireNonNull;

import dev.fletch.core.DaemonScheduler;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.model.FeatureView;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs incremental materialization of each online view on its {@code schedule} (views without one
 * are left alone): first when the scheduler starts, then every {@code schedule} after the previous
 * run finished. One job at a time per view; a failed job is logged and retried at the next tick of
 * its schedule. The repository is fetched again on every tick, so views applied later are picked
 * up.
 */
public final class MaterializationScheduler implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MaterializationScheduler.class);

  /** Told of every job the scheduler ran, e.g. to count them in a server's metrics. */
  public interface JobListener {
    /** A job that ran and succeeded (views with nothing to do are not reported). */
    void succeeded(Materializer.ViewResult result);

    /** A job that failed (or could not start) after {@code took}. */
    void failed(Materializer.ViewFailure failure, Duration took);

    JobListener NONE =
        new JobListener() {
          @Override
          public void succeeded(Materializer.ViewResult result) {}

          @Override
          public void failed(Materializer.ViewFailure failure, Duration took) {}
        };
  }

  private final Materializer materializer;
  private final Supplier<FeatureRepo> repo;
  private volatile JobListener listener = JobListener.NONE;
  private final Duration tick;
  private final Clock clock;
  private final Map<String, Instant> nextRun = new ConcurrentHashMap<>();
  private final Set<String> running = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private ScheduledExecutorService ticker;
  private ExecutorService workers;

  public MaterializationScheduler(Materializer materializer, Supplier<FeatureRepo> repo) {
    this(materializer, repo, Duration.ofSeconds(1), Clock.systemUTC());
  }

  MaterializationScheduler(
      Materializer materializer, Supplier<FeatureRepo> repo, Duration tick, Clock clock) {
    this.materializer = requireNonNull(materializer, "materializer is null");
    this.repo = requireNonNull(repo, "repo is null");
    this.tick = requireNonNull(tick, "tick is null");
    this.clock = requireNonNull(clock, "clock is null");
  }

  /** Tells {@code listener} of every job from now on. */
  public MaterializationScheduler listener(JobListener listener) {
    this.listener = java.util.Objects.requireNonNull(listener, "listener is null");
    return this;
  }

  /** Starts checking schedules (idempotent). */
  public synchronized void start() {
    if (closed.get()) {
      throw new IllegalStateException("the scheduler is closed");
    }
    if (!started.compareAndSet(false, true)) {
      return;
    }
    ticker = DaemonScheduler.named("fletch-schedule");
    workers = Executors.newFixedThreadPool(2, r -> daemon(r, "fletch-materialize"));
    ticker.scheduleWithFixedDelay(this::tick, 0, tick.toMillis(), TimeUnit.MILLISECONDS);
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  void tick() {
    FeatureRepo current;
    try {
      current = repo.get();
    } catch (RuntimeException e) {
      LOG.warn("scheduled materialization: cannot load the feature repository: {}", e.getMessage());
      return;
    }
    if (current == null) {
      return;
    }
    Instant now = clock.instant();
    for (FeatureView view : current.featureViews()) {
      Duration every = view.schedule();
      if (!view.online() || every == null || every.isZero() || every.isNegative()) {
        continue;
      }
      String key = current.project() + "/" + view.name();
      if (now.isBefore(nextRun.getOrDefault(key, Instant.MIN)) || !running.add(key)) {
        continue;
      }
      try {
        workers.execute(() -> runOne(current, view, key, every));
      } catch (RuntimeException rejected) {
        running.remove(key); // shutting down
      }
    }
  }

  private void runOne(FeatureRepo current, FeatureView view, String key, Duration every) {
    long began = System.nanoTime();
    try {
      Materializer.Outcome outcome =
          materializer.materializeIncrementalEach(
              current, clock.instant(), List.of(view.name()), Materializer.Progress.NONE);
      for (Materializer.ViewResult r : outcome.results()) {
        LOG.info(
            "scheduled materialization of '{}': {} rows [{}, {}]{}",
            r.view(),
            r.rows(),
            r.start(),
            r.end(),
            r.note() == null ? "" : " (" + r.note() + ")");
        if (r.jobId() >= 0) {
          tell(() -> listener.succeeded(r));
        }
      }
      Duration took = Duration.ofNanos(System.nanoTime() - began);
      for (Materializer.ViewFailure f : outcome.failures()) {
        LOG.warn("scheduled materialization of '{}' failed: {}", f.view(), f.error().getMessage());
        tell(() -> listener.failed(f, took));
      }
    } catch (RuntimeException e) {
      LOG.warn("scheduled materialization of '{}' failed: {}", view.name(), e.getMessage());
    } finally {
      nextRun.put(key, clock.instant().plus(every));
      running.remove(key);
    }
  }

  private static void tell(Runnable call) {
    try {
      call.run();
    } catch (RuntimeException e) {
      LOG.warn("a materialization job listener failed: {}", e.toString());
    }
  }

  /** Stops scheduling and waits briefly for running jobs (idempotent). */
  @Override
  public synchronized void close() {
    if (!closed.compareAndSet(false, true) || ticker == null) {
      return;
    }
    ticker.shutdownNow();
    workers.shutdown();
    try {
      if (!workers.awaitTermination(10, TimeUnit.SECONDS)) {
        workers.shutdownNow();
      }
    } catch (InterruptedException e) {
      workers.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
