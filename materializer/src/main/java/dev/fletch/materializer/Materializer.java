package dev.fletch.materializer;

import dev.fletch.core.JobHistory;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.offline.OfflineStore;
import dev.fletch.online.OnlineStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** STUB: the materializer issue replaces this. Offline -> online jobs with watermarks and history. */
public final class Materializer {
  /** Called now and then during a job with the rows written so far. */
  public interface Progress {
    void update(String view, long rows, double rowsPerSecond);
  }

  /** The outcome of one view's job. */
  public record ViewResult(String view, Instant start, Instant end, long rows, Duration took, long jobId) {}

  public Materializer(OfflineStore offline, OnlineStore online, JobHistory jobs) {}

  /** Materializes [start, end] for the named online views (all online views when {@code views} is empty). */
  public List<ViewResult> materialize(
      FeatureRepo repo, Instant start, Instant end, List<String> views, Progress progress) {
    throw new UnsupportedOperationException("not implemented yet");
  }

  /** From each view's watermark (or end - ttl the first time) to {@code end}. */
  public List<ViewResult> materializeIncremental(
      FeatureRepo repo, Instant end, List<String> views, Progress progress) {
    throw new UnsupportedOperationException("not implemented yet");
  }
}
