package dev.fletch.materializer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fletch.core.JobHistory;
import dev.fletch.core.JobHistory.JobRecord;
import dev.fletch.core.model.Entity;
import dev.fletch.core.model.EntityKey;
import dev.fletch.core.model.Feature;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.model.FeatureView;
import dev.fletch.core.model.JoinKey;
import dev.fletch.core.model.Source;
import dev.fletch.core.model.SourceFormat;
import dev.fletch.core.model.ValueType;
import dev.fletch.offline.DuckDbOfflineStore;
import dev.fletch.offline.EntitySet;
import dev.fletch.offline.HistoricalRequest;
import dev.fletch.offline.OfflineStore;
import dev.fletch.online.OnlineStore;
import dev.fletch.online.OnlineStore.ReadRequest;
import dev.fletch.online.OnlineStore.StoredValues;
import dev.fletch.registry.Registry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Materialization end to end with real stores: DuckDB over Parquet, the registry's job history, and
 * the online store of the subclass.
 */
abstract class MaterializerContract {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  static final int ENTITIES = 300;

  @TempDir Path dir;
  FeatureRepo repo;
  FeatureView view;
  Registry registry;
  JobHistory jobs;
  OfflineStore offline;
  OnlineStore online;

  abstract OnlineStore openOnline();

  @BeforeEach
  void setUp() throws Exception {
    Path data = Files.createDirectories(dir.resolve("data"));
    // Every entity has events at T0, T0+1h, T0+2h; entities divisible by 3 also at T0+5h.
    // Every 7th entity has a NULL tag.
    duckdb(
        "COPY (SELECT i AS customer_id, TIMESTAMP '2026-01-01 00:00:00' + to_hours(d) AS event_ts,"
            + " i * 1.5 + d AS amount, CAST(i + d AS INTEGER) AS cnt,"
            + " CASE WHEN i % 7 = 0 THEN NULL ELSE 'c' || i || '-' || d END AS tag"
            + " FROM range(0, "
            + ENTITIES
            + ") a(i), (SELECT unnest([0, 1, 2, 5]) AS d) b"
            + " WHERE d < 5 OR i % 3 = 0) TO '"
            + data.resolve("tx.parquet")
            + "' (FORMAT PARQUET)");
    view =
        new FeatureView(
            "customer_stats",
            List.of("customer"),
            "tx",
            Duration.ofDays(1),
            true,
            List.of(
                new Feature("amount", ValueType.DOUBLE, null, null, null),
                new Feature("cnt", ValueType.INT32, null, null, null),
                new Feature("tag", ValueType.STRING, null, null, null),
                new Feature("doubled", ValueType.DOUBLE, "amount * 2", null, null)),
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            // no re-read before the watermark: incremental runs start exactly there
            Duration.ZERO);
    repo =
        new FeatureRepo(
            "m" + UUID.randomUUID().toString().substring(0, 8),
            List.of(
                new Entity(
                    "customer", List.of(new JoinKey("customer_id", ValueType.INT64)), null, null)),
            List.of(
                new Source(
                    "tx",
                    SourceFormat.PARQUET,
                    "data/tx.parquet",
                    "event_ts",
                    null,
                    Map.of(),
                    null)),
            List.of(view),
            List.of(),
            dir);
    registry = Registry.open("jdbc:sqlite:" + dir.resolve("registry.db"));
    jobs = registry.jobHistory();
    offline = new DuckDbOfflineStore();
    online = openOnline();
  }

  @AfterEach
  void tearDown() {
    online.close();
    offline.close();
    registry.close();
  }

  static void duckdb(String sql) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement s = c.createStatement()) {
      s.execute("SET TimeZone = 'UTC'");
      s.execute(sql);
    }
  }

  Materializer materializer(Materializer.Options options) {
    return new Materializer(offline, online, jobs, options);
  }

  static Materializer.Options smallBatches() {
    return new Materializer.Options(
        64, 4, 3, Duration.ofMillis(50), Duration.ofMillis(200), Duration.ZERO);
  }

  List<StoredValues> readAll() {
    List<ReadRequest> requests = new ArrayList<>();
    for (long i = 0; i < ENTITIES; i++) {
      requests.add(new ReadRequest(EntityKey.of("customer_id", i), view));
    }
    return online.read(repo.project(), requests).join();
  }

  /**
   * What the source says entity {@code i}'s latest values are when its latest event is {@code d}
   * hours in.
   */
  static List<Object> expected(long i, int d) {
    double amount = i * 1.5 + d;
    return java.util.Arrays.asList(
        amount, (int) (i + d), i % 7 == 0 ? null : "c" + i + "-" + d, amount * 2);
  }

  @Test
  void materializesTheLatestRowPerEntityLikeHistoricalRetrieval() {
    Instant end = T0.plus(Duration.ofHours(6));
    List<Materializer.ViewResult> results =
        materializer(smallBatches()).materialize(repo, T0, end, List.of(), null);
    assertEquals(ENTITIES, results.get(0).rows());
    List<StoredValues> stored = readAll();
    for (int i = 0; i < ENTITIES; i++) {
      int latest = i % 3 == 0 ? 5 : 2;
      assertEquals(T0.plus(Duration.ofHours(latest)), stored.get(i).eventTime(), "entity " + i);
      assertEquals(expected(i, latest), stored.get(i).values(), "entity " + i);
    }

    // Cross-check: a historical retrieval for the same entities at the end of the range.
    List<Map<String, Object>> entityRows = new ArrayList<>();
    for (long i = 0; i < ENTITIES; i += 7) {
      Map<String, Object> row = new HashMap<>();
      row.put("customer_id", i);
      row.put("event_timestamp", end);
      entityRows.add(row);
    }
    Path out = dir.resolve("historical.parquet");
    offline.historicalToFile(
        repo,
        new HistoricalRequest(
            new EntitySet.FromRows(entityRows),
            List.of("customer_stats:*"),
            null,
            null,
            false,
            out,
            null));
    List<Map<String, Object>> historical = offline.preview(out, 10_000);
    assertEquals(entityRows.size(), historical.size());
    for (Map<String, Object> h : historical) {
      long id = ((Number) h.get("customer_id")).longValue();
      List<Object> onlineValues = stored.get((int) id).values();
      for (int f = 0; f < view.features().size(); f++) {
        Object hv = h.get(view.features().get(f).name());
        Object ov = onlineValues.get(f);
        if (hv instanceof Number n) {
          assertEquals(n.doubleValue(), ((Number) ov).doubleValue(), 1e-9, "entity " + id);
        } else {
          assertEquals(hv, ov, "entity " + id + " feature " + view.features().get(f).name());
        }
      }
    }

    JobRecord job = jobs.recent(repo.project(), view.name(), 10).get(0);
    assertEquals(JobHistory.Status.SUCCEEDED, job.status());
    assertEquals(ENTITIES, job.rows());
  }

  @Test
  void aJobRecordsTheStatisticsOfTheRowsItWrote() {
    Instant end = T0.plus(Duration.ofHours(6));
    List<Materializer.ViewResult> results =
        materializer(smallBatches()).materialize(repo, T0, end, List.of(), null);
    JobHistory.JobStats recorded = jobs.latestStats(repo.project(), view.name()).orElseThrow();
    assertEquals(results.get(0).jobId(), recorded.job().id());
    dev.fletch.core.stats.DatasetStats stats = recorded.stats();
    assertEquals(ENTITIES, stats.rows());
    assertEquals(
        List.of("amount", "cnt", "tag", "doubled"),
        stats.columns().stream().map(c -> c.name()).toList());
    // The same figures from what the online store now holds.
    List<StoredValues> stored = readAll();
    double[] amounts = stored.stream().mapToDouble(v -> (Double) v.values().get(0)).toArray();
    var amount = stats.column("amount").orElseThrow();
    assertEquals(java.util.Arrays.stream(amounts).average().orElseThrow(), amount.mean(), 1e-9);
    assertEquals(java.util.Arrays.stream(amounts).min().orElseThrow(), amount.min(), 0);
    assertEquals(java.util.Arrays.stream(amounts).max().orElseThrow(), amount.max(), 0);
    long nullTags = stored.stream().filter(v -> v.values().get(2) == null).count();
    assertEquals(nullTags, stats.column("tag").orElseThrow().nulls());

    // Without statistics the job records none.
    String other = "m" + UUID.randomUUID().toString().substring(0, 8);
    FeatureRepo second =
        new FeatureRepo(
            other, repo.entities(), repo.sources(), repo.featureViews(), List.of(), dir);
    materializer(smallBatches().withoutStatistics()).materialize(second, T0, end, List.of(), null);
    assertEquals(Optional.empty(), jobs.latestStats(other, view.name()));
  }

  @Test
  void incrementalRunsMoveTheWatermark() {
    Materializer m = materializer(smallBatches());
    Instant first = T0.plus(Duration.ofHours(3));
    List<Materializer.ViewResult> r1 =
        m.materializeIncremental(repo, first, List.of(view.name()), null);
    assertEquals(first.minus(view.ttl()), r1.get(0).start(), "first run starts at end - ttl");
    assertEquals(Optional.of(first), jobs.watermark(repo.project(), view.name()));
    List<StoredValues> afterFirst = readAll();
    assertEquals(expected(3, 2), afterFirst.get(3).values());

    Instant second = T0.plus(Duration.ofHours(8));
    List<Materializer.ViewResult> r2 = m.materializeIncremental(repo, second, List.of(), null);
    assertEquals(first, r2.get(0).start(), "second run starts at the watermark");
    assertEquals(ENTITIES / 3, r2.get(0).rows(), "only entities with new events");
    assertEquals(Optional.of(second), jobs.watermark(repo.project(), view.name()));
    List<StoredValues> afterSecond = readAll();
    assertEquals(expected(3, 5), afterSecond.get(3).values());
    assertEquals(
        expected(4, 2), afterSecond.get(4).values(), "untouched entities keep their values");
    assertEquals(2, jobs.recent(repo.project(), view.name(), 10).size());
  }

  @Test
  void rematerializingAnOlderRangeNeverOverwritesNewerValues() {
    Materializer m = materializer(smallBatches());
    m.materialize(repo, T0, T0.plus(Duration.ofHours(6)), List.of(), null);
    m.materialize(repo, T0, T0.plus(Duration.ofMinutes(30)), List.of(), null);
    List<StoredValues> stored = readAll();
    assertEquals(expected(3, 5), stored.get(3).values());
    assertEquals(T0.plus(Duration.ofHours(2)), stored.get(1).eventTime());
  }
}
