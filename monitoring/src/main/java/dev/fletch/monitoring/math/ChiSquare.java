package dev.fletch.monitoring.math;

/**
 * Pearson's chi-square test of homogeneity: do two samples of a category come from the same
 * distribution? The 2 x k table of counts (reference and current per value) is compared with the
 * counts expected if both shared one distribution; the statistic follows a chi-square distribution
 * with k - 1 degrees of freedom (values absent from both samples do not count), whose upper tail is
 * the p-value. No continuity correction. The approximation wants expected counts of about 5 or
 * more; with rarer values the p-value is only indicative.
 */
public final class ChiSquare {
  private ChiSquare() {}

  /**
   * The statistic, its degrees of freedom, and the p-value (1 when there is nothing to compare).
   */
  public record Result(double statistic, int degreesOfFreedom, double pValue) {}

  /** The upper tail of the chi-square distribution with {@code k} degrees of freedom at x. */
  public static double survival(double x, double k) {
    if (!(k > 0)) {
      throw new IllegalArgumentException("degrees of freedom must be positive, got " + k);
    }
    return x <= 0 ? 1 : Gamma.regularizedQ(k / 2, x / 2);
  }

  /** The test of homogeneity of two samples counted over the same values. */
  public static Result homogeneity(long[] reference, long[] current) {
    if (reference.length != current.length) {
      throw new IllegalArgumentException("one count per value on each side");
    }
    double n1 = 0;
    double n2 = 0;
    for (int i = 0; i < reference.length; i++) {
      n1 += reference[i];
      n2 += current[i];
    }
    if (n1 == 0 || n2 == 0) {
      return new Result(0, 0, 1);
    }
    double n = n1 + n2;
    double statistic = 0;
    int values = 0;
    for (int i = 0; i < reference.length; i++) {
      double column = reference[i] + current[i];
      if (column == 0) {
        continue;
      }
      values++;
      double e1 = n1 * column / n;
      double e2 = n2 * column / n;
      statistic += square(reference[i] - e1) / e1 + square(current[i] - e2) / e2;
    }
    int dof = values - 1;
    if (dof < 1) {
      return new Result(0, 0, 1);
    }
    return new Result(statistic, dof, survival(statistic, dof));
  }

  private static double square(double v) {
    return v * v;
  }
}
