package dev.fletch.offline;

import static dev.fletch.offline.Sql.ident;

import dev.fletch.core.InvalidRequestException;
import dev.fletch.core.model.FeatureView;
import dev.fletch.core.model.Source;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * Loads an {@link EntitySet} into the connection's temporary table {@value FeatureSql#ENTITIES}.
 * Copying it (inside DuckDB, never through the heap except for inline rows) fixes the input order
 * as the table's rowid, which the point-in-time query sorts its output by.
 */
final class EntityTables {
  private EntityTables() {}

  static Columns load(
      SourceCatalog catalog, Connection conn, EntitySet set, String timestampColumn) {
    String table = ident(FeatureSql.ENTITIES);
    try (Statement st = conn.createStatement()) {
      st.execute("DROP TABLE IF EXISTS " + table);
    } catch (SQLException e) {
      throw DuckDbErrors.translate("cannot reset the entity table", e);
    }
    if (set instanceof EntitySet.FromFile f) {
      fromFile(conn, f.path());
    } else if (set instanceof EntitySet.FromQuery q) {
      fromQuery(catalog, conn, q.sql());
    } else if (set instanceof EntitySet.FromRows r) {
      fromRows(conn, r.rows());
    } else if (set instanceof EntitySet.FromViewRange v) {
      fromViewRange(catalog, conn, v, timestampColumn);
    }
    try {
      Columns columns = SourceCatalog.describe(conn, "SELECT * FROM " + table);
      long rows;
      try (Statement st = conn.createStatement();
          var rs = st.executeQuery("SELECT count(*) FROM " + table)) {
        rs.next();
        rows = rs.getLong(1);
      }
      if (rows == 0) {
        throw new InvalidRequestException("the entity set has no rows: " + describe(set));
      }
      return columns;
    } catch (SQLException e) {
      throw DuckDbErrors.translate("cannot read the entity set", e);
    }
  }

  static String describe(EntitySet set) {
    if (set instanceof EntitySet.FromFile f) {
      return "file " + f.path();
    } else if (set instanceof EntitySet.FromQuery q) {
      return "query " + q.sql();
    } else if (set instanceof EntitySet.FromViewRange v) {
      return "view '" + v.view() + "' between " + v.start() + " and " + v.end();
    }
    return "inline rows";
  }

  /** The table function reading an entity file, chosen by its extension. */
  static String fileScan(Path path) {
    String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
    String p = path.toAbsolutePath().normalize().toString();
    if (name.endsWith(".parquet") || name.endsWith(".pq")) {
      return FeatureSql.parquetScan(p);
    } else if (name.endsWith(".csv") || name.endsWith(".csv.gz") || name.endsWith(".tsv")) {
      return FeatureSql.csvScan(p);
    } else if (name.endsWith(".json") || name.endsWith(".jsonl") || name.endsWith(".ndjson")) {
      return FeatureSql.jsonScan(p);
    }
    throw new InvalidRequestException(
        "file " + path + ": unknown format; expected .parquet, .csv, .json or .jsonl");
  }

  /**
   * An entity file, a glob of files, or a folder of part files (as Spark and pandas write them; the
   * format is taken from the files in it). Files of a glob or folder are read in name order.
   */
  private static void fromFile(Connection conn, Path path) {
    Path files = path.toAbsolutePath().normalize();
    if (SourcePaths.isGlob(path.toString())) {
      // DuckDB expands it; an empty match is reported below
    } else if (Files.isDirectory(files)) {
      files = folderGlob(files);
    } else if (!Files.exists(files)) {
      throw new InvalidRequestException("entity file " + files + " does not exist");
    } else if (!Files.isReadable(files)) {
      throw new InvalidRequestException("entity file " + files + " is not readable");
    }
    String scan = fileScan(files);
    try (Statement st = conn.createStatement()) {
      st.execute("CREATE TEMP TABLE " + ident(FeatureSql.ENTITIES) + " AS SELECT * FROM " + scan);
    } catch (SQLException e) {
      throw DuckDbErrors.translate("cannot read entity file " + files, e);
    }
  }

  private static Path folderGlob(Path dir) {
    List<String> extensions = List.of("parquet", "csv", "jsonl", "json");
    try (var listing = Files.list(dir)) {
      List<String> names =
          listing.map(p -> p.getFileName().toString().toLowerCase(Locale.ROOT)).toList();
      for (String ext : extensions) {
        if (names.stream().anyMatch(n -> n.endsWith("." + ext))) {
          return dir.resolve("*." + ext);
        }
      }
    } catch (java.io.IOException e) {
      throw new InvalidRequestException(
          "cannot list entity folder " + dir + ": " + e.getMessage(), e);
    }
    throw new InvalidRequestException(
        "entity folder " + dir + " has no .parquet, .csv or .json(l) files");
  }

  private static void fromQuery(SourceCatalog catalog, Connection conn, String sql) {
    String select = singleSelect(conn, sql);
    // Each source is visible as a view named after it, with its field mapping applied. A source
    // whose files cannot be read is left out; the query then fails only if it uses that source.
    for (Source source : catalog.repo().sources()) {
      try {
        SourceCatalog.DescribedSource d = catalog.source(source);
        try (Statement st = conn.createStatement()) {
          st.execute("CREATE OR REPLACE TEMP VIEW " + ident(source.name()) + " AS " + d.select());
        }
      } catch (RuntimeException | SQLException e) {
        // reported below if the query needs it
      }
    }
    try (Statement st = conn.createStatement()) {
      st.execute(
          "CREATE TEMP TABLE " + ident(FeatureSql.ENTITIES) + " AS SELECT * FROM (" + select + ")");
    } catch (SQLException e) {
      throw DuckDbErrors.translate("the entity query failed", e);
    }
  }

  /**
   * {@code sql} without a trailing semicolon, after DuckDB's parser has confirmed that it is
   * exactly one SELECT statement: the text is spliced into a larger statement, so anything else (a
   * second statement, a COPY) is refused here rather than run.
   */
  static String singleSelect(Connection conn, String sql) {
    String select = sql.strip();
    while (select.endsWith(";")) {
      select = select.substring(0, select.length() - 1).strip();
    }
    if (select.isEmpty()) {
      throw new InvalidRequestException("the entity query is empty");
    }
    String check =
        "SELECT j->>'$.error', j->>'$.error_message', json_array_length(j->'$.statements')"
            + " FROM (SELECT json_serialize_sql(CAST(? AS VARCHAR)) AS j)";
    try (PreparedStatement ps = conn.prepareStatement(check)) {
      ps.setString(1, select);
      try (var rs = ps.executeQuery()) {
        rs.next();
        if ("true".equals(rs.getString(1))) {
          throw new InvalidRequestException(
              "the entity query must be a single SELECT statement: " + rs.getString(2));
        }
        if (rs.getLong(3) != 1) {
          throw new InvalidRequestException(
              "the entity query must be a single SELECT statement, got " + rs.getLong(3));
        }
      }
    } catch (SQLException e) {
      throw DuckDbErrors.translate("cannot parse the entity query", e);
    }
    return select;
  }

  private static void fromViewRange(
      SourceCatalog catalog,
      Connection conn,
      EntitySet.FromViewRange range,
      String timestampColumn) {
    if (range.end().isBefore(range.start())) {
      throw new InvalidRequestException(
          "range end " + range.end() + " is before its start " + range.start());
    }
    FeatureView view = catalog.repo().view(range.view());
    FeatureSql.ViewRelation relation = catalog.view(view, List.of());
    String sql =
        "CREATE TEMP TABLE "
            + ident(FeatureSql.ENTITIES)
            + " AS "
            + FeatureSql.viewRange(relation, timestampColumn);
    try (PreparedStatement ps = conn.prepareStatement(sql)) {
      ps.setLong(1, Values.microsOf(range.start(), true));
      ps.setLong(2, Values.microsOf(range.end(), false));
      ps.execute();
    } catch (SQLException e) {
      throw DuckDbErrors.translate("cannot list the rows of view '" + view.name() + "'", e);
    }
  }

  /** How an inline column is stored, from the Java type of its first non-null value. */
  private enum RowType {
    BOOLEAN("BOOLEAN"),
    BIGINT("BIGINT"),
    DOUBLE("DOUBLE"),
    VARCHAR("VARCHAR"),
    TIMESTAMPTZ("TIMESTAMPTZ"),
    TIMESTAMP("TIMESTAMP");

    final String sql;

    RowType(String sql) {
      this.sql = sql;
    }

    static RowType of(Object v) {
      if (v instanceof Boolean) {
        return BOOLEAN;
      } else if (v instanceof Long
          || v instanceof Integer
          || v instanceof Short
          || v instanceof Byte) {
        return BIGINT;
      } else if (v instanceof Number) {
        return DOUBLE;
      } else if (v instanceof String) {
        return VARCHAR;
      } else if (v instanceof Instant
          || v instanceof OffsetDateTime
          || v instanceof ZonedDateTime) {
        return TIMESTAMPTZ;
      } else if (v instanceof LocalDateTime) {
        return TIMESTAMP;
      }
      return null;
    }
  }

  private static void fromRows(Connection conn, Iterable<Map<String, Object>> rows) {
    Map<String, RowType> types = new LinkedHashMap<>();
    int r = -1;
    for (Map<String, Object> row : rows) {
      r++;
      if (row == null) {
        throw new InvalidRequestException("entity row " + r + " is null");
      }
      for (Map.Entry<String, Object> c : row.entrySet()) {
        Object v = c.getValue();
        RowType seen = types.get(c.getKey());
        if (v == null) {
          types.putIfAbsent(c.getKey(), null);
          continue;
        }
        RowType t = RowType.of(v);
        if (t == null) {
          throw new InvalidRequestException(
              "entity row "
                  + r
                  + ", column '"
                  + c.getKey()
                  + "': unsupported value type "
                  + v.getClass().getSimpleName()
                  + " (use numbers, text, booleans or timestamps)");
        }
        if (seen == null) {
          types.put(c.getKey(), t);
        } else if (isTimeOrText(seen) && isTimeOrText(t)) {
          // times given partly as text: keep them all as ISO text, parsed like a CSV column
          types.put(c.getKey(), seen == t ? t : RowType.VARCHAR);
        } else if (seen != t && !(isNumeric(seen) && isNumeric(t))) {
          throw new InvalidRequestException(
              "entity row "
                  + r
                  + ", column '"
                  + c.getKey()
                  + "': "
                  + t.sql
                  + " value in a "
                  + seen.sql
                  + " column");
        } else if (seen == RowType.BIGINT && t == RowType.DOUBLE) {
          types.put(c.getKey(), RowType.DOUBLE);
        }
      }
    }
    if (r < 0) {
      throw new InvalidRequestException("the entity set has no rows: inline rows");
    }
    List<String> names = new ArrayList<>(types.keySet());
    List<RowType> columnTypes = new ArrayList<>();
    StringJoiner cols = new StringJoiner(", ");
    for (String name : names) {
      RowType t = types.get(name) == null ? RowType.VARCHAR : types.get(name);
      columnTypes.add(t);
      cols.add(ident(name) + " " + t.sql);
    }
    try (Statement st = conn.createStatement()) {
      st.execute("CREATE TEMP TABLE " + ident(FeatureSql.ENTITIES) + " (" + cols + ")");
    } catch (SQLException e) {
      throw DuckDbErrors.translate("cannot create the entity table", e);
    }
    // The appender writes column vectors directly: ~100x faster than batched INSERTs.
    try (DuckDBAppender appender =
        conn.unwrap(DuckDBConnection.class).createAppender("temp", "main", FeatureSql.ENTITIES)) {
      for (Map<String, Object> row : rows) {
        appender.beginRow();
        for (int i = 0; i < names.size(); i++) {
          append(appender, columnTypes.get(i), row.get(names.get(i)));
        }
        appender.endRow();
      }
      appender.flush();
    } catch (SQLException e) {
      throw DuckDbErrors.translate("cannot load the entity rows", e);
    }
  }

  private static void append(DuckDBAppender appender, RowType type, Object v) throws SQLException {
    if (v == null) {
      appender.appendNull();
      return;
    }
    switch (type) {
      case BOOLEAN -> appender.append((boolean) (Boolean) v);
      case BIGINT -> appender.append(((Number) v).longValue());
      case DOUBLE -> appender.append(((Number) v).doubleValue());
      case VARCHAR -> appender.append(text(v));
      case TIMESTAMPTZ, TIMESTAMP -> appender.appendEpochMicros(Values.microsOf(instant(v), false));
    }
  }

  /**
   * Times kept as text (in a column that mixes text and times) use ISO-8601, which DuckDB parses.
   */
  private static String text(Object v) {
    if (v instanceof ZonedDateTime z) {
      return z.toOffsetDateTime().toString();
    }
    return v.toString();
  }

  /** A naive LocalDateTime is UTC, as everywhere in Fletch. */
  private static Instant instant(Object v) {
    if (v instanceof Instant i) {
      return i;
    } else if (v instanceof OffsetDateTime o) {
      return o.toInstant();
    } else if (v instanceof ZonedDateTime z) {
      return z.toInstant();
    }
    return ((LocalDateTime) v).toInstant(ZoneOffset.UTC);
  }

  private static boolean isTimeOrText(RowType t) {
    return t == RowType.VARCHAR || t == RowType.TIMESTAMPTZ || t == RowType.TIMESTAMP;
  }

  private static boolean isNumeric(RowType t) {
    return t == RowType.BIGINT || t == RowType.DOUBLE;
  }
}
