package dev.fletch.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fletch.cli.CliRun;
import dev.fletch.cli.ExitCodes;
import dev.fletch.core.DefinitionJson;
import dev.fletch.examples.PaymentsDataGenerator;
import dev.fletch.examples.PaymentsExample;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fletch stats} and {@code fletch drift} as a user runs them, on the payments example after
 * apply, materialize and historical: what they print, what the registry recorded, exit statuses.
 */
class MonitoringCommandsTest {
  @TempDir static Path repo;
  static Path training;

  static CliRun fletch(String... args) {
    String[] all = new String[args.length + 1];
    all[0] = args[0];
    all[1] = "--repo=" + repo;
    System.arraycopy(args, 1, all, 2, args.length - 1);
    return CliRun.run(all);
  }

  static void ok(CliRun run) {
    assertEquals(0, run.exitCode(), "out:\n" + run.out() + "\nerr:\n" + run.err());
  }

  @BeforeAll
  static void setUp() {
    PaymentsExample.create(repo, PaymentsDataGenerator.Options.defaults());
    ok(fletch("apply", "--yes"));
    ok(fletch("materialize", "--start", "2020-01-01", "--end", "2026-03-01"));
    training = repo.resolve("train.parquet");
    CliRun historical =
        fletch(
            "historical",
            "--entities",
            repo.resolve(PaymentsExample.LABELS).toString(),
            "--service",
            PaymentsExample.SERVICE,
            "--out",
            training.toString());
    ok(historical);
    assertTrue(
        historical.out().contains("statistics of 21 columns recorded in the registry (dataset 1,"),
        historical.out());
  }

  @Test
  void aTrainingSetShowsTheStatisticsRecordedWhenItWasWritten() throws Exception {
    CliRun run = fletch("stats", training.toString());
    ok(run);
    assertTrue(
        run.out().contains("a training set written ")
            && run.out().contains("(statistics recorded then; --recompute"),
        run.out());
    assertTrue(run.out().contains("COLUMN"), run.out());
    assertTrue(
        run.out().lines().anyMatch(l -> l.startsWith("is_fraud ") && l.contains("false 9")),
        run.out());

    // The same figures as the file summarised now, and as DuckDB counts by hand.
    JsonNode recorded = json(fletch("stats", training.toString(), "--json"));
    JsonNode now = json(fletch("stats", training.toString(), "--json", "--recompute"));
    assertEquals(training.toString(), recorded.at("/dataset/path").asText());
    assertTrue(now.at("/dataset").isMissingNode());
    JsonNode amount = column(recorded, "amount");
    assertEquals(amount.get("mean").asDouble(), column(now, "amount").get("mean").asDouble(), 1e-9);
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement();
        var rs =
            st.executeQuery(
                "SELECT avg(amount), count(*) FILTER (WHERE merchant_category IS NULL) FROM '"
                    + training
                    + "'")) {
      rs.next();
      assertEquals(rs.getDouble(1), amount.get("mean").asDouble(), 1e-9);
      assertEquals(rs.getLong(2), column(recorded, "merchant_category").get("nulls").asLong());
    }

    // Once the file changes, it is summarised again rather than described by an old record.
    Path copy = repo.resolve("copy.parquet");
    Files.copy(training, copy);
    CliRun other = fletch("stats", copy.toString());
    ok(other);
    assertTrue(other.out().contains("rows (summarised now)"), other.out());
    Path second = repo.resolve("second.parquet");
    ok(
        fletch(
            "historical",
            "--entities",
            repo.resolve(PaymentsExample.LABELS).toString(),
            "--features",
            "customer_profile:age",
            "--out",
            second.toString()));
    assertTrue(fletch("stats", second.toString()).out().contains("(statistics recorded then"));
    Files.setLastModifiedTime(
        second, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));
    assertTrue(fletch("stats", second.toString()).out().contains("(summarised now)"));
  }

  @Test
  void oneColumnInDetail() {
    CliRun run = fletch("stats", training.toString(), "--column", "chargeback_rate_30d");
    ok(run);
    assertTrue(run.out().contains("column chargeback_rate_30d (DOUBLE, numeric)"), run.out());
    assertTrue(run.out().contains("quantiles (approximate): p1 "), run.out());
    assertTrue(run.out().contains("histogram (20 bins):"), run.out());
    CliRun bad = fletch("stats", training.toString(), "--column", "nope");
    assertEquals(1, bad.exitCode());
    assertTrue(bad.err().contains("no column 'nope' (columns: [transaction_id,"), bad.err());
  }

  @Test
  void aViewShowsItsNewestJobAndARangeIsSummarisedNow() {
    CliRun view = fletch("stats", "customer_profile");
    ok(view);
    assertTrue(
        view.out().startsWith("feature view customer_profile, materialization job "), view.out());
    assertTrue(view.out().contains("home_country"), view.out());
    JsonNode job = json(fletch("stats", "customer_profile", "--json"));
    long id = job.at("/job/id").asLong();
    CliRun byJob = fletch("stats", "--job", Long.toString(id));
    ok(byJob);
    assertEquals(view.out(), byJob.out());

    CliRun aggregated = fletch("stats", "customer_activity");
    assertEquals(1, aggregated.exitCode());
    assertTrue(
        aggregated.err().contains("it is aggregated")
            && aggregated.err().contains("customer_activity:-7d..now"),
        aggregated.err());

    CliRun range = fletch("stats", "customer_activity:2026-02-20..2026-03-01");
    ok(range);
    assertTrue(
        range
            .out()
            .contains(
                "feature view customer_activity, its source's rows with event time in"
                    + " [2026-02-20T00:00:00Z, 2026-03-01T00:00:00Z]"),
        range.out());
    assertTrue(range.out().contains("amount_sum_7d"), range.out());
  }

  @Test
  void anyFileIsSummarisedWithoutARepository(@TempDir Path elsewhere) throws Exception {
    Path csv = elsewhere.resolve("scores.csv");
    Files.writeString(csv, "score,label\n0.5,a\n1.5,b\n2.5,a\n,a\n");
    CliRun run = CliRun.run("stats", "--repo=" + elsewhere, csv.toString());
    ok(run);
    assertTrue(run.out().contains("scores.csv: 4 rows (summarised now)"), run.out());
    assertTrue(
        run.out().lines().anyMatch(l -> l.startsWith("score ") && l.contains("25.0%")), run.out());
    CliRun missing = CliRun.run("stats", elsewhere.resolve("none.parquet").toString());
    assertEquals(ExitCodes.USAGE, missing.exitCode());
    assertTrue(missing.err().contains("none.parquet does not exist"), missing.err());
    CliRun neither = CliRun.run("stats");
    assertEquals(ExitCodes.USAGE, neither.exitCode());
  }

  @Test
  void driftExitsThreeWhenAThresholdIsCrossedAndZeroWhenNot() throws Exception {
    CliRun same =
        fletch("drift", "--reference", training.toString(), "--current", training.toString());
    assertEquals(ExitCodes.OK, same.exitCode(), same.out() + same.err());
    assertTrue(same.out().contains("0 of "), same.out());
    assertTrue(
        same.out().contains("customer_activity:txn_count_24h"),
        "columns named by their feature: " + same.out());
    assertTrue(same.out().contains("a join key: customer_id"), same.out());
    assertTrue(same.err().contains("drift: comparing "), "progress on stderr: " + same.err());

    // Double every amount of the last two weeks' labels: amounts drift, the rest does not.
    Path shifted = repo.resolve("shifted.parquet");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement()) {
      st.execute(
          "COPY (SELECT * REPLACE (amount * 2 AS amount) FROM '"
              + training
              + "') TO '"
              + shifted
              + "' (FORMAT parquet)");
    }
    CliRun drifted =
        fletch("drift", "--reference", training.toString(), "--current", shifted.toString());
    assertEquals(ExitCodes.THRESHOLD_CROSSED, drifted.exitCode(), drifted.out() + drifted.err());
    assertTrue(
        drifted.out().lines().anyMatch(l -> l.startsWith("amount ") && l.endsWith("DRIFT")),
        drifted.out());
    assertTrue(drifted.out().contains("  amount: psi "), drifted.out());
    assertTrue(drifted.out().contains("1 of "), drifted.out());

    JsonNode report =
        json(
            fletch(
                "drift",
                "--reference",
                training.toString(),
                "--current",
                shifted.toString(),
                "--features",
                "amount,customer_activity:txn_count_24h",
                "--json"));
    assertEquals(2, report.get("features").size());
    assertTrue(report.at("/features/0/drifted").asBoolean());
    assertTrue(report.at("/features/0/psi").asDouble() > 0.2);
    assertFalse(report.at("/features/1/drifted").asBoolean());
    assertEquals("customer_activity", report.at("/features/1/view").asText());
    assertEquals(0.01, report.at("/features/1/thresholds/ksPvalue").asDouble());

    CliRun bad = fletch("drift", "--reference", training.toString(), "--current", "nonsense");
    assertEquals(ExitCodes.USAGE, bad.exitCode());
    assertTrue(bad.err().contains("is neither a file nor VIEW:START..END"), bad.err());
    CliRun unknown =
        fletch(
            "drift",
            "--reference",
            training.toString(),
            "--current",
            "nope:2026-01-01..2026-02-01");
    assertEquals(1, unknown.exitCode());
    assertTrue(unknown.err().contains("nope"), unknown.err());
    CliRun logged =
        fletch(
            "drift",
            "--reference",
            training.toString(),
            "--current",
            "logged:fraud_model_v1:2026-02-01..2026-03-01");
    assertEquals(1, logged.exitCode());
    assertTrue(logged.err().contains("does not log the values it answers with yet"), logged.err());
  }

  @Test
  void aViewsRangeIsComparedWithItsThresholds() throws Exception {
    CliRun run =
        fletch(
            "drift",
            "--reference",
            "merchant_risk:2026-02-01..2026-02-14",
            "--current",
            "merchant_risk:2026-02-15..2026-03-01");
    assertTrue(run.exitCode() == 0 || run.exitCode() == 3, run.out() + run.err());
    assertTrue(run.out().contains("merchant_risk:merchant_category"), run.out());
    assertTrue(run.out().contains("the defaults (psi > 0.2,"), run.out());

    // Loose thresholds of the view: nothing can cross them.
    Path views = repo.resolve("merchant_views.yaml");
    String yaml = Files.readString(views);
    String anchor = "  - name: merchant_risk\n";
    assertTrue(yaml.contains(anchor), yaml);
    Files.writeString(
        views,
        yaml.replace(
            anchor,
            anchor
                + "    monitoring: {psi: 100, ks_pvalue: 0, chi2_pvalue: 0, js_distance: 1,"
                + " null_fraction_delta: 1}\n"));
    ok(fletch("apply", "--yes"));
    CliRun loose =
        fletch(
            "drift",
            "--reference",
            "merchant_risk:2026-02-01..2026-02-14",
            "--current",
            "merchant_risk:2026-02-15..2026-03-01");
    assertEquals(0, loose.exitCode(), loose.out() + loose.err());
    assertTrue(loose.out().contains("thresholds: monitoring: of view merchant_risk"), loose.out());
    Files.writeString(views, yaml);
    ok(fletch("apply", "--yes"));
  }

  private static JsonNode json(CliRun run) {
    assertTrue(run.exitCode() == 0 || run.exitCode() == 3, run.out() + run.err());
    try {
      return DefinitionJson.mapper().readTree(run.out());
    } catch (Exception e) {
      throw new AssertionError("not JSON: " + run.out(), e);
    }
  }

  private static JsonNode column(JsonNode stats, String name) {
    for (JsonNode c : stats.at("/stats/columns")) {
      if (c.get("name").asText().equals(name)) {
        return c;
      }
    }
    throw new AssertionError("no column " + name);
  }
}
