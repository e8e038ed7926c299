package dev.fletch.monitoring.math;

import java.util.Arrays;

/**
 * The two-sample Kolmogorov-Smirnov test (two-sided): the statistic D is the greatest distance
 * between the samples' empirical distribution functions, and its p-value the probability of a D at
 * least as large when both samples come from one continuous distribution.
 *
 * <p>The p-value is exact when n1 · n2 ≤ {@value #EXACT_LIMIT}: the share of the C(n1+n2, n1)
 * equally likely orderings of the pooled sample whose lattice path stays inside the band |i/n1 -
 * j/n2| < D (Hodges' counting, the method of R's {@code ks.test}). For larger samples it is the
 * limiting Kolmogorov distribution Q(λ) = 2 Σ (-1)^(k-1) e^(-2k²λ²) at λ = (√m + 0.12 + 0.11/√m) D,
 * m = n1·n2/(n1+n2) (Stephens' small-sample correction), within a few percent of the exact value
 * for p-values that matter (above about 1e-10). Both assume continuous data: with ties the test is
 * conservative (p-values too large).
 */
public final class KolmogorovSmirnov {
  /** Sample-size product up to which the p-value is counted exactly. */
  public static final long EXACT_LIMIT = 10_000;

  private KolmogorovSmirnov() {}

  /** How a p-value was obtained. */
  public enum Method {
    EXACT,
    ASYMPTOTIC
  }

  /** The p-value and how it was obtained. */
  public record PValue(double value, Method method) {}

  /** The statistic D of two samples (NaN values are not allowed). */
  public static double statistic(double[] a, double[] b) {
    if (a.length == 0 || b.length == 0) {
      throw new IllegalArgumentException("both samples need values");
    }
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

  /** The two-sided p-value of statistic {@code d} for samples of {@code n1} and {@code n2}. */
  public static PValue pValue(double d, long n1, long n2) {
    if (n1 <= 0 || n2 <= 0) {
      throw new IllegalArgumentException("both samples need values");
    }
    if (!(d >= 0 && d <= 1 + 1e-12)) {
      throw new IllegalArgumentException("D lies in [0, 1], got " + d);
    }
    if (n1 * n2 <= EXACT_LIMIT) {
      return new PValue(exact(d, (int) n1, (int) n2), Method.EXACT);
    }
    double m = (double) n1 * n2 / (n1 + n2);
    double sqrt = Math.sqrt(m);
    return new PValue(kolmogorovSurvival((sqrt + 0.12 + 0.11 / sqrt) * d), Method.ASYMPTOTIC);
  }

  /**
   * P(D >= d) counted over lattice paths: u[j] carries the probability of reaching (i, j) with
   * every step inside the band, normalised as it goes so no binomial coefficient is ever formed.
   */
  static double exact(double d, int n1, int n2) {
    int m = Math.min(n1, n2);
    int n = Math.max(n1, n2);
    double md = m;
    double nd = n;
    // D is a multiple of 1/(m n): keep points strictly inside it (robust to rounding of d).
    double q = (0.5 + Math.floor(d * md * nd - 1e-7)) / (md * nd);
    double[] u = new double[n + 1];
    for (int j = 0; j <= n; j++) {
      u[j] = j / nd > q ? 0 : 1;
    }
    for (int i = 1; i <= m; i++) {
      double w = (double) i / (i + n);
      u[0] = i / md > q ? 0 : w * u[0];
      for (int j = 1; j <= n; j++) {
        u[j] = Math.abs(i / md - j / nd) > q ? 0 : w * u[j] + u[j - 1];
      }
    }
    return Math.max(0, Math.min(1, 1 - u[n]));
  }

  /** Q(λ) = P(K > λ) of the Kolmogorov distribution. */
  public static double kolmogorovSurvival(double lambda) {
    if (lambda <= 0) {
      return 1;
    }
    if (lambda < 1.18) {
      // The alternating series converges slowly here; use the dual (theta-function) form.
      double y = Math.exp(-Math.PI * Math.PI / (8 * lambda * lambda));
      double sum = 0;
      for (int k = 1; k <= 40; k += 2) {
        double term = Math.pow(y, (double) k * k);
        sum += term;
        if (term < 1e-17 * sum) {
          break;
        }
      }
      return Math.max(0, Math.min(1, 1 - Math.sqrt(2 * Math.PI) / lambda * sum));
    }
    double sum = 0;
    for (int k = 1; k <= 100; k++) {
      double term = Math.exp(-2.0 * k * k * lambda * lambda);
      sum += (k % 2 == 1 ? term : -term);
      if (term < 1e-17 * Math.abs(sum) || term == 0) {
        break;
      }
    }
    return Math.max(0, Math.min(1, 2 * sum));
  }
}
