package dev.fletch.monitoring.math;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Each measure against values computed independently: by hand, by scipy (the figures quoted), or
 * from the distributions the samples are drawn from.
 */
class MeasuresTest {
  @Test
  void psiOfKnownShares() {
    // ref 25/25/25/25 %, current 10/20/30/40 %: Σ (c - r) ln(c / r) = 0.228217...
    assertEquals(
        0.22821740957339182,
        PopulationStability.index(new long[] {25, 25, 25, 25}, new long[] {10, 20, 30, 40}),
        1e-14);
    assertEquals(0, PopulationStability.index(new long[] {3, 5}, new long[] {30, 50}), 1e-15);
    // An empty bin counts as a share of 1e-4: (0.5 - 1e-4) ln(0.5 / 1e-4) + (1e-4 - 0.5) ...
    double psi = PopulationStability.index(new long[] {1, 1}, new long[] {1, 0});
    double expected = (1 - 0.5) * Math.log(1 / 0.5) + (1e-4 - 0.5) * Math.log(1e-4 / 0.5);
    assertEquals(expected, psi, 1e-12);
    assertThrows(
        IllegalArgumentException.class,
        () -> PopulationStability.index(new long[] {0}, new long[] {1}));
  }

  @Test
  void jensenShannonOfKnownDistributions() {
    // scipy.spatial.distance.jensenshannon(p, q, base=2)
    assertEquals(
        0.5579230452841438, JensenShannon.distance(new long[] {1, 1}, new long[] {2, 0}), 1e-14);
    assertEquals(
        0.20050332253142814,
        JensenShannon.distance(new long[] {10, 20, 30, 40}, new long[] {25, 25, 25, 25}),
        1e-14);
    assertEquals(1, JensenShannon.distance(new long[] {5, 0}, new long[] {0, 7}), 1e-15);
    assertEquals(0, JensenShannon.distance(new long[] {2, 4}, new long[] {1, 2}), 1e-15);
  }

  @Test
  void chiSquareHomogeneityMatchesAContingencyTest() {
    // scipy.stats.chi2_contingency(table, correction=False)
    ChiSquare.Result r =
        ChiSquare.homogeneity(
            new long[] {30, 14, 34, 45, 57, 20}, new long[] {52, 16, 52, 35, 26, 12});
    assertEquals(24.51462296890857, r.statistic(), 1e-11);
    assertEquals(5, r.degreesOfFreedom());
    assertEquals(0.00017284991206602306, r.pValue(), 1e-15);
    ChiSquare.Result same =
        ChiSquare.homogeneity(new long[] {120, 90, 40, 0}, new long[] {110, 95, 45, 0});
    assertEquals(0.8640353908896108, same.statistic(), 1e-12);
    assertEquals(2, same.degreesOfFreedom(), "a value absent from both does not count");
    assertEquals(0.6491978887380976, same.pValue(), 1e-13);
    assertEquals(1, ChiSquare.homogeneity(new long[] {5}, new long[] {9}).pValue());
  }

  @Test
  void exactKolmogorovSmirnovPValuesMatchScipy() {
    // scipy.stats._stats_py._attempt_exact_2kssamp(n1, n2, gcd, d, 'two-sided')
    assertPValue(0.16666666666666663, 0.6, 5, 7);
    assertPValue(0.16782134274394334, 0.5, 10, 10);
    assertPValue(0.20235672077103806, 0.3, 20, 30);
    assertPValue(0.24653831651565827, 0.25, 40, 25);
    assertPValue(0.2719135601522248, 0.2, 50, 50);
    assertPValue(0.22857142857142862, 0.75, 3, 4);
    assertPValue(0.21117008625127576, 0.15, 100, 100);
    // D = 1 for 8 and 12: 2 of the C(20, 8) orderings
    assertPValue(1.5876796062554575e-05, 1.0, 8, 12);
    // A D computed in floating point a hair off its multiple of 1/(n1 n2) gives the same answer.
    assertEquals(
        KolmogorovSmirnov.pValue(0.6, 5, 7).value(),
        KolmogorovSmirnov.pValue(0.6 - 1e-13, 5, 7).value(),
        1e-15);
    assertEquals(KolmogorovSmirnov.Method.EXACT, KolmogorovSmirnov.pValue(0.2, 100, 100).method());
  }

  private static void assertPValue(double expected, double d, int n1, int n2) {
    KolmogorovSmirnov.PValue p = KolmogorovSmirnov.pValue(d, n1, n2);
    assertEquals(expected, p.value(), 1e-12, "D=" + d + ", n=" + n1 + "," + n2);
  }

  @Test
  void asymptoticPValuesUseTheCorrectedKolmogorovDistribution() {
    // scipy.stats.kstwobign.sf(λ)
    assertEquals(0.9999906941986655, KolmogorovSmirnov.kolmogorovSurvival(0.3), 1e-13);
    assertEquals(0.9639452436648751, KolmogorovSmirnov.kolmogorovSurvival(0.5), 1e-13);
    assertEquals(0.5441424115741981, KolmogorovSmirnov.kolmogorovSurvival(0.8), 1e-13);
    assertEquals(0.26999967167735456, KolmogorovSmirnov.kolmogorovSurvival(1.0), 1e-13);
    assertEquals(0.049485876755377876, KolmogorovSmirnov.kolmogorovSurvival(1.36), 1e-13);
    assertEquals(0.0006709252557796953, KolmogorovSmirnov.kolmogorovSurvival(2.0), 1e-15);
    assertEquals(3.045995948942526e-08, KolmogorovSmirnov.kolmogorovSurvival(3.0), 1e-19);
    // With Stephens' correction (scipy: kstwobign.sf((√m + 0.12 + 0.11/√m) D)); within 1% of
    // scipy's own ks_2samp asymptotic p-value (kstwo.sf(D, round(m))) for these sizes.
    KolmogorovSmirnov.PValue p = KolmogorovSmirnov.pValue(0.12, 200, 300);
    assertEquals(KolmogorovSmirnov.Method.ASYMPTOTIC, p.method());
    assertEquals(0.05810999799937809, p.value(), 1e-12);
    assertEquals(0.057968670227183945, p.value(), 0.01 * p.value());
    assertEquals(0.21082480564092643, KolmogorovSmirnov.pValue(0.05, 1000, 800).value(), 1e-12);
    assertEquals(0.035877453917777385, KolmogorovSmirnov.pValue(0.03, 5000, 4000).value(), 1e-12);
  }

  @Test
  void aShiftedSampleIsDetectedAndAnIdenticalOneIsNot() {
    Random r = new Random(11);
    int n = 20_000;
    double[] reference = new double[n];
    double[] same = new double[n];
    double[] shifted = new double[n];
    for (int i = 0; i < n; i++) {
      reference[i] = r.nextGaussian();
      same[i] = r.nextGaussian();
      shifted[i] = 0.5 + r.nextGaussian();
    }
    // D of N(0,1) against N(0.5,1) tends to 2Φ(0.25) - 1 = 0.197413 (sampling error ~ 0.014).
    double dShift = KolmogorovSmirnov.statistic(reference, shifted);
    assertEquals(0.1974126513658474, dShift, 0.02);
    assertTrue(KolmogorovSmirnov.pValue(dShift, n, n).value() < 1e-100);
    double dSame = KolmogorovSmirnov.statistic(reference, same);
    assertTrue(dSame < 0.02, "D of two samples of one distribution: " + dSame);
    assertTrue(KolmogorovSmirnov.pValue(dSame, n, n).value() > 0.01);

    // PSI over the reference's deciles: N(0.5,1) against N(0,1) tends to 0.237749 (scipy, from
    // the normal CDF at the deciles); the identical sample's PSI is sampling noise (~0.001).
    double[] sorted = reference.clone();
    java.util.Arrays.sort(sorted);
    double[] edges = new double[9];
    for (int k = 1; k <= 9; k++) {
      edges[k - 1] = sorted[k * n / 10 - 1];
    }
    assertEquals(
        0.2377492046862759,
        PopulationStability.index(bins(reference, edges), bins(shifted, edges)),
        0.03);
    assertTrue(PopulationStability.index(bins(reference, edges), bins(same, edges)) < 0.01);
  }

  private static long[] bins(double[] values, double[] edges) {
    long[] counts = new long[edges.length + 1];
    for (double v : values) {
      int b = 0;
      while (b < edges.length && v > edges[b]) {
        b++;
      }
      counts[b]++;
    }
    return counts;
  }
}
