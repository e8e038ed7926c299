package dev.fletch.offline;

import static dev.fletch.offline.TestData.feature;
import static dev.fletch.offline.TestData.q;
import static dev.fletch.offline.TestData.sql;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fletch.core.InvalidRequestException;
import dev.fletch.core.model.Entity;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.model.FeatureRow;
import dev.fletch.core.model.JoinKey;
import dev.fletch.core.model.ValueType;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The materializer's query: latest row per entity in a range, with values in ValueType's Java
 * types.
 */
class ScanLatestTest {
  @TempDir Path dir;
  private DuckDbOfflineStore store;
  private FeatureRepo repo;

  @BeforeEach
  void setUp() {
    store = new DuckDbOfflineStore();
    // Composite key (shop INT32, sku STRING); (1,'a') has two rows at 10:00 told apart by created
    // time.
    sql(
        "COPY (SELECT * FROM (VALUES"
            + " (1, 'a', TIMESTAMP '2024-01-01 09:00:00', TIMESTAMP '2024-01-01 09:00:00', 1),"
            + " (1, 'a', TIMESTAMP '2024-01-01 10:00:00', TIMESTAMP '2024-01-01 10:00:00', 2),"
            + " (1, 'a', TIMESTAMP '2024-01-01 10:00:00', TIMESTAMP '2024-01-01 10:30:00', 3),"
            + " (1, 'a', TIMESTAMP '2024-01-01 10:00:00', NULL, 4),"
            + " (1, 'b', TIMESTAMP '2024-01-01 08:00:00', NULL, 5),"
            + " (2, 'a', TIMESTAMP '2024-01-01 12:00:00', NULL, 6),"
            + " (2, 'a', TIMESTAMP '2024-01-01 12:00:00.000001', NULL, 7),"
            + " (NULL, 'a', TIMESTAMP '2024-01-01 10:00:00', NULL, 8))"
            + " AS t(shop, sku, event_ts, created_ts, n)) TO "
            + q(dir.resolve("s.parquet"))
            + " (FORMAT parquet)");
    repo =
        TestData.repo(
            dir,
            List.of(
                new Entity(
                    "item",
                    List.of(
                        new JoinKey("shop", ValueType.INT32), new JoinKey("sku", ValueType.STRING)),
                    null,
                    null)),
            List.of(TestData.parquet("s", "s.parquet", "event_ts", "created_ts")),
            List.of(
                TestData.view(
                    "stock",
                    List.of("item"),
                    "s",
                    Duration.ofDays(1),
                    feature("n", ValueType.INT32),
                    feature("flag", ValueType.BOOL, "n % 2 = 0"),
                    feature("big", ValueType.INT64, "n * 10000000000"),
                    feature("ratio", ValueType.FLOAT, "n / 4"),
                    feature("half", ValueType.DOUBLE, "n / 2"),
                    feature("label", ValueType.STRING, "sku || n"),
                    feature("raw", ValueType.BYTES, "encode(sku)"),
                    feature("seen", ValueType.TIMESTAMP, "event_ts + INTERVAL 1 HOUR"),
                    feature("hist", ValueType.FLOAT_LIST, "[n, NULL, n * 0.5]"),
                    feature("names", ValueType.STRING_LIST, "[sku, 'z']"),
                    feature("ids", ValueType.INT64_LIST, "[n]"))));
  }

  @AfterEach
  void tearDown() {
    store.close();
  }

  private Map<List<Object>, FeatureRow> scan(
      Instant start, Instant end, int batch, List<Integer> sizes) {
    Map<List<Object>, FeatureRow> rows = new HashMap<>();
    long n =
        store.scanLatest(
            repo,
            repo.view("stock"),
            start,
            end,
            batch,
            b -> {
              sizes.add(b.size());
              b.forEach(r -> rows.put(r.key().values(), r));
            });
    assertEquals(rows.size(), n);
    return rows;
  }

  @Test
  void latestPerEntityWithCreatedTieBreakAndJavaTypes() {
    List<Integer> sizes = new ArrayList<>();
    Map<List<Object>, FeatureRow> rows =
        scan(
            Instant.parse("2024-01-01T00:00:00Z"), Instant.parse("2024-01-02T00:00:00Z"), 2, sizes);
    assertEquals(3, rows.size()); // the row with a NULL key is skipped
    assertEquals(List.of(2, 1), sizes);
    FeatureRow a = rows.get(List.of(1L, "a"));
    assertEquals(List.of("shop", "sku"), a.key().names());
    assertEquals(Instant.parse("2024-01-01T10:00:00Z"), a.eventTime());
    List<Object> v = a.values();
    assertEquals(3, v.get(0)); // latest created wins; a NULL created time loses
    assertEquals(Boolean.FALSE, v.get(1));
    assertEquals(30000000000L, v.get(2));
    assertEquals(0.75f, v.get(3));
    assertEquals(1.5, v.get(4));
    assertEquals("a3", v.get(5));
    assertArrayEquals(new byte[] {'a'}, (byte[]) v.get(6));
    assertEquals(Instant.parse("2024-01-01T11:00:00Z"), v.get(7));
    assertEquals(java.util.Arrays.asList(3.0f, null, 1.5f), v.get(8));
    assertEquals(List.of("a", "z"), v.get(9));
    assertEquals(List.of(3L), v.get(10));
    assertEquals(7, rows.get(List.of(2L, "a")).values().get(0)); // microsecond later wins
    assertEquals(
        Instant.parse("2024-01-01T12:00:00.000001Z"), rows.get(List.of(2L, "a")).eventTime());
  }

  @Test
  void rangeBoundsAreInclusive() {
    // [09:00, 10:00]: (1,a) at 10:00 is in; 12:00 rows are out; (1,b) at 08:00 is out.
    Map<List<Object>, FeatureRow> rows =
        scan(
            Instant.parse("2024-01-01T09:00:00Z"),
            Instant.parse("2024-01-01T10:00:00Z"),
            100,
            new ArrayList<>());
    assertEquals(1, rows.size());
    assertEquals(3, rows.get(List.of(1L, "a")).values().get(0));
    // [08:00, 09:59:59]: (1,a) falls back to its 09:00 row.
    rows =
        scan(
            Instant.parse("2024-01-01T08:00:00Z"),
            Instant.parse("2024-01-01T09:59:59Z"),
            100,
            new ArrayList<>());
    assertEquals(1, rows.get(List.of(1L, "a")).values().get(0));
    assertEquals(5, rows.get(List.of(1L, "b")).values().get(0));
    // A single instant.
    rows =
        scan(
            Instant.parse("2024-01-01T12:00:00Z"),
            Instant.parse("2024-01-01T12:00:00Z"),
            100,
            new ArrayList<>());
    assertEquals(6, rows.get(List.of(2L, "a")).values().get(0));
    assertNull(rows.get(List.of(1L, "a")));
  }

  /**
   * Late rows (#24 item 2): with {@code createdSince}, rows created since then count even when
   * their event time is before the range, and only up to the range's end; the latest per entity is
   * what comes out, and the count says as much without reading the rows.
   */
  @Test
  void rowsCreatedSinceAGivenTimeAreReadWhateverTheirEventTime() {
    Instant start = Instant.parse("2024-01-01T11:00:00Z");
    Instant end = Instant.parse("2024-01-01T12:00:00Z");
    Instant createdSince = Instant.parse("2024-01-01T10:15:00Z");
    Map<List<Object>, FeatureRow> rows = new HashMap<>();
    long n =
        store.scanLatest(
            repo,
            repo.view("stock"),
            start,
            end,
            createdSince,
            100,
            b -> b.forEach(r -> rows.put(r.key().values(), r)));
    // (1,a): its 10:00 row created at 10:30 is late (created after 10:15): read, though 10:00 is
    // before the range. (1,b) was created never: not read. (2,a) at 12:00 is in the range; its
    // row a microsecond after the end is not.
    assertEquals(2, n);
    assertEquals(3, rows.get(List.of(1L, "a")).values().get(0));
    assertEquals(6, rows.get(List.of(2L, "a")).values().get(0));
    assertNull(rows.get(List.of(1L, "b")));
    assertEquals(2, store.countLatest(repo, repo.view("stock"), start, end, createdSince));
    // without it, only the range
    assertEquals(1, store.countLatest(repo, repo.view("stock"), start, end, null));
  }

  @Test
  void emptyRangeAndBadArguments() {
    List<Integer> sizes = new ArrayList<>();
    assertTrue(
        scan(
                Instant.parse("2030-01-01T00:00:00Z"),
                Instant.parse("2030-01-02T00:00:00Z"),
                10,
                sizes)
            .isEmpty());
    assertTrue(sizes.isEmpty(), "no empty batches");
    assertThrows(
        InvalidRequestException.class,
        () ->
            store.scanLatest(
                repo,
                repo.view("stock"),
                Instant.parse("2024-01-02T00:00:00Z"),
                Instant.parse("2024-01-01T00:00:00Z"),
                10,
                b -> {}));
    assertThrows(
        InvalidRequestException.class,
        () -> store.scanLatest(repo, repo.view("stock"), Instant.EPOCH, Instant.EPOCH, 0, b -> {}));
  }
}
