package dev.fletch.monitoring;

import dev.fletch.offline.DataSlice;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * Where the values serving answered with are kept (feature logging): Parquet files of logged rows,
 * one column per served feature named as served, and a time column saying when each was served.
 * Serving's logging supplies an implementation; drift reads the rows of a time range like any other
 * files ({@link DataSlice.Files} with a time column), so a logged side needs nothing else.
 */
public interface LoggedValues {

  /** The logged rows of one feature service or view, and the feature each column holds. */
  record Found(DataSlice.Files slice, Map<String, String> features) {}

  /**
   * The files holding what was served for {@code name} in project {@code project} between {@code
   * start} and {@code end}; empty when nothing is logged for it.
   */
  Optional<Found> find(String project, String name, Instant start, Instant end);

  /** No values are logged (the default until serving logs them). */
  LoggedValues NONE = (project, name, start, end) -> Optional.empty();
}
