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
 * exponential backoff up to {@link Options#maxAttempts()} times; then the job fails, is recorded
 * FAILED with the error, and this method throws (an {@link UnavailableException} when the store was
 * unreachable).
 */
public final class Materializer {
  private static final Logger LOG = LoggerFactory.getLogger(Materializer.class);

  /** Called now and then during a job with the rows written so far. */
  public interface Progress {
    void update(String view, long rows, double rowsPerSecond);

    Progress NONE = (view, rows, rowsPerSecond) -> {};
  }

  /** The outcome of one view's job; {@code jobId} is -1 when there was nothing to do. */
  public record ViewResult(
      String view, Instant start, Instant end, long rows, Duration took, long jobId) {}

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
   * empty).
   */
  public List<ViewResult> materialize(
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
    for (FeatureView view : selected) {
      results.add(run(repo, view, start, end, p));
    }
    return results;
  }

  /**
   * From each view's watermark (or end - ttl the first time; the epoch when ttl is 0) to {@code
   * end}.
   */
  public List<ViewResult> materializeIncremental(
      FeatureRepo repo, Instant end, List<String> views, Progress progress) {
    requireNonNull(repo, "repo is null");
    requireNonNull(end, "end is null");
    List<FeatureView> selected = select(repo, views);
    Progress p = progress == null ? Progress.NONE : progress;
    List<ViewResult> results = new ArrayList<>(selected.size());
    for (FeatureView view : selected) {
      Instant start = incrementalStart(repo.project(), view, end);
      if (start.isAfter(end)) {
        results.add(new ViewResult(view.name(), start, end, 0, Duration.ZERO, -1));
        continue;
      }
      results.add(run(repo, view, start, end, p));
    }
    return results;
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
    long jobId = jobs.start(project, view.name(), start, end);
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
      throw failure;
    }
    Duration took = Duration.ofNanos(System.nanoTime() - began);
    jobs.succeed(jobId, writer.written());
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
    if (e instanceof UnavailableException) {
      return new UnavailableException(message, e);
    }
    if (e instanceof InvalidRequestException) {
      return new InvalidRequestException(message, e);
    }
    return new FletchException(message, e);
  }
}
