package dev.fletch.monitoring.math;

/**
 * The population stability index of two samples binned alike: PSI = Σ (c_i - r_i) ln(c_i / r_i)
 * over the bins, r_i and c_i the shares of the reference and current sample in bin i. A share of 0
 * is taken as {@value #EPSILON} (not renormalised) so that an empty bin adds a large but finite
 * term. Rules of thumb: below 0.1 no real change, 0.1 to 0.2 a moderate one, above 0.2 a
 * significant one (the default threshold).
 */
public final class PopulationStability {
  /** The share an empty bin is given. */
  public static final double EPSILON = 1e-4;

  private PopulationStability() {}

  public static double index(long[] reference, long[] current) {
    if (reference.length != current.length || reference.length == 0) {
      throw new IllegalArgumentException("both samples need the same bins");
    }
    double n1 = 0;
    double n2 = 0;
    for (int i = 0; i < reference.length; i++) {
      n1 += reference[i];
      n2 += current[i];
    }
    if (n1 == 0 || n2 == 0) {
      throw new IllegalArgumentException("both samples need values");
    }
    double psi = 0;
    for (int i = 0; i < reference.length; i++) {
      double r = Math.max(reference[i] / n1, EPSILON);
      double c = Math.max(current[i] / n2, EPSILON);
      psi += (c - r) * Math.log(c / r);
    }
    return psi;
  }
}
