package dev.fletch.core.stats;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The statistics of a set of rows (a training set, the rows a materialization job wrote, a file, a
 * view's source over a range): its row count and one {@link ColumnStats} per column, in column
 * order, computed at {@code computedAt}.
 */
public record DatasetStats(long rows, Instant computedAt, List<ColumnStats> columns) {
  public DatasetStats {
    requireNonNull(computedAt, "computedAt is null");
    columns = List.copyOf(requireNonNull(columns, "columns is null"));
  }

  /** The column of that name (exact match first, then ignoring case). */
  public Optional<ColumnStats> column(String name) {
    Optional<ColumnStats> exact = columns.stream().filter(c -> c.name().equals(name)).findFirst();
    return exact.isPresent()
        ? exact
        : columns.stream().filter(c -> c.name().equalsIgnoreCase(name)).findFirst();
  }
}
