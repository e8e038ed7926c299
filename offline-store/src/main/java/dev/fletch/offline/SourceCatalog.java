package dev.fletch.offline;

import dev.fletch.core.FletchException;
import dev.fletch.core.NotFoundException;
import dev.fletch.core.model.Aggregation;
import dev.fletch.core.model.Feature;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.model.FeatureView;
import dev.fletch.core.model.Source;
import dev.fletch.core.settings.OfflineSettings;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The sources and views of one repository as seen on one DuckDB connection: each source's files are
 * described once (schema only, no data read), and every generated relation is bound by DuckDB
 * before use so that a bad column or expression is reported against the view that has it.
 */
final class SourceCatalog {
  record DescribedSource(Source source, String path, String select, Columns columns) {}

  private final Connection conn;
  private final FeatureRepo repo;
  private final OfflineSettings settings;
  private final Map<String, DescribedSource> sources = new HashMap<>();

  SourceCatalog(Connection conn, FeatureRepo repo, OfflineSettings settings) {
    this.conn = conn;
    this.repo = repo;
    this.settings = settings;
  }

  FeatureRepo repo() {
    return repo;
  }

  DescribedSource source(Source source) {
    DescribedSource known = sources.get(source.name());
    if (known != null) {
      return known;
    }
    String path = SourcePaths.resolve(source, repo.root(), settings);
    String scan = scan(source, path, repo, settings);
    Columns raw;
    try {
      raw = describe(conn, "SELECT * FROM " + scan);
    } catch (SQLException e) {
      throw unreadable("source '" + source.name() + "'", path, e);
    }
    if (unsplitCsv(source, raw)) {
      // DuckDB's sniffer gives up on a file whose rows disagree and reads each line as one value.
      throw new dev.fletch.core.InvalidRequestException(
          "source '"
              + source.name()
              + "': DuckDB could not split "
              + path
              + " into columns (it read the header as one column '"
              + abbreviate(raw.names().get(0))
              + "'): some rows have more or fewer fields than the header, or the file is not"
              + " comma-separated (give the source csv: {delimiter: \";\"}, say)");
    }
    String select = FeatureSql.sourceSelect(source, path, scan, raw);
    DescribedSource d =
        new DescribedSource(source, path, select, raw.renamed(source.fieldMapping()));
    sources.put(source.name(), d);
    return d;
  }

  /**
   * The relation of a source's rows: its files at {@code path} ({@link SourcePaths#resolve}), and
   * the rows pushed to its views (the Push API), read together with them.
   */
  static String scan(Source source, String path, FeatureRepo repo, OfflineSettings settings) {
    String scan = FeatureSql.scan(source, path);
    java.nio.file.Path log = PushLog.folder(source, repo, settings);
    if (log != null && PushLog.hasFiles(log)) {
      scan =
          "(SELECT * FROM "
              + scan
              + " UNION ALL BY NAME SELECT * FROM "
              + FeatureSql.parquetScan(log.resolve("*.parquet").toString())
              + ")";
    }
    return scan;
  }

  /**
   * Whether DuckDB's CSV sniffer gave up on the file and read each line as one value (rows that
   * disagree, or another delimiter): a header read as one column holding a separator.
   */
  static boolean unsplitCsv(Source source, Columns raw) {
    return source.format() == dev.fletch.core.model.SourceFormat.CSV
        && raw.names().size() == 1
        && raw.names().get(0).matches(".*[,;\t|].*");
  }

  /** The relation of {@code view} with {@code features}, bound (validated) by DuckDB. */
  FeatureSql.ViewRelation view(FeatureView view, List<Feature> features) {
    Source source = repo.source(view.source());
    DescribedSource d = source(source);
    FeatureSql.ViewRelation relation;
    if (view.aggregated()) {
      List<Aggregation> aggregations =
          features.stream().map(f -> view.aggregation(f.name()).orElseThrow()).toList();
      WindowSql.Inputs inputs = WindowSql.inputs(aggregations);
      // Messages name each input as written, not the internal column it is computed into.
      relation =
          FeatureSql.viewRelation(
                  view,
                  repo.joinKeys(view),
                  inputs.features(),
                  source,
                  d.select(),
                  d.columns(),
                  f -> "aggregation input " + f.expression())
              .aggregating(aggregations, inputs);
    } else {
      relation =
          FeatureSql.viewRelation(
              view, repo.joinKeys(view), features, source, d.select(), d.columns());
    }
    try {
      describe(conn, relation.sql());
    } catch (SQLException e) {
      throw DuckDbErrors.translate(
          "feature view '"
              + view.name()
              + "' cannot be computed from source '"
              + source.name()
              + "'",
          e);
    }
    return relation;
  }

  static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }

  static FletchException unreadable(String what, String path, SQLException e) {
    String message = e.getMessage() == null ? "" : e.getMessage();
    if (message.contains("No files found")) {
      return new NotFoundException("file", path, what);
    }
    return DuckDbErrors.translate(what + ": cannot read " + path, e);
  }

  /** Column names and types of a query, from DuckDB's binder (nothing is executed). */
  static Columns describe(Connection conn, String select) throws SQLException {
    List<String> names = new ArrayList<>();
    List<String> types = new ArrayList<>();
    try (Statement st = conn.createStatement();
        ResultSet rs = st.executeQuery("DESCRIBE " + select)) {
      while (rs.next()) {
        names.add(rs.getString("column_name"));
        types.add(rs.getString("column_type"));
      }
    }
    return new Columns(names, types);
  }
}
