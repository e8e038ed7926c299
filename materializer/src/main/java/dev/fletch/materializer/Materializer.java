package dev.fletch.materializer;

import static java.util.Objects.requireNonNull;

import dev.fletch.core.FletchException;
import dev.fletch.core.InvalidRequestException;
import dev.fletch.core.JobHistory;
import dev.fletch.core.NotFoundException;
import dev.fletch.core.UnavailableException;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.model.FeatureView;
import dev.fletch.core.stats.DatasetStats;
import dev.fletch.core.window.Windows;
import dev.fletch.offline.OfflineStore;
import dev.fletch.online.OnlineStore;
import dev.fletch.online.TileEntries;
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

    /**
     * The view's job succeeded: its rows and duration, the figures its result and {@code fletch
     * jobs} show (the job history's own start and finish times).
     */
    default void finished(String view, long rows, Duration took) {}

    Progress NONE = (view, rows, rowsPerSecond) -> {};
  }

  /**
   * The outcome of one view's job; {@code jobId} is -1 when there was nothing to do; {@code note}
   * says why an incremental run started from scratch (null otherwise).
   */
  public record ViewResult(
      String view, Instant start, Instant end, long rows, Duration took, long jobId, String note) {
    public ViewResult(
        String view, Instant start, Instant end, long rows, Duration took, long jobId) {
      this(view, start, end, rows, took, jobId, null);
    }
  }

  /**
   * Where an incremental run starts, and why it starts from scratch when it does ({@code note},
   * else null). {@code createdSince} (null for none) also selects rows created since then whatever
   * their event time, up to the run's end: the late rows of a source with a created-time column.
   * {@code watermark} is the watermark it continues from (null for a run from scratch).
   */
  record IncrementalStart(Instant start, Instant createdSince, Instant watermark, String note) {
    IncrementalStart(Instant start, String note) {
      this(start, null, null, note);
    }
  }

  private static final java.util.concurrent.ScheduledExecutorService HEARTBEATS =
      dev.fletch.core.DaemonScheduler.named("fletch-job-heartbeat");

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
   * (doubling from {@code initialBackoff} up to {@code maxBackoff}); {@code statistics}: summarise
   * the rows each job of a plain view writes and record them with the job (default on).
   */
  public record Options(
      int batchSize,
      int maxInFlight,
      int maxAttempts,
      Duration initialBackoff,
      Duration maxBackoff,
      Duration progressEvery,
      boolean statistics) {
    public Options(
        int batchSize,
        int maxInFlight,
        int maxAttempts,
        Duration initialBackoff,
        Duration maxBackoff,
        Duration progressEvery) {
      this(batchSize, maxInFlight, maxAttempts, initialBackoff, maxBackoff, progressEvery, true);
    }

    /** These options without statistics. */
    public Options withoutStatistics() {
      return new Options(
          batchSize, maxInFlight, maxAttempts, initialBackoff, maxBackoff, progressEvery, false);
    }

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
      runInto(repo, view, start, end, null, null, p, results, failures);
    }
    return new Outcome(results, failures);
  }

  /**
   * From each view's watermark (or end - ttl the first time; the epoch when ttl is 0) to {@code
   * end}, late rows included (see {@link #continueFrom}). Runs every view, then throws if any
   * failed (see {@link Outcome#orThrow()}).
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
    String marker;
    try {
      marker = marker(repo.project());
    } catch (FletchException e) {
      for (FeatureView view : selected) {
        failures.add(notStarted(view, end, "cannot read the online store's content marker", e));
      }
      return new Outcome(results, failures);
    }
    for (FeatureView view : selected) {
      IncrementalStart from;
      try {
        from = incrementalStart(repo, view, end, marker);
      } catch (RuntimeException e) {
        failures.add(notStarted(view, end, "cannot read its watermark", e));
        continue;
      }
      Instant start = from.start();
      // Nothing new when the watermark is past the end (the lateness window aside: late rows
      // come with the next run past the watermark).
      if ((from.watermark() == null ? start : from.watermark()).isAfter(end)) {
        results.add(new ViewResult(view.name(), start, end, 0, Duration.ZERO, -1));
        continue;
      }
      runInto(repo, view, start, end, from.createdSince(), from.note(), p, results, failures);
    }
    return new Outcome(results, failures);
  }

  /**
   * What one view's job would do, found without doing it: the range it would read ({@code
   * createdSince}: also rows created since then, null for none), whether it starts from scratch and
   * why, and the rows it would write ({@code rows} -1 when there is nothing to do).
   */
  public record PlannedJob(
      String view,
      Instant start,
      Instant end,
      Instant createdSince,
      boolean full,
      String why,
      long rows) {}

  /**
   * A dry run of {@link #materialize}: per view its range and the rows it would write. Nothing is
   * written to the online store, no job is recorded, no watermark moves.
   */
  public List<PlannedJob> dryRun(FeatureRepo repo, Instant start, Instant end, List<String> views) {
    requireNonNull(repo, "repo is null");
    if (end.isBefore(start)) {
      throw new InvalidRequestException("--end " + end + " is before --start " + start);
    }
    List<PlannedJob> out = new ArrayList<>();
    for (FeatureView view : select(repo, views)) {
      out.add(
          planned(
              repo,
              view,
              start,
              end,
              null,
              true,
              view.aggregated()
                  ? "materialize: per entity with events in its longest window at the end, the"
                      + " tiles of that window"
                  : "materialize: every entity's latest row in the range given"));
    }
    return out;
  }

  /**
   * A dry run of {@link #materializeIncremental}: per view where its job would start (watermark,
   * lateness, late rows by created time) or why it would start from scratch, and the rows it would
   * write. Reads the store's content marker without creating one; writes nothing, records no job.
   */
  public List<PlannedJob> dryRunIncremental(FeatureRepo repo, Instant end, List<String> views) {
    requireNonNull(repo, "repo is null");
    requireNonNull(end, "end is null");
    List<FeatureView> selected = select(repo, views);
    java.util.Optional<String> marker;
    try {
      marker = online.existingContentMarker(repo.project()).join();
    } catch (java.util.concurrent.CompletionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw cause instanceof FletchException f
          ? f
          : new FletchException("cannot read the online store's content marker", cause);
    }
    List<PlannedJob> out = new ArrayList<>();
    for (FeatureView view : selected) {
      IncrementalStart from;
      if (marker.isPresent()) {
        from = incrementalStart(repo, view, end, marker.get());
      } else {
        // No marker: the store holds nothing this project's watermarks can vouch for.
        Instant scratch = view.hasTtl() ? end.minus(view.ttl()) : Instant.EPOCH;
        from =
            new IncrementalStart(
                scratch,
                jobs.watermark(repo.project(), view.name()).isPresent()
                    ? "full run: the online store does not hold this view's watermark (another"
                        + " store, or an emptied one)"
                    : null);
      }
      if (from.watermark() != null && from.watermark().isAfter(end)) {
        out.add(
            new PlannedJob(
                view.name(),
                from.start(),
                end,
                null,
                false,
                "nothing to do: its watermark " + from.watermark() + " is past the end",
                -1));
        continue;
      }
      String why;
      if (from.watermark() == null) {
        why =
            from.note() != null
                ? from.note()
                : "full run: first job of the view in this online store, from "
                    + (view.hasTtl() ? "end - ttl" : "the beginning of time (ttl 0)");
      } else if (view.aggregated()) {
        why = "incremental from its watermark " + from.watermark() + " (recomputes whole windows)";
      } else {
        Duration lateness = view.lateness(hasCreatedTime(repo, view));
        why =
            "incremental from its watermark "
                + from.watermark()
                + (lateness.isZero()
                    ? ""
                    : " less its lateness " + dev.fletch.core.Durations.format(lateness))
                + (from.createdSince() != null
                    ? ", and rows created since " + from.createdSince() + " (late rows)"
                    : "");
      }
      out.add(
          planned(
              repo, view, from.start(), end, from.createdSince(), from.watermark() == null, why));
    }
    return out;
  }

  private PlannedJob planned(
      FeatureRepo repo,
      FeatureView view,
      Instant start,
      Instant end,
      Instant createdSince,
      boolean full,
      String why) {
    long rows;
    if (view.aggregated()) {
      Instant[] range = tileRange(view, end);
      rows = offline.countLatest(repo, view, range[0], range[1], null);
    } else {
      rows = offline.countLatest(repo, view, start, end, createdSince);
    }
    return new PlannedJob(view.name(), start, end, createdSince, full, why, rows);
  }

  /**
   * The events an aggregated view's job at {@code end} reads: those its longest window can reach at
   * {@code end}, capped at now (a window never holds events from the future).
   */
  static Instant[] tileRange(FeatureView view, Instant end) {
    Instant now = Instant.now();
    Instant until = end.isAfter(now) ? now : end;
    long untilMicros = Windows.micros(until);
    Instant from =
        Windows.instant(
            Windows.windowStart(
                untilMicros, Windows.micros(view.longestWindow()), Windows.micros(view.hop())));
    return new Instant[] {from, until};
  }

  /** A view whose job could not start: nothing written, the watermark untouched. */
  private static ViewFailure notStarted(
      FeatureView view, Instant end, String why, RuntimeException e) {
    return new ViewFailure(
        view.name(),
        null,
        end,
        0,
        wrap("materializing view '" + view.name() + "' failed: " + why + ": " + e.getMessage(), e));
  }

  /** The online store's content marker for the project (created when the store has none). */
  private String marker(String project) {
    try {
      return online.contentMarker(project).join();
    } catch (java.util.concurrent.CompletionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      if (cause instanceof FletchException f) {
        throw f;
      }
      throw new FletchException("cannot read the online store's content marker", cause);
    }
  }

  /**
   * Why {@code view}'s next incremental job will start from scratch after {@code after} replaces
   * {@code before} (null: its watermark still holds): the view is new or newly online, or what its
   * stored values depend on changed ({@link #viewSchema}). Said by {@code fletch apply}.
   */
  public static String fullRunReason(FeatureRepo before, FeatureRepo after, FeatureView view) {
    if (!view.online()) {
      return null;
    }
    FeatureView old = before == null ? null : before.findView(view.name()).orElse(null);
    if (old == null) {
      return "it is new";
    }
    if (!old.online()) {
      return "it was offline only";
    }
    if (viewSchema(before, old).equals(viewSchema(after, view))) {
      return null;
    }
    List<String> what = new ArrayList<>();
    if (!old.entities().equals(view.entities())
        || !before.joinKeys(old).equals(after.joinKeys(view))) {
      what.add("its entities or join keys changed");
    }
    if (!old.source().equals(view.source())) {
      what.add("its source changed");
    }
    List<String> added = new ArrayList<>();
    List<String> changed = new ArrayList<>();
    for (dev.fletch.core.model.Feature f : view.features()) {
      var was = old.feature(f.name());
      if (was.isEmpty()) {
        added.add(f.name());
      } else if (!was.get().equals(f)
          && (was.get().type() != f.type()
              || !java.util.Objects.equals(was.get().expression(), f.expression()))) {
        changed.add(f.name());
      }
    }
    if (!added.isEmpty()) {
      what.add("features added: " + String.join(", ", added));
    }
    if (!changed.isEmpty()) {
      what.add("features changed: " + String.join(", ", changed));
    }
    if (what.isEmpty()) {
      what.add(view.aggregated() ? "its aggregations changed" : "its features changed");
    }
    return String.join("; ", what);
  }

  /**
   * What a view's stored values depend on: its entities, source and features (names, types,
   * expressions). A job whose watermark was recorded under another schema vouches for nothing.
   */
  static String viewSchema(FeatureRepo repo, FeatureView view) {
    java.util.Map<String, Object> schema = new java.util.LinkedHashMap<>();
    schema.put("entities", view.entities());
    schema.put("join_keys", repo.joinKeys(view));
    schema.put("source", view.source());
    schema.put(
        "features",
        view.features().stream()
            .map(f -> java.util.Arrays.asList(f.name(), f.type().name(), f.expression()))
            .toList());
    if (view.aggregated()) {
      // What each feature computes, not only its name and type.
      schema.put("aggregations", view.aggregations());
      schema.put("hop", view.hop().toString());
    }
    return dev.fletch.core.DefinitionJson.contentHash(schema);
  }

  private void runInto(
      FeatureRepo repo,
      FeatureView view,
      Instant start,
      Instant end,
      Instant createdSince,
      String note,
      Progress progress,
      List<ViewResult> results,
      List<ViewFailure> failures) {
    try {
      results.add(run(repo, view, start, end, createdSince, note, progress));
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

  /**
   * Where an incremental run of the view starts: its watermark in this online store (content {@code
   * marker}) under the view's current schema; else from scratch (end - ttl, or the epoch for ttl
   * 0), with the reason when a watermark exists that does not vouch for this store or schema.
   */
  IncrementalStart incrementalStart(
      FeatureRepo repo, FeatureView view, Instant end, String marker) {
    String project = repo.project();
    Instant scratch = view.hasTtl() ? end.minus(view.ttl()) : Instant.EPOCH;
    var mine = jobs.watermark(project, view.name(), marker);
    if (mine.isPresent()) {
      if (mine.get().viewSchema().equals(viewSchema(repo, view))) {
        return continueFrom(repo, view, mine.get().watermark());
      }
      return new IncrementalStart(
          scratch, "full run: the view's entities, source or features changed since its last job");
    }
    if (jobs.watermark(project, view.name()).isPresent()) {
      return new IncrementalStart(
          scratch,
          "full run: the online store does not hold this view's watermark (another store, or an"
              + " emptied one: FLUSHALL, a restart without persistence)");
    }
    return new IncrementalStart(scratch, null);
  }

  /**
   * An incremental run after {@code watermark}: rows with event times since the watermark less the
   * view's lateness and, for a source with a created-time column, rows created since then (late
   * rows: an event time before the watermark, landed after the last job). An aggregated view's job
   * recomputes whole windows whatever its start, so late events are in it anyway.
   */
  static IncrementalStart continueFrom(FeatureRepo repo, FeatureView view, Instant watermark) {
    if (view.aggregated()) {
      return new IncrementalStart(watermark, null, watermark, null);
    }
    boolean created = hasCreatedTime(repo, view);
    Instant from = watermark.minus(view.lateness(created));
    if (from.isAfter(watermark)) {
      from = watermark;
    }
    return new IncrementalStart(from, created ? from : null, watermark, null);
  }

  /** Whether the view's source has a created-time column. */
  static boolean hasCreatedTime(FeatureRepo repo, FeatureView view) {
    String created = repo.source(view.source()).createdTimestampField();
    return created != null && !created.isBlank();
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
      FeatureRepo repo,
      FeatureView view,
      Instant start,
      Instant end,
      Instant createdSince,
      String note,
      Progress progress) {
    String project = repo.project();
    String marker;
    try {
      marker = marker(project);
    } catch (FletchException e) {
      throw new JobFailed(
          0,
          wrap(
              "materializing view '"
                  + view.name()
                  + "' failed: cannot read the online store's content marker: "
                  + e.getMessage(),
              e));
    }
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
    BatchWriter writer =
        new BatchWriter(
            online,
            project,
            view.aggregated() ? TileEntries.storageView(view) : view,
            options,
            progress);
    long every = JobHistory.HEARTBEAT_EVERY.toMillis();
    var beating =
        HEARTBEATS.scheduleWithFixedDelay(
            () -> {
              try {
                jobs.heartbeat(jobId);
              } catch (RuntimeException e) {
                LOG.debug("heartbeat of job {} failed: {}", jobId, e.getMessage());
              }
            },
            0,
            every,
            java.util.concurrent.TimeUnit.MILLISECONDS);
    java.util.concurrent.atomic.AtomicReference<DatasetStats> stats =
        new java.util.concurrent.atomic.AtomicReference<>();
    try {
      if (view.aggregated()) {
        writeTiles(repo, view, end, writer);
      } else {
        // late rows by created time (createdSince) and, when asked, the rows' statistics
        offline.scanLatest(
            repo,
            view,
            start,
            end,
            createdSince,
            options.batchSize(),
            writer::submit,
            options.statistics() ? stats::set : null);
      }
      writer.finish();
      // Acknowledged writes are lost when the store restarts without persistence (or is flushed)
      // while the job runs: its marker goes with them. Such a job must not move the watermark.
      String after = marker(project);
      if (!after.equals(marker)) {
        throw new UnavailableException(
            "the online store lost its content while the job ran (its content marker changed:"
                + " restarted without persistence, flushed, or replaced); rows written before"
                + " that are gone",
            null);
      }
    } catch (RuntimeException e) {
      beating.cancel(false);
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
    beating.cancel(false);
    try {
      jobs.succeed(jobId, writer.written(), marker, viewSchema(repo, view));
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
    if (stats.get() != null) {
      // Statistics describe the job; failing to keep them does not undo what it wrote.
      try {
        jobs.recordStats(jobId, stats.get());
      } catch (RuntimeException e) {
        LOG.warn(
            "cannot record the statistics of job {} of view '{}': {}",
            jobId,
            view.name(),
            e.getMessage());
      }
    }
    Duration took = recordedDuration(project, view, jobId, began);
    progress.finished(view.name(), writer.written(), took);
    LOG.debug(
        "materialized {} rows of view '{}' [{}, {}] in {} ms",
        writer.written(),
        view.name(),
        start,
        end,
        took.toMillis());
    return new ViewResult(view.name(), start, end, writer.written(), took, jobId, note);
  }

  /**
   * An aggregated view's job: per entity, the tiles of every event its longest window can reach at
   * {@code end} (capped at now: a window never holds events from the future), whatever the job's
   * start, so each entry is whole and replaces the one before it.
   */
  private void writeTiles(FeatureRepo repo, FeatureView view, Instant end, BatchWriter writer) {
    Instant[] range = tileRange(view, end);
    TileBuilder tiles = new TileBuilder(view, range[1], options.batchSize(), writer::submit);
    offline.scanEvents(repo, view, range[0], range[1], tiles);
    tiles.finish();
  }

  /**
   * How long the job took by the job history's clock (what {@code fletch jobs} shows), so that
   * every place that prints it prints one figure; the local clock if the record cannot be read.
   */
  private Duration recordedDuration(String project, FeatureView view, long jobId, long began) {
    try {
      for (JobHistory.JobRecord r : jobs.recent(project, view.name(), 5)) {
        if (r.id() == jobId && r.startedAt() != null && r.finishedAt() != null) {
          return Duration.between(r.startedAt(), r.finishedAt());
        }
      }
    } catch (RuntimeException e) {
      LOG.debug("cannot read back job {}: {}", jobId, e.getMessage());
    }
    return Duration.ofNanos(System.nanoTime() - began);
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
