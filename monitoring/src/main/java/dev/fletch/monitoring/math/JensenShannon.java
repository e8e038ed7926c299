package dev.fletch.monitoring.math;

/**
 * The Jensen-Shannon distance of two distributions over the same values: the square root of the
 * Jensen-Shannon divergence in bits, JSD = ½ KL(p ‖ m) + ½ KL(q ‖ m) with m = ½ (p + q). It is
 * symmetric, 0 for equal distributions and 1 for distributions with no value in common.
 */
public final class JensenShannon {
  private JensenShannon() {}

  public static double distance(long[] p, long[] q) {
    if (p.length != q.length) {
      throw new IllegalArgumentException("one count per value on each side");
    }
    double np = 0;
    double nq = 0;
    for (int i = 0; i < p.length; i++) {
      np += p[i];
      nq += q[i];
    }
    if (np == 0 || nq == 0) {
      throw new IllegalArgumentException("both samples need values");
    }
    double divergence = 0;
    for (int i = 0; i < p.length; i++) {
      double a = p[i] / np;
      double b = q[i] / nq;
      double m = (a + b) / 2;
      if (a > 0) {
        divergence += 0.5 * a * log2(a / m);
      }
      if (b > 0) {
        divergence += 0.5 * b * log2(b / m);
      }
    }
    return Math.sqrt(Math.max(0, Math.min(1, divergence)));
  }

  private static double log2(double v) {
    return Math.log(v) / Math.log(2);
  }
}
