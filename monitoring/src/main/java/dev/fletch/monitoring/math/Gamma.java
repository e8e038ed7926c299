package dev.fletch.monitoring.math;

/**
 * The log-gamma function and the regularized incomplete gamma functions P(a, x) and Q(a, x) = 1 -
 * P(a, x), which give the chi-square distribution's tail: {@code chi2.sf(x, k) = Q(k/2, x/2)}.
 *
 * <p>ln Γ is Lanczos' approximation (g = 7, nine coefficients; relative error below 1e-13 for x >=
 * 0.5, reflection below). P is summed as its power series where x < a + 1, and Q is evaluated as
 * its continued fraction (modified Lentz) elsewhere, each where it converges fast; the other one is
 * taken as the complement, so that a small tail is never computed as 1 minus almost 1.
 */
public final class Gamma {
  private static final double[] LANCZOS = {
    0.99999999999980993,
    676.5203681218851,
    -1259.1392167224028,
    771.32342877765313,
    -176.61502916214059,
    12.507343278686905,
    -0.13857109526572012,
    9.9843695780195716e-6,
    1.5056327351493116e-7
  };
  private static final double HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);
  private static final double EPSILON = 1e-15;
  private static final double TINY = 1e-300;
  private static final int MAX_ITERATIONS = 10_000;

  private Gamma() {}

  /** ln Γ(x) for x > 0. */
  public static double logGamma(double x) {
    if (!(x > 0)) {
      throw new IllegalArgumentException("logGamma needs x > 0, got " + x);
    }
    if (x < 0.5) {
      // Γ(x) Γ(1 - x) = π / sin(πx)
      return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
    }
    double z = x - 1;
    double sum = LANCZOS[0];
    for (int i = 1; i < LANCZOS.length; i++) {
      sum += LANCZOS[i] / (z + i);
    }
    double t = z + 7.5;
    return HALF_LOG_TWO_PI + (z + 0.5) * Math.log(t) - t + Math.log(sum);
  }

  /** The regularized lower incomplete gamma function P(a, x), a > 0, x >= 0. */
  public static double regularizedP(double a, double x) {
    check(a, x);
    if (x == 0) {
      return 0;
    }
    return x < a + 1 ? series(a, x) : 1 - continuedFraction(a, x);
  }

  /** The regularized upper incomplete gamma function Q(a, x) = 1 - P(a, x), a > 0, x >= 0. */
  public static double regularizedQ(double a, double x) {
    check(a, x);
    if (x == 0) {
      return 1;
    }
    return x < a + 1 ? 1 - series(a, x) : continuedFraction(a, x);
  }

  private static void check(double a, double x) {
    if (!(a > 0) || !(x >= 0) || Double.isInfinite(a)) {
      throw new IllegalArgumentException(
          "incomplete gamma needs a > 0 and x >= 0, got " + a + ", " + x);
    }
  }

  /** e^(-x) x^a / Γ(a), the factor both expansions share, in logs to avoid overflow. */
  private static double prefactor(double a, double x) {
    return Math.exp(-x + a * Math.log(x) - logGamma(a));
  }

  /** P(a, x) = prefactor / a * (1 + x/(a+1) + x²/((a+1)(a+2)) + ...). */
  private static double series(double a, double x) {
    double term = 1 / a;
    double sum = term;
    double ap = a;
    for (int n = 0; n < MAX_ITERATIONS; n++) {
      ap += 1;
      term *= x / ap;
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * EPSILON) {
        return Math.min(1, sum * prefactor(a, x));
      }
    }
    throw new ArithmeticException(
        "incomplete gamma series did not converge for a=" + a + ", x=" + x);
  }

  /** Q(a, x) = prefactor * 1/(x+1-a- 1·(1-a)/(x+3-a- 2·(2-a)/(x+5-a- ...))), by Lentz. */
  private static double continuedFraction(double a, double x) {
    double b = x + 1 - a;
    double c = 1 / TINY;
    double d = 1 / b;
    double h = d;
    for (int i = 1; i < MAX_ITERATIONS; i++) {
      double an = -i * (i - a);
      b += 2;
      d = an * d + b;
      if (Math.abs(d) < TINY) {
        d = TINY;
      }
      c = b + an / c;
      if (Math.abs(c) < TINY) {
        c = TINY;
      }
      d = 1 / d;
      double delta = d * c;
      h *= delta;
      if (Math.abs(delta - 1) < EPSILON) {
        return Math.min(1, prefactor(a, x) * h);
      }
    }
    throw new ArithmeticException(
        "incomplete gamma continued fraction did not converge for a=" + a + ", x=" + x);
  }
}
