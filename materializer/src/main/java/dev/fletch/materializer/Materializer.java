package dev.fletch.materializer;

import static java.util.Objects.requireNonNull;

import dev.fletch.core.FletchException;
import dev.fletch.core.InvalidRequestException;
import dev.fletch.core.JobHistory;
import dev.fletch.core.NotFoundException;
import dev.fletch.core.UnavailableException;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.model.FeatureView;
import dev.fletch.offline.OfflineStore;
import dev.fletch.online.OnlineStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Offline -> online jobs. For each online view, the latest row per entity in a range streams from
 * the offline store in batches into the online store, with a bounded number of batches in flight,
 * so memory does not grow with the range. Every job is recorded in the {@link JobHistory}; a view's
 * watermark moves only when every write of its job succeeded. Writes are idempotent (the online
 * store never replaces a newer event time), so re-running a failed or finished job is harmless.
 *
 * <p>Faults: a batch whose write fails with {@link UnavailableException} is retried with
 * exponential backoff up to {@link Options#maxAttempts()} times; then the job fails and is recorded
 * FAILED with the error. One view's failure does not stop the others: every requested view gets its
 * job (successful ones move their watermarks), and only then does {@link #materialize} throw (the
 * failed view's own exception when one failed, an {@link UnavailableException} when the store was
 * unreachable). {@link #materializeEach} reports failures per view instead of throwing.
 */
public final class Materializer {
  private static final Logger LOG = LoggerFactory.getLogger(Materializer.class);

  /** Called now and then during a job with the rows written so far. */
  public interface Progress {
    void update(String view, long rows, double rowsPerSecond);

    /** The view's job failed (its updates stop; the next view's may follow). */
    default void failed(String view) {}

    Progress NONE = (view, rows, rowsPerSecond) -> {};
  }

  /** The outcome of one view's job; {@code jobId} is -1 when there was nothing to do. */
  public record ViewResult(
      String view, Instant start, Instant end, long rows, Duration took, long jobId) {}

  /** A view whose job failed: its range, the rows written before the failure, and the error. */
  public record ViewFailure(
      String view, Instant start, Instant end, long rows, FletchException error) {
    public ViewFailure {
      requireNonNull(view, "view is null");
      requireNonNull(error, "error is null");
    }
  }

  /** What a run over several views did: the views that succeeded and the ones that failed. */
  public record Outcome(List<ViewResult> results, List<ViewFailure> failures) {
    public Outcome {
      results = List.copyOf(results);
      failures = List.copyOf(failures);
    }

    public boolean failed() {
      return !failures.isEmpty();
    }

    /**
     * The results, or the failure: the view's own exception when one view failed, else one
     * exception naming every failed view (an {@link UnavailableException} when each failed that
     * way) with the individual ones suppressed.
     */
    public List<ViewResult> orThrow() {
      if (failures.isEmpty()) {
        return results;
      }
      if (failures.size() == 1) {
        throw failures.get(0).error();
      }
      StringBuilder message =
          new StringBuilder()
              .append(failures.size())
              .append(" of ")
              .append(failures.size() + results.size())
              .append(" views failed:");
      boolean allUnavailable = true;
      for (ViewFailure f : failures) {
        message.append(' ').append(f.error().getMessage()).append(';');
        allUnavailable &= f.error() instanceof UnavailableException;
      }
      message.setLength(message.length() - 1);
      FletchException e =
          allUnavailable
              ? new UnavailableException(message.toString(), failures.get(0).error())
              : new FletchException(message.toString(), failures.get(0).error());
      failures.stream().skip(1).forEach(f -> e.addSuppressed(f.error()));
      throw e;
    }
  }

  /**
   * Tuning: rows per batch, batches in flight, attempts per batch, and the backoff between attempts
   * (doubling from {@code initialBackoff} up to {@code maxBackoff}).
   */
  public record Options(
      int batchSize,
      int maxInFlight,
      int maxAttempts,
      Duration initialBackoff,
      Duration maxBackoff,
      Duration progressEvery) {
    public Options {
      if (batchSize <= 0 || maxInFlight <= 0 || maxAttempts <= 0) {
        throw new IllegalArgumentException(
            "batchSize, maxInFlight and maxAttempts must be positive");
      }
      requireNonNull(initialBackoff, "initialBackoff is null");
      requireNonNull(maxBackoff, "maxBackoff is null");
      requireNonNull(progressEvery, "progressEvery is null");
    }

    /** 1000-row batches, 8 in flight, 5 attempts 250 ms .. 4 s apart (about 4 s of retrying). */
    public static Options defaults() {
      return new Options(
          1000, 8, 5, Duration.ofMillis(250), Duration.ofSeconds(4), Duration.ofSeconds(1));
    }
  }

  private final OfflineStore offline;
  private final OnlineStore online;
  private final JobHistory jobs;
  private final Options options;

  public Materializer(OfflineStore offline, OnlineStore online, JobHistory jobs) {
    this(offline, online, jobs, Options.defaults());
  }

  public Materializer(OfflineStore offline, OnlineStore online, JobHistory jobs, Options options) {
    this.offline = requireNonNull(offline, "offline is null");
    this.online = requireNonNull(online, "online is null");
    this.jobs = requireNonNull(jobs, "jobs is null");
    this.options = requireNonNull(options, "options is null");
  }

  /**
   * Materializes [start, end] for the named online views (all online views when {@code views} is
   * empty). Runs every view, then throws if any failed (see {@link Outcome#orThrow()}).
   */
  public List<ViewResult> materialize(
      FeatureRepo repo, Instant start, Instant end, List<String> views, Progress progress) {
    return materializeEach(repo, start, end, views, progress).orThrow();
  }

  /**
   * As {@link #materialize}, but a view's failure is reported in the outcome instead of thrown.
   * Unknown or offline-only views and a reversed range still throw, before any job starts.
   */
  public Outcome materializeEach(
      FeatureRepo repo, Instant start, Instant end, List<String> views, Progress progress) {
    requireNonNull(repo, "repo is null");
    requireNonNull(start, "start is null");
    requireNonNull(end, "end is null");
    if (end.isBefore(start)) {
      throw new InvalidRequestException("--end " + end + " is before --start " + start);
    }
    List<FeatureView> selected = select(repo, views);
    Progress p = progress == null ? Progress.NONE : progress;
    List<ViewResult> results = new ArrayList<>(selected.size());
    List<ViewFailure> failures = new ArrayList<>();
    for (FeatureView view : selected) {
      runInto(repo, view, start, end, p, results, failures);
    }
    return new Outcome(results, failures);
  }

  /**
   * From each view's watermark (or end - ttl the first time; the epoch when ttl is 0) to {@code
   * end}. Runs every view, then throws if any failed (see {@link Outcome#orThrow()}).
   */
  public List<ViewResult> materializeIncremental(
      FeatureRepo repo, Instant end, List<String> views, Progress progress) {
    return materializeIncrementalEach(repo, end, views, progress).orThrow();
  }

  /** As {@link #materializeIncremental}, but a view's failure is reported instead of thrown. */
  public Outcome materializeIncrementalEach(
      FeatureRepo repo, Instant end, List<String> views, Progress progress) {
    requireNonNull(repo, "repo is null");
    requireNonNull(end, "end is null");
    List<FeatureView> selected = select(repo, views);
    Progress p = progress == null ? Progress.NONE : progress;
    List<ViewResult> results = new ArrayList<>(selected.size());
    List<ViewFailure> failures = new ArrayList<>();
    for (FeatureView view : selected) {
      Instant start;
      try {
        start = incrementalStart(repo.project(), view, end);
      } catch (RuntimeException e) {
        failures.add(
            new ViewFailure(
                view.name(),
                null,
                end,
                0,
                wrap(
                    "materializing view '"
                        + view.name()
                        + "' failed: cannot read its watermark: "
                        + e.getMessage(),
                    e)));
        continue;
      }
      if (start.isAfter(end)) {
        results.add(new ViewResult(view.name(), start, end, 0, Duration.ZERO, -1));
        continue;
      }
      runInto(repo, view, start, end, p, results, failures);
    }
    return new Outcome(results, failures);
  }

  private void runInto(
      FeatureRepo repo,
      FeatureView view,
      Instant start,
      Instant end,
      Progress progress,
      List<ViewResult> results,
      List<ViewFailure> failures) {
    try {
      results.add(run(repo, view, start, end, progress));
    } catch (JobFailed failed) {
      progress.failed(view.name());
      failures.add(new ViewFailure(view.name(), start, end, failed.rows, failed.error));
    }
  }

  /** Internal: carries the rows written before a job failed along with its error. */
  private static final class JobFailed extends RuntimeException {
    final long rows;
    final FletchException error;

    JobFailed(long rows, FletchException error) {
      super(error.getMessage(), error, false, false);
      this.rows = rows;
      this.error = error;
    }
  }

  /** Where an incremental run of the view starts: its watermark, else end - ttl, else the epoch. */
  Instant incrementalStart(String project, FeatureView view, Instant end) {
    return jobs.watermark(project, view.name())
        .orElseGet(() -> view.hasTtl() ? end.minus(view.ttl()) : Instant.EPOCH);
  }

  /** The named views (all online views when none are named), checked before any job starts. */
  static List<FeatureView> select(FeatureRepo repo, List<String> names) {
    if (names == null || names.isEmpty()) {
      return repo.featureViews().stream().filter(FeatureView::online).toList();
    }
    Set<String> unique = new LinkedHashSet<>(names);
    List<FeatureView> out = new ArrayList<>(unique.size());
    for (String name : unique) {
      FeatureView view =
          repo.findView(name.trim())
              .orElseThrow(
                  () ->
                      new NotFoundException(
                          "feature view",
                          name,
                          "project '"
                              + repo.project()
                              + "' has "
                              + repo.featureViews().stream().map(FeatureView::name).toList()));
      if (!view.online()) {
        throw new InvalidRequestException(
            "feature view '" + name + "' is offline only (online: false): nothing to materialize");
      }
      out.add(view);
    }
    return out;
  }

  private ViewResult run(
      FeatureRepo repo, FeatureView view, Instant start, Instant end, Progress progress) {
    String project = repo.project();
    long jobId;
    try {
      jobId = jobs.start(project, view.name(), start, end);
    } catch (RuntimeException e) {
      throw new JobFailed(
          0,
          wrap(
              "materializing view '"
                  + view.name()
                  + "' failed: cannot record its job: "
                  + e.getMessage(),
              e));
    }
    long began = System.nanoTime();
    BatchWriter writer = new BatchWriter(online, project, view, options, progress);
    try {
      offline.scanLatest(repo, view, start, end, options.batchSize(), writer::submit);
      writer.finish();
    } catch (RuntimeException e) {
      writer.abandon();
      FletchException failure = describeFailure(view, start, end, e);
      try {
        jobs.fail(jobId, writer.written(), failure.getMessage());
      } catch (RuntimeException recordFailed) {
        failure.addSuppressed(recordFailed);
      }
      LOG.debug("{}", failure.getMessage());
      throw new JobFailed(writer.written(), failure);
    }
    Duration took = Duration.ofNanos(System.nanoTime() - began);
    try {
      jobs.succeed(jobId, writer.written());
    } catch (RuntimeException e) {
      throw new JobFailed(
          writer.written(),
          wrap(
              "materializing view '"
                  + view.name()
                  + "' wrote every row but recording its success failed (the watermark did not"
                  + " move): "
                  + e.getMessage(),
              e));
    }
    LOG.debug(
        "materialized {} rows of view '{}' [{}, {}] in {} ms",
        writer.written(),
        view.name(),
        start,
        end,
        took.toMillis());
    return new ViewResult(view.name(), start, end, writer.written(), took, jobId);
  }

  private FletchException describeFailure(
      FeatureView view, Instant start, Instant end, RuntimeException e) {
    String message =
        "materializing view '"
            + view.name()
            + "' ["
            + start
            + ", "
            + end
            + "] failed: "
            + e.getMessage()
            + " (the watermark did not move; re-run to complete: writes are idempotent)";
    return wrap(message, e);
  }

  /**
   * Keeps the failure's kind (unavailable, invalid request) under a message that names the view.
   */
  private static FletchException wrap(String message, RuntimeException e) {
    if (e instanceof UnavailableException) {
      return new UnavailableException(message, e);
    }
    if (e instanceof InvalidRequestException) {
      return new InvalidRequestException(message, e);
    }
    return new FletchException(message, e);
  }
}
