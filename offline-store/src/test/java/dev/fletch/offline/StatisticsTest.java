package dev.fletch.offline;

import static dev.fletch.offline.TestData.feature;
import static dev.fletch.offline.TestData.q;
import static dev.fletch.offline.TestData.sql;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fletch.core.NotFoundException;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.model.FeatureRow;
import dev.fletch.core.model.ValueType;
import dev.fletch.core.stats.ColumnKind;
import dev.fletch.core.stats.ColumnStats;
import dev.fletch.core.stats.DatasetStats;
import dev.fletch.core.stats.Histogram;
import dev.fletch.core.stats.Quantiles;
import dev.fletch.core.stats.ValueCount;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Statistics computed by DuckDB, checked against the same figures computed independently in Java
 * from the generated values (exact where the statistic is exact; within stated bounds where it is a
 * sketch).
 */
class StatisticsTest {
  @TempDir Path dir;
  private DuckDbOfflineStore store;

  private static final int ROWS = 20_000;
  private final List<Double> x = new ArrayList<>();
  private final List<Long> n = new ArrayList<>();
  private final List<String> cat = new ArrayList<>();
  private final List<Boolean> flag = new ArrayList<>();
  private final List<Instant> ts = new ArrayList<>();
  private Path file;

  @BeforeEach
  void setUp() throws IOException {
    store = new DuckDbOfflineStore();
    Random r = new Random(42);
    StringBuilder csv = new StringBuilder("x,n,cat,flag,ts\n");
    Instant t0 = Instant.parse("2024-01-01T00:00:00Z");
    for (int i = 0; i < ROWS; i++) {
      Double xv =
          i % 20 == 0
              ? null
              : i == 7 ? Double.NaN : i == 9 ? Double.POSITIVE_INFINITY : 10 + 3 * r.nextGaussian();
      long nv = r.nextInt(100);
      // Zipf-like: category k with weight 1/(k+1)
      int k = 0;
      double u = r.nextDouble() * 4.0;
      while (k < 29 && u > 1.0 / (k + 1)) {
        u -= 1.0 / (k + 1);
        k++;
      }
      String cv = i % 100 == 3 ? null : "c" + k;
      Boolean fv = i % 50 == 1 ? null : r.nextDouble() < 0.3;
      Instant tv = t0.plusSeconds(r.nextInt(86_400 * 30));
      x.add(xv);
      n.add(nv);
      cat.add(cv);
      flag.add(fv);
      ts.add(tv);
      csv.append(xv == null ? "" : xv.isNaN() ? "nan" : xv.isInfinite() ? "inf" : xv.toString())
          .append(',')
          .append(nv)
          .append(',')
          .append(cv == null ? "" : cv)
          .append(',')
          .append(fv == null ? "" : fv.toString())
          .append(',')
          .append(tv)
          .append('\n');
    }
    Path csvFile = dir.resolve("gen.csv");
    Files.writeString(csvFile, csv);
    file = dir.resolve("data.parquet");
    sql(
        "COPY (SELECT CAST(x AS DOUBLE) AS x, CAST(n AS BIGINT) AS n, CAST(cat AS VARCHAR) AS cat,"
            + " CAST(flag AS BOOLEAN) AS flag, CAST(ts AS TIMESTAMPTZ) AS ts, [CAST(n AS BIGINT), CAST(n AS BIGINT) + 1] AS pair"
            + " FROM read_csv("
            + q(csvFile)
            + ", header = true, all_varchar = true)) TO "
            + q(file)
            + " (FORMAT parquet)");
  }

  @AfterEach
  void tearDown() {
    store.close();
  }

  @Test
  void numbersAgreeWithAnIndependentComputation() {
    DatasetStats stats = store.stats(null, new DataSlice.Files(file));
    assertEquals(ROWS, stats.rows());
    ColumnStats s = stats.column("x").orElseThrow();
    assertEquals(ColumnKind.NUMERIC, s.kind());
    assertEquals("DOUBLE", s.type());
    double[] finite =
        x.stream()
            .filter(v -> v != null && Double.isFinite(v))
            .mapToDouble(Double::doubleValue)
            .sorted()
            .toArray();
    long nulls = x.stream().filter(v -> v == null).count();
    assertEquals(ROWS, s.count());
    assertEquals(nulls, s.nulls());
    assertEquals((double) nulls / ROWS, s.nullFraction(), 1e-12);
    assertEquals(2L, s.nonFinite(), "NaN and +inf are counted apart");
    assertEquals(finite[0], s.min(), 0);
    assertEquals(finite[finite.length - 1], s.max(), 0);
    double mean = Arrays.stream(finite).average().orElseThrow();
    double var =
        Arrays.stream(finite).map(v -> (v - mean) * (v - mean)).sum() / (finite.length - 1);
    assertEquals(mean, s.mean(), 1e-9);
    assertEquals(Math.sqrt(var), s.stddev(), 1e-9);

    // Quantiles from a t-digest: each within 1% of rank of the exact one.
    List<Double> probs = Quantiles.PROBABILITIES;
    List<Double> values = s.quantiles().values();
    for (int i = 0; i < probs.size(); i++) {
      double rank = rankOf(finite, values.get(i));
      assertTrue(
          Math.abs(rank - probs.get(i)) <= 0.01,
          "p" + probs.get(i) + " = " + values.get(i) + " has rank " + rank);
    }

    // The histogram: 20 equal bins over [min, max], exact counts.
    Histogram h = s.histogram();
    assertEquals(Histogram.BINS + 1, h.edges().size());
    assertEquals(finite[0], h.edges().get(0), 0);
    assertEquals(finite[finite.length - 1], h.edges().get(Histogram.BINS), 0);
    long[] expected = new long[Histogram.BINS];
    double width = (finite[finite.length - 1] - finite[0]) / Histogram.BINS;
    for (double v : finite) {
      expected[Math.min(Histogram.BINS - 1, (int) Math.floor((v - finite[0]) / width))]++;
    }
    assertEquals(Arrays.stream(expected).boxed().toList(), h.counts());
    assertEquals(finite.length, h.total());

    // Distinct: a HyperLogLog estimate, within 5%.
    long distinct = new HashSet<>(Arrays.stream(finite).boxed().toList()).size() + 2;
    assertTrue(
        Math.abs(s.distinct() - distinct) <= 0.05 * distinct, s.distinct() + " vs " + distinct);

    ColumnStats ints = stats.column("n").orElseThrow();
    assertNull(ints.nonFinite(), "integers have no NaN to count");
    assertEquals(0, ints.nulls());
    assertEquals(0.0, ints.min());
    assertEquals(99.0, ints.max());
    assertTrue(Math.abs(ints.distinct() - 100) <= 5);
  }

  /** The share of values at or below {@code v}. */
  private static double rankOf(double[] sorted, double v) {
    int i = Arrays.binarySearch(sorted, v);
    int pos = i >= 0 ? i : -i - 1;
    return (double) pos / sorted.length;
  }

  @Test
  void categoriesTimesAndOthersAgreeWithAnIndependentComputation() {
    DatasetStats stats = store.stats(null, new DataSlice.Files(file));
    ColumnStats c = stats.column("cat").orElseThrow();
    assertEquals(ColumnKind.CATEGORICAL, c.kind());
    Map<String, Long> counts = new HashMap<>();
    cat.stream().filter(v -> v != null).forEach(v -> counts.merge(v, 1L, Long::sum));
    assertEquals(cat.stream().filter(v -> v == null).count(), c.nulls());
    assertEquals(ColumnStats.TOP_VALUES, c.top().size());
    // The ten most frequent values with their exact counts (the skew leaves no near ties at 10).
    List<ValueCount> expected =
        counts.entrySet().stream()
            .map(e -> new ValueCount(e.getKey(), e.getValue()))
            .sorted(
                java.util.Comparator.comparingLong(ValueCount::count)
                    .reversed()
                    .thenComparing(ValueCount::value))
            .limit(ColumnStats.TOP_VALUES)
            .toList();
    assertEquals(expected.subList(0, 5), c.top().subList(0, 5));
    for (ValueCount v : c.top()) {
      assertEquals(counts.get(v.value()), v.count(), "exact count of " + v.value());
    }
    assertTrue(Math.abs(c.distinct() - counts.size()) <= 2);
    assertNull(c.histogram());
    assertNull(c.mean());

    ColumnStats f = stats.column("flag").orElseThrow();
    long trues = flag.stream().filter(Boolean.TRUE::equals).count();
    long falses = flag.stream().filter(Boolean.FALSE::equals).count();
    assertEquals(List.of(new ValueCount("false", falses), new ValueCount("true", trues)), f.top());
    assertEquals(flag.stream().filter(v -> v == null).count(), f.nulls());

    ColumnStats t = stats.column("ts").orElseThrow();
    assertEquals(ColumnKind.TIME, t.kind());
    assertEquals(ts.stream().min(Instant::compareTo).orElseThrow(), t.earliest());
    assertEquals(ts.stream().max(Instant::compareTo).orElseThrow(), t.latest());

    ColumnStats o = stats.column("pair").orElseThrow();
    assertEquals(ColumnKind.OTHER, o.kind());
    assertEquals(0, o.nulls());
    assertTrue(Math.abs(o.distinct() - 100) <= 5);
  }

  @Test
  void csvFilesAndTimeRangesOfFilesAreSummarisedToo() throws IOException {
    Path csv = dir.resolve("small.csv");
    Files.writeString(
        csv,
        "ts,v,s\n2024-01-01T00:00:00Z,1,a\n2024-01-02T00:00:00Z,2,a\n2024-01-03T00:00:00Z,4,\n");
    DatasetStats all = store.stats(null, new DataSlice.Files(csv));
    assertEquals(3, all.rows());
    assertEquals(7.0 / 3, all.column("v").orElseThrow().mean(), 1e-12);
    assertEquals(List.of(new ValueCount("a", 2)), all.column("s").orElseThrow().top());
    DatasetStats range =
        store.stats(
            null,
            new DataSlice.Files(
                csv,
                "ts",
                Instant.parse("2024-01-02T00:00:00Z"),
                Instant.parse("2024-01-03T00:00:00Z")));
    assertEquals(2, range.rows());
    assertEquals(3.0, range.column("v").orElseThrow().mean(), 1e-12);
    // One value: a histogram of one bin, no deviation.
    DatasetStats one =
        store.stats(
            null,
            new DataSlice.Files(
                csv,
                "ts",
                Instant.parse("2024-01-01T00:00:00Z"),
                Instant.parse("2024-01-01T00:00:00Z")));
    ColumnStats v = one.column("v").orElseThrow();
    assertEquals(List.of(1L), v.histogram().counts());
    assertEquals(0.0, v.stddev());
    NotFoundException missing =
        assertThrows(
            NotFoundException.class,
            () -> store.stats(null, new DataSlice.Files(dir.resolve("no.parquet"))));
    assertTrue(missing.getMessage().contains("no.parquet"), missing.getMessage());
  }

  @Test
  void aMaterializationScanSummarisesTheRowsItStreams() {
    sql(
        "COPY (SELECT i % 100 AS customer_id, TIMESTAMP '2024-01-01' + to_minutes(i) AS event_ts,"
            + " CAST(i AS DOUBLE) / 7 AS amount, 'k' || CAST(i % 3 AS VARCHAR) AS kind,"
            + " TIMESTAMP '2023-01-01' + to_days(i % 5) AS seen FROM range(1000) t(i)) TO "
            + q(dir.resolve("events.parquet"))
            + " (FORMAT parquet)");
    FeatureRepo repo =
        TestData.repo(
            dir,
            List.of(TestData.entity("customer", "customer_id")),
            List.of(TestData.parquet("events", "events.parquet", "event_ts", null)),
            List.of(
                TestData.view(
                    "v",
                    List.of("customer"),
                    "events",
                    Duration.ZERO,
                    feature("amount", ValueType.DOUBLE),
                    feature("kind", ValueType.STRING),
                    feature("seen", ValueType.TIMESTAMP))));
    List<FeatureRow> rows = new ArrayList<>();
    List<FeatureRow> plain = new ArrayList<>();
    AtomicReference<DatasetStats> stats = new AtomicReference<>();
    Instant start = Instant.parse("2024-01-01T00:00:00Z");
    Instant end = Instant.parse("2024-01-01T12:00:00Z");
    long produced =
        store.scanLatest(repo, repo.view("v"), start, end, 64, rows::addAll, stats::set);
    store.scanLatest(repo, repo.view("v"), start, end, 64, plain::addAll);
    assertEquals(100, produced);
    assertEquals(
        plain.stream().map(FeatureRow::toString).sorted().toList(),
        rows.stream().map(FeatureRow::toString).sorted().toList(),
        "the same rows, with or without statistics");
    DatasetStats s = stats.get();
    assertEquals(100, s.rows());
    assertEquals(
        List.of("amount", "kind", "seen"), s.columns().stream().map(ColumnStats::name).toList());
    double[] amounts = rows.stream().mapToDouble(r -> (Double) r.values().get(0)).toArray();
    assertEquals(
        Arrays.stream(amounts).average().orElseThrow(),
        s.column("amount").orElseThrow().mean(),
        1e-9);
    assertEquals(
        Arrays.stream(amounts).max().orElseThrow(), s.column("amount").orElseThrow().max(), 1e-12);
    assertEquals(ColumnKind.TIME, s.column("seen").orElseThrow().kind());
    Instant latestSeen =
        rows.stream().map(r -> (Instant) r.values().get(2)).max(Instant::compareTo).orElseThrow();
    assertEquals(latestSeen, s.column("seen").orElseThrow().latest());
    long k0 = rows.stream().filter(r -> "k0".equals(r.values().get(1))).count();
    assertTrue(s.column("kind").orElseThrow().top().contains(new ValueCount("k0", k0)));
  }

  @Test
  void aViewRangeIsEverySourceRowInTheRange() {
    sql(
        "COPY (SELECT i % 10 AS customer_id, TIMESTAMP '2024-01-01' + to_hours(i) AS event_ts,"
            + " CAST(i AS DOUBLE) AS amount FROM range(100) t(i)) TO "
            + q(dir.resolve("events.parquet"))
            + " (FORMAT parquet)");
    FeatureRepo repo =
        TestData.repo(
            dir,
            List.of(TestData.entity("customer", "customer_id")),
            List.of(TestData.parquet("events", "events.parquet", "event_ts", null)),
            List.of(
                TestData.view(
                    "v",
                    List.of("customer"),
                    "events",
                    Duration.ZERO,
                    feature("amount", ValueType.DOUBLE),
                    feature("doubled", ValueType.DOUBLE, "amount * 2"))));
    DataSlice range =
        new DataSlice.ViewRange(
            "v", Instant.parse("2024-01-01T10:00:00Z"), Instant.parse("2024-01-01T19:00:00Z"));
    DatasetStats s = store.stats(repo, range);
    assertEquals(10, s.rows());
    assertEquals(14.5, s.column("amount").orElseThrow().mean(), 1e-12);
    assertEquals(29.0, s.column("doubled").orElseThrow().mean(), 1e-12);
    assertEquals(
        List.of("amount", "doubled"),
        store.columns(repo, range).stream().map(OfflineStore.SliceColumn::name).toList());
    DatasetStats empty =
        store.stats(
            repo,
            new DataSlice.ViewRange(
                "v", Instant.parse("2030-01-01T00:00:00Z"), Instant.parse("2030-01-02T00:00:00Z")));
    assertEquals(0, empty.rows());
    assertNull(empty.column("amount").orElseThrow().mean());
  }
}
