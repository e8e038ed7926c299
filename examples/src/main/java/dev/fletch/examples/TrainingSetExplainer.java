package dev.fletch.examples;

import static java.util.Objects.requireNonNull;

import dev.fletch.core.FletchException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Explains, for a few rows of a payments training set, why {@code chargeback_rate_30d} (view {@code
 * merchant_risk}, nightly rows with restatements) and {@code txn_count_1h} (view {@code
 * customer_activity}, computed by Fletch over a window of raw transactions) got the values they
 * got, by re-deriving them from the source files independently of the offline store. The quickstart
 * prints these; tests use {@code agrees()} as a check.
 */
public final class TrainingSetExplainer {

  /** The point-in-time situations worth showing. */
  public enum Case {
    /** The latest row at or before t exists, is fresh enough, and has a single version. */
    ORDINARY,
    /** The latest row at or before t was restated: same event time, later created time wins. */
    CORRECTION,
    /** The latest row at or before t is older than the view's ttl: NULL. */
    TOO_OLD,
    /** No row at or before t (the merchant was onboarded later): NULL. */
    NO_HISTORY
  }

  /**
   * One explained training row. {@code expected} is what the rules give, {@code actual} what the
   * training set holds (both null for NULL).
   */
  public record Explanation(
      Case kind,
      long transactionId,
      String merchantId,
      Instant eventTimestamp,
      Double expected,
      Double actual,
      String why) {
    public boolean agrees() {
      if (expected == null || actual == null) {
        return expected == null && actual == null;
      }
      return Math.abs(expected - actual) < 1e-6 * Math.max(1, Math.abs(expected));
    }
  }

  /**
   * One explained window value: {@code customer_activity:txn_count_1h} of one training row, counted
   * again from the raw transactions. {@code actual} is what the training set holds.
   */
  public record WindowExplanation(
      long transactionId,
      long customerId,
      Instant eventTimestamp,
      long expected,
      Long actual,
      String why) {
    public boolean agrees() {
      return actual != null && actual == expected;
    }
  }

  static final String TRANSACTIONS = "data/transactions/*.parquet";
  static final String MERCHANT_STATS = "data/merchant_daily_stats.parquet";

  private TrainingSetExplainer() {}

  /**
   * Explains {@code txn_count_1h} (view {@code customer_activity}, hop 1h) for the training row
   * whose 1h window holds the most transactions: the customer's transactions with event time from t
   * - 1h rounded down to the hour up to t itself, counted from {@code data/transactions/} by a
   * query of its own (DuckDB's {@code time_bucket}, not Fletch's arithmetic).
   */
  public static WindowExplanation explainWindow(Path repoDir, Path trainingSet) {
    requireNonNull(repoDir, "repoDir is null");
    requireNonNull(trainingSet, "trainingSet is null");
    String labels = literal(repoDir.resolve(PaymentsExample.LABELS));
    String transactions = literal(repoDir.resolve(TRANSACTIONS));
    try (Connection conn = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = conn.createStatement()) {
      st.execute("SET TimeZone = 'UTC'");
      try (ResultSet rs =
          st.executeQuery(
              "WITH w AS (SELECT l.transaction_id, l.customer_id, l.event_timestamp AS t,"
                  + " time_bucket(INTERVAL 1 HOUR, l.event_timestamp - INTERVAL 1 HOUR) AS start,"
                  + " (SELECT count(*) FROM read_parquet("
                  + transactions
                  + ") x WHERE x.customer_id = l.customer_id AND x.event_ts <= l.event_timestamp"
                  + " AND x.event_ts >= time_bucket(INTERVAL 1 HOUR, l.event_timestamp - INTERVAL"
                  + " 1 HOUR)) AS n FROM read_parquet("
                  + labels
                  + ") l) SELECT w.transaction_id, w.customer_id, w.t, w.start, w.n,"
                  + " f.txn_count_1h FROM w JOIN read_parquet("
                  + literal(trainingSet)
                  + ") f USING (transaction_id) ORDER BY w.n DESC, w.transaction_id LIMIT 1")) {
        rs.next();
        long id = rs.getLong(1);
        long customer = rs.getLong(2);
        Instant t = instant(rs.getObject(3, LocalDateTime.class));
        Instant start = instant(rs.getObject(4, LocalDateTime.class));
        long n = rs.getLong(5);
        long held = rs.getLong(6);
        Long actual = rs.wasNull() ? null : held;
        return new WindowExplanation(
            id,
            customer,
            t,
            n,
            actual,
            "customer "
                + customer
                + " paid at "
                + t
                + ": "
                + n
                + " of their transactions fall from "
                + start
                + " (t - 1h, rounded down to the hour) to t, this one included -> "
                + n);
      }
    } catch (SQLException e) {
      throw new FletchException(
          "explaining the training set " + trainingSet + " failed: " + e.getMessage(), e);
    }
  }

  /**
   * Explains one row of each {@link Case} (the first transaction of each, by id).
   *
   * @param repoDir the example repository (with its data/ folder)
   * @param trainingSet a Parquet training set built from the labels with {@code
   *     merchant_risk:chargeback_rate_30d} among its columns
   * @param ttl the ttl of {@code merchant_risk} as applied
   */
  public static List<Explanation> explain(Path repoDir, Path trainingSet, Duration ttl) {
    requireNonNull(repoDir, "repoDir is null");
    requireNonNull(trainingSet, "trainingSet is null");
    requireNonNull(ttl, "ttl is null");
    String labels = literal(repoDir.resolve(PaymentsExample.LABELS));
    String stats = literal(repoDir.resolve(MERCHANT_STATS));
    List<Explanation> out = new ArrayList<>();
    try (Connection conn = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = conn.createStatement()) {
      st.execute("SET TimeZone = 'UTC'");
      st.execute(
          "CREATE TABLE s AS SELECT merchant_id, event_ts, created_ts, cb_rate_30d AS rate"
              + " FROM read_parquet("
              + stats
              + ")");
      // For each label: the latest stats event time at or before t and how many versions it has.
      st.execute(
          "CREATE TABLE pick AS SELECT l.transaction_id, l.merchant_id, l.event_timestamp AS t,"
              + " max(s.event_ts) AS e FROM read_parquet("
              + labels
              + ") l LEFT JOIN s"
              + " ON s.merchant_id = l.merchant_id AND s.event_ts <= l.event_timestamp GROUP BY ALL");
      long ttlSeconds = ttl.getSeconds();
      String kind =
          "CASE WHEN p.e IS NULL THEN 'NO_HISTORY'"
              + (ttlSeconds > 0
                  ? " WHEN p.e < p.t - to_seconds(" + ttlSeconds + "::BIGINT) THEN 'TOO_OLD'"
                  : "")
              + " WHEN (SELECT count(*) FROM s WHERE s.merchant_id = p.merchant_id AND s.event_ts = p.e) > 1"
              + " THEN 'CORRECTION' ELSE 'ORDINARY' END";
      try (ResultSet rs =
          st.executeQuery(
              "SELECT kind, min(transaction_id) FROM (SELECT "
                  + kind
                  + " AS kind, p.transaction_id"
                  + " FROM pick p) GROUP BY kind")) {
        while (rs.next()) {
          out.add(explainOne(conn, Case.valueOf(rs.getString(1)), rs.getLong(2), trainingSet, ttl));
        }
      }
    } catch (SQLException e) {
      throw new FletchException(
          "explaining the training set " + trainingSet + " failed: " + e.getMessage(), e);
    }
    out.sort((a, b) -> a.kind().compareTo(b.kind()));
    return out;
  }

  private static Explanation explainOne(
      Connection conn, Case kind, long transactionId, Path trainingSet, Duration ttl)
      throws SQLException {
    String merchant;
    Instant t;
    Instant e;
    try (PreparedStatement ps =
        conn.prepareStatement("SELECT merchant_id, t, e FROM pick WHERE transaction_id = ?")) {
      ps.setLong(1, transactionId);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        merchant = rs.getString(1);
        t = instant(rs.getObject(2, LocalDateTime.class));
        e = instant(rs.getObject(3, LocalDateTime.class));
      }
    }
    Double actual = actual(conn, trainingSet, transactionId);
    String at = "merchant " + merchant + " was paid at " + t;
    return switch (kind) {
      case NO_HISTORY -> {
        Instant first = firstStats(conn, merchant);
        yield new Explanation(
            kind,
            transactionId,
            merchant,
            t,
            null,
            actual,
            at
                + ": no merchant_risk row at or before that time (its first nightly row is "
                + (first == null ? "never" : first.toString())
                + ", later) -> NULL");
      }
      case TOO_OLD ->
          new Explanation(
              kind,
              transactionId,
              merchant,
              t,
              null,
              actual,
              at
                  + ": the latest merchant_risk row is from "
                  + e
                  + ", "
                  + human(Duration.between(e, t))
                  + " earlier, older than the view's ttl "
                  + human(ttl)
                  + " -> NULL");
      case ORDINARY -> {
        List<double[]> versions = versions(conn, merchant, e);
        Double expected = versions.get(0)[1] < 0 ? null : versions.get(0)[1];
        yield new Explanation(
            kind,
            transactionId,
            merchant,
            t,
            expected,
            actual,
            at
                + ": the latest merchant_risk row at or before it is from "
                + e
                + " ("
                + human(Duration.between(e, t))
                + " earlier, within the ttl "
                + human(ttl)
                + ") -> "
                + format(expected));
      }
      case CORRECTION -> {
        List<double[]> versions = versions(conn, merchant, e);
        StringBuilder sb = new StringBuilder();
        for (double[] v : versions) {
          sb.append(sb.length() == 0 ? "" : ", then ")
              .append("created ")
              .append(Instant.ofEpochSecond((long) v[0]))
              .append(" = ")
              .append(format(v[1] < 0 ? null : v[1]));
        }
        double[] last = versions.get(versions.size() - 1);
        Double expected = last[1] < 0 ? null : last[1];
        yield new Explanation(
            kind,
            transactionId,
            merchant,
            t,
            expected,
            actual,
            at
                + ": the latest merchant_risk row is from "
                + e
                + " and was restated ("
                + sb
                + "); the latest created version wins -> "
                + format(expected));
      }
    };
  }

  // Versions of one stats row, oldest created first: {created epoch seconds, rate or -1 for NULL}.
  private static List<double[]> versions(Connection conn, String merchant, Instant e)
      throws SQLException {
    List<double[]> out = new ArrayList<>();
    try (PreparedStatement ps =
        conn.prepareStatement(
            "SELECT epoch(created_ts), coalesce(rate, -1) FROM s WHERE merchant_id = ? AND event_ts = ?"
                + " ORDER BY created_ts")) {
      ps.setString(1, merchant);
      ps.setObject(2, LocalDateTime.ofInstant(e, ZoneOffset.UTC));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new double[] {rs.getDouble(1), rs.getDouble(2)});
        }
      }
    }
    return out;
  }

  private static Instant firstStats(Connection conn, String merchant) throws SQLException {
    try (PreparedStatement ps =
        conn.prepareStatement("SELECT min(event_ts) FROM s WHERE merchant_id = ?")) {
      ps.setString(1, merchant);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return instant(rs.getObject(1, LocalDateTime.class));
      }
    }
  }

  private static Double actual(Connection conn, Path trainingSet, long transactionId)
      throws SQLException {
    try (PreparedStatement ps =
        conn.prepareStatement(
            "SELECT chargeback_rate_30d FROM read_parquet("
                + literal(trainingSet)
                + ") WHERE transaction_id = ?")) {
      ps.setLong(1, transactionId);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return null;
        }
        double v = rs.getDouble(1);
        return rs.wasNull() ? null : v;
      }
    }
  }

  private static Instant instant(LocalDateTime ts) {
    return ts == null ? null : ts.toInstant(ZoneOffset.UTC);
  }

  private static String format(Double v) {
    return v == null ? "NULL" : String.format("%.4f", v);
  }

  /** A duration as people write it: 2d, 3d 4h, 17h 5m. */
  static String human(Duration d) {
    long days = d.toDays();
    long hours = d.toHoursPart();
    long minutes = d.toMinutesPart();
    List<String> parts = new ArrayList<>();
    if (days > 0) {
      parts.add(days + "d");
    }
    if (hours > 0) {
      parts.add(hours + "h");
    }
    if (minutes > 0) {
      parts.add(minutes + "m");
    }
    return parts.isEmpty() ? d.getSeconds() + "s" : String.join(" ", parts);
  }

  private static String literal(Path p) {
    return "'" + Objects.toString(p.toAbsolutePath()).replace("'", "''") + "'";
  }
}
