package dev.fletch.registry;

import static java.util.Objects.requireNonNull;

import dev.fletch.core.ConflictException;
import dev.fletch.core.DefinitionJson;
import dev.fletch.core.InvalidRequestException;
import dev.fletch.core.JobHistory;
import dev.fletch.core.NotFoundException;
import dev.fletch.core.stats.DatasetStats;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Job history and watermarks in the registry database. Times are kept to the microsecond: a
 * watermark read back may be up to 999 ns earlier than the range end given, which only makes the
 * next incremental run re-read that instant (harmless: materialization is idempotent).
 */
final class SqlJobHistory implements JobHistory {
  private final Registry registry;
  private final java.time.Clock clock;

  SqlJobHistory(Registry registry) {
    this(registry, java.time.Clock.systemUTC());
  }

  /** With a clock of the test's (job start, heartbeat and finish times, abandonment). */
  SqlJobHistory(Registry registry, java.time.Clock clock) {
    this.registry = registry;
    this.clock = clock;
  }

  @Override
  public Optional<Instant> watermark(String project, String view) {
    requireNonNull(project, "project is null");
    requireNonNull(view, "view is null");
    return registry.withHandle(
        h ->
            h.createQuery(
                    "SELECT \"watermark\" FROM \"watermarks\" WHERE \"project\" = :p AND \"view\" = :v")
                .bind("p", project)
                .bind("v", view)
                .mapTo(Long.class)
                .findOne()
                .map(Schema::instant));
  }

  @Override
  public Optional<StoreWatermark> watermark(String project, String view, String storeMarker) {
    requireNonNull(project, "project is null");
    requireNonNull(view, "view is null");
    requireNonNull(storeMarker, "storeMarker is null");
    return registry.withHandle(
        h ->
            h.createQuery(
                    "SELECT \"watermark\", \"view_schema\" FROM \"store_watermarks\" WHERE \"project\" = :p"
                        + " AND \"view\" = :v AND \"store_marker\" = :m")
                .bind("p", project)
                .bind("v", view)
                .bind("m", storeMarker)
                .map(
                    (rs, ctx) -> new StoreWatermark(Schema.instant(rs.getLong(1)), rs.getString(2)))
                .findOne());
  }

  @Override
  public void resetWatermark(String project, String view) {
    requireNonNull(project, "project is null");
    requireNonNull(view, "view is null");
    registry.inTransaction(
        h -> {
          for (String table : List.of("watermarks", "store_watermarks")) {
            h.createUpdate("DELETE FROM \"" + table + "\" WHERE \"project\" = :p AND \"view\" = :v")
                .bind("p", project)
                .bind("v", view)
                .execute();
          }
          return null;
        });
  }

  @Override
  public void heartbeat(long jobId) {
    registry.withHandle(
        h ->
            h.createUpdate(
                    "UPDATE \"jobs\" SET \"heartbeat_at\" = :at WHERE \"id\" = :id AND \"status\" = :st")
                .bind("at", Schema.micros(clock.instant()))
                .bind("id", jobId)
                .bind("st", Status.RUNNING.name())
                .execute());
  }

  @Override
  public long start(String project, String view, Instant rangeStart, Instant rangeEnd) {
    requireNonNull(project, "project is null");
    requireNonNull(view, "view is null");
    requireNonNull(rangeEnd, "rangeEnd is null");
    if (rangeStart != null && rangeStart.isAfter(rangeEnd)) {
      throw new InvalidRequestException(
          "job range start " + rangeStart + " is after its end " + rangeEnd);
    }
    return registry.withHandle(
        h ->
            h.createQuery(
                    "INSERT INTO \"jobs\" (\"project\", \"view\", \"range_start\", \"range_end\", \"status\", \"rows\","
                        + " \"started_at\") VALUES (:p, :v, :s, :e, :st, 0, :at) RETURNING \"id\"")
                .bind("p", project)
                .bind("v", view)
                .bind("s", rangeStart == null ? null : Schema.micros(rangeStart))
                .bind("e", Schema.micros(rangeEnd))
                .bind("st", Status.RUNNING.name())
                .bind("at", Schema.micros(clock.instant()))
                .mapTo(Long.class)
                .one());
  }

  @Override
  public void succeed(long jobId, long rows) {
    succeed(jobId, rows, null, null);
  }

  @Override
  public void succeed(long jobId, long rows, String storeMarker, String viewSchema) {
    registry.inTransaction(
        h -> {
          JobRecord job = finish(h, jobId, Status.SUCCEEDED, rows, null);
          if (storeMarker != null) {
            // Within one store, never backwards; a new schema is recorded with any job that
            // reaches at least as far (a full run after the change always does).
            h.createUpdate(
                    "INSERT INTO \"store_watermarks\" (\"project\", \"view\", \"store_marker\", \"watermark\","
                        + " \"view_schema\", \"job_id\", \"updated_at\") VALUES (:p, :v, :m, :w, :s, :id, :at)"
                        + " ON CONFLICT (\"project\", \"view\", \"store_marker\") DO UPDATE SET"
                        + " \"watermark\" = excluded.\"watermark\", \"view_schema\" = excluded.\"view_schema\","
                        + " \"job_id\" = excluded.\"job_id\", \"updated_at\" = excluded.\"updated_at\""
                        + " WHERE excluded.\"watermark\" >= \"store_watermarks\".\"watermark\"")
                .bind("p", job.project())
                .bind("v", job.view())
                .bind("m", storeMarker)
                .bind("w", Schema.micros(job.rangeEnd()))
                .bind("s", viewSchema == null ? "" : viewSchema)
                .bind("id", jobId)
                .bind("at", Schema.micros(clock.instant()))
                .execute();
          }
          // Upsert that never moves backwards: an older job finishing late leaves a newer watermark
          // alone.
          h.createUpdate(
                  "INSERT INTO \"watermarks\" (\"project\", \"view\", \"watermark\", \"job_id\", \"updated_at\")"
                      + " VALUES (:p, :v, :w, :id, :at) ON CONFLICT (\"project\", \"view\") DO UPDATE SET"
                      + " \"watermark\" = excluded.\"watermark\", \"job_id\" = excluded.\"job_id\","
                      + " \"updated_at\" = excluded.\"updated_at\""
                      + " WHERE excluded.\"watermark\" > \"watermarks\".\"watermark\"")
              .bind("p", job.project())
              .bind("v", job.view())
              .bind("w", Schema.micros(job.rangeEnd()))
              .bind("id", jobId)
              .bind("at", Schema.micros(clock.instant()))
              .execute();
          return null;
        });
  }

  @Override
  public void fail(long jobId, long rows, String error) {
    registry.inTransaction(
        h ->
            finish(
                h,
                jobId,
                Status.FAILED,
                rows,
                // Job records are read by people (fletch jobs, the jobs API): no credentials.
                error == null ? "unknown error" : dev.fletch.core.Secrets.mask(error)));
  }

  private JobRecord finish(
      org.jdbi.v3.core.Handle h, long jobId, Status status, long rows, String error) {
    JobRecord job = find(h, jobId);
    // ABANDONED is RUNNING whose heartbeats lapsed: its process may still finish it.
    if (job.status() != Status.RUNNING && job.status() != Status.ABANDONED) {
      throw new ConflictException("job " + jobId + " already finished as " + job.status());
    }
    h.createUpdate(
            "UPDATE \"jobs\" SET \"status\" = :st, \"rows\" = :r, \"finished_at\" = :at, \"error\" = :err WHERE \"id\" = :id")
        .bind("st", status.name())
        .bind("r", rows)
        .bind("at", Schema.micros(clock.instant()))
        .bind("err", error)
        .bind("id", jobId)
        .execute();
    return job;
  }

  private JobRecord find(org.jdbi.v3.core.Handle h, long jobId) {
    return h.createQuery(SELECT + " WHERE \"id\" = :id")
        .bind("id", jobId)
        .map(this::row)
        .findOne()
        .orElseThrow(() -> new NotFoundException("job", Long.toString(jobId)));
  }

  @Override
  public List<JobRecord> recent(String project, String view, int limit) {
    requireNonNull(project, "project is null");
    if (limit <= 0) {
      throw new InvalidRequestException("limit must be positive, got " + limit);
    }
    return registry.withHandle(
        h ->
            h.createQuery(
                    SELECT
                        + " WHERE \"project\" = :p"
                        + (view == null ? "" : " AND \"view\" = :v")
                        + " ORDER BY \"id\" DESC LIMIT :lim")
                .bind("p", project)
                .bind("v", view)
                .bind("lim", limit)
                .map(this::row)
                .list());
  }

  @Override
  public void recordStats(long jobId, DatasetStats stats) {
    requireNonNull(stats, "stats is null");
    String json = DefinitionJson.write(stats);
    registry.inTransaction(
        h -> {
          JobRecord job = find(h, jobId);
          h.createUpdate("DELETE FROM \"job_stats\" WHERE \"job_id\" = :id")
              .bind("id", jobId)
              .execute();
          h.createUpdate(
                  "INSERT INTO \"job_stats\" (\"job_id\", \"project\", \"view\", \"computed_at\", \"stats\")"
                      + " VALUES (:id, :p, :v, :at, :s)")
              .bind("id", jobId)
              .bind("p", job.project())
              .bind("v", job.view())
              .bind("at", Schema.micros(stats.computedAt()))
              .bind("s", json)
              .execute();
          return null;
        });
  }

  @Override
  public Optional<JobStats> stats(long jobId) {
    return registry.withHandle(
        h ->
            h.createQuery("SELECT \"stats\" FROM \"job_stats\" WHERE \"job_id\" = :id")
                .bind("id", jobId)
                .mapTo(String.class)
                .findOne()
                .map(
                    json ->
                        new JobStats(
                            find(h, jobId), DefinitionJson.read(json, DatasetStats.class))));
  }

  @Override
  public Optional<JobStats> latestStats(String project, String view) {
    requireNonNull(project, "project is null");
    requireNonNull(view, "view is null");
    return registry.withHandle(
        h ->
            h.createQuery(
                    "SELECT \"job_id\", \"stats\" FROM \"job_stats\" WHERE \"project\" = :p AND \"view\" = :v"
                        + " ORDER BY \"job_id\" DESC LIMIT 1")
                .bind("p", project)
                .bind("v", view)
                .map((rs, ctx) -> Map.entry(rs.getLong(1), rs.getString(2)))
                .findOne()
                .map(
                    e ->
                        new JobStats(
                            find(h, e.getKey()),
                            DefinitionJson.read(e.getValue(), DatasetStats.class))));
  }

  private static final String SELECT =
      "SELECT \"id\", \"project\", \"view\", \"range_start\", \"range_end\", \"status\", \"rows\", \"started_at\","
          + " \"finished_at\", \"error\", \"heartbeat_at\" FROM \"jobs\"";

  private JobRecord row(java.sql.ResultSet rs, org.jdbi.v3.core.statement.StatementContext ctx)
      throws java.sql.SQLException {
    Instant now = clock.instant();
    Status status = Status.valueOf(rs.getString(6));
    Long beat = nullableLong(rs, 11);
    long lastSign = beat != null ? beat : rs.getLong(8);
    if (status == Status.RUNNING && lastSign < Schema.micros(now.minus(HEARTBEAT_TIMEOUT))) {
      status = Status.ABANDONED;
    }
    return new JobRecord(
        rs.getLong(1),
        rs.getString(2),
        rs.getString(3),
        Schema.instant(nullableLong(rs, 4)),
        Schema.instant(rs.getLong(5)),
        status,
        rs.getLong(7),
        Schema.instant(rs.getLong(8)),
        Schema.instant(nullableLong(rs, 9)),
        rs.getString(10));
  }

  private static Long nullableLong(java.sql.ResultSet rs, int column) throws java.sql.SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? null : v;
  }
}
