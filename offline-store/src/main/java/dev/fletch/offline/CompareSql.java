package dev.fletch.offline;

import static dev.fletch.offline.Sql.ident;

import dev.fletch.core.stats.ColumnKind;
import dev.fletch.offline.ColumnComparison.Categorical;
import dev.fletch.offline.ColumnComparison.Counts;
import dev.fletch.offline.ColumnComparison.Numeric;
import dev.fletch.offline.OfflineStore.ComparedColumn;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The counts behind drift measures, for columns of two relations on one connection. Per side, one
 * scan counts rows, nulls and values of every column and one more bins every number by the
 * reference's deciles (one scan of the reference finds them first); each number then needs one scan
 * of both sides for its Kolmogorov-Smirnov statistic (a sort of its distinct values) and each
 * category one for its value counts. Values found in the data are bound as parameters.
 */
final class CompareSql {
  /** The reference deciles: PSI's bins hold a tenth of the reference each. */
  static final List<Double> DECILES = List.of(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9);

  /** The names the two slices are loaded under. */
  static final String REF = "__fletch_reference";

  static final String CUR = "__fletch_current";

  private CompareSql() {}

  static List<ColumnComparison> compare(
      Connection conn,
      String ref,
      String cur,
      List<ComparedColumn> pairs,
      OfflineStore.CompareListener listener)
      throws SQLException {
    List<Counts> refCounts = counts(conn, ref, pairs, true);
    List<Counts> curCounts = counts(conn, cur, pairs, false);
    List<List<Double>> edges = deciles(conn, ref, pairs, refCounts);
    List<List<Long>> refBins = bins(conn, ref, true, pairs, edges);
    List<List<Long>> curBins = bins(conn, cur, false, pairs, edges);
    List<ColumnComparison> out = new ArrayList<>(pairs.size());
    for (int i = 0; i < pairs.size(); i++) {
      ComparedColumn p = pairs.get(i);
      listener.comparing(p.current(), i, pairs.size());
      Counts r = refCounts.get(i);
      Counts c = curCounts.get(i);
      ColumnComparison.Distribution d;
      if (r.values() == 0 || c.values() == 0) {
        d = new ColumnComparison.Empty();
      } else if (p.kind() == ColumnKind.NUMERIC) {
        d =
            new Numeric(
                edges.get(i),
                refBins.get(i),
                curBins.get(i),
                ksStatistic(conn, ref, cur, p, r.values(), c.values()));
      } else {
        d = categories(conn, ref, cur, p, r.values(), c.values());
      }
      out.add(new ColumnComparison(p.reference(), p.current(), p.kind(), r, c, d));
    }
    return out;
  }

  private static String name(ComparedColumn p, boolean reference) {
    return reference ? p.reference() : p.current();
  }

  /** Each column's rows, nulls and compared values on one side, in one scan. */
  private static List<Counts> counts(
      Connection conn, String table, List<ComparedColumn> pairs, boolean ref) throws SQLException {
    StringJoiner select = new StringJoiner(", ");
    select.add("count(*)");
    for (ComparedColumn p : pairs) {
      String c = name(p, ref);
      select.add("count(" + ident(c) + ")");
      select.add(
          p.kind() == ColumnKind.NUMERIC
              ? "count(*) FILTER (WHERE isfinite(" + StatsSql.number(c) + "))"
              : "count(" + ident(c) + ")");
    }
    List<Counts> out = new ArrayList<>();
    try (Statement st = conn.createStatement();
        ResultSet rs = st.executeQuery("SELECT " + select + " FROM " + ident(table))) {
      rs.next();
      long rows = rs.getLong(1);
      for (int i = 0; i < pairs.size(); i++) {
        long nonNull = rs.getLong(2 + 2 * i);
        out.add(new Counts(rows, rows - nonNull, rs.getLong(3 + 2 * i)));
      }
    }
    return out;
  }

  /** The reference's deciles of each number (duplicates removed); empty for the rest. */
  private static List<List<Double>> deciles(
      Connection conn, String ref, List<ComparedColumn> pairs, List<Counts> refCounts)
      throws SQLException {
    StringJoiner select = new StringJoiner(", ");
    List<Integer> asked = new ArrayList<>();
    for (int i = 0; i < pairs.size(); i++) {
      ComparedColumn p = pairs.get(i);
      if (p.kind() == ColumnKind.NUMERIC && refCounts.get(i).values() > 0) {
        String x = StatsSql.number(p.reference());
        select.add(
            "approx_quantile(" + x + ", " + DECILES + ") FILTER (WHERE isfinite(" + x + "))");
        asked.add(i);
      }
    }
    List<List<Double>> out = new ArrayList<>();
    pairs.forEach(p -> out.add(List.of()));
    if (asked.isEmpty()) {
      return out;
    }
    try (Statement st = conn.createStatement();
        ResultSet rs = st.executeQuery("SELECT " + select + " FROM " + ident(ref))) {
      rs.next();
      for (int k = 0; k < asked.size(); k++) {
        List<Double> edges = new ArrayList<>();
        for (Object v : StatsSql.list(rs.getObject(k + 1))) {
          double e = ((Number) v).doubleValue();
          if (edges.isEmpty() || e > edges.get(edges.size() - 1)) {
            edges.add(e);
          }
        }
        out.set(asked.get(k), edges);
      }
    }
    return out;
  }

  /** Each number's finite values per bin (see {@link Numeric}) on one side, in one scan. */
  private static List<List<Long>> bins(
      Connection conn,
      String table,
      boolean ref,
      List<ComparedColumn> pairs,
      List<List<Double>> edges)
      throws SQLException {
    StringJoiner select = new StringJoiner(", ");
    List<Double> params = new ArrayList<>();
    List<Integer> asked = new ArrayList<>();
    for (int i = 0; i < pairs.size(); i++) {
      ComparedColumn p = pairs.get(i);
      if (p.kind() != ColumnKind.NUMERIC || edges.get(i).isEmpty()) {
        continue;
      }
      String x = StatsSql.number(name(p, ref));
      StringBuilder bin =
          new StringBuilder("CASE WHEN NOT coalesce(isfinite(" + x + "), false) THEN NULL");
      List<Double> e = edges.get(i);
      for (int b = 0; b < e.size(); b++) {
        bin.append(" WHEN ").append(x).append(" <= ? THEN ").append(b);
        params.add(e.get(b));
      }
      bin.append(" ELSE ").append(e.size()).append(" END");
      select.add("histogram(" + bin + ")");
      asked.add(i);
    }
    List<List<Long>> out = new ArrayList<>();
    pairs.forEach(p -> out.add(List.of()));
    if (asked.isEmpty()) {
      return out;
    }
    try (PreparedStatement ps =
        conn.prepareStatement("SELECT " + select + " FROM " + ident(table))) {
      for (int i = 0; i < params.size(); i++) {
        ps.setDouble(i + 1, params.get(i));
      }
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        for (int k = 0; k < asked.size(); k++) {
          int bins = edges.get(asked.get(k)).size() + 1;
          List<Long> counts = new ArrayList<>();
          for (int b = 0; b < bins; b++) {
            counts.add(0L);
          }
          for (Map.Entry<?, ?> entry : StatsSql.map(rs.getObject(k + 1)).entrySet()) {
            if (entry.getKey() != null) {
              int b = ((Number) entry.getKey()).intValue();
              counts.set(b, counts.get(b) + ((Number) entry.getValue()).longValue());
            }
          }
          out.set(asked.get(k), counts);
        }
      }
    }
    return out;
  }

  /**
   * The exact two-sample Kolmogorov-Smirnov statistic: the greatest distance between the two
   * empirical distribution functions, taken after each distinct value (so ties count whole).
   */
  private static double ksStatistic(
      Connection conn, String ref, String cur, ComparedColumn p, long n1, long n2)
      throws SQLException {
    String rx = StatsSql.number(p.reference());
    String cx = StatsSql.number(p.current());
    String sql =
        "SELECT max(abs(fr - fc)) FROM (SELECT sum(r) OVER w / ? AS fr, sum(c) OVER w / ? AS fc"
            + " FROM (SELECT x, count(*) FILTER (WHERE s = 0) AS r, count(*) FILTER (WHERE s = 1)"
            + " AS c FROM (SELECT "
            + rx
            + " AS x, 0 AS s FROM "
            + ident(ref)
            + " UNION ALL SELECT "
            + cx
            + " AS x, 1 AS s FROM "
            + ident(cur)
            + ") AS u WHERE isfinite(x) GROUP BY x) AS g WINDOW w AS (ORDER BY x ROWS BETWEEN"
            + " UNBOUNDED PRECEDING AND CURRENT ROW))";
    try (PreparedStatement ps = conn.prepareStatement(sql)) {
      ps.setDouble(1, n1);
      ps.setDouble(2, n2);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getDouble(1);
      }
    }
  }

  /** A category's counts per value on both sides, the most frequent first. */
  private static Categorical categories(
      Connection conn, String ref, String cur, ComparedColumn p, long n1, long n2)
      throws SQLException {
    String sql =
        "SELECT v, count(*) FILTER (WHERE s = 0) AS r, count(*) FILTER (WHERE s = 1) AS c FROM"
            + " (SELECT "
            + StatsSql.text(p.reference())
            + " AS v, 0 AS s FROM "
            + ident(ref)
            + " UNION ALL SELECT "
            + StatsSql.text(p.current())
            + " AS v, 1 AS s FROM "
            + ident(cur)
            + ") AS u WHERE v IS NOT NULL GROUP BY v ORDER BY count(*) DESC, v LIMIT ?";
    List<String> values = new ArrayList<>();
    List<Long> r = new ArrayList<>();
    List<Long> c = new ArrayList<>();
    long rs1 = 0;
    long rs2 = 0;
    try (PreparedStatement ps = conn.prepareStatement(sql)) {
      ps.setInt(1, Categorical.MAX_CATEGORIES);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          values.add(rs.getString(1));
          r.add(rs.getLong(2));
          c.add(rs.getLong(3));
          rs1 += rs.getLong(2);
          rs2 += rs.getLong(3);
        }
      }
    }
    return new Categorical(values, r, c, n1 - rs1, n2 - rs2);
  }
}
