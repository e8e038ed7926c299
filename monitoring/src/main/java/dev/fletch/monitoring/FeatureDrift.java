package dev.fletch.monitoring;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.fletch.core.model.Monitoring;
import dev.fletch.core.stats.ColumnKind;
import dev.fletch.offline.ColumnComparison.Counts;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One feature's drift between the reference and the current side: its measures, the thresholds they
 * were held against, and which ones it crossed (a feature with any is drifted).
 *
 * @param feature the feature ({@code view:feature}) where known, else the column's name
 * @param view the view whose thresholds apply, or null (the defaults apply)
 * @param ksMethod how the KS p-value was computed: {@code exact} or {@code asymptotic}
 * @param nullFractionDelta the current null fraction minus the reference's
 * @param crossed each threshold crossed, as {@code measure value > threshold}
 * @param note why some measures are missing (no values on a side), or null
 */
public record FeatureDrift(
    String feature,
    String view,
    String referenceColumn,
    String currentColumn,
    ColumnKind kind,
    Counts reference,
    Counts current,
    @JsonInclude(JsonInclude.Include.NON_NULL) Double psi,
    @JsonInclude(JsonInclude.Include.NON_NULL) Double ksStatistic,
    @JsonInclude(JsonInclude.Include.NON_NULL) Double ksPvalue,
    @JsonInclude(JsonInclude.Include.NON_NULL) String ksMethod,
    @JsonInclude(JsonInclude.Include.NON_NULL) Double chi2,
    @JsonInclude(JsonInclude.Include.NON_NULL) Integer chi2Dof,
    @JsonInclude(JsonInclude.Include.NON_NULL) Double chi2Pvalue,
    @JsonInclude(JsonInclude.Include.NON_NULL) Double jsDistance,
    double nullFractionDelta,
    Monitoring thresholds,
    List<String> crossed,
    @JsonInclude(JsonInclude.Include.NON_NULL) String note) {
  public FeatureDrift {
    requireNonNull(feature, "feature is null");
    requireNonNull(kind, "kind is null");
    requireNonNull(thresholds, "thresholds is null");
    crossed = List.copyOf(crossed);
  }

  /** Whether a measure crossed its threshold. */
  @JsonProperty
  public boolean drifted() {
    return !crossed.isEmpty();
  }

  /**
   * The measures that were computed, by name ({@code psi}, {@code ks_statistic}, {@code ks_pvalue},
   * {@code chi2_pvalue}, {@code js_distance}, {@code null_fraction_delta}): what a gauge per
   * measure exports.
   */
  public Map<String, Double> measures() {
    Map<String, Double> out = new LinkedHashMap<>();
    put(out, "psi", psi);
    put(out, "ks_statistic", ksStatistic);
    put(out, "ks_pvalue", ksPvalue);
    put(out, "chi2_pvalue", chi2Pvalue);
    put(out, "js_distance", jsDistance);
    out.put("null_fraction_delta", nullFractionDelta);
    return out;
  }

  private static void put(Map<String, Double> out, String key, Double value) {
    if (value != null) {
      out.put(key, value);
    }
  }
}
