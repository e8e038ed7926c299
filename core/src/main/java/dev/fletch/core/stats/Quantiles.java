package dev.fletch.core.stats;

import java.util.List;

/** The 1st, 5th, 25th, 50th, 75th, 95th and 99th percentiles of a numeric column. */
public record Quantiles(
    double p1, double p5, double p25, double p50, double p75, double p95, double p99) {
  /** The probabilities, in the order of the components. */
  public static final List<Double> PROBABILITIES = List.of(0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99);

  /** From values in the order of {@link #PROBABILITIES}. */
  public static Quantiles of(List<Double> values) {
    if (values.size() != PROBABILITIES.size()) {
      throw new IllegalArgumentException(
          "expected " + PROBABILITIES.size() + " quantiles, got " + values.size());
    }
    return new Quantiles(
        values.get(0),
        values.get(1),
        values.get(2),
        values.get(3),
        values.get(4),
        values.get(5),
        values.get(6));
  }

  /** The values in the order of {@link #PROBABILITIES}. */
  public List<Double> values() {
    return List.of(p1, p5, p25, p50, p75, p95, p99);
  }
}
