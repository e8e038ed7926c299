package dev.fletch.offline;

import static dev.fletch.offline.Sql.ident;

import dev.fletch.core.stats.ColumnKind;
import dev.fletch.core.stats.ColumnStats;
import dev.fletch.core.stats.DatasetStats;
import dev.fletch.core.stats.Histogram;
import dev.fletch.core.stats.Quantiles;
import dev.fletch.core.stats.ValueCount;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The statistics of a relation's columns, computed by DuckDB in two scans whatever the number of
 * columns: the first counts, measures and sketches every column at once (HyperLogLog distinct
 * counts, t-digest quantiles, space-saving top values), the second counts the 20-bin histograms of
 * the numbers (their bins need the first scan's minimum and maximum) and the exact counts of the
 * top values. Nothing but the results reaches the JVM. Values found in the data are bound as
 * parameters, never written into the SQL.
 */
final class StatsSql {
  private StatsSql() {}

  /** How a column of {@code duckType} is summarised. */
  static ColumnKind kind(String duckType) {
    String t = duckType.toUpperCase(Locale.ROOT);
    if (t.endsWith("[]")
        || t.startsWith("STRUCT")
        || t.startsWith("MAP")
        || t.startsWith("UNION")) {
      return ColumnKind.OTHER;
    }
    if (t.equals("VARCHAR") || t.equals("BOOLEAN") || t.startsWith("ENUM")) {
      return ColumnKind.CATEGORICAL;
    }
    if (t.startsWith("TIMESTAMP") || t.equals("DATE")) {
      return ColumnKind.TIME;
    }
    if (t.equals("TINYINT")
        || t.equals("SMALLINT")
        || t.equals("INTEGER")
        || t.equals("BIGINT")
        || t.equals("HUGEINT")
        || t.startsWith("U") && t.endsWith("INT")
        || t.equals("FLOAT")
        || t.equals("DOUBLE")
        || t.startsWith("DECIMAL")) {
      return ColumnKind.NUMERIC;
    }
    return ColumnKind.OTHER;
  }

  private static boolean floating(String duckType) {
    String t = duckType.toUpperCase(Locale.ROOT);
    return t.equals("FLOAT") || t.equals("DOUBLE");
  }

  /** A numeric column as a DOUBLE. */
  static String number(String column) {
    return "CAST(" + ident(column) + " AS DOUBLE)";
  }

  /** A categorical column as text (booleans as {@code true}/{@code false}). */
  static String text(String column) {
    return "CAST(" + ident(column) + " AS VARCHAR)";
  }

  /**
   * A number's finite values as DOUBLE (NaN and infinities as NULL), computed once per row in a
   * projection under the aggregates: about twice as fast as a FILTER on each aggregate.
   */
  private static String finite(int column) {
    return ident("__fletch_x" + column);
  }

  /**
   * {@code from} with each number's finite values added as {@link #finite} columns (the scan still
   * reads only the columns the aggregates use).
   */
  private static String withFinite(String from, Columns columns) {
    StringJoiner select = new StringJoiner(", ", "(SELECT ", " FROM " + from + ") AS s");
    select.add("*");
    for (int i = 0; i < columns.names().size(); i++) {
      if (kind(columns.types().get(i)) == ColumnKind.NUMERIC) {
        String x = number(columns.names().get(i));
        select.add(
            (floating(columns.types().get(i))
                    ? "CASE WHEN isfinite(" + x + ") THEN " + x + " END"
                    : x)
                + " AS "
                + finite(i));
      }
    }
    return select.toString();
  }

  /** Statistics of every column of {@code from} (a table name, or a table function call). */
  static DatasetStats summarise(Connection conn, String from, Columns columns) throws SQLException {
    int n = columns.names().size();
    StringJoiner first = new StringJoiner(", ");
    first.add("count(*) AS rows");
    for (int i = 0; i < n; i++) {
      String c = columns.names().get(i);
      String type = columns.types().get(i);
      String q = ident(c);
      first.add("count(" + q + ") AS " + alias(i, "n"));
      switch (kind(type)) {
        case NUMERIC -> {
          String x = finite(i);
          first.add("approx_count_distinct(" + q + ") AS " + alias(i, "d"));
          first.add("count(" + x + ") AS " + alias(i, "f"));
          first.add("min(" + x + ") AS " + alias(i, "min"));
          first.add("max(" + x + ") AS " + alias(i, "max"));
          first.add("avg(" + x + ") AS " + alias(i, "mean"));
          first.add("stddev_samp(" + x + ") AS " + alias(i, "sd"));
          first.add(
              "approx_quantile(" + x + ", " + Quantiles.PROBABILITIES + ") AS " + alias(i, "q"));
        }
        case CATEGORICAL -> {
          first.add("approx_count_distinct(" + q + ") AS " + alias(i, "d"));
          first.add(
              "approx_top_k("
                  + text(c)
                  + ", "
                  + ColumnStats.TOP_VALUES
                  + ") FILTER (WHERE "
                  + q
                  + " IS NOT NULL) AS "
                  + alias(i, "top"));
        }
        case TIME -> {
          String t = TimeTypes.asUtcMicros(q, type).orElse("CAST(" + q + " AS TIMESTAMP)");
          first.add("approx_count_distinct(" + q + ") AS " + alias(i, "d"));
          first.add("epoch_us(min(" + t + ")) AS " + alias(i, "min"));
          first.add("epoch_us(max(" + t + ")) AS " + alias(i, "max"));
        }
        case OTHER ->
            first.add(
                "approx_count_distinct(hash("
                    + q
                    + ")) FILTER (WHERE "
                    + q
                    + " IS NOT NULL) AS "
                    + alias(i, "d"));
      }
    }
    long rows;
    List<Partial> partials = new ArrayList<>(n);
    try (Statement st = conn.createStatement();
        ResultSet rs = st.executeQuery("SELECT " + first + " FROM " + withFinite(from, columns))) {
      rs.next();
      rows = rs.getLong("rows");
      for (int i = 0; i < n; i++) {
        partials.add(Partial.read(rs, i, columns.names().get(i), columns.types().get(i), rows));
      }
    }
    countBins(conn, withFinite(from, columns), partials);
    List<ColumnStats> out = new ArrayList<>(n);
    for (Partial p : partials) {
      out.add(p.stats());
    }
    return new DatasetStats(rows, Instant.now(), out);
  }

  private static String alias(int column, String what) {
    return ident("c" + column + "_" + what);
  }

  /**
   * The second scan: histogram bins of the numbers whose values are not all equal, and the exact
   * counts of each category's top values.
   */
  private static void countBins(Connection conn, String from, List<Partial> partials)
      throws SQLException {
    StringJoiner select = new StringJoiner(", ");
    List<Object> params = new ArrayList<>();
    List<Partial> counted = new ArrayList<>();
    for (int i = 0; i < partials.size(); i++) {
      Partial p = partials.get(i);
      if (p.kind == ColumnKind.NUMERIC && p.min != null && p.max > p.min) {
        String x = finite(i);
        select.add(
            // least() skips NULLs: without the CASE, nulls would land in the last bin
            "histogram(CASE WHEN "
                + x
                + " IS NOT NULL THEN least("
                + (Histogram.BINS - 1)
                + ", CAST(floor(("
                + x
                + " - ?) / ?) AS INTEGER)) END) AS "
                + alias(i, "h"));
        params.add(p.min);
        params.add((p.max - p.min) / Histogram.BINS);
        counted.add(p);
      } else if (p.kind == ColumnKind.CATEGORICAL && !p.topValues.isEmpty()) {
        StringJoiner in = new StringJoiner(", ", "(", ")");
        p.topValues.forEach(
            v -> {
              in.add("?");
              params.add(v);
            });
        select.add(
            "histogram(CASE WHEN "
                + text(p.name)
                + " IN "
                + in
                + " THEN "
                + text(p.name)
                + " END) AS "
                + alias(i, "h"));
        counted.add(p);
      }
    }
    if (counted.isEmpty()) {
      return;
    }
    try (PreparedStatement ps = conn.prepareStatement("SELECT " + select + " FROM " + from)) {
      for (int i = 0; i < params.size(); i++) {
        Object v = params.get(i);
        if (v instanceof Double d) {
          ps.setDouble(i + 1, d);
        } else {
          ps.setString(i + 1, (String) v);
        }
      }
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        for (int i = 0; i < counted.size(); i++) {
          counted.get(i).bins = map(rs.getObject(i + 1));
        }
      }
    }
  }

  /** A DuckDB MAP value (histogram) as key -> count. */
  static Map<?, ?> map(Object value) {
    if (value == null) {
      return Map.of();
    }
    if (value instanceof Map<?, ?> m) {
      return m;
    }
    throw new IllegalStateException("expected a MAP from DuckDB, got " + value.getClass());
  }

  /** A DuckDB LIST value as its elements. */
  static List<Object> list(Object value) throws SQLException {
    if (value == null) {
      return List.of();
    }
    if (value instanceof Array a) {
      return java.util.Arrays.asList((Object[]) a.getArray());
    }
    if (value instanceof List<?> l) {
      return new ArrayList<>(l);
    }
    throw new IllegalStateException("expected a LIST from DuckDB, got " + value.getClass());
  }

  /** One column between the two scans. */
  private static final class Partial {
    final String name;
    final String type;
    final ColumnKind kind;
    final long rows;
    long nonNull;
    long distinct;
    Long finite;
    Double min;
    Double max;
    Double mean;
    Double stddev;
    Quantiles quantiles;
    Instant earliest;
    Instant latest;
    List<String> topValues = List.of();
    Map<?, ?> bins = Map.of();

    private Partial(String name, String type, long rows) {
      this.name = name;
      this.type = type;
      this.kind = kind(type);
      this.rows = rows;
    }

    static Partial read(ResultSet rs, int i, String name, String type, long rows)
        throws SQLException {
      Partial p = new Partial(name, type, rows);
      String c = "c" + i + "_";
      p.nonNull = rs.getLong(c + "n");
      p.distinct = rs.getLong(c + "d");
      switch (p.kind) {
        case NUMERIC -> {
          p.finite = rs.getLong(c + "f");
          p.min = nullableDouble(rs, c + "min");
          p.max = nullableDouble(rs, c + "max");
          p.mean = nullableDouble(rs, c + "mean");
          p.stddev = nullableDouble(rs, c + "sd");
          List<Object> q = list(rs.getObject(c + "q"));
          if (q.size() == Quantiles.PROBABILITIES.size()) {
            p.quantiles = Quantiles.of(q.stream().map(v -> ((Number) v).doubleValue()).toList());
          }
        }
        case CATEGORICAL ->
            p.topValues = list(rs.getObject(c + "top")).stream().map(String::valueOf).toList();
        case TIME -> {
          long min = rs.getLong(c + "min");
          p.earliest = rs.wasNull() ? null : Values.instantOfMicros(min);
          long max = rs.getLong(c + "max");
          p.latest = rs.wasNull() ? null : Values.instantOfMicros(max);
        }
        case OTHER -> {}
      }
      return p;
    }

    ColumnStats stats() {
      long nulls = rows - nonNull;
      Histogram histogram = null;
      List<ValueCount> top = List.of();
      if (kind == ColumnKind.NUMERIC && min != null) {
        histogram = histogram();
      } else if (kind == ColumnKind.CATEGORICAL) {
        List<ValueCount> counts = new ArrayList<>();
        for (Map.Entry<?, ?> e : bins.entrySet()) {
          counts.add(
              new ValueCount(String.valueOf(e.getKey()), ((Number) e.getValue()).longValue()));
        }
        counts.sort(
            Comparator.comparingLong(ValueCount::count)
                .reversed()
                .thenComparing(ValueCount::value));
        top = counts;
      }
      Long nonFinite = kind == ColumnKind.NUMERIC && floating(type) ? nonNull - finite : null;
      return new ColumnStats(
          name,
          type,
          kind,
          rows,
          nulls,
          // the sketch may overshoot a little; there cannot be more distinct values than values
          Math.min(distinct, nonNull),
          nonFinite,
          min,
          max,
          mean,
          // one value has no sample deviation; say 0 rather than leave it out
          stddev == null && min != null ? Double.valueOf(0) : stddev,
          quantiles,
          histogram,
          top,
          earliest,
          latest);
    }

    private Histogram histogram() {
      if (max.equals(min)) {
        return new Histogram(List.of(min, max), List.of(finite));
      }
      double width = (max - min) / Histogram.BINS;
      List<Double> edges = new ArrayList<>(Histogram.BINS + 1);
      for (int b = 0; b < Histogram.BINS; b++) {
        edges.add(min + b * width);
      }
      edges.add(max);
      List<Long> counts = new ArrayList<>(Histogram.BINS);
      for (int b = 0; b < Histogram.BINS; b++) {
        counts.add(0L);
      }
      for (Map.Entry<?, ?> e : bins.entrySet()) {
        if (e.getKey() == null) {
          continue;
        }
        int b = ((Number) e.getKey()).intValue();
        int bin = Math.max(0, Math.min(Histogram.BINS - 1, b));
        counts.set(bin, counts.get(bin) + ((Number) e.getValue()).longValue());
      }
      return new Histogram(edges, counts);
    }

    private static Double nullableDouble(ResultSet rs, String column) throws SQLException {
      double v = rs.getDouble(column);
      return rs.wasNull() ? null : v;
    }
  }
}
