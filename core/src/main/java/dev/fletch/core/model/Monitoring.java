package dev.fletch.core.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.List;

/**
 * A view's drift thresholds ({@code monitoring:} in YAML): a feature has drifted when one of its
 * measures crosses its threshold. A threshold left out takes its default ({@link #DEFAULTS}), and
 * only the ones written are stored, so a default can change without changing a view's content.
 *
 * @param psi population stability index of a number above which it drifted (default 0.2)
 * @param ksPvalue Kolmogorov-Smirnov p-value of a number below which it drifted (0.01; 0 turns the
 *     test off)
 * @param chi2Pvalue chi-square p-value of a category below which it drifted (0.01; 0 turns it off)
 * @param jsDistance Jensen-Shannon distance of a category above which it drifted (0.1)
 * @param nullFractionDelta change of the null fraction (either way) above which a feature drifted
 *     (0.05)
 */
public record Monitoring(
    @JsonInclude(JsonInclude.Include.NON_NULL) Double psi,
    @JsonInclude(JsonInclude.Include.NON_NULL) Double ksPvalue,
    @JsonInclude(JsonInclude.Include.NON_NULL) Double chi2Pvalue,
    @JsonInclude(JsonInclude.Include.NON_NULL) Double jsDistance,
    @JsonInclude(JsonInclude.Include.NON_NULL) Double nullFractionDelta) {

  /** The thresholds of a view that sets none. */
  public static final Monitoring DEFAULTS = new Monitoring(0.2, 0.01, 0.01, 0.1, 0.05);

  /** The YAML keys, in the order of the components. */
  public static final List<String> KEYS =
      List.of("psi", "ks_pvalue", "chi2_pvalue", "js_distance", "null_fraction_delta");

  /** Every threshold: the ones set here, the defaults for the rest. */
  public Monitoring withDefaults() {
    return new Monitoring(
        psi != null ? psi : DEFAULTS.psi,
        ksPvalue != null ? ksPvalue : DEFAULTS.ksPvalue,
        chi2Pvalue != null ? chi2Pvalue : DEFAULTS.chi2Pvalue,
        jsDistance != null ? jsDistance : DEFAULTS.jsDistance,
        nullFractionDelta != null ? nullFractionDelta : DEFAULTS.nullFractionDelta);
  }

  /**
   * What is wrong with these thresholds, one message per threshold ({@code key: why}); empty when
   * they are valid. P-values and fractions lie in [0, 1]; PSI and the distance are positive (the
   * distance at most 1).
   */
  public List<String> problems() {
    List<String> out = new ArrayList<>();
    check(out, "psi", psi, 0, Double.MAX_VALUE, false);
    check(out, "ks_pvalue", ksPvalue, 0, 1, true);
    check(out, "chi2_pvalue", chi2Pvalue, 0, 1, true);
    check(out, "js_distance", jsDistance, 0, 1, false);
    check(out, "null_fraction_delta", nullFractionDelta, 0, 1, true);
    return out;
  }

  /** The problem with {@code key}'s value, or null. */
  public static String problem(String key, double value) {
    List<String> out = new ArrayList<>();
    switch (key) {
      case "psi" -> check(out, key, value, 0, Double.MAX_VALUE, false);
      case "js_distance" -> check(out, key, value, 0, 1, false);
      default -> check(out, key, value, 0, 1, true);
    }
    return out.isEmpty() ? null : out.get(0).substring(key.length() + 2);
  }

  private static void check(
      List<String> out, String key, Double v, double min, double max, boolean minIncluded) {
    if (v == null) {
      return;
    }
    boolean low = minIncluded ? v < min : v <= min;
    if (v.isNaN() || v.isInfinite() || low || v > max) {
      String range;
      if (max == Double.MAX_VALUE) {
        range = "greater than " + fmt(min);
      } else if (minIncluded) {
        range = "between " + fmt(min) + " and " + fmt(max);
      } else {
        range = "greater than " + fmt(min) + " and at most " + fmt(max);
      }
      out.add(key + ": must be " + range + ", not " + v);
    }
  }

  private static String fmt(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }
}
