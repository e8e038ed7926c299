package dev.fletch.offline;

import static dev.fletch.offline.TestData.q;
import static dev.fletch.offline.TestData.sql;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.fletch.core.model.Aggregation;
import dev.fletch.core.model.AggregationFunction;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.model.FeatureView;
import dev.fletch.core.model.Source;
import dev.fletch.core.model.SourceFormat;
import dev.fletch.core.model.ValueType;
import dev.fletch.testkit.WindowOracle;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.StringJoiner;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Window aggregations in historical retrieval against the brute-force semantics ({@link
 * WindowOracle}) on random events full of edge cases: events exactly at an entity row's time and
 * exactly at a window start, several events at one instant (versions of one event where the source
 * has a created time), NULL inputs, empty windows, entities without events, on Parquet and CSV.
 */
class AggregationOracleTest {
  private static final long MINUTE = 60_000_000L;
  private static final long HOUR = 60 * MINUTE;

  /** 2024-03-01T00:00:00Z in microseconds. */
  private static final long BASE = 1_709_251_200_000_000L;

  private static final List<String> FUNCTIONS =
      List.of("count_all", "count", "sum", "avg", "min", "max", "stddev", "last", "count_distinct");
  private static final List<Duration> WINDOWS =
      List.of(Duration.ofHours(1), Duration.ofHours(6), Duration.ofDays(1));

  @TempDir Path dir;

  static List<WindowOracle.Event> events(Random rnd, boolean created) {
    List<WindowOracle.Event> events = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      long entity = 1 + rnd.nextInt(5);
      // Whole minutes over two days: many on the hour (window starts), many at one instant.
      long time = BASE + rnd.nextInt(48 * 60) * MINUTE;
      Long createdAt = created && rnd.nextInt(4) > 0 ? time + rnd.nextInt(3) * MINUTE : null;
      Double value = rnd.nextInt(8) == 0 ? null : (double) (rnd.nextInt(200) - 50);
      events.add(new WindowOracle.Event(entity, time, createdAt, value));
      if (rnd.nextInt(6) == 0) {
        // Another event (or version) at the same instant.
        events.add(
            new WindowOracle.Event(
                entity,
                time,
                created ? time + rnd.nextInt(3) * MINUTE : null,
                (double) rnd.nextInt(100)));
      }
    }
    return events;
  }

  /**
   * Entity rows: random instants, event times exactly, a microsecond either side, window starts.
   */
  static List<long[]> entityRows(Random rnd, List<WindowOracle.Event> events) {
    List<long[]> rows = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      long entity = 1 + rnd.nextInt(6); // 6 has no events
      long t =
          switch (i % 5) {
            case 0 -> BASE + (long) (rnd.nextDouble() * 50 * HOUR);
            case 1 -> events.get(rnd.nextInt(events.size())).time();
            case 2 -> events.get(rnd.nextInt(events.size())).time() - 1;
            case 3 -> BASE + rnd.nextInt(50) * HOUR;
            default -> events.get(rnd.nextInt(events.size())).time() + HOUR;
          };
      rows.add(new long[] {entity, t, i});
    }
    return rows;
  }

  static void writeEvents(List<WindowOracle.Event> events, Path file, boolean csv) {
    sql(
        "COPY ("
            + WindowOracle.select(events)
            + ") TO "
            + q(file)
            + (csv ? " (FORMAT csv, HEADER)" : " (FORMAT parquet)"));
  }

  static FeatureView view(Duration hop) {
    List<Aggregation> aggregations = new ArrayList<>();
    for (Duration w : WINDOWS) {
      String suffix = "_" + w.toHours() + "h";
      aggregations.add(
          new Aggregation("n" + suffix, AggregationFunction.COUNT, null, null, null, w));
      for (AggregationFunction f : AggregationFunction.values()) {
        if (f.accepts(ValueType.DOUBLE)) {
          aggregations.add(
              new Aggregation(f.key() + suffix, f, "amount", null, ValueType.DOUBLE, w));
        } else {
          // count_distinct takes no floating inputs; the amounts are whole numbers.
          aggregations.add(
              new Aggregation(
                  f.key() + suffix, f, null, "CAST(amount AS BIGINT)", ValueType.INT64, w));
        }
      }
    }
    return aggregated(aggregations, hop);
  }

  /** View "txn" of customers over source "tx" with these aggregations. */
  static FeatureView aggregated(List<Aggregation> aggregations, Duration hop) {
    return new FeatureView(
        "txn",
        List.of("customer"),
        "tx",
        null,
        true,
        List.of(),
        null,
        null,
        null,
        null,
        aggregations,
        hop);
  }

  /** Historical retrieval of {@code features} for the rows of entities.parquet into {@code out}. */
  private long historical(
      DuckDbOfflineStore store, FeatureRepo repo, List<String> features, Path out) {
    return store.historicalToFile(
        repo,
        new HistoricalRequest(
            new EntitySet.FromFile(dir.resolve("entities.parquet")),
            features,
            null,
            null,
            false,
            out,
            null));
  }

  @ParameterizedTest
  @CsvSource({
    "1,false,false",
    "2,true,false",
    "3,false,true",
    "4,true,true",
    "20240301,true,false"
  })
  void historicalRetrievalMatchesBruteForce(long seed, boolean created, boolean csv)
      throws Exception {
    Random rnd = new Random(seed);
    List<WindowOracle.Event> events = events(rnd, created);
    Path source = dir.resolve(csv ? "tx.csv" : "tx.parquet");
    writeEvents(events, source, csv);
    List<long[]> rows = entityRows(rnd, events);
    StringJoiner entityValues = new StringJoiner(", ");
    for (long[] r : rows) {
      entityValues.add("(" + r[0] + ", " + WindowOracle.timestamp(r[1]) + ", " + r[2] + ")");
    }
    sql(
        "COPY (SELECT * FROM (VALUES "
            + entityValues
            + ") AS t(customer_id, event_timestamp, label)) TO "
            + q(dir.resolve("entities.parquet"))
            + " (FORMAT parquet)");
    FeatureRepo repo =
        TestData.repo(
            dir,
            List.of(TestData.entity("customer", "customer_id")),
            List.of(
                new Source(
                    "tx",
                    csv ? SourceFormat.CSV : SourceFormat.PARQUET,
                    source.getFileName().toString(),
                    "event_ts",
                    created ? "created_ts" : null,
                    Map.of(),
                    null)),
            List.of(view(Duration.ofHours(1))));
    Path out = dir.resolve("out.parquet");
    try (DuckDbOfflineStore store = new DuckDbOfflineStore()) {
      historical(store, repo, List.of("txn:*"), out);
    }
    WindowOracle oracle = new WindowOracle(events, created);
    int checked = 0;
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT * FROM read_parquet(" + q(out) + ")")) {
      int row = 0;
      while (rs.next()) {
        long[] r = rows.get(row++);
        assertEquals(r[2], rs.getLong("label"), "input order");
        for (Duration w : WINDOWS) {
          String suffix = "_" + w.toHours() + "h";
          long wus = w.toSeconds() * 1_000_000L;
          for (String f : FUNCTIONS) {
            String column = (f.equals("count_all") ? "n" : f) + suffix;
            Object expected = oracle.value(f, r[0], r[1], wus, HOUR);
            Object actual = rs.getObject(column);
            String where =
                column + " for customer " + r[0] + " at " + r[1] + " (seed " + seed + ")";
            WindowOracle.assertValue(expected, actual, where);
            checked++;
          }
        }
      }
      assertEquals(rows.size(), row, "every entity row is returned");
    }
    assertEquals(rows.size() * WINDOWS.size() * FUNCTIONS.size(), checked);
  }

  @org.junit.jupiter.api.Test
  void mixesWithPlainViewsInInputOrderAndNamesAMissingInput() throws Exception {
    sql(
        "COPY (SELECT * FROM (VALUES (1, TIMESTAMP '2024-03-01 10:00:00', 5.0),"
            + " (1, TIMESTAMP '2024-03-01 10:30:00', 7.0), (2, TIMESTAMP '2024-03-01 09:00:00',"
            + " 1.0)) AS t(customer_id, event_ts, amount)) TO "
            + q(dir.resolve("tx.parquet"))
            + " (FORMAT parquet)",
        "COPY (SELECT * FROM (VALUES (1, TIMESTAMP '2024-01-01 00:00:00', 31), (2, TIMESTAMP"
            + " '2024-01-01 00:00:00', 45)) AS t(customer_id, event_ts, age)) TO "
            + q(dir.resolve("profiles.parquet"))
            + " (FORMAT parquet)",
        "COPY (SELECT * FROM (VALUES (2, TIMESTAMP '2024-03-01 09:30:00'), (1, TIMESTAMP"
            + " '2024-03-01 10:45:00'), (1, TIMESTAMP '2024-03-01 09:59:59')) AS t(customer_id,"
            + " event_timestamp)) TO "
            + q(dir.resolve("entities.parquet"))
            + " (FORMAT parquet)");
    FeatureView profile =
        TestData.view(
            "profile",
            List.of("customer"),
            "profiles",
            Duration.ZERO,
            TestData.feature("age", ValueType.INT64));
    FeatureRepo repo =
        TestData.repo(
            dir,
            List.of(TestData.entity("customer", "customer_id")),
            List.of(
                TestData.parquet("tx", "tx.parquet", "event_ts", null),
                TestData.parquet("profiles", "profiles.parquet", "event_ts", null)),
            List.of(view(Duration.ofHours(1)), profile));
    Path out = dir.resolve("mixed.parquet");
    try (DuckDbOfflineStore store = new DuckDbOfflineStore()) {
      historical(store, repo, List.of("txn:sum_1h", "profile:age", "txn:n_1h"), out);
      List<Map<String, Object>> rows = store.preview(out, 10);
      assertEquals(3, rows.size());
      // At 09:30 for customer 2: the 09:00 event; at 10:45 for 1: both (window from 09:00); at
      // 09:59:59 for 1: none yet (count 0, sum NULL).
      assertEquals(
          List.of(2L, 1L, 1L),
          rows.stream().map(r -> ((Number) r.get("customer_id")).longValue()).toList());
      assertEquals(1.0, ((Number) rows.get(0).get("sum_1h")).doubleValue());
      assertEquals(12.0, ((Number) rows.get(1).get("sum_1h")).doubleValue());
      assertNull(rows.get(2).get("sum_1h"));
      assertEquals(
          List.of(1L, 2L, 0L),
          rows.stream().map(r -> ((Number) r.get("n_1h")).longValue()).toList());
      assertEquals(
          List.of(45L, 31L, 31L),
          rows.stream().map(r -> ((Number) r.get("age")).longValue()).toList());

      FeatureView missing =
          aggregated(
              List.of(
                  new Aggregation(
                      "spend",
                      AggregationFunction.SUM,
                      "amt",
                      null,
                      ValueType.DOUBLE,
                      Duration.ofHours(1))),
              Duration.ofHours(1));
      FeatureRepo bad = TestData.repo(dir, repo.entities(), repo.sources(), List.of(missing));
      Exception e =
          org.junit.jupiter.api.Assertions.assertThrows(
              dev.fletch.core.InvalidRequestException.class,
              () -> historical(store, bad, List.of("txn:spend"), dir.resolve("bad.parquet")));
      org.junit.jupiter.api.Assertions.assertTrue(
          e.getMessage().contains("aggregation input \"amt\"")
              && e.getMessage().contains("column 'amt'"),
          e.getMessage());
    }
  }
}
