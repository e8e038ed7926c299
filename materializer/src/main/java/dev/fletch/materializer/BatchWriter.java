package dev.fletch.materializer;

import dev.fletch.core.DaemonScheduler;
import dev.fletch.core.FletchException;
import dev.fletch.core.UnavailableException;
import dev.fletch.core.model.FeatureRow;
import dev.fletch.core.model.FeatureView;
import dev.fletch.online.OnlineStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Writes one job's batches to the online store: at most {@code maxInFlight} batches outstanding
 * (the scan blocks until one completes, which bounds memory), each retried with exponential backoff
 * while the store is unavailable. The first batch that fails for good stops the job: the next
 * {@link #submit} throws, which ends the offline scan.
 */
final class BatchWriter {
  /** Only delays retries; the writes themselves are asynchronous. */
  private static final ScheduledExecutorService RETRIES =
      DaemonScheduler.named("fletch-materializer-retry");

  private final OnlineStore online;
  private final String project;
  private final FeatureView view;
  private final Materializer.Options options;
  private final Materializer.Progress progress;
  private final Semaphore inFlight;
  private final AtomicLong written = new AtomicLong();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final long began = System.nanoTime();
  private long lastReport = began;

  BatchWriter(
      OnlineStore online,
      String project,
      FeatureView view,
      Materializer.Options options,
      Materializer.Progress progress) {
    this.online = online;
    this.project = project;
    this.view = view;
    this.options = options;
    this.progress = progress;
    this.inFlight = new Semaphore(options.maxInFlight());
  }

  /** Queues one batch (copied: the scan reuses nothing, but may drop its list after the call). */
  void submit(List<FeatureRow> batch) {
    throwIfFailed();
    acquire(1);
    throwIfFailedReleasing();
    attempt(List.copyOf(batch), 1, System.nanoTime());
    reportProgress(false);
  }

  /** Waits for every batch; throws the first failure. */
  void finish() {
    acquire(options.maxInFlight());
    inFlight.release(options.maxInFlight());
    throwIfFailed();
    reportProgress(true);
  }

  /**
   * After a failure elsewhere: waits for outstanding batches so nothing is written after the job
   * ends.
   */
  void abandon() {
    try {
      if (inFlight.tryAcquire(options.maxInFlight(), 30, TimeUnit.SECONDS)) {
        inFlight.release(options.maxInFlight());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  long written() {
    return written.get();
  }

  private void attempt(List<FeatureRow> rows, int attempt, long firstTry) {
    CompletableFuture<Void> write;
    try {
      write = online.write(project, view, rows);
    } catch (RuntimeException e) {
      write = CompletableFuture.failedFuture(e);
    }
    write.whenComplete(
        (ok, error) -> {
          if (error == null) {
            written.addAndGet(rows.size());
            inFlight.release();
            return;
          }
          Throwable cause = unwrap(error);
          if (cause instanceof UnavailableException && attempt < options.maxAttempts()) {
            long delay = backoffMillis(attempt);
            RETRIES.schedule(
                () -> attempt(rows, attempt + 1, firstTry), delay, TimeUnit.MILLISECONDS);
            return;
          }
          String message =
              "writing a batch of "
                  + rows.size()
                  + " rows to "
                  + online.describe()
                  + " failed"
                  + (attempt > 1
                      ? " after "
                          + attempt
                          + " attempts over "
                          + Duration.ofNanos(System.nanoTime() - firstTry).toMillis()
                          + " ms"
                      : "")
                  + ": "
                  + cause.getMessage();
          failure.compareAndSet(
              null,
              cause instanceof UnavailableException
                  ? new UnavailableException(message, cause)
                  : new FletchException(message, cause));
          inFlight.release();
        });
  }

  long backoffMillis(int attempt) {
    long initial = options.initialBackoff().toMillis();
    long max = options.maxBackoff().toMillis();
    long delay = initial << Math.min(attempt - 1, 20);
    return Math.min(delay, max);
  }

  private void acquire(int permits) {
    try {
      inFlight.acquire(permits);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FletchException("materialization of view '" + view.name() + "' was interrupted", e);
    }
  }

  private void throwIfFailedReleasing() {
    if (failure.get() != null) {
      inFlight.release();
      throwIfFailed();
    }
  }

  private void throwIfFailed() {
    Throwable f = failure.get();
    if (f instanceof RuntimeException r) {
      throw r;
    }
    if (f != null) {
      throw new FletchException(f.getMessage(), f);
    }
  }

  private void reportProgress(boolean last) {
    long now = System.nanoTime();
    if (!last && now - lastReport < options.progressEvery().toNanos()) {
      return;
    }
    lastReport = now;
    double seconds = Math.max(1e-9, (now - began) / 1e9);
    long rows = written.get();
    progress.update(view.name(), rows, rows / seconds);
  }

  private static Throwable unwrap(Throwable e) {
    while (e instanceof CompletionException && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }
}
