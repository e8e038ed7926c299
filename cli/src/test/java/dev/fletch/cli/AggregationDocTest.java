package dev.fletch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.yaml.RepoLoader;
import dev.fletch.offline.DuckDbOfflineStore;
import dev.fletch.offline.EntitySet;
import dev.fletch.offline.HistoricalRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The window-aggregation example of docs/historical-retrieval.md, read from the page (its YAML and
 * both tables) and run through the real offline store: every value the page promises is what Fletch
 * returns, in the page's row order.
 */
class AggregationDocTest {
  @TempDir Path repo;

  @Test
  void theWorkedExampleIsWhatFletchReturns() throws Exception {
    List<String> doc =
        Files.readAllLines(
            DocsCommandsTest.repoRoot().resolve("docs/historical-retrieval.md"),
            StandardCharsets.UTF_8);
    int section = doc.indexOf("## Window aggregations");
    assertTrue(section >= 0, "the section is on the page");
    List<String> rest = doc.subList(section, doc.size());
    int open = rest.indexOf("```yaml");
    int close = rest.subList(open + 1, rest.size()).indexOf("```") + open + 1;
    String views = String.join("\n", rest.subList(open + 1, close));
    List<List<String>> events =
        HistoricalRetrievalDocTest.table(rest, "| customer_id | event_ts | amount |");
    List<List<String>> expected = HistoricalRetrievalDocTest.table(rest, "| entity row `t`");
    assertTrue(events.size() == 4 && expected.size() == 6, "tables found in the page");

    Files.createDirectories(repo.resolve("data"));
    StringBuilder csv = new StringBuilder("customer_id,event_ts,amount\n");
    for (List<String> e : events) {
      csv.append(e.get(0))
          .append(',')
          .append(e.get(1))
          .append(',')
          .append(e.get(2).equals("NULL") ? "" : e.get(2))
          .append('\n');
    }
    Files.writeString(repo.resolve("data/transactions.csv"), csv);
    StringBuilder rows = new StringBuilder("customer_id,event_timestamp\n");
    for (List<String> r : expected) {
      rows.append("7,2024-03-01 ").append(r.get(0)).append('\n');
    }
    Files.writeString(repo.resolve("rows.csv"), rows);
    Files.writeString(
        repo.resolve("repo.yaml"),
        """
        project: docs
        entities:
          - name: customer
            join_keys: [{name: customer_id, type: INT64}]
        sources:
          - name: transactions
            type: csv
            path: data/transactions.csv
            timestamp_field: event_ts
        """
            + views
            + "\n");

    FeatureRepo defs = RepoLoader.load(repo);
    Path out = repo.resolve("training.parquet");
    try (DuckDbOfflineStore store = new DuckDbOfflineStore()) {
      store.historicalToFile(
          defs,
          new HistoricalRequest(
              new EntitySet.FromFile(repo.resolve("rows.csv")),
              List.of("customer_txn:*"),
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
                "SELECT amount_sum_1h, amount_count_24h, amount_last_24h FROM read_parquet('"
                    + out
                    + "')")) {
      for (List<String> row : expected) {
        assertTrue(rs.next(), "a row for " + row.get(0));
        String where = "t = " + row.get(0) + " (" + row.get(5) + ")";
        assertEquals(row.get(2), text(rs.getObject(1)), "amount_sum_1h at " + where);
        assertEquals(row.get(3), text(rs.getObject(2)), "amount_count_24h at " + where);
        assertEquals(row.get(4), text(rs.getObject(3)), "amount_last_24h at " + where);
      }
      assertTrue(!rs.next(), "one output row per entity row");
    }
  }

  /** A value as the page writes it: NULL, or a number without a needless ".0". */
  private static String text(Object v) {
    if (v == null) {
      return "NULL";
    }
    double d = ((Number) v).doubleValue();
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }
}
