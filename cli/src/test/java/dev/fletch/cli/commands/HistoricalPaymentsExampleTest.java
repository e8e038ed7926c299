package dev.fletch.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fletch.cli.Fletch;
import dev.fletch.examples.PaymentsDataGenerator;
import dev.fletch.examples.PaymentsExample;
import dev.fletch.examples.TrainingSetExplainer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fletch historical} on the payments example (globbed sources, field mapping, created-time
 * corrections, a composite key, a feature service), checked row by row against the example's own
 * re-derivation from the source files.
 */
class HistoricalPaymentsExampleTest {
  @TempDir Path repo;

  @Test
  void trainingSetAgreesWithIndependentDerivation() throws Exception {
    PaymentsExample.create(repo, PaymentsDataGenerator.Options.defaults());
    Path train = repo.resolve("train.parquet");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    // historical reads the applied definitions (the ones serving uses), not the local YAML
    int applied =
        Fletch.run(
            new String[] {"apply", "--yes", "--repo", repo.toString()},
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(0, applied, err.toString());
    int code =
        Fletch.run(
            new String[] {
              "historical",
              "--repo",
              repo.toString(),
              "--entities",
              repo.resolve(PaymentsExample.LABELS).toString(),
              "--service",
              PaymentsExample.SERVICE,
              "--out",
              train.toString()
            },
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(0, code, err.toString());

    long labels;
    long written;
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement()) {
      labels =
          count(
              st,
              "SELECT count(*) FROM read_parquet('" + repo.resolve(PaymentsExample.LABELS) + "')");
      written = count(st, "SELECT count(*) FROM read_parquet('" + train + "')");
      // input order preserved: the labels' own columns come back in the same sequence
      assertEquals(
          0,
          count(
              st,
              "SELECT count(*) FROM (SELECT transaction_id, row_number() OVER () AS n FROM"
                  + " read_parquet('"
                  + train
                  + "')) a JOIN (SELECT transaction_id, row_number() OVER () AS n FROM"
                  + " read_parquet('"
                  + repo.resolve(PaymentsExample.LABELS)
                  + "')) b USING (n)"
                  + " WHERE a.transaction_id <> b.transaction_id"));
    }
    assertEquals(labels, written);
    assertTrue(out.toString().contains("wrote " + labels + " rows"), out.toString());

    List<TrainingSetExplainer.Explanation> explanations =
        TrainingSetExplainer.explain(repo, train, Duration.ofDays(7));
    assertTrue(!explanations.isEmpty());
    for (TrainingSetExplainer.Explanation e : explanations) {
      assertTrue(e.agrees(), e.toString());
    }
  }

  private static long count(Statement st, String sql) throws Exception {
    try (ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
