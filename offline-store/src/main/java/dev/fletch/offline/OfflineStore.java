package dev.fletch.offline;

import static java.util.Objects.requireNonNull;

import dev.fletch.core.InvalidRequestException;
import dev.fletch.core.model.EntityKey;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.model.FeatureRow;
import dev.fletch.core.model.FeatureView;
import dev.fletch.core.stats.ColumnKind;
import dev.fletch.core.stats.ColumnStats;
import dev.fletch.core.stats.DatasetStats;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.ipc.ArrowReader;

/**
 * The offline store: historical (point-in-time) retrieval and latest-value scans over a
 * repository's sources. Implementations stream rows; they never hold a dataset in the heap.
 */
public interface OfflineStore extends AutoCloseable {

  /**
   * Runs a historical retrieval and writes its result to {@code request.output()} (Parquet or CSV,
   * written by the engine, not through the JVM heap). On failure no output file is left behind.
   *
   * @return the number of rows written
   */
  long historicalToFile(FeatureRepo repo, HistoricalRequest request);

  /**
   * Receives a historical result as Arrow record batches (read them with {@code loadNextBatch}).
   */
  @FunctionalInterface
  interface ArrowSink {
    void accept(ArrowReader reader) throws IOException;
  }

  /**
   * Runs a historical retrieval and streams its result as Arrow record batches allocated from
   * {@code allocator}; {@code request.output()} is ignored. The reader is closed after {@code sink}
   * returns.
   *
   * @return the number of rows streamed
   */
  long historicalToArrow(
      FeatureRepo repo, HistoricalRequest request, BufferAllocator allocator, ArrowSink sink);

  /**
   * The first {@code limit} rows of a Parquet or CSV file, as column name -> value maps (for
   * previews).
   */
  List<Map<String, Object>> preview(Path file, int limit);

  /**
   * What a data file holds: its columns and their types, its row count and, for Parquet, its
   * key/value metadata (a training set's lineage: see {@link TrainingSetMetadata}).
   */
  record FileDescription(
      Path path, String format, long rows, List<Column> columns, Map<String, String> metadata) {
    /** One column and its type as DuckDB reads it. */
    public record Column(String name, String type) {}

    public FileDescription {
      columns = List.copyOf(columns);
      metadata = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(metadata));
    }
  }

  /** Describes a Parquet, CSV or JSON file (a training set, an entity set, a source file). */
  default FileDescription describeFile(Path file) {
    throw new InvalidRequestException("this offline store cannot describe files");
  }

  /**
   * For one view, the latest row per entity with event time in [start, end] (ties broken by created
   * time), features computed by the same expressions as historical retrieval. Rows are handed to
   * {@code consumer} in batches of at most {@code batchSize}; a batch list is not retained after
   * the call.
   *
   * @return the number of rows produced
   */
  long scanLatest(
      FeatureRepo repo,
      FeatureView view,
      Instant start,
      Instant end,
      int batchSize,
      Consumer<List<FeatureRow>> consumer);

  /**
   * As {@link #scanLatest(FeatureRepo, FeatureView, Instant, Instant, int, Consumer)}, over the
   * rows with event time in [start, end] and, when {@code createdSince} is given and the view's
   * source has a created-time column, also the rows created at or after {@code createdSince} with
   * an event time at most {@code end}: rows that arrived late, with an event time before the range
   * (an incremental job's way to pick up corrections). The latest of those per entity is produced;
   * the online store's never-older rule decides whether it replaces what is stored.
   */
  default long scanLatest(
      FeatureRepo repo,
      FeatureView view,
      Instant start,
      Instant end,
      Instant createdSince,
      int batchSize,
      Consumer<List<FeatureRow>> consumer) {
    if (createdSince != null) {
      throw new InvalidRequestException("this offline store cannot select rows by created time");
    }
    return scanLatest(repo, view, start, end, batchSize, consumer);
  }

  /**
   * How many rows a job over this range would write, without reading them out: for a plain view the
   * rows {@link #scanLatest(FeatureRepo, FeatureView, Instant, Instant, Instant, int, Consumer)}
   * produces (one per entity), for an aggregated view the entities with events in [start, end] (one
   * tile entry each). For dry runs.
   */
  default long countLatest(
      FeatureRepo repo, FeatureView view, Instant start, Instant end, Instant createdSince) {
    throw new InvalidRequestException("this offline store cannot count a view's rows");
  }

  /**
   * Reads each source's schema (no rows) and checks {@code repo}'s definitions against it: time
   * columns that exist and hold times, every column a join key, feature or aggregation reads
   * present with a type that reads as the declared one (widenings pass), expressions that bind and
   * give such a type. Every mismatch is listed with where in the definitions it is. Runs confined
   * like any job. A store that cannot read schemas finds nothing.
   */
  default List<dev.fletch.core.model.DataMismatch> checkSources(FeatureRepo repo) {
    return List.of();
  }

  /** Receives the events of {@link #scanEvents}, one at a time. */
  @FunctionalInterface
  interface EventSink {
    /**
     * One event: its entity, event and created time (epoch microseconds; created null when the
     * source has none or the row lacks it), and the view's inputs in {@link
     * dev.fletch.core.window.TileLayout#inputs} order, canonical (see {@link
     * dev.fletch.core.window.Partial}); {@code inputs} is reused for the next event.
     */
    void accept(EntityKey key, long eventMicros, Long createdMicros, Object[] inputs);
  }

  /**
   * For an aggregated view, its source events with event time in [start, end] (one version per
   * event where the source has created times, as historical retrieval counts them), ordered by
   * entity, then event time, read by the same generated SQL as historical retrieval.
   *
   * @return the number of events
   */
  default long scanEvents(
      FeatureRepo repo, FeatureView view, Instant start, Instant end, EventSink sink) {
    throw new InvalidRequestException(
        "this offline store cannot read the events of aggregated view '" + view.name() + "'");
  }

  /** One column of pushed rows: its name in the source's files and its type. */
  record PushColumn(String name, dev.fletch.core.model.ValueType type) {}

  /**
   * Appends rows pushed to a view of {@code source} to the source's push log ({@code push_log}):
   * one Parquet file, complete or absent, read by historical retrieval from then on. Values are as
   * Fletch carries them (Long, Integer, Double, Float, String, Boolean, Instant, null).
   *
   * @return the file written
   */
  default Path appendPushLog(
      FeatureRepo repo, String source, List<PushColumn> columns, List<Object[]> rows) {
    return appendPushLog(repo, source, columns, rows, null);
  }

  /**
   * {@link #appendPushLog(FeatureRepo, String, List, List)} under a file name of the caller's
   * ({@code name}.parquet; null: a fresh one): a writer that may repeat a write after a crash (the
   * stream ingestor) names its files by what they hold, so a repeated write replaces the file
   * instead of adding a copy.
   */
  default Path appendPushLog(
      FeatureRepo repo, String source, List<PushColumn> columns, List<Object[]> rows, String name) {
    throw new InvalidRequestException("this offline store cannot keep pushed rows");
  }

  /** The names of the files in {@code source}'s push log (empty when it has none yet). */
  default List<String> pushLogFiles(FeatureRepo repo, String source) {
    return List.of();
  }

  /**
   * As {@link #scanLatest(FeatureRepo, FeatureView, Instant, Instant, int, Consumer)}, and hands
   * the statistics of the rows produced (one column per feature) to {@code stats} before returning,
   * computed by the engine from the same rows (no second read of the source). A store that cannot
   * summarise hands nothing.
   */
  default long scanLatest(
      FeatureRepo repo,
      FeatureView view,
      Instant start,
      Instant end,
      int batchSize,
      Consumer<List<FeatureRow>> consumer,
      Consumer<DatasetStats> stats) {
    return scanLatest(repo, view, start, end, batchSize, consumer);
  }

  /**
   * Both: the rows of {@link #scanLatest(FeatureRepo, FeatureView, Instant, Instant, Instant, int,
   * Consumer)} (late rows by created time when {@code createdSince} is given) with their statistics
   * as {@link #scanLatest(FeatureRepo, FeatureView, Instant, Instant, int, Consumer, Consumer)}
   * hands them ({@code stats} null: none). What a materialization job calls.
   */
  default long scanLatest(
      FeatureRepo repo,
      FeatureView view,
      Instant start,
      Instant end,
      Instant createdSince,
      int batchSize,
      Consumer<List<FeatureRow>> consumer,
      Consumer<DatasetStats> stats) {
    if (stats == null) {
      return scanLatest(repo, view, start, end, createdSince, batchSize, consumer);
    }
    if (createdSince == null) {
      return scanLatest(repo, view, start, end, batchSize, consumer, stats);
    }
    throw new InvalidRequestException(
        "this offline store cannot select rows by created time and summarise them at once");
  }

  /** A column of a slice: its name, the engine's type, and how it is summarised and compared. */
  record SliceColumn(String name, String type, ColumnKind kind) {}

  /**
   * The columns of a slice (the repository is needed for a view's range; it may be null for files).
   * Reads the files' schemas, and computes a view range's rows.
   */
  default List<SliceColumn> columns(FeatureRepo repo, DataSlice slice) {
    throw new InvalidRequestException("this offline store cannot describe " + slice.describe());
  }

  /**
   * The statistics of every column of a slice (see {@link ColumnStats}), computed by the engine;
   * the rows never pass through the JVM.
   */
  default DatasetStats stats(FeatureRepo repo, DataSlice slice) {
    throw new InvalidRequestException("this offline store cannot summarise " + slice.describe());
  }

  /** A column to compare: its name in the reference and in the current slice, and how. */
  record ComparedColumn(String reference, String current, ColumnKind kind) {
    public ComparedColumn {
      requireNonNull(reference, "reference is null");
      requireNonNull(current, "current is null");
      if (kind != ColumnKind.NUMERIC && kind != ColumnKind.CATEGORICAL) {
        throw new InvalidRequestException(
            "only numbers and categories are compared, not " + kind + " column " + current);
      }
    }
  }

  /** Hears of each column as its comparison starts (long work shows progress). */
  @FunctionalInterface
  interface CompareListener {
    void comparing(String column, int index, int total);

    CompareListener NONE = (column, index, total) -> {};
  }

  /**
   * The counts drift measures need for each column of two slices (see {@link ColumnComparison}),
   * counted by the engine; each slice is read or computed once.
   */
  default List<ColumnComparison> compare(
      FeatureRepo repo,
      DataSlice reference,
      DataSlice current,
      List<ComparedColumn> columns,
      CompareListener listener) {
    throw new InvalidRequestException("this offline store cannot compare slices");
  }

  /** Idempotent. */
  @Override
  void close();
}
