package dev.fletch.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PaymentsDataGeneratorTest {
  @TempDir static Path dir;
  static PaymentsDataGenerator.Summary summary;

  @BeforeAll
  static void generate() {
    summary = PaymentsExample.create(dir.resolve("repo"), PaymentsDataGenerator.Options.defaults());
  }

  @Test
  void writesEveryFileWithRows() {
    for (String file :
        new String[] {
          "labels.parquet",
          "transactions/week_00.parquet",
          "transactions/week_03.parquet",
          "customer_profiles.parquet",
          "merchant_daily_stats.parquet",
          "customer_merchant_stats.parquet",
          "customer_disputes.parquet"
        }) {
      assertTrue(summary.rows(file) > 0, file + " has rows: " + summary.rowsPerFile());
      assertTrue(Files.isRegularFile(dir.resolve("repo/data").resolve(file)), file);
    }
    assertTrue(
        summary.rows("labels.parquet") > 20_000, "labels: " + summary.rows("labels.parquet"));
    for (String yaml : PaymentsExample.YAML_FILES) {
      assertTrue(Files.isRegularFile(dir.resolve("repo").resolve(yaml)), yaml);
    }
  }

  @Test
  void sameSeedGivesSameDataAndAnotherSeedDiffers() throws SQLException {
    Path again = dir.resolve("again");
    PaymentsDataGenerator.generate(again, PaymentsDataGenerator.Options.defaults());
    Path other = dir.resolve("other");
    PaymentsDataGenerator.generate(
        other, new PaymentsDataGenerator.Options(7, 1, 28, PaymentsDataGenerator.DEFAULT_END));
    String first = checksum(dir.resolve("repo/data/labels.parquet"));
    assertEquals(first, checksum(again.resolve("labels.parquet")));
    assertNotEquals(first, checksum(other.resolve("labels.parquet")));
    assertEquals(
        checksum(dir.resolve("repo/data/customer_profiles.parquet")),
        checksum(again.resolve("customer_profiles.parquet")));
  }

  @Test
  void containsLateCorrections() throws SQLException {
    // Same key and event time, later created time, different value.
    long profiles =
        count(
            "SELECT count(*) FROM (SELECT customer_id, event_ts FROM read_parquet('%s')"
                + " GROUP BY ALL HAVING count(*) > 1 AND count(DISTINCT credit_limit) > 1"
                + " AND count(DISTINCT created_ts) > 1)",
            "customer_profiles.parquet");
    long stats =
        count(
            "SELECT count(*) FROM (SELECT merchant_id, event_ts FROM read_parquet('%s')"
                + " GROUP BY ALL HAVING count(DISTINCT cb_rate_30d) > 1 AND count(DISTINCT created_ts) > 1)",
            "merchant_daily_stats.parquet");
    assertTrue(profiles > 10, "profile corrections: " + profiles);
    assertTrue(stats > 20, "merchant risk restatements: " + stats);
  }

  @Test
  void containsEntitiesThatAppearLateAndLabelsBeforeTheirFirstStats() throws SQLException {
    long lateCustomers =
        count(
            "SELECT count(*) FROM (SELECT customer_id, min(event_ts) AS first FROM read_parquet('%s')"
                + " GROUP BY ALL) WHERE first > TIMESTAMP '2026-02-01 00:00:00'",
            "customer_profiles.parquet");
    assertTrue(lateCustomers > 50, "late customers: " + lateCustomers);
    long labelsWithoutStats =
        count(
            "SELECT count(*) FROM read_parquet('%s') l WHERE NOT EXISTS (SELECT 1 FROM read_parquet('"
                + data("merchant_daily_stats.parquet")
                + "') s WHERE s.merchant_id = l.merchant_id AND s.event_ts <= l.event_timestamp)",
            "labels.parquet");
    assertTrue(labelsWithoutStats > 10, "labels before any merchant stats: " + labelsWithoutStats);
    // Merchants under review: labels whose latest risk row is more than the 7-day ttl old.
    long labelsWithStaleStats =
        count(
            "SELECT count(*) FROM read_parquet('%s') l WHERE (SELECT max(s.event_ts) FROM"
                + " read_parquet('"
                + data("merchant_daily_stats.parquet")
                + "') s WHERE s.merchant_id = l.merchant_id AND s.event_ts <= l.event_timestamp)"
                + " < l.event_timestamp - INTERVAL 7 DAY",
            "labels.parquet");
    assertTrue(
        labelsWithStaleStats > 10, "labels with stale merchant stats: " + labelsWithStaleStats);
    // The raw feed holds every labelled transaction.
    assertEquals(
        summary.rows("labels.parquet"),
        count("SELECT count(*) FROM read_parquet('%s')", "transactions/*.parquet"));
    long fraud = count("SELECT count(*) FROM read_parquet('%s') WHERE is_fraud", "labels.parquet");
    long all = summary.rows("labels.parquet");
    assertTrue(fraud > all / 500 && fraud < all / 10, "fraud " + fraud + " of " + all);
  }

  @Test
  void everyTimestampLiesInThePeriodAndCreatedNeverPrecedesEvent() throws SQLException {
    assertEquals(
        0,
        count(
            "SELECT count(*) FROM read_parquet('%s') WHERE event_timestamp < TIMESTAMP '2026-02-01'"
                + " OR event_timestamp >= TIMESTAMP '2026-03-01'",
            "labels.parquet"));
    for (String f :
        new String[] {
          "customer_profiles.parquet",
          "merchant_daily_stats.parquet",
          "customer_merchant_stats.parquet",
          "customer_disputes.parquet"
        }) {
      assertEquals(
          0,
          count(
              "SELECT count(*) FROM read_parquet('%s') WHERE created_ts < event_ts"
                  + " OR created_ts > TIMESTAMP '2026-03-01 00:20:00'",
              f),
          f);
    }
  }

  private static String data(String file) {
    return dir.resolve("repo/data").resolve(file).toString().replace("'", "''");
  }

  private static long count(String sqlTemplate, String file) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(String.format(sqlTemplate, data(file)))) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static String checksum(Path file) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT count(*) || ':' || sum(hash(columns(*))) FROM read_parquet('"
                    + file.toString().replace("'", "''")
                    + "')")) {
      rs.next();
      return rs.getString(1);
    }
  }
}
