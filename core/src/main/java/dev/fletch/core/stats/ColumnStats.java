package dev.fletch.core.stats;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;

/**
 * The statistics of one column. What is set depends on {@link #kind()}: every column has its row,
 * null and distinct counts; numbers their moments, quantiles and histogram over the finite values
 * (NaN and infinities are counted in {@code nonFinite} and left out of the rest); categories their
 * most frequent values; times their earliest and latest value.
 *
 * <p>Approximations (the engine's, named so a reader knows what to trust): {@code distinct} is a
 * HyperLogLog estimate (typically within a few percent); quantiles come from a t-digest (exact for
 * small columns, within about 1% of rank otherwise); {@code top} holds the values a space-saving
 * sketch finds most frequent, with exact counts. Counts, moments, minimum, maximum and the
 * histogram are exact.
 *
 * @param type the column's type as the engine reports it (e.g. BIGINT, DOUBLE, VARCHAR)
 * @param count rows (including nulls)
 * @param nulls rows whose value is null
 * @param distinct approximate number of distinct non-null values
 */
public record ColumnStats(
    String name,
    String type,
    ColumnKind kind,
    long count,
    long nulls,
    long distinct,
    @JsonInclude(JsonInclude.Include.NON_NULL) Long nonFinite,
    @JsonInclude(JsonInclude.Include.NON_NULL) Double min,
    @JsonInclude(JsonInclude.Include.NON_NULL) Double max,
    @JsonInclude(JsonInclude.Include.NON_NULL) Double mean,
    @JsonInclude(JsonInclude.Include.NON_NULL) Double stddev,
    @JsonInclude(JsonInclude.Include.NON_NULL) Quantiles quantiles,
    @JsonInclude(JsonInclude.Include.NON_NULL) Histogram histogram,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<ValueCount> top,
    @JsonInclude(JsonInclude.Include.NON_NULL) Instant earliest,
    @JsonInclude(JsonInclude.Include.NON_NULL) Instant latest) {
  /** Most frequent values kept for a categorical column. */
  public static final int TOP_VALUES = 10;

  public ColumnStats {
    requireNonNull(name, "name is null");
    requireNonNull(type, "type is null");
    requireNonNull(kind, "kind is null");
    top = top == null ? List.of() : List.copyOf(top);
  }

  /** The share of rows whose value is null (0 for a column of no rows). */
  @JsonProperty
  public double nullFraction() {
    return count == 0 ? 0 : (double) nulls / count;
  }
}
