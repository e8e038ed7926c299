package dev.fletch.monitoring;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * A drift check's result: what was compared with what, each compared feature's {@link
 * FeatureDrift}, and the columns left out with the reason.
 */
public record DriftReport(
    String reference,
    String current,
    long referenceRows,
    long currentRows,
    List<FeatureDrift> features,
    List<Skipped> skipped) {
  public DriftReport {
    requireNonNull(reference, "reference is null");
    requireNonNull(current, "current is null");
    features = List.copyOf(features);
    skipped = List.copyOf(skipped);
  }

  /** A column not compared, and why. */
  public record Skipped(String column, String reason) {}

  /** The features that crossed a threshold. */
  public List<FeatureDrift> drifted() {
    return features.stream().filter(FeatureDrift::drifted).toList();
  }

  /** Whether any feature crossed a threshold. */
  @JsonProperty
  public boolean anyDrifted() {
    return features.stream().anyMatch(FeatureDrift::drifted);
  }
}
