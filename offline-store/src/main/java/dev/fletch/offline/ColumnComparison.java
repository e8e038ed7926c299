package dev.fletch.offline;

import static java.util.Objects.requireNonNull;

import dev.fletch.core.stats.ColumnKind;
import java.util.List;

/**
 * What drift measures need to compare one column of two slices, counted by the engine: each side's
 * rows, nulls and compared values, and the two distributions side by side. The measures themselves
 * (PSI, tests, distances) are computed from these counts by the caller.
 *
 * @param reference the column's name in the reference slice
 * @param current the column's name in the current slice
 */
public record ColumnComparison(
    String reference,
    String current,
    ColumnKind kind,
    Counts referenceCounts,
    Counts currentCounts,
    Distribution distribution) {
  public ColumnComparison {
    requireNonNull(reference, "reference is null");
    requireNonNull(current, "current is null");
    requireNonNull(kind, "kind is null");
    requireNonNull(referenceCounts, "referenceCounts is null");
    requireNonNull(currentCounts, "currentCounts is null");
    requireNonNull(distribution, "distribution is null");
  }

  /**
   * One side's rows, null values, and values compared (non-null; for numbers also finite: NaN and
   * infinities are left out of the distribution).
   */
  public record Counts(long rows, long nulls, long values) {
    public double nullFraction() {
      return rows == 0 ? 0 : (double) nulls / rows;
    }
  }

  /** Two distributions of one column. */
  public sealed interface Distribution {}

  /**
   * A number's values in bins whose edges are the reference's deciles (duplicates removed): bin 0
   * is (-inf, edges[0]], bin i is (edges[i-1], edges[i]], the last bin (edges[last], +inf); and the
   * exact two-sample Kolmogorov-Smirnov statistic, the greatest distance between the two empirical
   * distribution functions.
   */
  public record Numeric(
      List<Double> edges, List<Long> reference, List<Long> current, double ksStatistic)
      implements Distribution {
    public Numeric {
      edges = List.copyOf(edges);
      reference = List.copyOf(reference);
      current = List.copyOf(current);
      if (reference.size() != edges.size() + 1 || current.size() != edges.size() + 1) {
        throw new IllegalArgumentException("a distribution has one bin more than edges");
      }
    }
  }

  /**
   * A category's counts per value, the most frequent values of both sides together first; the
   * values beyond {@link #MAX_CATEGORIES} are counted together in {@code referenceOther} and {@code
   * currentOther}.
   */
  public record Categorical(
      List<String> values,
      List<Long> reference,
      List<Long> current,
      long referenceOther,
      long currentOther)
      implements Distribution {
    /** Values compared one by one; rarer ones are counted together as "other". */
    public static final int MAX_CATEGORIES = 100;

    public Categorical {
      values = List.copyOf(values);
      reference = List.copyOf(reference);
      current = List.copyOf(current);
      if (reference.size() != values.size() || current.size() != values.size()) {
        throw new IllegalArgumentException("one count per value on each side");
      }
    }
  }

  /** A column present in neither form that can be compared (no values on a side). */
  public record Empty() implements Distribution {}
}
