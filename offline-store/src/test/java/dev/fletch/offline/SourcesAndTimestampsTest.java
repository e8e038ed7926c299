package dev.fletch.offline;

import static dev.fletch.offline.TestData.feature;
import static dev.fletch.offline.TestData.q;
import static dev.fletch.offline.TestData.sql;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.model.Source;
import dev.fletch.core.model.SourceFormat;
import dev.fletch.core.model.ValueType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Timestamps (naive = UTC, zone-aware converted, ISO text with or without offset), field mapping,
 * expressions, and CSV sources, all through historical retrieval.
 */
class SourcesAndTimestampsTest {
  @TempDir Path dir;
  private DuckDbOfflineStore store;

  @BeforeEach
  void setUp() {
    store = new DuckDbOfflineStore();
  }

  @AfterEach
  void tearDown() {
    store.close();
  }

  private List<Map<String, Object>> retrieve(FeatureRepo repo, EntitySet entities, String... refs) {
    Path out = dir.resolve("out.parquet");
    store.historicalToFile(
        repo, new HistoricalRequest(entities, List.of(refs), null, null, false, out, null));
    return store.preview(out, 1000);
  }

  private FeatureRepo repo(Source source, Duration ttl, dev.fletch.core.model.Feature... features) {
    return TestData.repo(
        dir,
        List.of(TestData.entity("customer", "customer_id")),
        List.of(source),
        List.of(TestData.view("v", List.of("customer"), source.name(), ttl, features)));
  }

  @Test
  void zoneAwareAndNaiveTimestampsMeetInUtc() throws Exception {
    // The source holds TIMESTAMPTZ: 12:00+02:00 is 10:00 UTC.
    sql(
        "COPY (SELECT 1 AS customer_id, TIMESTAMPTZ '2024-01-01 12:00:00+02:00' AS event_ts, 7 AS"
            + " x) TO "
            + q(dir.resolve("src.parquet"))
            + " (FORMAT parquet)");
    FeatureRepo repo =
        repo(
            TestData.parquet("s", "src.parquet", "event_ts", null),
            Duration.ofHours(1),
            feature("x", ValueType.INT64));
    // Entity times as ISO text in a CSV: with an offset, and naive (= UTC).
    Files.writeString(
        dir.resolve("entities.csv"),
        "customer_id,event_timestamp\n"
            + "1,2024-01-01T11:59:00+02:00\n" // 09:59 UTC: before the row
            + "1,2024-01-01T10:00:00\n" // naive: exactly 10:00 UTC
            + "1,2024-01-01T13:00:00+02:00\n" // 11:00 UTC: exactly one ttl later, still valid
            + "1,2024-01-01 11:00:01\n"); // too old
    List<Map<String, Object>> rows =
        retrieve(repo, new EntitySet.FromFile(dir.resolve("entities.csv")), "v:x");
    assertNull(rows.get(0).get("x"));
    assertEquals(7L, rows.get(1).get("x"));
    assertEquals(7L, rows.get(2).get("x"));
    assertNull(rows.get(3).get("x"));
    // Output timestamps are UTC instants, whatever the input's zone.
    assertEquals(Instant.parse("2024-01-01T09:59:00Z"), rows.get(0).get("event_timestamp"));
    assertEquals(Instant.parse("2024-01-01T11:00:00Z"), rows.get(2).get("event_timestamp"));

    // Entity rows with a TIMESTAMPTZ column, from Parquet.
    sql(
        "COPY (SELECT 1 AS customer_id, TIMESTAMPTZ '2024-01-01 05:00:00-05:00' AS event_timestamp)"
            + " TO "
            + q(dir.resolve("entities_tz.parquet"))
            + " (FORMAT parquet)");
    List<Map<String, Object>> tz =
        retrieve(repo, new EntitySet.FromFile(dir.resolve("entities_tz.parquet")), "v:x");
    assertEquals(7L, tz.get(0).get("x")); // 10:00 UTC
    assertEquals(Instant.parse("2024-01-01T10:00:00Z"), tz.get(0).get("event_timestamp"));
  }

  @Test
  void csvSourceWithFieldMappingAndExpressions() throws Exception {
    Files.writeString(
        dir.resolve("orders.csv"),
        "cust,ts,created,amt,n\n"
            + "1,2024-01-01T10:00:00Z,2024-01-01T10:00:00Z,10.0,2\n"
            + "1,2024-01-01T10:00:00Z,2024-01-01T11:00:00Z,30.0,3\n" // correction: wins
            + "2,2024-01-01T09:00:00+01:00,2024-01-01T09:00:00Z,4.0,0\n");
    Source csv =
        new Source(
            "orders",
            SourceFormat.CSV,
            "orders.csv",
            "ts",
            "created",
            Map.of("cust", "customer_id", "amt", "amount"),
            null);
    FeatureRepo repo =
        repo(
            csv,
            Duration.ZERO,
            feature("amount", ValueType.DOUBLE),
            feature("avg", ValueType.DOUBLE, "amount / nullif(n, 0)"),
            feature("n", ValueType.INT32));
    List<Map<String, Object>> rows =
        retrieve(
            repo,
            new EntitySet.FromRows(
                List.of(
                    Map.of(
                        "customer_id", 1, "event_timestamp", Instant.parse("2024-01-01T12:00:00Z")),
                    Map.of("customer_id", 2, "event_timestamp", "2024-01-01T08:30:00Z"))),
            "v:*");
    assertEquals(30.0, rows.get(0).get("amount"));
    assertEquals(10.0, rows.get(0).get("avg"));
    assertEquals(3, rows.get(0).get("n"));
    assertEquals(4.0, rows.get(1).get("amount")); // 09:00+01:00 = 08:00 UTC <= 08:30
    assertNull(rows.get(1).get("avg")); // division by nullif(0) is NULL
  }

  @Test
  void folderAndGlobSources() throws Exception {
    Files.createDirectories(dir.resolve("data"));
    sql(
        "COPY (SELECT 1 AS customer_id, TIMESTAMP '2024-01-01 10:00:00' AS event_ts, 1 AS x) TO "
            + q(dir.resolve("data/a.parquet"))
            + " (FORMAT parquet)");
    sql(
        "COPY (SELECT 1 AS customer_id, TIMESTAMP '2024-01-02 10:00:00' AS event_ts, 2 AS x) TO "
            + q(dir.resolve("data/b.parquet"))
            + " (FORMAT parquet)");
    EntitySet one =
        new EntitySet.FromRows(
            List.of(Map.of("customer_id", 1L, "event_timestamp", "2024-01-03T00:00:00Z")));
    for (String path : List.of("data", "data/*.parquet")) {
      FeatureRepo repo =
          repo(
              TestData.parquet("s", path, "event_ts", null),
              Duration.ZERO,
              feature("x", ValueType.INT64));
      assertEquals(2L, retrieve(repo, one, "v:x").get(0).get("x"), path);
    }
  }

  @Test
  void nanosecondAndDateColumns() {
    // pandas writes nanosecond timestamps; a daily source may carry a DATE (midnight UTC).
    sql(
        "COPY (SELECT 1 AS customer_id, DATE '2024-01-02' AS day, 5 AS x) TO "
            + q(dir.resolve("daily.parquet"))
            + " (FORMAT parquet)",
        "COPY (SELECT * FROM (VALUES (1, CAST('2024-01-01 23:59:59.999999999' AS TIMESTAMP_NS)),"
            + " (1, CAST('2024-01-02 00:00:00' AS TIMESTAMP_NS))) AS t(customer_id,"
            + " event_timestamp)) TO "
            + q(dir.resolve("entities_ns.parquet"))
            + " (FORMAT parquet)");
    FeatureRepo repo =
        repo(
            TestData.parquet("d", "daily.parquet", "day", null),
            Duration.ZERO,
            feature("x", ValueType.INT64));
    List<Map<String, Object>> rows =
        retrieve(repo, new EntitySet.FromFile(dir.resolve("entities_ns.parquet")), "v:x");
    assertNull(rows.get(0).get("x"));
    assertEquals(5L, rows.get(1).get("x"));
    assertEquals(Instant.parse("2024-01-02T00:00:00Z"), rows.get(1).get("event_timestamp"));
  }
}
