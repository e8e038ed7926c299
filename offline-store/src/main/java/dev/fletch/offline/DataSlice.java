package dev.fletch.offline;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Instant;

/**
 * Rows the offline store can summarise and compare: files (a training set, any Parquet, CSV or
 * JSON-lines file, a folder of part files or a glob), optionally only the rows whose time column
 * lies in a range (how logged serving values are read), or a view's source over a time range.
 */
public sealed interface DataSlice {

  /** What the slice is, for messages. */
  String describe();

  /**
   * A file, folder or glob; with a {@code timeColumn}, only its rows whose time lies in [start,
   * end] (both inclusive).
   */
  record Files(Path path, String timeColumn, Instant start, Instant end) implements DataSlice {
    public Files {
      requireNonNull(path, "path is null");
      if (timeColumn != null) {
        requireNonNull(start, "start is null");
        requireNonNull(end, "end is null");
      }
    }

    /** Every row of the file. */
    public Files(Path path) {
      this(path, null, null, null);
    }

    @Override
    public String describe() {
      return timeColumn == null
          ? path.toString()
          : path + " (" + timeColumn + " in [" + start + ", " + end + "])";
    }
  }

  /**
   * A view's feature values over its source's rows with event time in [start, end] (both
   * inclusive): for a plain view every source row in the range, its features computed as historical
   * retrieval computes them; for an aggregated view every (entity, event time) in the range with
   * its window values at that time.
   */
  record ViewRange(String view, Instant start, Instant end) implements DataSlice {
    public ViewRange {
      requireNonNull(view, "view is null");
      requireNonNull(start, "start is null");
      requireNonNull(end, "end is null");
    }

    @Override
    public String describe() {
      return "view '" + view + "' in [" + start + ", " + end + "]";
    }
  }
}
