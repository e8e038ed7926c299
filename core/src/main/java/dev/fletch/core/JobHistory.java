package dev.fletch.core;

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
    FAILED
  }

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
}
