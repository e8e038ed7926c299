package dev.fletch.offline;

import static dev.fletch.offline.TestData.q;
import static dev.fletch.offline.TestData.sql;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fletch.core.InvalidRequestException;
import dev.fletch.core.stats.ColumnKind;
import dev.fletch.offline.ColumnComparison.Categorical;
import dev.fletch.offline.ColumnComparison.Numeric;
import dev.fletch.offline.OfflineStore.ComparedColumn;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The counts behind drift measures, checked against the same counts made in Java from the generated
 * values: the exact Kolmogorov-Smirnov statistic, the decile bins, the category counts.
 */
class CompareTest {
  @TempDir Path dir;
  private DuckDbOfflineStore store;

  @BeforeEach
  void setUp() {
    store = new DuckDbOfflineStore();
  }

  @AfterEach
  void tearDown() {
    store.close();
  }

  /** Writes rows (x DOUBLE, k BIGINT, c VARCHAR) to a Parquet file. */
  private Path write(String name, double[] x, long[] k, String[] c) throws IOException {
    StringBuilder csv = new StringBuilder("x,k,c\n");
    for (int i = 0; i < x.length; i++) {
      csv.append(Double.isNaN(x[i]) ? "" : Double.toString(x[i]))
          .append(',')
          .append(k[i])
          .append(',')
          .append(c[i] == null ? "" : c[i])
          .append('\n');
    }
    Path text = dir.resolve(name + ".csv");
    Files.writeString(text, csv);
    Path out = dir.resolve(name + ".parquet");
    sql(
        "COPY (SELECT CAST(x AS DOUBLE) AS x, CAST(k AS BIGINT) AS k, CAST(c AS VARCHAR) AS c FROM"
            + " read_csv("
            + q(text)
            + ", header = true, all_varchar = true)) TO "
            + q(out)
            + " (FORMAT parquet)");
    return out;
  }

  /** The two-sample statistic computed the textbook way: walk both sorted samples. */
  static double ks(double[] a, double[] b) {
    double[] x = a.clone();
    double[] y = b.clone();
    Arrays.sort(x);
    Arrays.sort(y);
    int i = 0;
    int j = 0;
    double d = 0;
    while (i < x.length && j < y.length) {
      double v = Math.min(x[i], y[j]);
      while (i < x.length && x[i] == v) {
        i++;
      }
      while (j < y.length && y[j] == v) {
        j++;
      }
      d = Math.max(d, Math.abs((double) i / x.length - (double) j / y.length));
    }
    return d;
  }

  @Test
  void numbersAndCategoriesAreCountedAsJavaCountsThem() throws IOException {
    Random r = new Random(7);
    int n1 = 3000;
    int n2 = 2500;
    double[] x1 = new double[n1];
    long[] k1 = new long[n1];
    String[] c1 = new String[n1];
    for (int i = 0; i < n1; i++) {
      x1[i] = i % 30 == 0 ? Double.NaN : r.nextGaussian();
      k1[i] = r.nextInt(5); // many ties
      c1[i] = i % 40 == 0 ? null : "v" + r.nextInt(6);
    }
    double[] x2 = new double[n2];
    long[] k2 = new long[n2];
    String[] c2 = new String[n2];
    for (int i = 0; i < n2; i++) {
      x2[i] = 0.3 + r.nextGaussian();
      k2[i] = r.nextInt(6);
      c2[i] = "v" + r.nextInt(8); // two values the reference never has
    }
    Path ref = write("ref", x1, k1, c1);
    Path cur = write("cur", x2, k2, c2);
    List<ColumnComparison> out =
        store.compare(
            null,
            new DataSlice.Files(ref),
            new DataSlice.Files(cur),
            List.of(
                new ComparedColumn("x", "x", ColumnKind.NUMERIC),
                new ComparedColumn("k", "k", ColumnKind.NUMERIC),
                new ComparedColumn("c", "c", ColumnKind.CATEGORICAL)),
            OfflineStore.CompareListener.NONE);
    assertEquals(3, out.size());

    double[] xs1 = Arrays.stream(x1).filter(v -> !Double.isNaN(v)).toArray();
    ColumnComparison x = out.get(0);
    assertEquals(new ColumnComparison.Counts(n1, n1 - xs1.length, xs1.length), x.referenceCounts());
    assertEquals(new ColumnComparison.Counts(n2, 0, n2), x.currentCounts());
    Numeric nx = assertInstanceOf(Numeric.class, x.distribution());
    assertEquals(ks(xs1, x2), nx.ksStatistic(), 1e-12);
    assertEquals(9, nx.edges().size(), "deciles of a continuous column are distinct");
    assertEquals(bins(xs1, nx.edges()), nx.reference());
    assertEquals(bins(x2, nx.edges()), nx.current());
    // Each decile bin holds about a tenth of the reference.
    for (long count : nx.reference()) {
      assertTrue(
          Math.abs(count - xs1.length / 10.0) < xs1.length * 0.02, nx.reference().toString());
    }

    Numeric nk = assertInstanceOf(Numeric.class, out.get(1).distribution());
    double[] dk1 = Arrays.stream(k1).asDoubleStream().toArray();
    double[] dk2 = Arrays.stream(k2).asDoubleStream().toArray();
    assertEquals(ks(dk1, dk2), nk.ksStatistic(), 1e-12, "ties count whole");
    assertTrue(nk.edges().size() <= 5, "repeated deciles are merged: " + nk.edges());
    assertEquals(bins(dk1, nk.edges()), nk.reference());
    assertEquals(bins(dk2, nk.edges()), nk.current());

    Categorical cc = assertInstanceOf(Categorical.class, out.get(2).distribution());
    Map<String, Long> r1 = counts(c1);
    Map<String, Long> r2 = counts(c2);
    assertEquals(8, cc.values().size());
    for (int i = 0; i < cc.values().size(); i++) {
      String v = cc.values().get(i);
      assertEquals(r1.getOrDefault(v, 0L), cc.reference().get(i), v);
      assertEquals(r2.getOrDefault(v, 0L), cc.current().get(i), v);
    }
    assertEquals(0, cc.referenceOther());
    assertEquals(n1 / 40, out.get(2).referenceCounts().nulls());
  }

  @Test
  void rareCategoriesBeyondTheLimitAreCountedTogether() throws IOException {
    int n = 500;
    double[] x = new double[n];
    long[] k = new long[n];
    String[] c = new String[n];
    for (int i = 0; i < n; i++) {
      c[i] = "id" + (i % 250); // 250 values, 2 rows each
    }
    Path ref = write("many", x, k, c);
    Categorical cc =
        assertInstanceOf(
            Categorical.class,
            store
                .compare(
                    null,
                    new DataSlice.Files(ref),
                    new DataSlice.Files(ref),
                    List.of(new ComparedColumn("c", "c", ColumnKind.CATEGORICAL)),
                    null)
                .get(0)
                .distribution());
    assertEquals(Categorical.MAX_CATEGORIES, cc.values().size());
    assertEquals(n - 2 * Categorical.MAX_CATEGORIES, cc.referenceOther());
    assertEquals(cc.referenceOther(), cc.currentOther());
  }

  @Test
  void aSideWithoutValuesAndAMissingColumnAreTold() throws IOException {
    double[] nan = {Double.NaN, Double.NaN};
    Path empty = write("empty", nan, new long[] {1, 2}, new String[] {null, null});
    Path full = write("full", new double[] {1, 2}, new long[] {1, 2}, new String[] {"a", "b"});
    List<ColumnComparison> out =
        store.compare(
            null,
            new DataSlice.Files(full),
            new DataSlice.Files(empty),
            List.of(
                new ComparedColumn("x", "x", ColumnKind.NUMERIC),
                new ComparedColumn("c", "c", ColumnKind.CATEGORICAL)),
            null);
    assertInstanceOf(ColumnComparison.Empty.class, out.get(0).distribution());
    assertEquals(1.0, out.get(1).currentCounts().nullFraction());
    InvalidRequestException e =
        assertThrows(
            InvalidRequestException.class,
            () ->
                store.compare(
                    null,
                    new DataSlice.Files(full),
                    new DataSlice.Files(empty),
                    List.of(new ComparedColumn("x", "amount", ColumnKind.NUMERIC)),
                    null));
    assertTrue(e.getMessage().contains("has no column 'amount'"), e.getMessage());
  }

  /** Counts per bin: (-inf, e0], (e0, e1], ..., (e_last, inf). */
  private static List<Long> bins(double[] values, List<Double> edges) {
    long[] counts = new long[edges.size() + 1];
    for (double v : values) {
      int b = 0;
      while (b < edges.size() && v > edges.get(b)) {
        b++;
      }
      counts[b]++;
    }
    List<Long> out = new ArrayList<>();
    for (long c : counts) {
      out.add(c);
    }
    return out;
  }

  private static Map<String, Long> counts(String[] values) {
    Map<String, Long> out = new HashMap<>();
    for (String v : values) {
      if (v != null) {
        out.merge(v, 1L, Long::sum);
      }
    }
    return out;
  }
}
