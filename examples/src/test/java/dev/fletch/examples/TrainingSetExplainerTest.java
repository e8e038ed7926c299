package dev.fletch.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fletch.examples.TrainingSetExplainer.Case;
import dev.fletch.examples.TrainingSetExplainer.Explanation;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingSetExplainerTest {
  @TempDir static Path dir;

  @BeforeAll
  static void generate() {
    PaymentsExample.create(dir, PaymentsDataGenerator.Options.defaults());
  }

  @Test
  void explainsOneRowOfEachCaseAndAgreesWithACorrectTrainingSet() throws SQLException {
    Path training = trainingSet("right.parquet", "created_ts DESC");
    Map<Case, Explanation> byCase = explain(training);
    assertEquals(List.of(Case.values()), List.copyOf(byCase.keySet()));
    byCase.values().forEach(e -> assertTrue(e.agrees(), e.toString()));
    assertNull(byCase.get(Case.TOO_OLD).expected());
    assertNull(byCase.get(Case.NO_HISTORY).expected());
    assertTrue(byCase.get(Case.CORRECTION).why().contains("the latest created version wins"));
    assertTrue(byCase.get(Case.TOO_OLD).why().contains("older than the view's ttl 7d"));
  }

  @Test
  void flagsATrainingSetThatIgnoresCreatedTimestamps() throws SQLException {
    Path wrong = trainingSet("wrong.parquet", "created_ts ASC");
    Explanation correction = explain(wrong).get(Case.CORRECTION);
    assertFalse(correction.agrees(), correction.toString());
  }

  @Test
  void explainsAWindowCountFromTheRawTransactions() throws SQLException {
    // Window starts by epoch arithmetic (not time_bucket, which the explainer uses).
    Path training = dir.resolve("windows.parquet");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement()) {
      st.execute(
          "COPY (SELECT l.transaction_id, (SELECT count(*) FROM read_parquet('"
              + dir.resolve(TrainingSetExplainer.TRANSACTIONS)
              + "') x WHERE x.customer_id = l.customer_id AND x.event_ts <= l.event_timestamp AND"
              + " epoch_us(x.event_ts) >= (epoch_us(l.event_timestamp) - 3600000000) //"
              + " 3600000000 * 3600000000) AS txn_count_1h FROM read_parquet('"
              + dir.resolve("data/labels.parquet")
              + "') l) TO '"
              + training
              + "' (FORMAT parquet)");
    }
    TrainingSetExplainer.WindowExplanation w = TrainingSetExplainer.explainWindow(dir, training);
    assertTrue(w.agrees(), w.toString());
    assertTrue(w.expected() >= 2, "the busiest window holds several transactions: " + w);
    assertTrue(w.why().contains("rounded down to the hour"), w.why());
  }

  private static Map<Case, Explanation> explain(Path training) {
    return TrainingSetExplainer.explain(dir, training, Duration.ofDays(7)).stream()
        .collect(
            Collectors.toMap(
                Explanation::kind,
                Function.identity(),
                (a, b) -> a,
                () -> new java.util.TreeMap<>()));
  }

  // A point-in-time join written out by hand; createdOrder decides which version of a restated row
  // wins.
  private static Path trainingSet(String name, String createdOrder) throws SQLException {
    Path out = dir.resolve(name);
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement()) {
      st.execute(
          "COPY (SELECT l.transaction_id, CASE WHEN s.event_ts >= l.event_timestamp - INTERVAL 7 DAY"
              + " THEN s.cb_rate_30d END AS chargeback_rate_30d"
              + " FROM read_parquet('"
              + dir.resolve("data/labels.parquet")
              + "') l"
              + " LEFT JOIN read_parquet('"
              + dir.resolve(TrainingSetExplainer.MERCHANT_STATS)
              + "') s"
              + " ON s.merchant_id = l.merchant_id AND s.event_ts <= l.event_timestamp"
              + " QUALIFY row_number() OVER (PARTITION BY l.transaction_id ORDER BY s.event_ts DESC NULLS LAST, s."
              + createdOrder
              + ") = 1) TO '"
              + out
              + "' (FORMAT parquet)");
    }
    return out;
  }
}
