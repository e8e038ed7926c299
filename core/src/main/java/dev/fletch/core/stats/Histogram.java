package dev.fletch.core.stats;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * Counts of a numeric column's finite values in equal-width bins between its minimum and maximum:
 * bin {@code i} holds values in [{@code edges[i]}, {@code edges[i+1]}), the last bin also its upper
 * edge. A column whose values are all equal has one bin of width 0.
 */
public record Histogram(List<Double> edges, List<Long> counts) {
  /** Bins of a numeric column's histogram. */
  public static final int BINS = 20;

  public Histogram {
    edges = List.copyOf(requireNonNull(edges, "edges is null"));
    counts = List.copyOf(requireNonNull(counts, "counts is null"));
    if (edges.size() != counts.size() + 1) {
      throw new IllegalArgumentException(
          "a histogram has one edge more than bins: " + edges.size() + " edges, " + counts.size());
    }
  }

  /** The number of values counted. */
  public long total() {
    return counts.stream().mapToLong(Long::longValue).sum();
  }
}
