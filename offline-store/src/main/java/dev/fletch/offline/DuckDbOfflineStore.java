package dev.fletch.offline;

import static java.util.Objects.requireNonNull;

import dev.fletch.core.FletchException;
import dev.fletch.core.InvalidRequestException;
import dev.fletch.core.model.EntityKey;
import dev.fletch.core.model.Feature;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.model.FeatureRow;
import dev.fletch.core.model.FeatureView;
import dev.fletch.core.model.JoinKey;
import dev.fletch.core.settings.OfflineSettings;
import dev.fletch.core.stats.DatasetStats;
import dev.fletch.core.window.Partial;
import java.io.IOException;
import java.lang.management.ManagementFactory;
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
import java.util.StringJoiner;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;
import java.util.logging.Logger;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.duckdb.DuckDBConnection;
import org.duckdb.DuckDBDriver;
import org.duckdb.DuckDBResultSet;

/**
 * The offline store on embedded, in-memory DuckDB reading Parquet/CSV sources in place.
 *
 * <p>Every call runs on a DuckDB database of its own, confined before its first statement to the
 * files the call needs (the repository's sources and allowed directories, an entity file, its own
 * output: see {@link JobAccess}) with its configuration locked, extensions neither installed nor
 * loaded on demand, and its own memory limit, threads and spill folder. Definitions are untrusted;
 * this is the defence behind their checks. At most {@link OfflineSettings#maxConcurrentJobs()}
 * calls run at once; the rest wait. Sessions run in UTC.
 */
public final class DuckDbOfflineStore implements OfflineStore {
  /** Rows per Arrow record batch when the caller does not choose. */
  public static final int DEFAULT_ARROW_BATCH = 64 * 1024;

  private static final Logger LOG = Logger.getLogger(DuckDbOfflineStore.class.getName());

  private final OfflineSettings settings;
  private final Properties options;
  private final Path spillRoot;
  private final boolean ownSpillRoot;
  private final Semaphore jobs;
  private volatile boolean closed;

  /** A store with the default settings: sources inside their repository only. */
  public DuckDbOfflineStore() {
    this(OfflineSettings.defaults(), Map.of());
  }

  /** A store with DuckDB configuration options and the default settings. */
  public DuckDbOfflineStore(Map<String, String> duckdbOptions) {
    this(OfflineSettings.defaults(), duckdbOptions);
  }

  /**
   * A store with {@code settings} (where sources may be, memory, threads, concurrent jobs) and
   * further DuckDB configuration options ({@code temp_directory: /big/disk} ...), given to every
   * job's database. Unless given, jobs spill to a private folder under {@code java.io.tmpdir}.
   * Options are tried at once: an unknown one fails here.
   */
  public DuckDbOfflineStore(OfflineSettings settings, Map<String, String> duckdbOptions) {
    this.settings = requireNonNull(settings, "settings is null");
    requireNonNull(duckdbOptions, "duckdbOptions is null");
    options = new Properties();
    options.setProperty("memory_limit", memoryLimit(settings));
    options.setProperty(
        "threads",
        Integer.toString(
            settings.threads() > 0
                ? settings.threads()
                : Runtime.getRuntime().availableProcessors()));
    options.putAll(duckdbOptions);
    // Stream results chunk by chunk instead of materializing them: scans stay bounded in memory.
    options.setProperty(DuckDBDriver.JDBC_STREAM_RESULTS, "true");
    String spillOption = options.getProperty("temp_directory");
    ownSpillRoot = spillOption == null;
    spillRoot =
        spillOption != null
            ? Path.of(spillOption)
            : Path.of(System.getProperty("java.io.tmpdir"), "fletch-duckdb-" + UUID.randomUUID());
    jobs = new Semaphore(settings.maxConcurrentJobs(), true);
    Path spill = spillRoot.resolve(UUID.randomUUID().toString());
    try (Connection probe = open(JobAccess.none(), spill)) {
      LOG.fine(() -> "DuckDB options accepted: " + probe);
    } catch (SQLException e) {
      throw new FletchException("cannot start DuckDB: " + e.getMessage(), e);
    } finally {
      deleteSpill(spill);
    }
  }

  /**
   * Half of the machine's memory shared by the jobs that may run at once (DuckDB's own default, 80
   * % per database, lets two jobs ask for more than there is); at least 256 MB.
   */
  static String memoryLimit(OfflineSettings settings) {
    if (settings.memoryLimit() != null) {
      return settings.memoryLimit();
    }
    long total = 8L << 30;
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      total = os.getTotalMemorySize();
    }
    long perJob = Math.max(256L << 20, total / 2 / settings.maxConcurrentJobs());
    return (perJob >> 20) + "MB";
  }

  /** A new in-memory database confined to {@code access}, its configuration locked. */
  private Connection open(JobAccess access, Path spill) throws SQLException {
    Properties props = new Properties();
    props.putAll(options);
    props.setProperty("temp_directory", spill.toString());
    props.setProperty("autoinstall_known_extensions", "false");
    props.setProperty("autoload_known_extensions", "false");
    DuckDBConnection conn = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:", props);
    try (Statement st = conn.createStatement()) {
      st.execute("SET TimeZone = 'UTC'");
      if (access.remote()) {
        // Object storage is read through httpfs; it must be installed beforehand (no download
        // happens during a job).
        st.execute("LOAD httpfs");
      }
      st.execute("SET allowed_directories = " + list(access.directories()));
      st.execute("SET allowed_paths = " + list(access.files()));
      st.execute("SET enable_external_access = false");
      st.execute("SET lock_configuration = true");
    } catch (SQLException e) {
      conn.close();
      throw e;
    }
    return conn;
  }

  private static String list(java.util.List<String> values) {
    StringJoiner j = new StringJoiner(", ", "[", "]");
    values.forEach(v -> j.add(Sql.literal(v)));
    return j.toString();
  }

  /**
   * Work that borrows a connection; it is closed, with its database and spill files, when the work
   * ends.
   */
  @FunctionalInterface
  interface ConnectionWork<T> {
    T apply(Connection conn) throws SQLException, IOException;
  }

  <T> T withConnection(String what, JobAccess access, ConnectionWork<T> work) {
    if (closed) {
      throw new FletchException("the offline store is closed");
    }
    try {
      jobs.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FletchException(what + ": interrupted while waiting for a free offline job slot");
    }
    Path spill = spillRoot.resolve(UUID.randomUUID().toString());
    try (Connection conn = open(access, spill)) {
      return work.apply(conn);
    } catch (SQLException e) {
      throw DuckDbErrors.translate(what, e);
    } catch (IOException e) {
      throw new FletchException(what + ": " + e.getMessage(), e);
    } finally {
      jobs.release();
      deleteSpill(spill);
    }
  }

  /** A job's spill folder once its database is closed (DuckDB removes the files in it). */
  private static void deleteSpill(Path spill) {
    if (!Files.exists(spill)) {
      return;
    }
    try (var files = Files.walk(spill)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | java.io.UncheckedIOException e) {
      LOG.fine(() -> "cannot remove spill folder " + spill + ": " + e.getMessage());
    }
  }

  private JobAccess access(FeatureRepo repo, HistoricalRequest request) {
    JobAccess access = JobAccess.forRepo(repo, settings);
    if (request.entities() instanceof EntitySet.FromFile f) {
      Path p = f.path().toAbsolutePath().normalize();
      if (SourcePaths.isGlob(f.path().toString())) {
        access.folder(OfflineSettings.fixedPart(p));
      } else if (Files.isDirectory(p)) {
        access.folder(p);
      } else {
        access.file(p);
      }
    }
    return access;
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
    Path dir = target.getParent();
    // Written beside the target and renamed into place: a failed run leaves no partial file.
    Path tmp = dir.resolve("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
    return withConnection(
        "historical retrieval",
        access(repo, request).file(tmp),
        conn -> {
          Instant at = Instant.now();
          HistoricalRetrieval.Plan plan = HistoricalRetrieval.plan(conn, repo, request, settings);
          Files.createDirectories(dir);
          String options =
              request.format() == HistoricalRequest.OutputFormat.CSV
                  ? "(FORMAT csv, HEADER true)"
                  : "(FORMAT parquet, KV_METADATA "
                      + kvMetadata(TrainingSetMetadata.of(repo, request, plan, at))
                      + ")";
          String select =
              request.format() == HistoricalRequest.OutputFormat.CSV
                  ? csvSelect(conn, plan.sql())
                  : plan.sql();
          try {
            long rows;
            try (Statement st = conn.createStatement()) {
              st.execute("COPY (" + select + ") TO " + Sql.literal(tmp.toString()) + " " + options);
              rows = st.getUpdateCount();
            }
            moveIntoPlace(tmp, target);
            return rows;
          } finally {
            Files.deleteIfExists(tmp);
          }
        });
  }

  /** Lineage as the struct literal of COPY's KV_METADATA option (keys and values escaped). */
  private static String kvMetadata(Map<String, String> metadata) {
    StringJoiner j = new StringJoiner(", ", "{", "}");
    metadata.forEach((k, v) -> j.add(Sql.literal(k) + ": " + Sql.literal(v)));
    return j.toString();
  }

  /**
   * A query's rows as a CSV training set writes them: list columns as JSON arrays ({@code
   * ["en",null]}), so that a list's null element is not the text NULL and commas inside elements
   * stay inside. NULL is an empty field and an empty string {@code ""} (DuckDB's CSV writer).
   */
  private static String csvSelect(Connection conn, String select) throws SQLException {
    List<String> lists = new ArrayList<>();
    try (Statement st = conn.createStatement();
        ResultSet rs = st.executeQuery("DESCRIBE " + select)) {
      while (rs.next()) {
        if (rs.getString("column_type").endsWith("[]")) {
          lists.add(rs.getString("column_name"));
        }
      }
    }
    if (lists.isEmpty()) {
      return select;
    }
    StringJoiner replace = new StringJoiner(", ", "SELECT * REPLACE (", ")");
    for (String c : lists) {
      replace.add("CAST(to_json(" + Sql.ident(c) + ") AS VARCHAR) AS " + Sql.ident(c));
    }
    return replace + " FROM (" + select + ")";
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
        access(repo, request),
        conn -> {
          Instant at = Instant.now();
          HistoricalRetrieval.Plan plan = HistoricalRetrieval.plan(conn, repo, request, settings);
          Map<String, String> fieldRefs = new LinkedHashMap<>();
          for (int i = 0; i < plan.featureColumns().size(); i++) {
            fieldRefs.put(plan.featureColumns().get(i), plan.featureRefs().get(i));
          }
          try (PreparedStatement ps = conn.prepareStatement(plan.sql());
              ResultSet rs = ps.executeQuery();
              CountingArrowReader reader =
                  new CountingArrowReader(
                      allocator,
                      (ArrowReader)
                          rs.unwrap(DuckDBResultSet.class).arrowExportStream(allocator, batchSize),
                      TrainingSetMetadata.of(repo, request, plan, at),
                      fieldRefs)) {
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
        JobAccess.none().file(file),
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
  public FileDescription describeFile(Path file) {
    requireNonNull(file, "file is null");
    if (!Files.isRegularFile(file)) {
      throw new InvalidRequestException("file " + file.toAbsolutePath() + " does not exist");
    }
    String scan = EntityTables.fileScan(file);
    String path = Sql.literal(file.toAbsolutePath().normalize().toString());
    boolean parquet = scan.startsWith("read_parquet");
    return withConnection(
        "cannot describe " + file.toAbsolutePath(),
        JobAccess.none().file(file),
        conn -> {
          Columns columns = SourceCatalog.describe(conn, "SELECT * FROM " + scan);
          List<FileDescription.Column> described = new ArrayList<>();
          for (int i = 0; i < columns.names().size(); i++) {
            described.add(
                new FileDescription.Column(columns.names().get(i), columns.types().get(i)));
          }
          Map<String, String> metadata = new LinkedHashMap<>();
          long rows;
          try (Statement st = conn.createStatement()) {
            try (ResultSet rs =
                st.executeQuery(
                    parquet
                        ? "SELECT coalesce(sum(num_rows), 0) FROM parquet_file_metadata("
                            + path
                            + ")"
                        : "SELECT count(*) FROM " + scan)) {
              rs.next();
              rows = rs.getLong(1);
            }
            if (parquet) {
              try (ResultSet rs =
                  st.executeQuery("SELECT key, value FROM parquet_kv_metadata(" + path + ")")) {
                while (rs.next()) {
                  metadata.put(text(rs.getBytes(1)), text(rs.getBytes(2)));
                }
              }
            }
          }
          String format = parquet ? "parquet" : scan.startsWith("read_csv") ? "csv" : "json";
          return new FileDescription(file, format, rows, described, metadata);
        });
  }

  private static String text(byte[] bytes) {
    return bytes == null ? "" : new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
  }

  @Override
  public long scanLatest(
      FeatureRepo repo,
      FeatureView view,
      Instant start,
      Instant end,
      int batchSize,
      Consumer<List<FeatureRow>> consumer) {
    return scanLatest(repo, view, start, end, null, batchSize, consumer, null);
  }

  @Override
  public long scanLatest(
      FeatureRepo repo,
      FeatureView view,
      Instant start,
      Instant end,
      int batchSize,
      Consumer<List<FeatureRow>> consumer,
      Consumer<DatasetStats> stats) {
    return scanLatest(repo, view, start, end, null, batchSize, consumer, stats);
  }

  @Override
  public long scanLatest(
      FeatureRepo repo,
      FeatureView view,
      Instant start,
      Instant end,
      Instant createdSince,
      int batchSize,
      Consumer<List<FeatureRow>> consumer) {
    return scanLatest(repo, view, start, end, createdSince, batchSize, consumer, null);
  }

  /** The parameters of {@link FeatureSql#latest(FeatureSql.ViewRelation, boolean)}, in order. */
  private static long[] rangeParameters(
      FeatureSql.ViewRelation relation, Instant start, Instant end, Instant createdSince) {
    if (createdSince == null || !relation.hasCreated()) {
      return new long[] {Values.microsOf(start, true), Values.microsOf(end, false)};
    }
    return new long[] {
      Values.microsOf(start, true),
      Values.microsOf(end, false),
      Values.microsOf(createdSince, true),
      Values.microsOf(end, false)
    };
  }

  private static void bind(PreparedStatement ps, long[] parameters) throws SQLException {
    for (int i = 0; i < parameters.length; i++) {
      ps.setLong(i + 1, parameters[i]);
    }
  }

  @Override
  public long countLatest(
      FeatureRepo repo, FeatureView view, Instant start, Instant end, Instant createdSince) {
    requireNonNull(repo, "repo is null");
    requireNonNull(view, "view is null");
    requireNonNull(start, "start is null");
    requireNonNull(end, "end is null");
    if (end.isBefore(start)) {
      throw new InvalidRequestException("range end " + end + " is before its start " + start);
    }
    return withConnection(
        "counting the rows of feature view '" + view.name() + "'",
        JobAccess.forRepo(repo, settings),
        conn -> {
          FeatureSql.ViewRelation relation =
              new SourceCatalog(conn, repo, settings).view(view, view.features());
          String sql;
          long[] parameters;
          if (view.aggregated()) {
            // A job writes one tile entry per entity with events in the range.
            sql = FeatureSql.entityCount(relation);
            parameters = rangeParameters(relation, start, end, null);
          } else {
            boolean late = createdSince != null && relation.hasCreated();
            sql = "SELECT count(*) FROM (" + FeatureSql.latest(relation, late) + ")";
            parameters = rangeParameters(relation, start, end, createdSince);
          }
          try (PreparedStatement ps = conn.prepareStatement(sql)) {
            bind(ps, parameters);
            try (ResultSet rs = ps.executeQuery()) {
              rs.next();
              return rs.getLong(1);
            }
          }
        });
  }

  /**
   * With {@code stats}, the latest rows are computed once into a temporary table (DuckDB's memory
   * limit applies, beyond it the table spills to the job's folder), streamed from there, and then
   * summarised from there: no second read of the source. Without, they stream straight from the
   * query.
   */
  @Override
  public long scanLatest(
      FeatureRepo repo,
      FeatureView view,
      Instant start,
      Instant end,
      Instant createdSince,
      int batchSize,
      Consumer<List<FeatureRow>> consumer,
      Consumer<DatasetStats> stats) {
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
    if (view.aggregated()) {
      throw new InvalidRequestException(
          "feature view '" + view.name() + "' is aggregated: it has no latest values to scan");
    }
    return withConnection(
        "latest-value scan of feature view '" + view.name() + "'",
        JobAccess.forRepo(repo, settings),
        conn -> {
          FeatureSql.ViewRelation relation =
              new SourceCatalog(conn, repo, settings).view(view, view.features());
          List<JoinKey> keys = relation.keys();
          List<String> keyNames = keys.stream().map(JoinKey::name).toList();
          long produced = 0;
          boolean late = createdSince != null && relation.hasCreated();
          String sql = FeatureSql.latest(relation, late);
          long[] parameters = rangeParameters(relation, start, end, createdSince);
          if (stats != null) {
            try (PreparedStatement ps =
                conn.prepareStatement("CREATE TEMP TABLE " + Sql.ident(LATEST) + " AS " + sql)) {
              bind(ps, parameters);
              ps.execute();
            }
          }
          String query = stats == null ? sql : "SELECT * FROM " + Sql.ident(LATEST);
          try (PreparedStatement ps = conn.prepareStatement(query)) {
            if (stats == null) {
              bind(ps, parameters);
            }
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
            } catch (SQLException e) {
              throw streamedFailure(conn, sql, parameters, e);
            }
          }
          if (stats != null) {
            stats.accept(latestStats(conn, relation));
          }
          return produced;
        });
  }

  /** The temporary table of a latest-value scan that is summarised after it streamed. */
  private static final String LATEST = "__fletch_latest";

  /**
   * The features of the latest rows under their names (the scan's columns are keys, the event time,
   * then the features in order), TIMESTAMP features as times again.
   */
  private static DatasetStats latestStats(Connection conn, FeatureSql.ViewRelation relation)
      throws SQLException {
    Columns scanned = SourceCatalog.describe(conn, "SELECT * FROM " + Sql.ident(LATEST));
    int first = relation.keys().size() + 1;
    StringJoiner cols = new StringJoiner(", ");
    for (int i = 0; i < relation.features().size(); i++) {
      Feature f = relation.features().get(i);
      String c = Sql.ident(scanned.names().get(first + i));
      cols.add(
          (f.type() == dev.fletch.core.model.ValueType.TIMESTAMP ? "make_timestamp(" + c + ")" : c)
              + " AS "
              + Sql.ident(f.name()));
    }
    String from = "(SELECT " + cols + " FROM " + Sql.ident(LATEST) + ") AS s";
    return StatsSql.summarise(conn, from, SourceCatalog.describe(conn, "SELECT * FROM " + from));
  }

  @Override
  public List<SliceColumn> columns(FeatureRepo repo, DataSlice slice) {
    requireNonNull(slice, "slice is null");
    return withConnection(
        "cannot read " + slice.describe(),
        sliceAccess(repo, slice),
        conn -> {
          Columns c = Slices.describe(conn, repo, slice);
          List<SliceColumn> out = new ArrayList<>();
          for (int i = 0; i < c.names().size(); i++) {
            out.add(
                new SliceColumn(
                    c.names().get(i), c.types().get(i), StatsSql.kind(c.types().get(i))));
          }
          return out;
        });
  }

  @Override
  public DatasetStats stats(FeatureRepo repo, DataSlice slice) {
    requireNonNull(slice, "slice is null");
    return withConnection(
        "statistics of " + slice.describe(),
        sliceAccess(repo, slice),
        conn -> {
          Columns c = Slices.load(conn, repo, settings, slice, CompareSql.REF);
          return StatsSql.summarise(conn, Sql.ident(CompareSql.REF), c);
        });
  }

  @Override
  public List<ColumnComparison> compare(
      FeatureRepo repo,
      DataSlice reference,
      DataSlice current,
      List<ComparedColumn> columns,
      CompareListener listener) {
    requireNonNull(reference, "reference is null");
    requireNonNull(current, "current is null");
    requireNonNull(columns, "columns is null");
    CompareListener l = listener == null ? CompareListener.NONE : listener;
    JobAccess access = sliceAccess(repo, reference);
    Slices.allow(access, current);
    return withConnection(
        "comparing " + reference.describe() + " with " + current.describe(),
        access,
        conn -> {
          Columns ref = Slices.load(conn, repo, settings, reference, CompareSql.REF);
          Columns cur = Slices.load(conn, repo, settings, current, CompareSql.CUR);
          for (ComparedColumn c : columns) {
            requireColumn(ref, c.reference(), reference);
            requireColumn(cur, c.current(), current);
          }
          return CompareSql.compare(conn, CompareSql.REF, CompareSql.CUR, columns, l);
        });
  }

  private static void requireColumn(Columns columns, String name, DataSlice slice) {
    if (!columns.has(name)) {
      throw new InvalidRequestException(
          slice.describe() + " has no column '" + name + "' (columns: " + columns + ")");
    }
  }

  private JobAccess sliceAccess(FeatureRepo repo, DataSlice slice) {
    JobAccess access = repo == null ? JobAccess.none() : JobAccess.forRepo(repo, settings);
    Slices.allow(access, slice);
    return access;
  }

  @Override
  public List<dev.fletch.core.model.DataMismatch> checkSources(FeatureRepo repo) {
    requireNonNull(repo, "repo is null");
    return withConnection(
        "checking the sources against their files",
        JobAccess.forRepo(repo, settings),
        conn -> new SourceCheck(conn, repo, settings).run());
  }

  @Override
  public List<String> pushLogFiles(FeatureRepo repo, String source) {
    requireNonNull(repo, "repo is null");
    Path folder = PushLog.folder(repo.source(source), repo, settings);
    return folder == null ? List.of() : PushLog.files(folder);
  }

  @Override
  public Path appendPushLog(
      FeatureRepo repo, String source, List<PushColumn> columns, List<Object[]> rows, String name) {
    requireNonNull(repo, "repo is null");
    dev.fletch.core.model.Source s = repo.source(source);
    Path folder = PushLog.folder(s, repo, settings);
    if (folder == null) {
      throw new InvalidRequestException(
          "source '"
              + source
              + "' has no push_log folder, so pushed rows cannot be kept offline: add"
              + " 'push_log: data/pushed/"
              + source
              + "' to its definition, or push to the online store only");
    }
    return PushLog.append(folder, columns, rows, name);
  }

  @Override
  public long scanEvents(
      FeatureRepo repo, FeatureView view, Instant start, Instant end, EventSink sink) {
    requireNonNull(repo, "repo is null");
    requireNonNull(view, "view is null");
    requireNonNull(start, "start is null");
    requireNonNull(end, "end is null");
    requireNonNull(sink, "sink is null");
    if (!view.aggregated()) {
      throw new InvalidRequestException(
          "feature view '" + view.name() + "' is not aggregated: it has no events to scan");
    }
    if (end.isBefore(start)) {
      throw new InvalidRequestException("range end " + end + " is before its start " + start);
    }
    return withConnection(
        "event scan of feature view '" + view.name() + "'",
        JobAccess.forRepo(repo, settings),
        conn -> {
          FeatureSql.ViewRelation relation =
              new SourceCatalog(conn, repo, settings).view(view, view.features());
          List<JoinKey> keys = relation.keys();
          List<String> keyNames = keys.stream().map(JoinKey::name).toList();
          List<Feature> inputs = relation.inputs().features();
          String sql = WindowSql.eventScan(relation, relation.inputs());
          long events = 0;
          try (PreparedStatement ps = conn.prepareStatement(sql)) {
            ps.setLong(1, Values.microsOf(start, true));
            ps.setLong(2, Values.microsOf(end, false));
            try (ResultSet rs = ps.executeQuery()) {
              Object[] values = new Object[inputs.size()];
              List<Object> keyValues = null;
              EntityKey key = null;
              while (rs.next()) {
                List<Object> current = new ArrayList<>(keys.size());
                for (int i = 0; i < keys.size(); i++) {
                  current.add(Values.read(rs, i + 1, keys.get(i).type()));
                }
                if (!current.equals(keyValues)) {
                  keyValues = current;
                  key = new EntityKey(keyNames, current);
                }
                long event = rs.getLong(keys.size() + 1);
                long created = rs.getLong(keys.size() + 2);
                Long createdMicros = rs.wasNull() ? null : created;
                for (int f = 0; f < inputs.size(); f++) {
                  values[f] =
                      Partial.canonical(Values.read(rs, keys.size() + 3 + f, inputs.get(f).type()));
                }
                sink.accept(key, event, createdMicros, values);
                events++;
              }
            } catch (SQLException e) {
              throw streamedFailure(conn, sql, rangeParameters(relation, start, end, null), e);
            }
          }
          return events;
        });
  }

  /**
   * A streamed result that fails while it is read says only "Invalid result set"; the cause (a
   * value that does not convert, with file, line and column) comes from running the query to its
   * end once more without streaming, which fails the same way.
   */
  private static SQLException streamedFailure(
      Connection conn, String sql, long[] parameters, SQLException streamed) {
    if (streamed.getMessage() == null || !streamed.getMessage().contains("Invalid result set")) {
      return streamed;
    }
    // Not a result set (those stream too, and fail the same uninformative way): a statement.
    try (PreparedStatement probe =
        conn.prepareStatement(
            // hash of the whole row: every column is computed (count(*) would skip them)
            "CREATE OR REPLACE TEMP TABLE \"__fletch_probe\" AS SELECT bit_xor(hash(t)) AS h FROM ("
                + sql
                + ") AS t")) {
      bind(probe, parameters);
      probe.execute();
    } catch (SQLException cause) {
      cause.addSuppressed(streamed);
      return cause;
    }
    return streamed;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (!ownSpillRoot) {
      return;
    }
    // Jobs delete their own spill files as their databases close; the folder goes when empty.
    try (var left = Files.list(spillRoot)) {
      if (left.findAny().isEmpty()) {
        Files.deleteIfExists(spillRoot);
      }
    } catch (IOException e) {
      // never created (no job spilled), or still in use by a job that is finishing
    }
  }
}
