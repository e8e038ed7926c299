package dev.fletch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.yaml.RepoLoader;
import dev.fletch.offline.DuckDbOfflineStore;
import dev.fletch.offline.EntitySet;
import dev.fletch.offline.HistoricalRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The worked example of docs/historical-retrieval.md, read from the markdown tables and run through
 * the real offline store: the values and the NULLs the page promises must be what Fletch returns,
 * in the page's row order.
 */
class HistoricalRetrievalDocTest {
  @TempDir Path repo;

  @Test
  void theWorkedExampleIsWhatFletchReturns() throws Exception {
    List<String> doc =
        Files.readAllLines(
            DocsCommandsTest.repoRoot().resolve("docs/historical-retrieval.md"),
            StandardCharsets.UTF_8);
    assertTrue(
        doc.stream().anyMatch(l -> l.strip().equals("ttl: 2d")), "the example's view has ttl 2d");
    List<List<String>> source = table(doc, "| customer_id | event_ts | created_ts |");
    List<List<String>> entities = table(doc, "| transaction_id | customer_id | event_timestamp |");
    assertTrue(source.size() >= 3 && entities.size() >= 5, "tables found in the page");

    writeRepo();
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement()) {
      st.execute(
          "CREATE TABLE s (customer_id BIGINT, event_ts TIMESTAMP, created_ts TIMESTAMP,"
              + " txn_count_24h BIGINT, amount_sum_24h DOUBLE)");
      try (PreparedStatement ps =
          c.prepareStatement("INSERT INTO s VALUES (?, ?::TIMESTAMP, ?::TIMESTAMP, ?, ?)")) {
        for (List<String> r : source) {
          ps.setLong(1, Long.parseLong(r.get(0)));
          ps.setString(2, r.get(1));
          ps.setString(3, r.get(2));
          ps.setLong(4, Long.parseLong(r.get(3)));
          ps.setDouble(5, Double.parseDouble(r.get(4)));
          ps.execute();
        }
      }
      st.execute("COPY s TO '" + repo.resolve("data/stats.parquet") + "' (FORMAT parquet)");
      st.execute(
          "CREATE TABLE e (transaction_id BIGINT, customer_id BIGINT, event_timestamp TIMESTAMP,"
              + " is_fraud BOOLEAN)");
      try (PreparedStatement ps =
          c.prepareStatement("INSERT INTO e VALUES (?, ?, ?::TIMESTAMP, ?)")) {
        for (List<String> r : entities) {
          ps.setLong(1, Long.parseLong(r.get(0)));
          ps.setLong(2, Long.parseLong(r.get(1)));
          ps.setString(3, r.get(2));
          ps.setBoolean(4, Boolean.parseBoolean(r.get(3)));
          ps.execute();
        }
      }
      st.execute("COPY e TO '" + repo.resolve("labels.parquet") + "' (FORMAT parquet)");
    }

    FeatureRepo defs = RepoLoader.load(repo);
    Path out = repo.resolve("training.parquet");
    try (DuckDbOfflineStore store = new DuckDbOfflineStore()) {
      store.historicalToFile(
          defs,
          new HistoricalRequest(
              new EntitySet.FromFile(repo.resolve("labels.parquet")),
              List.of("customer_activity:txn_count_24h", "customer_activity:avg_amount_24h"),
              null,
              null,
              false,
              out,
              HistoricalRequest.OutputFormat.PARQUET));
    }

    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT transaction_id, is_fraud, txn_count_24h, avg_amount_24h FROM read_parquet('"
                    + out
                    + "')")) {
      for (List<String> expected : entities) {
        assertTrue(rs.next(), "a row for transaction " + expected.get(0));
        String where = "transaction " + expected.get(0) + " (" + expected.get(6) + ")";
        assertEquals(Long.parseLong(expected.get(0)), rs.getLong(1), "row order: " + where);
        assertEquals(Boolean.parseBoolean(expected.get(3)), rs.getBoolean(2), where);
        assertEquals(expected.get(4), text(rs, 3, false), "txn_count_24h of " + where);
        assertEquals(expected.get(5), text(rs, 4, true), "avg_amount_24h of " + where);
      }
      assertTrue(!rs.next(), "one output row per entity row");
    }
  }

  private void writeRepo() throws IOException {
    Files.createDirectories(repo.resolve("data"));
    Files.writeString(
        repo.resolve("repo.yaml"),
        """
        project: docs
        entities:
          - name: customer
            join_keys: [{name: customer_id, type: INT64}]
        sources:
          - name: customer_daily_stats
            type: parquet
            path: data/stats.parquet
            timestamp_field: event_ts
            created_timestamp_field: created_ts
        feature_views:
          - name: customer_activity
            entities: [customer]
            source: customer_daily_stats
            ttl: 2d
            features:
              - {name: txn_count_24h, type: INT64}
              - {name: avg_amount_24h, type: DOUBLE, expression: "amount_sum_24h / nullif(txn_count_24h, 0)"}
        """);
  }

  private static String text(ResultSet rs, int column, boolean decimal) throws SQLException {
    Object v = rs.getObject(column);
    if (v == null) {
      return "NULL";
    }
    return decimal ? String.format("%.2f", ((Number) v).doubleValue()) : v.toString();
  }

  /** The body rows of the first markdown table whose header starts with {@code headerPrefix}. */
  static List<List<String>> table(List<String> lines, String headerPrefix) {
    List<List<String>> rows = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).startsWith(headerPrefix)) {
        for (int j = i + 2; j < lines.size() && lines.get(j).startsWith("|"); j++) {
          List<String> cells = new ArrayList<>();
          String row = lines.get(j).strip();
          for (String cell : row.substring(1, row.length() - 1).split("\\|")) {
            cells.add(cell.strip().replace("`", ""));
          }
          rows.add(cells);
        }
        return rows;
      }
    }
    throw new AssertionError("no table starting with '" + headerPrefix + "' in the page");
  }
}
