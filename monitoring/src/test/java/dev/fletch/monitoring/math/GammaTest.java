package dev.fletch.monitoring.math;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** ln Γ and the regularized incomplete gamma functions against known values (scipy.special). */
class GammaTest {
  @Test
  void logGammaMatchesKnownValues() {
    assertEquals(0.5 * Math.log(Math.PI), Gamma.logGamma(0.5), 1e-13); // Γ(½) = √π
    assertEquals(0, Gamma.logGamma(1), 1e-13);
    assertEquals(0, Gamma.logGamma(2), 1e-13);
    assertEquals(Math.log(24), Gamma.logGamma(5), 1e-12);
    assertEquals(13.940625219403763, Gamma.logGamma(10.5), 1e-12);
    assertEquals(359.1342053695754, Gamma.logGamma(100), 1e-10);
    assertEquals(Math.log(Math.sqrt(Math.PI) / 2), Gamma.logGamma(1.5), 1e-13); // Γ(3/2) = √π/2
    assertEquals(1.2880225246980774, Gamma.logGamma(0.25), 1e-12); // Γ(¼) = 3.6256...
    assertThrows(IllegalArgumentException.class, () -> Gamma.logGamma(0));
  }

  @Test
  void incompleteGammaMatchesKnownValues() {
    // scipy.special.gammainc / gammaincc
    assertEquals(0.6826894921370859, Gamma.regularizedP(0.5, 0.5), 1e-14); // erf(√½)
    assertEquals(0.6766764161830634, Gamma.regularizedQ(3, 2), 1e-14); // 5 e^-2
    assertEquals(0.08440668109369177, Gamma.regularizedQ(50, 60), 1e-13);
    assertEquals(0.526768568392445, Gamma.regularizedP(0.1, 1e-3), 1e-13);
    assertEquals(0.9988975118698845, Gamma.regularizedQ(10, 3), 1e-14);
    assertEquals(5.924540335483916e-06, Gamma.regularizedQ(100, 150), 1e-17);
    // Either side of the switch between series and continued fraction: P + Q = 1.
    for (double x : new double[] {0.9, 1.0, 1.1, 4.9, 5.0, 5.1}) {
      assertEquals(1, Gamma.regularizedP(4, x) + Gamma.regularizedQ(4, x), 1e-14);
    }
    assertEquals(0, Gamma.regularizedP(2, 0));
    assertEquals(1, Gamma.regularizedQ(2, 0));
    assertThrows(IllegalArgumentException.class, () -> Gamma.regularizedQ(-1, 2));
  }

  @Test
  void chiSquareTailMatchesKnownValues() {
    // scipy.stats.chi2.sf
    assertEquals(0.05, ChiSquare.survival(3.841458820694124, 1), 1e-14);
    assertEquals(0.07523524614651217, ChiSquare.survival(10, 5), 1e-14);
    assertEquals(0.064570368921133, ChiSquare.survival(100, 80), 1e-13);
    assertEquals(0.9188914116546758, ChiSquare.survival(0.5, 3), 1e-14);
    assertEquals(1, ChiSquare.survival(0, 3));
  }
}
