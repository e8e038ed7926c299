package dev.fletch.offline;

import static dev.fletch.offline.TestData.feature;
import static dev.fletch.offline.TestData.q;
import static dev.fletch.offline.TestData.sql;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.model.FeatureRow;
import dev.fletch.core.model.ValueType;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DuckDbOfflineStoreTest {
  @TempDir Path dir;
  private DuckDbOfflineStore store;
  private FeatureRepo repo;

  private static Instant t(String iso) {
    return Instant.parse(iso);
  }

  @BeforeEach
  void setUp() {
    store = new DuckDbOfflineStore();
    // customer 1: rows at 10:00 (two created versions) and 12:00; customer 2: a row at 09:00.
    sql(
        "COPY (SELECT * FROM (VALUES"
            + " (1, TIMESTAMP '2024-01-01 10:00:00', TIMESTAMP '2024-01-01 10:05:00', 10, 1.5),"
            + " (1, TIMESTAMP '2024-01-01 10:00:00', TIMESTAMP '2024-01-01 10:06:00', 11, 2.5),"
            + " (1, TIMESTAMP '2024-01-01 12:00:00', TIMESTAMP '2024-01-01 12:00:00', 20, NULL),"
            + " (2, TIMESTAMP '2024-01-01 09:00:00', TIMESTAMP '2024-01-01 09:00:00', 30, 3.5))"
            + " AS t(customer_id, event_ts, created_ts, txn_count, amount)) TO "
            + q(dir.resolve("tx.parquet"))
            + " (FORMAT parquet)");
    repo =
        TestData.repo(
            dir,
            List.of(TestData.entity("customer", "customer_id")),
            List.of(TestData.parquet("tx", "tx.parquet", "event_ts", "created_ts")),
            List.of(
                TestData.view(
                    "stats",
                    List.of("customer"),
                    "tx",
                    Duration.ofHours(2),
                    feature("txn_count", ValueType.INT32),
                    feature("amount", ValueType.DOUBLE),
                    feature("double_count", ValueType.INT64, "txn_count * 2"))));
  }

  @AfterEach
  void tearDown() {
    store.close();
    store.close(); // idempotent
  }

  @Test
  void historicalJoinsPointInTimeKeepsInputOrderAndExtraColumns() {
    Path entities = dir.resolve("entities.parquet");
    sql(
        "COPY (SELECT * FROM (VALUES"
            + " (1, TIMESTAMP '2024-01-01 11:00:00', 'a')," // 10:00, newest created wins
            + " (2, TIMESTAMP '2024-01-01 08:00:00', 'b')," // before any row: NULL
            + " (1, TIMESTAMP '2024-01-01 12:00:00', 'c')," // exactly on the event time
            + " (2, TIMESTAMP '2024-01-01 11:00:00', 'd')," // 09:00 is exactly ttl old: inside
            + " (2, TIMESTAMP '2024-01-01 11:00:01', 'e')," // too old
            + " (3, TIMESTAMP '2024-01-01 11:00:00', 'f'))" // unknown entity
            + " AS t(customer_id, event_timestamp, label)) TO "
            + q(entities)
            + " (FORMAT parquet)");
    Path out = dir.resolve("out/train.parquet");
    long rows =
        store.historicalToFile(
            repo,
            new HistoricalRequest(
                new EntitySet.FromFile(entities),
                List.of("stats:*"),
                null,
                null,
                false,
                out,
                null));
    assertEquals(6, rows);
    List<Map<String, Object>> got = store.preview(out, 100);
    assertEquals(
        List.of("customer_id", "event_timestamp", "label", "txn_count", "amount", "double_count"),
        new ArrayList<>(got.get(0).keySet()));
    assertEquals(
        List.of("a", "b", "c", "d", "e", "f"), got.stream().map(r -> r.get("label")).toList());
    assertEquals(11, got.get(0).get("txn_count"));
    assertEquals(2.5, got.get(0).get("amount"));
    assertEquals(22L, got.get(0).get("double_count"));
    assertNull(got.get(1).get("txn_count"));
    assertEquals(20, got.get(2).get("txn_count"));
    assertNull(got.get(2).get("amount"));
    assertEquals(30, got.get(3).get("txn_count"));
    assertNull(got.get(4).get("txn_count"));
    assertNull(got.get(5).get("txn_count"));
    assertEquals(t("2024-01-01T11:00:00Z"), got.get(0).get("event_timestamp"));
  }

  @Test
  void scanLatestPicksNewestRowPerEntityInInclusiveRange() {
    List<FeatureRow> rows = new ArrayList<>();
    List<Integer> batchSizes = new ArrayList<>();
    long n =
        store.scanLatest(
            repo,
            repo.view("stats"),
            t("2024-01-01T09:00:00Z"),
            t("2024-01-01T10:00:00Z"),
            1,
            batch -> {
              batchSizes.add(batch.size());
              rows.addAll(batch);
            });
    assertEquals(2, n);
    assertEquals(List.of(1, 1), batchSizes);
    rows.sort(Comparator.comparing(r -> (Long) r.key().values().get(0)));
    FeatureRow c1 = rows.get(0);
    assertEquals(List.of("customer_id"), c1.key().names());
    assertEquals(List.of(1L), c1.key().values());
    assertEquals(t("2024-01-01T10:00:00Z"), c1.eventTime());
    assertEquals(List.of(11, 2.5, 22L), c1.values());
    assertEquals(t("2024-01-01T09:00:00Z"), rows.get(1).eventTime());
  }

  /** The worked example of the README, verbatim. */
  @Test
  void readmeWorkedExample() {
    sql(
        "COPY (SELECT * FROM (VALUES"
            + " (7, TIMESTAMP '2024-03-01 00:00', TIMESTAMP '2024-03-01 01:00', 3),"
            + " (7, TIMESTAMP '2024-03-02 00:00', TIMESTAMP '2024-03-02 01:00', 5),"
            + " (7, TIMESTAMP '2024-03-02 00:00', TIMESTAMP '2024-03-02 09:00', 6))"
            + " AS t(customer_id, event_ts, created_ts, txn_count_24h)) TO "
            + q(dir.resolve("activity.parquet"))
            + " (FORMAT parquet)");
    FeatureRepo example =
        TestData.repo(
            dir,
            List.of(TestData.entity("customer", "customer_id")),
            List.of(TestData.parquet("daily", "activity.parquet", "event_ts", "created_ts")),
            List.of(
                TestData.view(
                    "customer_activity",
                    List.of("customer"),
                    "daily",
                    Duration.ofDays(2),
                    feature("txn_count_24h", ValueType.INT64))));
    List<Map<String, Object>> rows = new ArrayList<>();
    for (String t :
        List.of(
            "2024-02-29T12:00:00Z",
            "2024-03-01T00:00:00Z",
            "2024-03-03T08:00:00Z",
            "2024-03-04T00:00:00Z",
            "2024-03-04T00:00:01Z")) {
      rows.add(Map.of("customer_id", 7L, "event_timestamp", t));
    }
    Path out = dir.resolve("example.parquet");
    store.historicalToFile(
        example,
        new HistoricalRequest(
            new EntitySet.FromRows(rows),
            List.of("customer_activity:txn_count_24h"),
            null,
            null,
            false,
            out,
            null));
    assertEquals(
        java.util.Arrays.asList(null, 3L, 6L, 6L, null),
        store.preview(out, 10).stream().map(r -> r.get("txn_count_24h")).toList());
  }

  @Test
  void duckdbOptionsAreApplied() {
    try (DuckDbOfflineStore small = new DuckDbOfflineStore(Map.of("threads", "1"))) {
      List<FeatureRow> rows = new ArrayList<>();
      small.scanLatest(
          repo,
          repo.view("stats"),
          t("2024-01-01T00:00:00Z"),
          t("2024-01-02T00:00:00Z"),
          10,
          rows::addAll);
      assertEquals(2, rows.size());
    }
    org.junit.jupiter.api.Assertions.assertThrows(
        dev.fletch.core.FletchException.class,
        () -> new DuckDbOfflineStore(Map.of("no_such_option", "1")).close());
  }

  @Test
  void nullJoinKeysNeverMatch() {
    sql(
        "COPY (SELECT * FROM (VALUES (NULL, TIMESTAMP '2024-01-01 00:00:00', 99)) AS t(customer_id,"
            + " event_ts, n)) TO "
            + q(dir.resolve("nulls.parquet"))
            + " (FORMAT parquet)");
    FeatureRepo nulls =
        TestData.repo(
            dir,
            List.of(TestData.entity("customer", "customer_id")),
            List.of(TestData.parquet("s", "nulls.parquet", "event_ts", null)),
            List.of(
                TestData.view(
                    "v", List.of("customer"), "s", Duration.ZERO, feature("n", ValueType.INT64))));
    Map<String, Object> row = new java.util.HashMap<>();
    row.put("customer_id", null);
    row.put("event_timestamp", "2024-01-02T00:00:00Z");
    Path out = dir.resolve("nulls_out.parquet");
    store.historicalToFile(
        nulls,
        new HistoricalRequest(
            new EntitySet.FromRows(List.of(row)), List.of("v:n"), null, null, false, out, null));
    assertNull(store.preview(out, 1).get(0).get("n"));
    List<FeatureRow> latest = new ArrayList<>();
    store.scanLatest(
        nulls, nulls.view("v"), Instant.EPOCH, t("2030-01-01T00:00:00Z"), 10, latest::addAll);
    assertEquals(List.of(), latest);
  }
}
