package dev.fletch.offline;

import static dev.fletch.offline.TestData.feature;
import static dev.fletch.offline.TestData.q;
import static dev.fletch.offline.TestData.sql;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fletch.core.InvalidRequestException;
import dev.fletch.core.model.Aggregation;
import dev.fletch.core.model.AggregationFunction;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.model.FeatureRow;
import dev.fletch.core.model.FeatureView;
import dev.fletch.core.model.Source;
import dev.fletch.core.model.SourceFormat;
import dev.fletch.core.model.ValueType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every time encoding Parquet files come with (seconds, milliseconds, microseconds, nanoseconds,
 * INT96; naive or adjusted to UTC) is read by one rule, {@link TimeTypes}, in entity sets, sources,
 * created times, TIMESTAMP features, aggregations, push logs and the scans behind materialization:
 * as UTC, floored to the microsecond. The nanosecond cases fail with a rounding cast (an event at
 * .123456789 would land at .123457, in its own future) and were refused before.
 */
class TimeUnitsTest {
  @TempDir Path dir;
  private DuckDbOfflineStore store;

  /**
   * The event of every source below: 2024-03-01 10:00:00.123456789 UTC, at the type's precision.
   */
  private static final Map<String, String> EVENT = new LinkedHashMap<>();

  /** That event as the offline store must see it: floored to microseconds. */
  private static final Map<String, Instant> FLOORED = new LinkedHashMap<>();

  static {
    event("TIMESTAMP_S", "2024-03-01 10:00:00", "2024-03-01T10:00:00Z");
    event("TIMESTAMP_MS", "2024-03-01 10:00:00.123", "2024-03-01T10:00:00.123Z");
    event("TIMESTAMP", "2024-03-01 10:00:00.123456", "2024-03-01T10:00:00.123456Z");
    event("TIMESTAMP_NS", "2024-03-01 10:00:00.123456789", "2024-03-01T10:00:00.123456Z");
    event("TIMESTAMPTZ", "2024-03-01 11:00:00.123456+01", "2024-03-01T10:00:00.123456Z");
    event("TIMESTAMPTZ_NS", "2024-03-01 11:00:00.123456789+01", "2024-03-01T10:00:00.123456Z");
    event("DATE", "2024-03-01", "2024-03-01T00:00:00Z");
  }

  private static void event(String type, String literal, String floored) {
    EVENT.put(type, literal);
    FLOORED.put(type, Instant.parse(floored));
  }

  @BeforeEach
  void setUp() {
    store = new DuckDbOfflineStore();
  }

  @AfterEach
  void tearDown() {
    store.close();
  }

  private static String value(String type) {
    return "CAST('" + EVENT.get(type) + "' AS " + type + ")";
  }

  /**
   * Source "s" (customer 1, two versions of one event told apart by created time, both of {@code
   * type}), a plain view "v" (x, and the event time again as a TIMESTAMP feature "seen"), an
   * aggregated view "agg" (count and sum over 1h) and a push log.
   */
  private FeatureRepo repo(String type) {
    // The correction: created an hour after the event (a day, for dates).
    String created =
        "CAST('"
            + (type.equals("DATE")
                ? "2024-03-02"
                : EVENT.get(type).replace("11:00:00", "12:00:00").replace("10:00:00", "11:00:00"))
            + "' AS "
            + type
            + ")";
    sql(
        "COPY (SELECT 1::BIGINT AS customer_id, "
            + value(type)
            + " AS event_ts, "
            + value(type)
            + " AS created_ts, 1::BIGINT AS x, "
            + value(type)
            + " AS seen UNION ALL SELECT 1, "
            + value(type)
            + ", "
            + created
            + ", 2, "
            + value(type)
            + ") TO "
            + q(dir.resolve("s.parquet"))
            + " (FORMAT parquet)");
    Source source =
        new Source(
            "s",
            SourceFormat.PARQUET,
            "s.parquet",
            "event_ts",
            "created_ts",
            Map.of(),
            null,
            "pushed",
            null);
    FeatureView plain =
        TestData.view(
            "v",
            List.of("customer"),
            "s",
            null,
            feature("x", ValueType.INT64),
            feature("seen", ValueType.TIMESTAMP));
    FeatureView aggregated =
        new FeatureView(
            "agg",
            List.of("customer"),
            "s",
            null,
            true,
            List.of(),
            null,
            null,
            null,
            null,
            List.of(
                new Aggregation(
                    "n_1h", AggregationFunction.COUNT, null, null, null, Duration.ofHours(1)),
                new Aggregation(
                    "x_sum_1h",
                    AggregationFunction.SUM,
                    "x",
                    null,
                    ValueType.INT64,
                    Duration.ofHours(1))),
            Duration.ofHours(1));
    return TestData.repo(
        dir,
        List.of(TestData.entity("customer", "customer_id")),
        List.of(source),
        List.of(plain, aggregated));
  }

  private List<Map<String, Object>> historical(
      FeatureRepo repo, EntitySet entities, String timestampColumn, String... refs) {
    Path out = dir.resolve("out.parquet");
    store.historicalToFile(
        repo,
        new HistoricalRequest(entities, List.of(refs), null, timestampColumn, false, out, null));
    return store.preview(out, 100);
  }

  /** Entity rows of customer 1 at these instants, as microsecond TIMESTAMPTZ. */
  private EntitySet entitiesAt(Instant... times) {
    List<Map<String, Object>> rows = new ArrayList<>();
    for (Instant t : times) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("customer_id", 1L);
      row.put("event_timestamp", t);
      rows.add(row);
    }
    return new EntitySet.FromRows(rows);
  }

  private static Instant instant(Object v) {
    return (Instant) v;
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "TIMESTAMP_S",
        "TIMESTAMP_MS",
        "TIMESTAMP",
        "TIMESTAMP_NS",
        "TIMESTAMPTZ",
        "TIMESTAMPTZ_NS",
        "DATE"
      })
  void sourcesOfEveryTimeTypeAreReadAsFlooredUtc(String type) {
    FeatureRepo repo = repo(type);
    Instant e = FLOORED.get(type);
    List<Map<String, Object>> rows =
        historical(
            repo,
            entitiesAt(e.minusNanos(1000), e),
            null,
            "v:x",
            "v:seen",
            "agg:n_1h",
            "agg:x_sum_1h");
    // A microsecond before the (floored) event: nothing yet.
    assertNull(rows.get(0).get("x"), type);
    assertEquals(0L, rows.get(0).get("n_1h"), type);
    // At the floored event: seen, the version created last wins, counted once.
    assertEquals(2L, rows.get(1).get("x"), type);
    assertEquals(
        e, instant(rows.get(1).get("seen")), type + ": a TIMESTAMP feature is floored too");
    assertEquals(1L, rows.get(1).get("n_1h"), type);
    assertEquals(2L, rows.get(1).get("x_sum_1h"), type);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "TIMESTAMP_S",
        "TIMESTAMP_MS",
        "TIMESTAMP",
        "TIMESTAMP_NS",
        "TIMESTAMPTZ",
        "TIMESTAMPTZ_NS",
        "DATE"
      })
  void pushLogsAreReadWithSourcesOfEveryTimeType(String type) {
    FeatureRepo repo = repo(type);
    Instant later = FLOORED.get(type).plusSeconds(60);
    store.appendPushLog(
        repo,
        "s",
        List.of(
            new OfflineStore.PushColumn("customer_id", ValueType.INT64),
            new OfflineStore.PushColumn("event_ts", ValueType.TIMESTAMP),
            new OfflineStore.PushColumn("x", ValueType.INT64),
            new OfflineStore.PushColumn("seen", ValueType.TIMESTAMP)),
        List.<Object[]>of(new Object[] {1L, later, 5L, later}));
    List<Map<String, Object>> rows =
        historical(repo, entitiesAt(later), null, "v:x", "v:seen", "agg:x_sum_1h");
    assertEquals(5L, rows.get(0).get("x"), type);
    assertEquals(later, instant(rows.get(0).get("seen")), type);
    assertEquals(7L, rows.get(0).get("x_sum_1h"), type + ": the source's 2 and the pushed 5");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "TIMESTAMP_S",
        "TIMESTAMP_MS",
        "TIMESTAMP",
        "TIMESTAMP_NS",
        "TIMESTAMPTZ",
        "TIMESTAMPTZ_NS",
        "DATE"
      })
  void materializationScansFloorEveryTimeType(String type) {
    FeatureRepo repo = repo(type);
    Instant e = FLOORED.get(type);
    List<FeatureRow> latest = new ArrayList<>();
    store.scanLatest(
        repo, repo.view("v"), e.minusSeconds(1), e.plusSeconds(1), 100, latest::addAll);
    assertEquals(1, latest.size(), type);
    assertEquals(e, latest.get(0).eventTime(), type);
    assertEquals(List.of(2L, e), latest.get(0).values(), type);
    // The range's end is the floored event itself: a rounded-up event would fall outside it.
    latest.clear();
    store.scanLatest(repo, repo.view("v"), e.minusSeconds(1), e, 100, latest::addAll);
    assertEquals(1, latest.size(), type + ": an event at the range's end is in it");
    List<Long> events = new ArrayList<>();
    store.scanEvents(
        repo,
        repo.view("agg"),
        e.minusSeconds(1),
        e,
        (key, micros, created, inputs) -> events.add(micros));
    assertEquals(List.of(e.getEpochSecond() * 1_000_000 + e.getNano() / 1000), events, type);
  }

  /**
   * Entity timestamps of every type: floored, compared with source rows at 10:00:00 and 10:00:01.
   */
  @ParameterizedTest
  @CsvSource({
    "TIMESTAMP_S, 2024-03-01 10:00:00, 2024-03-01T10:00:00Z",
    "TIMESTAMP_MS, 2024-03-01 10:00:00.999, 2024-03-01T10:00:00.999Z",
    "TIMESTAMP, 2024-03-01 10:00:00.999999, 2024-03-01T10:00:00.999999Z",
    "TIMESTAMP_NS, 2024-03-01 10:00:00.999999999, 2024-03-01T10:00:00.999999Z",
    "TIMESTAMPTZ, 2024-03-01 11:00:00.999999+01, 2024-03-01T10:00:00.999999Z",
    "TIMESTAMPTZ_NS, 2024-03-01 11:00:00.999999999+01, 2024-03-01T10:00:00.999999Z",
    "VARCHAR, 2024-03-01T11:00:00.999999999+01:00, 2024-03-01T10:00:00.999999Z"
  })
  void entityTimestampsOfEveryTypeAreFlooredUtc(String type, String literal, String floored) {
    sql(
        "COPY (SELECT 1::BIGINT AS customer_id, TIMESTAMPTZ '2024-03-01 10:00:00+00' AS event_ts,"
            + " 1::BIGINT AS x UNION ALL SELECT 1, TIMESTAMPTZ '2024-03-01 10:00:01+00', 2) TO "
            + q(dir.resolve("s.parquet"))
            + " (FORMAT parquet)",
        "COPY (SELECT 1::BIGINT AS customer_id, CAST('"
            + literal
            + "' AS "
            + type
            + ") AS event_timestamp, 'label' AS label) TO "
            + q(dir.resolve("entities.parquet"))
            + " (FORMAT parquet)");
    FeatureRepo repo =
        TestData.repo(
            dir,
            List.of(TestData.entity("customer", "customer_id")),
            List.of(TestData.parquet("s", "s.parquet", "event_ts", null)),
            List.of(
                TestData.view("v", List.of("customer"), "s", null, feature("x", ValueType.INT64))));
    List<Map<String, Object>> rows =
        historical(repo, new EntitySet.FromFile(dir.resolve("entities.parquet")), null, "v:x");
    // Rounded up, the .999999999 rows would see the 10:00:01 row.
    assertEquals(1L, rows.get(0).get("x"), type);
    assertEquals(
        Instant.parse(floored),
        instant(rows.get(0).get("event_timestamp")),
        type + ": the output's entity time is the floored UTC time");
    assertEquals("label", rows.get(0).get("label"));
  }

  /**
   * Files as pyarrow, pandas and Spark write them (made by make_time_units.py beside them): MILLIS
   * adjusted to UTC, seconds, NANOS from pandas (timestamp[ns, tz=UTC]), NANOS in another zone,
   * INT96. Each serves as a source and as an entity set.
   */
  @ParameterizedTest
  @CsvSource({
    "ms_utc.parquet, 2024-03-01T10:00:00.123Z",
    "s_naive.parquet, 2024-03-01T10:00:00Z",
    "ns_utc_pandas.parquet, 2024-03-01T10:00:00.123456Z",
    "ns_berlin.parquet, 2024-03-01T10:00:00.123456Z",
    "int96.parquet, 2024-03-01T10:00:00.123456Z"
  })
  void parquetFilesOfOtherWritersWork(String file, String floored) throws Exception {
    Path data = dir.resolve(file);
    try (var in = getClass().getResourceAsStream("/time-units/" + file)) {
      Files.copy(in, data);
    }
    Instant e = Instant.parse(floored);
    FeatureRepo asSource =
        TestData.repo(
            dir,
            List.of(TestData.entity("customer", "customer_id")),
            List.of(TestData.parquet("s", file, "event_ts", null)),
            List.of(
                TestData.view("v", List.of("customer"), "s", null, feature("y", ValueType.INT64))));
    List<Map<String, Object>> rows =
        historical(asSource, entitiesAt(e.minusNanos(1000), e), null, "v:y");
    assertNull(rows.get(0).get("y"), file);
    assertEquals(7L, rows.get(1).get("y"), file);

    // The same file as the entity set (its event_ts the entity time) against a source at e.
    sql(
        "COPY (SELECT 1::BIGINT AS customer_id, CAST('"
            + e
            + "' AS TIMESTAMPTZ) AS ts, 3::BIGINT AS z UNION ALL SELECT 1, CAST('"
            + e.plusNanos(1000)
            + "' AS TIMESTAMPTZ), 4) TO "
            + q(dir.resolve("src2.parquet"))
            + " (FORMAT parquet)");
    FeatureRepo other =
        TestData.repo(
            dir,
            List.of(TestData.entity("customer", "customer_id")),
            List.of(TestData.parquet("s2", "src2.parquet", "ts", null)),
            List.of(
                TestData.view(
                    "w", List.of("customer"), "s2", null, feature("z", ValueType.INT64))));
    rows = historical(other, new EntitySet.FromFile(data), "event_ts", "w:z");
    assertEquals(3L, rows.get(0).get("z"), file);
    assertEquals(e, instant(rows.get(0).get("event_ts")), file);
  }

  @Test
  void theRuleNamesWhatItAccepts() {
    for (String type : EVENT.keySet()) {
      assertTrue(TimeTypes.accepts(type), type);
    }
    assertTrue(TimeTypes.accepts("TIMESTAMP WITH TIME ZONE"));
    assertTrue(TimeTypes.accepts("VARCHAR"));
    for (String type : List.of("BIGINT", "TIME", "INTEGER", "DOUBLE", "INTERVAL", "BLOB")) {
      assertFalse(TimeTypes.accepts(type), type);
    }
    sql(
        "COPY (SELECT 1::BIGINT AS customer_id, 1709287200::BIGINT AS event_timestamp) TO "
            + q(dir.resolve("epoch.parquet"))
            + " (FORMAT parquet)");
    FeatureRepo repo = repo("TIMESTAMP");
    InvalidRequestException e =
        assertThrows(
            InvalidRequestException.class,
            () ->
                historical(
                    repo, new EntitySet.FromFile(dir.resolve("epoch.parquet")), null, "v:x"));
    assertEquals(
        "entity timestamp column 'event_timestamp' has type BIGINT; expected " + TimeTypes.ACCEPTED,
        e.getMessage());
  }
}
