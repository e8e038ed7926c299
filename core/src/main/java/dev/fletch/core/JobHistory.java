package dev.fletch.core;

import dev.fletch.core.stats.DatasetStats;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Materialization watermarks and job history, kept in the registry database. A watermark moves only
 * through {@link #succeed}, in the same transaction that records the job as successful.
 */
public interface JobHistory {
  enum Status {
    RUNNING,
    SUCCEEDED,
    FAILED,
    /**
     * Shown for a RUNNING job whose process stopped beating ({@link #HEARTBEAT_TIMEOUT}): killed,
     * or its machine gone. It blocks nothing; re-running the view finishes the work.
     */
    ABANDONED
  }

  /** How often a running job's process says it is alive. */
  Duration HEARTBEAT_EVERY = Duration.ofSeconds(10);

  /** A RUNNING job silent for this long is shown as ABANDONED. */
  Duration HEARTBEAT_TIMEOUT = Duration.ofSeconds(60);

  /**
   * A view's watermark as a claim about one online store: the rows up to {@code watermark} of the
   * view as it was defined then ({@code viewSchema}, see {@code Materializer.viewSchema}) are in
   * the store whose content marker it was recorded under.
   */
  record StoreWatermark(Instant watermark, String viewSchema) {}

  record JobRecord(
      long id,
      String project,
      String view,
      Instant rangeStart,
      Instant rangeEnd,
      Status status,
      long rows,
      Instant startedAt,
      Instant finishedAt,
      String error) {}

  /** The end of the last successful materialization of the view, if any. */
  Optional<Instant> watermark(String project, String view);

  /**
   * The view's watermark in the online store whose content marker is {@code storeMarker}, if a job
   * recorded one there.
   */
  Optional<StoreWatermark> watermark(String project, String view, String storeMarker);

  /**
   * As {@link #succeed(long, long)}, and records the watermark as a claim about the store with
   * {@code storeMarker} and the view's schema (never moving it backwards within that store).
   */
  void succeed(long jobId, long rows, String storeMarker, String viewSchema);

  /** The job's process is alive; a RUNNING job that stops calling this shows as ABANDONED. */
  void heartbeat(long jobId);

  /** Records a RUNNING job and returns its id. */
  long start(String project, String view, Instant rangeStart, Instant rangeEnd);

  /**
   * Marks the job SUCCEEDED and moves the view's watermark to the job's range end (never
   * backwards).
   */
  void succeed(long jobId, long rows);

  /** Marks the job FAILED with the error; the watermark does not move. */
  void fail(long jobId, long rows, String error);

  /**
   * Forgets the view's watermark, so that the next incremental run starts from scratch (end - ttl).
   * Called when a view's online data is deleted; job records are kept. Idempotent.
   */
  void resetWatermark(String project, String view);

  /** The newest jobs of a project first; {@code view} null for all views. */
  List<JobRecord> recent(String project, String view, int limit);

  /** A job and the statistics of the rows it wrote. */
  record JobStats(JobRecord job, DatasetStats stats) {}

  /**
   * Records the statistics of the rows a job wrote (replacing any recorded for it before). A
   * history that keeps none ignores them.
   */
  default void recordStats(long jobId, DatasetStats stats) {}

  /** The statistics recorded for a job, if any. */
  default Optional<JobStats> stats(long jobId) {
    return Optional.empty();
  }

  /** The newest job of the view that has statistics, with them. */
  default Optional<JobStats> latestStats(String project, String view) {
    return Optional.empty();
  }
}
