package dev.fletch.offline;

import static java.util.Objects.requireNonNull;

import dev.fletch.core.FletchException;
import dev.fletch.core.InvalidRequestException;
import dev.fletch.core.model.EntityKey;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.model.FeatureRow;
import dev.fletch.core.model.FeatureView;
import dev.fletch.core.model.JoinKey;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.duckdb.DuckDBConnection;
import org.duckdb.DuckDBDriver;
import org.duckdb.DuckDBResultSet;

/**
 * The offline store on an embedded, in-memory DuckDB reading Parquet/CSV sources in place.
 *
 * <p>One DuckDB database per store; every call works on its own connection (duplicated from the
 * store's), so calls may run concurrently and their temporary tables never meet. Sessions run in
 * UTC.
 */
public final class DuckDbOfflineStore implements OfflineStore {
  /** Rows per Arrow record batch when the caller does not choose. */
  public static final int DEFAULT_ARROW_BATCH = 64 * 1024;

  private final Object lock = new Object();
  private DuckDBConnection database;

  /** A store with DuckDB's defaults (memory limit 80% of RAM, one thread per core). */
  public DuckDbOfflineStore() {
    this(Map.of());
  }

  /**
   * A store with DuckDB configuration options (for example {@code memory_limit: 4GB}, {@code
   * threads: 2}, {@code temp_directory: /big/disk}). Unless given, DuckDB spills to a private
   * folder under {@code java.io.tmpdir} rather than to {@code .tmp} in the working directory.
   */
  public DuckDbOfflineStore(Map<String, String> duckdbOptions) {
    requireNonNull(duckdbOptions, "duckdbOptions is null");
    Properties props = new Properties();
    props.setProperty(
        "temp_directory",
        Path.of(System.getProperty("java.io.tmpdir"), "fletch-duckdb-" + UUID.randomUUID())
            .toString());
    props.putAll(duckdbOptions);
    // Stream results chunk by chunk instead of materializing them: scans stay bounded in memory.
    props.setProperty(DuckDBDriver.JDBC_STREAM_RESULTS, "true");
    try {
      database = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:", props);
    } catch (SQLException e) {
      throw new FletchException("cannot start DuckDB: " + e.getMessage(), e);
    }
  }

  /**
   * Work that borrows a connection; it is closed, with its temporary tables, when the work ends.
   */
  @FunctionalInterface
  interface ConnectionWork<T> {
    T apply(Connection conn) throws SQLException, IOException;
  }

  <T> T withConnection(String what, ConnectionWork<T> work) {
    Connection conn;
    synchronized (lock) {
      if (database == null) {
        throw new FletchException("the offline store is closed");
      }
      try {
        conn = database.duplicate();
      } catch (SQLException e) {
        throw new FletchException("cannot open a DuckDB connection", e);
      }
    }
    try (conn) {
      try (Statement st = conn.createStatement()) {
        st.execute("SET TimeZone = 'UTC'");
      }
      return work.apply(conn);
    } catch (SQLException e) {
      throw DuckDbErrors.translate(what, e);
    } catch (IOException e) {
      throw new FletchException(what + ": " + e.getMessage(), e);
    }
  }

  @Override
  public long historicalToFile(FeatureRepo repo, HistoricalRequest request) {
    requireNonNull(repo, "repo is null");
    requireNonNull(request, "request is null");
    if (request.output() == null) {
      throw new InvalidRequestException("no output file given");
    }
    Path target = request.output().toAbsolutePath().normalize();
    if (Files.isDirectory(target)) {
      throw new InvalidRequestException("output " + target + " is a directory");
    }
    return withConnection(
        "historical retrieval",
        conn -> {
          HistoricalRetrieval.Plan plan = HistoricalRetrieval.plan(conn, repo, request);
          Path dir = target.getParent();
          Files.createDirectories(dir);
          // Written beside the target and renamed into place: a failed run leaves no partial file.
          Path tmp = dir.resolve("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
          String options =
              request.format() == HistoricalRequest.OutputFormat.CSV
                  ? "(FORMAT csv, HEADER true)"
                  : "(FORMAT parquet)";
          try {
            long rows;
            try (Statement st = conn.createStatement()) {
              st.execute(
                  "COPY (" + plan.sql() + ") TO " + Sql.literal(tmp.toString()) + " " + options);
              rows = st.getUpdateCount();
            }
            moveIntoPlace(tmp, target);
            return rows;
          } finally {
            Files.deleteIfExists(tmp);
          }
        });
  }

  private static void moveIntoPlace(Path tmp, Path target) throws IOException {
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  @Override
  public long historicalToArrow(
      FeatureRepo repo, HistoricalRequest request, BufferAllocator allocator, ArrowSink sink) {
    return historicalToArrow(repo, request, allocator, DEFAULT_ARROW_BATCH, sink);
  }

  /**
   * As {@link #historicalToArrow(FeatureRepo, HistoricalRequest, BufferAllocator, ArrowSink)} with
   * a batch size.
   */
  public long historicalToArrow(
      FeatureRepo repo,
      HistoricalRequest request,
      BufferAllocator allocator,
      int batchSize,
      ArrowSink sink) {
    requireNonNull(repo, "repo is null");
    requireNonNull(request, "request is null");
    requireNonNull(allocator, "allocator is null");
    requireNonNull(sink, "sink is null");
    if (batchSize <= 0) {
      throw new InvalidRequestException("batch size must be positive, got " + batchSize);
    }
    return withConnection(
        "historical retrieval",
        conn -> {
          HistoricalRetrieval.Plan plan = HistoricalRetrieval.plan(conn, repo, request);
          try (PreparedStatement ps = conn.prepareStatement(plan.sql());
              ResultSet rs = ps.executeQuery();
              CountingArrowReader reader =
                  new CountingArrowReader(
                      allocator,
                      (ArrowReader)
                          rs.unwrap(DuckDBResultSet.class)
                              .arrowExportStream(allocator, batchSize))) {
            sink.accept(reader);
            return reader.rows();
          }
        });
  }

  @Override
  public List<Map<String, Object>> preview(Path file, int limit) {
    requireNonNull(file, "file is null");
    if (limit < 0) {
      throw new InvalidRequestException("limit must not be negative, got " + limit);
    }
    if (!Files.isRegularFile(file)) {
      throw new InvalidRequestException("file " + file.toAbsolutePath() + " does not exist");
    }
    String scan = EntityTables.fileScan(file);
    return withConnection(
        "cannot preview " + file.toAbsolutePath(),
        conn -> {
          List<Map<String, Object>> rows = new ArrayList<>();
          try (PreparedStatement ps = conn.prepareStatement("SELECT * FROM " + scan + " LIMIT ?")) {
            ps.setLong(1, limit);
            try (ResultSet rs = ps.executeQuery()) {
              int n = rs.getMetaData().getColumnCount();
              while (rs.next()) {
                Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 1; i <= n; i++) {
                  row.put(rs.getMetaData().getColumnName(i), Values.plain(rs, i));
                }
                rows.add(row);
              }
            }
          }
          return rows;
        });
  }

  @Override
  public long scanLatest(
      FeatureRepo repo,
      FeatureView view,
      Instant start,
      Instant end,
      int batchSize,
      Consumer<List<FeatureRow>> consumer) {
    requireNonNull(repo, "repo is null");
    requireNonNull(view, "view is null");
    requireNonNull(start, "start is null");
    requireNonNull(end, "end is null");
    requireNonNull(consumer, "consumer is null");
    if (batchSize <= 0) {
      throw new InvalidRequestException("batch size must be positive, got " + batchSize);
    }
    if (end.isBefore(start)) {
      throw new InvalidRequestException("range end " + end + " is before its start " + start);
    }
    return withConnection(
        "latest-value scan of feature view '" + view.name() + "'",
        conn -> {
          FeatureSql.ViewRelation relation =
              new SourceCatalog(conn, repo).view(view, view.features());
          List<JoinKey> keys = relation.keys();
          List<String> keyNames = keys.stream().map(JoinKey::name).toList();
          long produced = 0;
          try (PreparedStatement ps = conn.prepareStatement(FeatureSql.latest(relation))) {
            ps.setLong(1, Values.microsOf(start, true));
            ps.setLong(2, Values.microsOf(end, false));
            try (ResultSet rs = ps.executeQuery()) {
              List<FeatureRow> batch = new ArrayList<>(Math.min(batchSize, 4096));
              while (rs.next()) {
                List<Object> keyValues = new ArrayList<>(keys.size());
                for (int i = 0; i < keys.size(); i++) {
                  keyValues.add(Values.read(rs, i + 1, keys.get(i).type()));
                }
                Instant eventTime = Values.instantOfMicros(rs.getLong(keys.size() + 1));
                List<Object> values = new ArrayList<>(relation.features().size());
                for (int f = 0; f < relation.features().size(); f++) {
                  values.add(
                      Values.read(rs, keys.size() + 2 + f, relation.features().get(f).type()));
                }
                batch.add(new FeatureRow(new EntityKey(keyNames, keyValues), eventTime, values));
                if (batch.size() == batchSize) {
                  consumer.accept(batch);
                  produced += batch.size();
                  batch = new ArrayList<>(Math.min(batchSize, 4096));
                }
              }
              if (!batch.isEmpty()) {
                consumer.accept(batch);
                produced += batch.size();
              }
            }
          }
          return produced;
        });
  }

  @Override
  public void close() {
    synchronized (lock) {
      if (database != null) {
        try {
          database.close();
        } catch (SQLException e) {
          throw new FletchException("cannot close DuckDB", e);
        } finally {
          database = null;
        }
      }
    }
  }
}
