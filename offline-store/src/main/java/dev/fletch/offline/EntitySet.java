package dev.fletch.offline;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

/**
 * The entity rows of a historical retrieval: join keys, an event timestamp, and pass-through
 * columns.
 */
public sealed interface EntitySet {

  /** A Parquet or CSV file (by extension), or a JSON-lines file ({@code .json}/{@code .jsonl}). */
  record FromFile(Path path) implements EntitySet {
    public FromFile {
      requireNonNull(path, "path is null");
    }
  }

  /**
   * A SQL query over the repository's sources; each source is visible as a table named after it
   * (with its field mapping applied). It must be a single SELECT (DuckDB dialect); anything else is
   * refused. It runs confined like every job: it can read the repository's sources and the allowed
   * directories, and nothing else.
   */
  record FromQuery(String sql) implements EntitySet {
    public FromQuery {
      requireNonNull(sql, "sql is null");
    }
  }

  /**
   * Rows given inline (e.g. JSON over HTTP); values use the Java types of ValueType, timestamps
   * Instant or ISO text. They are iterated twice, once to type the columns and once to load them,
   * one row at a time: a set spooled to disk is read from there, never held in the heap.
   */
  record FromRows(Iterable<Map<String, Object>> rows) implements EntitySet {
    public FromRows {
      requireNonNull(rows, "rows is null");
    }
  }

  /**
   * No entity set: every (entity, event time) of {@code view}'s source with event time in [start,
   * end], for backfills and exploration.
   */
  record FromViewRange(String view, Instant start, Instant end) implements EntitySet {
    public FromViewRange {
      requireNonNull(view, "view is null");
      requireNonNull(start, "start is null");
      requireNonNull(end, "end is null");
    }
  }
}
