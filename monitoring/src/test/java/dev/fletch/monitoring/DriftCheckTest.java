package dev.fletch.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fletch.core.InvalidRequestException;
import dev.fletch.core.model.Entity;
import dev.fletch.core.model.Feature;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.model.FeatureView;
import dev.fletch.core.model.JoinKey;
import dev.fletch.core.model.Monitoring;
import dev.fletch.core.model.Source;
import dev.fletch.core.model.SourceFormat;
import dev.fletch.core.model.ValueType;
import dev.fletch.core.stats.ColumnKind;
import dev.fletch.monitoring.math.KolmogorovSmirnov;
import dev.fletch.offline.DataSlice;
import dev.fletch.offline.DuckDbOfflineStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drift checks on generated data whose drift is known: a feature shifted by half a standard
 * deviation is detected with the PSI and KS statistic the distributions predict, a feature drawn
 * from the same distribution is not, a category whose mix changed is, and a rising share of nulls
 * is; thresholds come from the feature's view.
 */
class DriftCheckTest {
  @TempDir Path dir;
  private DuckDbOfflineStore store;
  private DriftCheck check;

  private static final int N = 20_000;
  private final double[] refAmount = new double[N];
  private final double[] curAmount = new double[N];
  private final double[] refScore = new double[N];
  private final double[] curScore = new double[N];
  private Path reference;
  private Path current;

  @BeforeEach
  void setUp() throws IOException {
    store = new DuckDbOfflineStore();
    check = new DriftCheck(store, LoggedValues.NONE);
    Random r = new Random(2024);
    String[] categories = {"grocery", "travel", "fuel", "online"};
    double[] refMix = {0.4, 0.3, 0.2, 0.1};
    double[] curMix = {0.25, 0.25, 0.25, 0.25};
    StringBuilder a = new StringBuilder("customer_id,amount,score,category,note\n");
    StringBuilder b = new StringBuilder("customer_id,amount,score,category,note\n");
    for (int i = 0; i < N; i++) {
      refAmount[i] = 50 + 10 * r.nextGaussian();
      curAmount[i] = 55 + 10 * r.nextGaussian(); // shifted by half a deviation
      refScore[i] = r.nextGaussian();
      curScore[i] = r.nextGaussian(); // the same distribution
      a.append(r.nextInt(1000))
          .append(',')
          .append(refAmount[i])
          .append(',')
          .append(refScore[i])
          .append(',')
          .append(pick(categories, refMix, r))
          .append(',')
          .append(i % 100 == 0 ? "" : "n") // 1% nulls
          .append('\n');
      b.append(r.nextInt(1000))
          .append(',')
          .append(curAmount[i])
          .append(',')
          .append(curScore[i])
          .append(',')
          .append(pick(categories, curMix, r))
          .append(',')
          .append(i % 10 == 0 ? "" : "n") // 10% nulls
          .append('\n');
    }
    reference = parquet("reference", a.toString());
    current = parquet("current", b.toString());
  }

  @AfterEach
  void tearDown() {
    store.close();
  }

  private static String pick(String[] values, double[] weights, Random r) {
    double u = r.nextDouble();
    for (int i = 0; i < values.length; i++) {
      u -= weights[i];
      if (u < 0) {
        return values[i];
      }
    }
    return values[values.length - 1];
  }

  private Path parquet(String name, String csv) throws IOException {
    Path text = dir.resolve(name + ".csv");
    Files.writeString(text, csv);
    Path out = dir.resolve(name + ".parquet");
    sql(
        "COPY (SELECT CAST(customer_id AS BIGINT) AS customer_id, CAST(amount AS DOUBLE) AS amount,"
            + " CAST(score AS DOUBLE) AS score, category, note FROM read_csv('"
            + text
            + "', header = true, all_varchar = true)) TO '"
            + out
            + "' (FORMAT parquet)");
    return out;
  }

  private static void sql(String... statements) {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement()) {
      st.execute("SET TimeZone = 'UTC'");
      for (String s : statements) {
        st.execute(s);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private FeatureRepo repo(Monitoring monitoring) {
    FeatureView view =
        new FeatureView(
                "payments",
                List.of("customer"),
                "events",
                Duration.ZERO,
                true,
                List.of(
                    new Feature("amount", ValueType.DOUBLE, null, null, null),
                    new Feature("score", ValueType.DOUBLE, null, null, null),
                    new Feature("category", ValueType.STRING, null, null, null),
                    new Feature("note", ValueType.STRING, null, null, null)),
                null,
                null,
                null,
                null)
            .withMonitoring(monitoring);
    return new FeatureRepo(
        "test",
        List.of(
            new Entity(
                "customer", List.of(new JoinKey("customer_id", ValueType.INT64)), null, null)),
        List.of(
            new Source(
                "events",
                SourceFormat.PARQUET,
                "events.parquet",
                "event_ts",
                null,
                Map.of(),
                null)),
        List.of(view),
        List.of(),
        dir);
  }

  private DriftReport run(FeatureRepo repo, List<String> features) {
    return check.run(
        new DriftCheck.Request(
            repo,
            new DriftSource.TrainingSet(reference),
            new DriftSource.TrainingSet(current),
            features),
        null);
  }

  private static FeatureDrift feature(DriftReport report, String name) {
    return report.features().stream()
        .filter(f -> f.feature().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError(name + " not in " + report.features()));
  }

  @Test
  void aShiftedNumberIsDetectedAndASameOneIsNot() {
    DriftReport report = run(null, List.of());
    assertEquals(N, report.referenceRows());
    assertEquals(N, report.currentRows());

    FeatureDrift amount = feature(report, "amount");
    assertEquals(ColumnKind.NUMERIC, amount.kind());
    // KS D of N(50,10) vs N(55,10) tends to 2Φ(0.25) - 1 = 0.1974; the engine's D is exactly the
    // one computed in Java from the same values.
    assertEquals(KolmogorovSmirnov.statistic(refAmount, curAmount), amount.ksStatistic(), 1e-12);
    assertEquals(0.1974126513658474, amount.ksStatistic(), 0.02);
    assertTrue(amount.ksPvalue() < 1e-100);
    assertEquals("asymptotic", amount.ksMethod());
    // PSI over the reference's deciles tends to 0.2377 for this shift (normal CDF at the deciles).
    assertEquals(0.2377492046862759, amount.psi(), 0.03);
    assertTrue(amount.drifted());
    assertTrue(amount.crossed().get(0).startsWith("psi 0.2"), amount.crossed().toString());

    FeatureDrift score = feature(report, "score");
    assertEquals(KolmogorovSmirnov.statistic(refScore, curScore), score.ksStatistic(), 1e-12);
    assertTrue(score.psi() < 0.01, "psi " + score.psi());
    assertTrue(score.ksPvalue() > 0.01, "p " + score.ksPvalue());
    assertFalse(score.drifted(), score.crossed().toString());
    assertNull(score.view(), "without definitions, defaults apply");
    assertEquals(Monitoring.DEFAULTS, score.thresholds());
  }

  @Test
  void aChangedMixOfCategoriesAndMoreNullsAreDetected() {
    DriftReport report = run(null, List.of());
    FeatureDrift category = feature(report, "category");
    assertEquals(ColumnKind.CATEGORICAL, category.kind());
    assertEquals(3, category.chi2Dof());
    assertTrue(category.chi2Pvalue() < 1e-100);
    // JS distance of (.4,.3,.2,.1) and (.25,.25,.25,.25) in bits: 0.2005 (scipy); samples ~ 0.005.
    assertEquals(0.200503322531428, category.jsDistance(), 0.01);
    assertTrue(category.drifted());

    FeatureDrift note = feature(report, "note");
    assertEquals(0.09, note.nullFractionDelta(), 1e-12);
    assertTrue(
        note.crossed().contains("null_fraction_delta +0.090 > 0.05"), note.crossed().toString());
    assertEquals(Double.valueOf(0), note.measures().get("js_distance"), 1e-12);
  }

  @Test
  void thresholdsComeFromTheFeaturesViewAndJoinKeysAreLeftOut() {
    DriftReport defaults = run(repo(null), List.of());
    assertTrue(
        defaults.skipped().stream()
            .anyMatch(s -> s.column().equals("customer_id") && s.reason().equals("a join key")),
        defaults.skipped().toString());
    FeatureDrift amount = feature(defaults, "payments:amount");
    assertEquals("payments", amount.view());
    assertTrue(amount.drifted());

    // The same data against looser thresholds of the view: no longer drifted.
    DriftReport loose =
        run(repo(new Monitoring(0.5, 0.0, 0.0, 0.5, 0.5)), List.of("payments:amount", "category"));
    assertEquals(2, loose.features().size());
    assertFalse(loose.anyDrifted(), loose.drifted().toString());
    assertEquals(0.5, feature(loose, "payments:amount").thresholds().psi());
  }

  @Test
  void aRequestedFeatureMustExistOnBothSidesAndBeComparable() {
    InvalidRequestException e =
        assertThrows(InvalidRequestException.class, () -> run(null, List.of("amount", "balance")));
    assertTrue(e.getMessage().contains("has no column for 'balance'"), e.getMessage());
    assertTrue(
        e.getMessage().contains("[customer_id, amount, score, category, note]"), e.getMessage());
  }

  @Test
  void aViewsSourceOverTwoRangesIsCompared() throws IOException {
    // Events of one view: the first week's amounts around 50, the second's around 80.
    StringBuilder csv = new StringBuilder("customer_id,event_ts,amount,score,category,note\n");
    Random r = new Random(5);
    Instant t0 = Instant.parse("2024-03-01T00:00:00Z");
    for (int i = 0; i < 4000; i++) {
      boolean late = i >= 2000;
      csv.append(i % 50)
          .append(',')
          .append(t0.plusSeconds(i * 300L))
          .append(',')
          .append((late ? 80 : 50) + 10 * r.nextGaussian())
          .append(',')
          .append(r.nextGaussian())
          .append(",grocery,n\n");
    }
    Files.writeString(dir.resolve("events.csv"), csv);
    sql(
        "COPY (SELECT CAST(customer_id AS BIGINT) AS customer_id, CAST(event_ts AS TIMESTAMPTZ) AS"
            + " event_ts, CAST(amount AS DOUBLE) AS amount, CAST(score AS DOUBLE) AS score, category,"
            + " note FROM read_csv('"
            + dir.resolve("events.csv")
            + "', header = true, all_varchar = true)) TO '"
            + dir.resolve("events.parquet")
            + "' (FORMAT parquet)");
    FeatureRepo repo = repo(null);
    Instant mid = t0.plusSeconds(2000 * 300L);
    DriftReport report =
        check.run(
            new DriftCheck.Request(
                repo,
                new DriftSource.ViewRange("payments", t0, mid.minusSeconds(1)),
                new DriftSource.ViewRange("payments", mid, t0.plus(Duration.ofDays(30))),
                List.of()),
            null);
    assertEquals(2000, report.referenceRows());
    assertEquals(2000, report.currentRows());
    FeatureDrift amount = feature(report, "payments:amount");
    // Three deviations apart: D tends to 2Φ(1.5) - 1 = 0.8664.
    assertEquals(0.8663855974622838, amount.ksStatistic(), 0.03);
    assertTrue(amount.drifted());
    assertFalse(feature(report, "payments:score").drifted());
    // A training set against the view's range: columns matched by feature name.
    DriftReport mixed =
        check.run(
            new DriftCheck.Request(
                repo,
                new DriftSource.TrainingSet(reference),
                new DriftSource.ViewRange("payments", t0, mid.minusSeconds(1)),
                List.of("payments:amount")),
            null);
    assertEquals(1, mixed.features().size());
    assertEquals("amount", mixed.features().get(0).referenceColumn());
    assertFalse(mixed.features().get(0).drifted(), mixed.features().get(0).crossed().toString());

    // A training set Fletch wrote says in its footer which feature each column holds: two of them
    // match by feature even without definitions, whatever their columns are called.
    Path early = dir.resolve("early.parquet");
    Path late = dir.resolve("late.parquet");
    store.historicalToFile(
        repo,
        new dev.fletch.offline.HistoricalRequest(
            new dev.fletch.offline.EntitySet.FromViewRange("payments", t0, mid.minusSeconds(1)),
            List.of("payments:amount"),
            null,
            null,
            false,
            early,
            null));
    store.historicalToFile(
        repo,
        new dev.fletch.offline.HistoricalRequest(
            new dev.fletch.offline.EntitySet.FromViewRange(
                "payments", mid, t0.plus(Duration.ofDays(30))),
            List.of("payments:amount"),
            null,
            null,
            true,
            late,
            null));
    DriftReport files =
        check.run(
            new DriftCheck.Request(
                null,
                new DriftSource.TrainingSet(early),
                new DriftSource.TrainingSet(late),
                List.of()),
            null);
    // (without definitions, the join key customer_id is not known as one: it is compared too)
    assertEquals(2, files.features().size(), files.features().toString());
    FeatureDrift byFooter = feature(files, "payments:amount");
    assertEquals("payments:amount", byFooter.feature());
    assertEquals("amount", byFooter.referenceColumn());
    assertEquals("payments__amount", byFooter.currentColumn());
    assertTrue(byFooter.drifted());
  }

  @Test
  void loggedServingValuesArePluggedInThroughLoggedValues() {
    Instant from = Instant.parse("2024-01-01T00:00:00Z");
    Instant to = Instant.parse("2024-01-02T00:00:00Z");
    InvalidRequestException none =
        assertThrows(
            InvalidRequestException.class,
            () ->
                check.run(
                    new DriftCheck.Request(
                        null,
                        new DriftSource.TrainingSet(reference),
                        new DriftSource.Logged("fraud_v1", from, to),
                        List.of()),
                    null));
    assertTrue(
        none.getMessage().contains("no logged serving values of 'fraud_v1'"), none.getMessage());

    // Logged rows: Parquet files with a time column; only the range is read.
    Path logs = dir.resolve("logs");
    try {
      Files.createDirectories(logs);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    sql(
        "CREATE TABLE cur AS SELECT *, TIMESTAMPTZ '2024-01-01 12:00:00+00' AS served_at FROM '"
            + current
            + "'",
        "INSERT INTO cur SELECT *, TIMESTAMPTZ '2024-02-01 12:00:00+00' FROM '" + reference + "'",
        "COPY cur TO '" + logs.resolve("part-0.parquet") + "' (FORMAT parquet)");
    LoggedValues logged =
        (project, name, start, end) ->
            Optional.of(
                new LoggedValues.Found(
                    new DataSlice.Files(logs.resolve("*.parquet"), "served_at", start, end),
                    Map.of("amount", "payments:amount")));
    DriftReport report =
        new DriftCheck(store, logged)
            .run(
                new DriftCheck.Request(
                    null,
                    new DriftSource.TrainingSet(reference),
                    new DriftSource.Logged("fraud_v1", from, to),
                    List.of("amount")),
                null);
    assertEquals(N, report.currentRows(), "only the day's rows");
    FeatureDrift amount = report.features().get(0);
    assertEquals("payments:amount", amount.feature());
    assertEquals(KolmogorovSmirnov.statistic(refAmount, curAmount), amount.ksStatistic(), 1e-12);
    assertTrue(new ArrayList<>(report.features()).get(0).drifted());
  }
}
