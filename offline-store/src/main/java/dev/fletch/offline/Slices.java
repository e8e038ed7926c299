package dev.fletch.offline;

import static dev.fletch.offline.Sql.ident;

import dev.fletch.core.InvalidRequestException;
import dev.fletch.core.NotFoundException;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.model.FeatureView;
import dev.fletch.core.settings.OfflineSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.StringJoiner;

/**
 * Puts a {@link DataSlice} on a connection under a name, so that statistics and comparisons read it
 * as a table. A Parquet file is read in place (a view: each scan reads only the columns it needs);
 * CSV and JSON files and view ranges are computed once into a temporary table (DuckDB spills it to
 * the job's folder beyond its memory limit), so that the several scans of a summary or comparison
 * do not parse text or recompute features again.
 */
final class Slices {
  private Slices() {}

  /** The files a slice of files may be read from, added to {@code access}. */
  static void allow(JobAccess access, DataSlice slice) {
    if (slice instanceof DataSlice.Files f) {
      Path p = f.path().toAbsolutePath().normalize();
      if (SourcePaths.isGlob(f.path().toString())) {
        access.folder(OfflineSettings.fixedPart(p));
      } else if (Files.isDirectory(p)) {
        access.folder(p);
      } else {
        access.file(p);
      }
    }
  }

  /**
   * The columns of a slice without reading its rows: a file's schema, or a view's features (the
   * types they are cast to).
   */
  static Columns describe(Connection conn, FeatureRepo repo, DataSlice slice) throws SQLException {
    if (slice instanceof DataSlice.Files f) {
      Path path = filePath(f);
      try {
        return SourceCatalog.describe(conn, "SELECT * FROM " + EntityTables.fileScan(path));
      } catch (SQLException e) {
        throw SourceCatalog.unreadable("file " + path, path.toString(), e);
      }
    }
    DataSlice.ViewRange range = (DataSlice.ViewRange) slice;
    if (repo == null) {
      throw new InvalidRequestException(
          "a view's range needs the project's definitions: " + range.describe());
    }
    FeatureView view = repo.view(range.view());
    return new Columns(
        view.features().stream().map(f -> f.name()).toList(),
        view.features().stream().map(f -> Sql.duckType(f.type())).toList());
  }

  /** The file, or the glob of the folder's files, a slice of files reads. */
  private static Path filePath(DataSlice.Files f) {
    Path path = f.path().toAbsolutePath().normalize();
    boolean glob = SourcePaths.isGlob(f.path().toString());
    if (!glob && Files.isDirectory(path)) {
      return folderGlob(path);
    } else if (!glob && !Files.isRegularFile(path)) {
      throw new NotFoundException("file", path.toString(), "no such file");
    }
    return path;
  }

  /** Creates {@code name} on {@code conn} holding the slice's rows and returns its columns. */
  static Columns load(
      Connection conn, FeatureRepo repo, OfflineSettings settings, DataSlice slice, String name)
      throws SQLException {
    if (slice instanceof DataSlice.Files f) {
      return files(conn, f, name);
    }
    DataSlice.ViewRange range = (DataSlice.ViewRange) slice;
    if (repo == null) {
      throw new InvalidRequestException(
          "a view's range needs the project's definitions: " + range.describe());
    }
    if (range.end().isBefore(range.start())) {
      throw new InvalidRequestException(
          "range end " + range.end() + " is before its start " + range.start());
    }
    FeatureView view = repo.view(range.view());
    return view.aggregated()
        ? aggregatedRange(conn, repo, settings, range, name)
        : plainRange(conn, repo, settings, view, range, name);
  }

  private static Columns files(Connection conn, DataSlice.Files f, String name)
      throws SQLException {
    Path path = filePath(f);
    String scan = EntityTables.fileScan(path);
    String fileName = path.getFileName().toString().toLowerCase(Locale.ROOT);
    boolean parquet = fileName.endsWith(".parquet") || fileName.endsWith(".pq");
    Columns all;
    try {
      all = SourceCatalog.describe(conn, "SELECT * FROM " + scan);
    } catch (SQLException e) {
      throw SourceCatalog.unreadable("file " + path, path.toString(), e);
    }
    String select = "SELECT * FROM " + scan;
    if (f.timeColumn() != null) {
      String type =
          all.typeOf(f.timeColumn())
              .orElseThrow(
                  () ->
                      new InvalidRequestException(
                          f.describe()
                              + ": no time column '"
                              + f.timeColumn()
                              + "' (columns: "
                              + all
                              + ")"));
      String t =
          TimeTypes.asUtcMicros(ident(f.timeColumn()), type)
              .orElseThrow(
                  () ->
                      new InvalidRequestException(
                          f.describe()
                              + ": column '"
                              + f.timeColumn()
                              + "' has type "
                              + type
                              + "; expected "
                              + TimeTypes.ACCEPTED));
      select +=
          " WHERE "
              + t
              + " BETWEEN make_timestamp(CAST("
              + Values.microsOf(f.start(), true)
              + " AS BIGINT)) AND make_timestamp(CAST("
              + Values.microsOf(f.end(), false)
              + " AS BIGINT))";
    }
    try (Statement st = conn.createStatement()) {
      st.execute("CREATE TEMP " + (parquet ? "VIEW " : "TABLE ") + ident(name) + " AS " + select);
    } catch (SQLException e) {
      throw DuckDbErrors.translate("cannot read " + f.describe(), e);
    }
    return all;
  }

  private static Path folderGlob(Path dir) {
    for (String ext : List.of("parquet", "csv", "jsonl", "json")) {
      try (var listing = Files.list(dir)) {
        if (listing.anyMatch(
            p -> p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith("." + ext))) {
          return dir.resolve("*." + ext);
        }
      } catch (java.io.IOException e) {
        throw new InvalidRequestException("cannot list folder " + dir + ": " + e.getMessage(), e);
      }
    }
    throw new InvalidRequestException("folder " + dir + " has no .parquet, .csv or .json(l) files");
  }

  /** Every source row of a plain view in the range, with the view's features. */
  private static Columns plainRange(
      Connection conn,
      FeatureRepo repo,
      OfflineSettings settings,
      FeatureView view,
      DataSlice.ViewRange range,
      String name)
      throws SQLException {
    FeatureSql.ViewRelation relation =
        new SourceCatalog(conn, repo, settings).view(view, view.features());
    StringJoiner cols = new StringJoiner(", ");
    view.features().forEach(f -> cols.add(ident(f.name())));
    StringJoiner where = new StringJoiner(" AND ");
    where.add(
        ident(FeatureSql.EVENT_TIME)
            + " BETWEEN make_timestamp(CAST(? AS BIGINT)) AND make_timestamp(CAST(? AS BIGINT))");
    for (int i = 0; i < relation.keys().size(); i++) {
      where.add(ident(FeatureSql.key(i)) + " IS NOT NULL");
    }
    String sql =
        "CREATE TEMP TABLE "
            + ident(name)
            + " AS SELECT "
            + cols
            + " FROM ("
            + relation.sql()
            + ") AS v WHERE "
            + where;
    try (PreparedStatement ps = conn.prepareStatement(sql)) {
      ps.setLong(1, Values.microsOf(range.start(), true));
      ps.setLong(2, Values.microsOf(range.end(), false));
      ps.execute();
    } catch (SQLException e) {
      throw DuckDbErrors.translate("cannot read " + range.describe(), e);
    }
    return SourceCatalog.describe(conn, "SELECT * FROM " + ident(name));
  }

  /**
   * Every (entity, event time) of an aggregated view's source in the range, with its window values
   * at that time: the point-in-time query of historical retrieval over those rows.
   */
  private static Columns aggregatedRange(
      Connection conn,
      FeatureRepo repo,
      OfflineSettings settings,
      DataSlice.ViewRange range,
      String name)
      throws SQLException {
    HistoricalRequest request =
        new HistoricalRequest(
            new EntitySet.FromViewRange(range.view(), range.start(), range.end()),
            List.of(range.view() + ":*"),
            null,
            null,
            false,
            null,
            null);
    HistoricalRetrieval.Plan plan;
    try {
      plan = HistoricalRetrieval.plan(conn, repo, request, settings);
    } catch (InvalidRequestException e) {
      if (e.getMessage() == null || !e.getMessage().startsWith("the entity set has no rows")) {
        throw e;
      }
      // No events in the range: no rows, with the view's columns.
      StringJoiner typed = new StringJoiner(", ");
      repo.view(range.view())
          .features()
          .forEach(
              f -> typed.add("CAST(NULL AS " + Sql.duckType(f.type()) + ") AS " + ident(f.name())));
      try (Statement st = conn.createStatement()) {
        st.execute("DROP TABLE IF EXISTS " + ident(FeatureSql.ENTITIES));
        st.execute("CREATE TEMP TABLE " + ident(name) + " AS SELECT " + typed + " WHERE false");
      }
      return SourceCatalog.describe(conn, "SELECT * FROM " + ident(name));
    }
    StringJoiner cols = new StringJoiner(", ");
    plan.featureColumns().forEach(c -> cols.add(ident(c)));
    try (Statement st = conn.createStatement()) {
      st.execute(
          "CREATE TEMP TABLE " + ident(name) + " AS SELECT " + cols + " FROM (" + plan.sql() + ")");
      st.execute("DROP TABLE " + ident(FeatureSql.ENTITIES));
    } catch (SQLException e) {
      throw DuckDbErrors.translate("cannot read " + range.describe(), e);
    }
    return SourceCatalog.describe(conn, "SELECT * FROM " + ident(name));
  }
}
