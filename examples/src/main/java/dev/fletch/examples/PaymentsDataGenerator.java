package dev.fletch.examples;

import static java.util.Objects.requireNonNull;

import dev.fletch.core.FletchException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes the payments-fraud example's data as Parquet, with DuckDB ({@code COPY ... TO}), so no row
 * passes through the JVM heap.
 *
 * <p>Everything is derived from a seed with a hash (not a stateful random generator), so the same
 * seed, scale, days and end time give byte-for-byte the same values whatever the thread count.
 * Timestamps are naive {@code TIMESTAMP} columns holding UTC.
 *
 * <p>What the data contains, on purpose, because point-in-time retrieval has to get it right:
 *
 * <ul>
 *   <li>the raw feed Fletch aggregates over time windows: every transaction ({@code
 *       data/transactions/week_NN.parquet}, one file per week, read together by a glob);
 *   <li>late-arriving corrections: a second row with the same event time, a later created time and
 *       a different value (profiles re-checked by KYC; merchant risk restated after late
 *       chargebacks);
 *   <li>entities that appear late: customers signing up and merchants onboarded during the period;
 *       an onboarded merchant's first transactions happen before its first nightly risk row;
 *   <li>gaps: merchants under review, whose nightly risk rows stop for 9 days, so their 7-day
 *       features are too old for the view's ttl; customers who pause their card for a few days, so
 *       their activity windows empty;
 *   <li>a label table ({@code data/labels.parquet}: transaction_id, customer_id, merchant_id,
 *       event_timestamp, amount, is_fraud) to build a training set from.
 * </ul>
 */
public final class PaymentsDataGenerator {

  /** The default end of the generated period: a fixed instant, so docs and tests see fixed data. */
  public static final Instant DEFAULT_END = Instant.parse("2026-03-01T00:00:00Z");

  /**
   * What to generate.
   *
   * @param seed any number; the same seed gives the same data
   * @param scale 1 = 1,000 customers and 100 merchants (about 40k transactions); linear
   * @param days length of the period, ending at {@code end}
   * @param end end of the period (exclusive for transactions; the last nightly rows carry this
   *     time)
   */
  public record Options(long seed, int scale, int days, Instant end) {
    public Options {
      requireNonNull(end, "end is null");
      if (scale < 1) {
        throw new IllegalArgumentException("scale must be >= 1, got " + scale);
      }
      if (days < 7) {
        throw new IllegalArgumentException("days must be >= 7, got " + days);
      }
      end = end.truncatedTo(ChronoUnit.SECONDS);
    }

    public static Options defaults() {
      return new Options(42, 1, 28, DEFAULT_END);
    }

    public Options withEnd(Instant newEnd) {
      return new Options(seed, scale, days, newEnd);
    }

    public Options withScale(int newScale) {
      return new Options(seed, newScale, days, end);
    }

    public Instant start() {
      return end.minus(Duration.ofDays(days));
    }
  }

  /** Rows written per file (file name relative to the data folder -> rows). */
  public record Summary(Map<String, Long> rowsPerFile, Duration took) {
    public long rows(String file) {
      return rowsPerFile.getOrDefault(file, 0L);
    }
  }

  private PaymentsDataGenerator() {}

  /**
   * Writes the data files under {@code dataDir} (created if needed; existing files are replaced).
   */
  public static Summary generate(Path dataDir, Options options) {
    requireNonNull(dataDir, "dataDir is null");
    requireNonNull(options, "options is null");
    long started = System.nanoTime();
    try {
      Files.createDirectories(dataDir.resolve("transactions"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dataDir, e);
    }
    Map<String, Long> rows = new LinkedHashMap<>();
    try (Connection conn = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = conn.createStatement()) {
      st.execute("SET TimeZone = 'UTC'");
      defineParameters(st, options);
      for (String sql : MODEL) {
        st.execute(sql);
      }
      copy(
          st,
          rows,
          dataDir,
          "labels.parquet",
          "SELECT transaction_id, customer_id, merchant_id, ts AS event_timestamp, amount, is_fraud"
              + " FROM txn ORDER BY ts, transaction_id");
      copy(
          st,
          rows,
          dataDir,
          "customer_profiles.parquet",
          "SELECT * FROM customer_profiles ORDER BY event_ts, customer_id, created_ts");
      int weeks = (options.days() + 6) / 7;
      for (int w = 0; w < weeks; w++) {
        copy(
            st,
            rows,
            dataDir,
            String.format("transactions/week_%02d.parquet", w),
            "SELECT transaction_id, customer_id, merchant_id, ts AS event_ts, amount FROM txn"
                + " WHERE d // 7 = "
                + w
                + " ORDER BY ts, transaction_id");
      }
      copy(
          st,
          rows,
          dataDir,
          "merchant_daily_stats.parquet",
          "SELECT * FROM merchant_daily_stats ORDER BY event_ts, merchant_id, created_ts");
      copy(
          st,
          rows,
          dataDir,
          "customer_merchant_stats.parquet",
          "SELECT * FROM customer_merchant_stats ORDER BY event_ts, customer_id, merchant_id");
      copy(
          st,
          rows,
          dataDir,
          "customer_disputes.parquet",
          "SELECT * FROM customer_disputes ORDER BY event_ts, customer_id");
    } catch (SQLException e) {
      throw new FletchException(
          "generating the example data in " + dataDir + " failed: " + e.getMessage(), e);
    }
    return new Summary(Map.copyOf(rows), Duration.ofNanos(System.nanoTime() - started));
  }

  private static void copy(
      Statement st, Map<String, Long> rows, Path dir, String file, String query)
      throws SQLException {
    Path target = dir.resolve(file).toAbsolutePath();
    String literal = "'" + target.toString().replace("'", "''") + "'";
    st.execute("COPY (" + query + ") TO " + literal + " (FORMAT parquet)");
    try (ResultSet rs = st.executeQuery("SELECT count(*) FROM read_parquet(" + literal + ")")) {
      rs.next();
      rows.put(file, rs.getLong(1));
    }
  }

  // The parameters become constant macros; the values are numbers and timestamps formatted here,
  // never
  // user text, so inlining them is safe.
  private static void defineParameters(Statement st, Options o) throws SQLException {
    LocalDateTime start = LocalDateTime.ofInstant(o.start(), ZoneOffset.UTC);
    LocalDateTime end = LocalDateTime.ofInstant(o.end(), ZoneOffset.UTC);
    st.execute("CREATE MACRO p_seed() AS " + o.seed() + "::BIGINT");
    st.execute("CREATE MACRO p_customers() AS " + (1000L * o.scale()));
    st.execute("CREATE MACRO p_merchants() AS " + (100L * o.scale()));
    st.execute("CREATE MACRO p_days() AS " + o.days());
    st.execute("CREATE MACRO p_start() AS TIMESTAMP '" + start + "'");
    st.execute("CREATE MACRO p_end() AS TIMESTAMP '" + end + "'");
  }

  // A uniform number in [0, 1) from the seed and up to three keys: deterministic and order-free.
  private static final String RND =
      "CREATE MACRO rnd(a, b, c) AS"
          + " ((hash(p_seed(), a, b, c) % 1000003)::DOUBLE + 0.5) / 1000003.0";

  private static final String[] MODEL = {
    RND,
    "CREATE MACRO day_start(d) AS p_start() + to_days(CAST(d AS INTEGER))",
    // Customers: 80% existed before the period, 20% sign up during it; 15% pause for 3-6 days.
    """
    CREATE TABLE customers AS
    SELECT i AS customer_id,
           CASE WHEN rnd(i, 0, 'late') < 0.2 THEN floor(rnd(i, 0, 'sday') * p_days())::INT ELSE -1 END
             AS signup_day,
           18 + floor(rnd(i, 0, 'age') * 60)::INT AS age,
           ['US','GB','DE','FR','NL','ES','IT','BR','IN','JP'][1 + floor(rnd(i, 0, 'country') * 10)::INT]
             AS home_country,
           (5 + floor(rnd(i, 0, 'limit') * 95)) * 100.0 AS credit_limit,
           rnd(i, 0, 'kyc') < 0.92 AS kyc_verified,
           0.3 + rnd(i, 0, 'activity') * 2.4 AS activity,
           exp(2.8 + rnd(i, 0, 'typical') * 1.6) AS typical_amount,
           CASE WHEN rnd(i, 0, 'pause') < 0.15 THEN floor(rnd(i, 0, 'pday') * p_days())::INT END AS pause_day,
           3 + floor(rnd(i, 0, 'plen') * 4)::INT AS pause_len
    FROM range(1, p_customers() + 1) t(i)
    """,
    """
    ALTER TABLE customers ADD COLUMN signup_ts TIMESTAMP
    """,
    """
    UPDATE customers SET signup_ts = CASE
      WHEN signup_day >= 0
        THEN day_start(signup_day) + to_seconds(floor(rnd(customer_id, 0, 'sts') * 86000)::BIGINT)
      ELSE p_start() - to_days(30 + floor(rnd(customer_id, 0, 'age_acct') * 700)::INT)
        + to_seconds(floor(rnd(customer_id, 0, 'sts') * 86000)::BIGINT) END
    """,
    // Merchants: the last 10% are onboarded during the period; a few are risky; 10% are under
    // review for 9 days, during which their nightly risk rows stop.
    """
    CREATE TABLE merchants AS
    SELECT i AS idx,
           printf('M%05d', i) AS merchant_id,
           CASE WHEN i > p_merchants() * 0.9 THEN floor(rnd(i, 1, 'onboard') * p_days())::INT ELSE -1 END
             AS onboard_day,
           ['grocery','fuel','electronics','travel','restaurants','fashion','gaming','gift_cards']
             [1 + floor(rnd(i, 1, 'mcc') * 8)::INT] AS mcc,
           rnd(i, 1, 'risky') < 0.08 AS risky,
           CASE WHEN rnd(i, 1, 'review') < 0.1 THEN floor(rnd(i, 1, 'rday') * (p_days() - 9))::INT END
             AS review_day
    FROM range(1, p_merchants() + 1) t(i)
    """,
    // Card activity per customer and day, skipping days before signup and during a pause.
    """
    CREATE TABLE slots AS
    SELECT c.customer_id, d, k, c.signup_day, c.signup_ts, c.typical_amount
    FROM customers c, range(0, p_days()) days(d),
         LATERAL (SELECT unnest(range(0, floor(c.activity * 2 * rnd(c.customer_id, d, 'n'))::BIGINT)) AS k)
    WHERE d >= greatest(c.signup_day, 0)
      AND NOT (c.pause_day IS NOT NULL AND d >= c.pause_day AND d < c.pause_day + c.pause_len)
    """,
    """
    CREATE TABLE txn0 AS
    WITH picked AS (
      SELECT s.*,
             CASE WHEN rnd(s.customer_id, d * 100 + k, 'fav?') < 0.7
               THEN 1 + (hash(p_seed(), s.customer_id, floor(rnd(s.customer_id, d * 100 + k, 'favj') * 5)::INT)
                          % p_merchants())::BIGINT
               ELSE 1 + floor(rnd(s.customer_id, d * 100 + k, 'mrc') * p_merchants())::BIGINT END AS cand,
             greatest(day_start(d), s.signup_ts) AS lo
      FROM slots s)
    SELECT p.customer_id, p.d, p.k, p.signup_day,
           CASE WHEN m.onboard_day <= p.d THEN m.merchant_id
             ELSE printf('M%05d', 1 + floor(rnd(p.customer_id, p.d * 100 + p.k, 'est')
                                           * floor(p_merchants() * 0.9))::INT) END AS merchant_id,
           p.lo + to_microseconds(CAST(rnd(p.customer_id, p.d * 100 + p.k, 'ts')
                  * (epoch_us(day_start(p.d + 1)) - epoch_us(p.lo)) AS BIGINT)) AS ts,
           p.typical_amount
             * exp(0.6 * sqrt(-2 * ln(rnd(p.customer_id, p.d * 100 + p.k, 'a1')))
                   * cos(2 * pi() * rnd(p.customer_id, p.d * 100 + p.k, 'a2'))) AS base_amount
    FROM picked p JOIN merchants m ON m.idx = p.cand
    """,
    """
    CREATE TABLE txn AS
    WITH f AS (
      SELECT t.*, m.risky,
             rnd(t.customer_id, t.d * 100 + t.k, 'fraud')
               < 0.004 + CASE WHEN m.risky THEN 0.05 ELSE 0 END
                 + CASE WHEN t.signup_day >= 0 AND t.d - t.signup_day <= 2 THEN 0.03 ELSE 0 END AS is_fraud
      FROM txn0 t JOIN merchants m USING (merchant_id))
    SELECT row_number() OVER (ORDER BY ts, customer_id, k) AS transaction_id,
           customer_id, merchant_id, d, ts,
           round(CASE WHEN is_fraud THEN base_amount * 4 ELSE base_amount END, 2) AS amount,
           is_fraud
    FROM f
    """,
    // Profiles: the signup snapshot, credit-limit raises, and KYC corrections of the signup
    // snapshot
    // (same event_ts, created two days later, half the limit).
    """
    CREATE TABLE customer_profiles AS
    SELECT customer_id, signup_ts AS event_ts, signup_ts + INTERVAL 1 MINUTE AS created_ts,
           age, home_country, credit_limit, kyc_verified
    FROM customers
    UNION ALL
    SELECT customer_id, signup_ts, signup_ts + INTERVAL 2 DAY,
           age, home_country, credit_limit / 2, kyc_verified
    FROM customers
    WHERE rnd(customer_id, 2, 'correct') < 0.06 AND signup_ts + INTERVAL 2 DAY <= p_end()
    UNION ALL
    SELECT customer_id, day_start(raise_day) + INTERVAL 12 HOUR, day_start(raise_day) + INTERVAL 12 HOUR
             + INTERVAL 1 MINUTE,
           age, home_country, credit_limit * 1.5, true
    FROM (SELECT *, greatest(signup_day, 0) + 1
                    + floor(rnd(customer_id, 2, 'rday') * p_days())::INT AS raise_day FROM customers)
    WHERE rnd(customer_id, 2, 'raise') < 0.3 AND raise_day < p_days()
    """,
    // Nightly merchant stats on a merchant x day grid from onboarding on, without the days of a
    // review; 3% of them restated 6 hours later after late chargebacks.
    """
    CREATE TABLE merchant_daily_stats0 AS
    WITH grid AS (
      SELECT m.merchant_id, m.mcc, d FROM merchants m, range(0, p_days()) days(d)
      WHERE d >= greatest(m.onboard_day, 0)),
    daily AS (
      SELECT merchant_id, d, count(*) AS n, count(*) FILTER (WHERE is_fraud) AS frauds
      FROM txn GROUP BY merchant_id, d),
    w AS (
      SELECT g.merchant_id, g.mcc, g.d,
             sum(coalesce(daily.n, 0)) OVER w7 AS txn_count_7d,
             sum(coalesce(daily.n, 0)) OVER w30 AS n30,
             sum(coalesce(daily.frauds, 0)) OVER w30 AS frauds30
      FROM grid g LEFT JOIN daily USING (merchant_id, d)
      WINDOW w7 AS (PARTITION BY g.merchant_id ORDER BY g.d RANGE BETWEEN 6 PRECEDING AND CURRENT ROW),
             w30 AS (PARTITION BY g.merchant_id ORDER BY g.d RANGE BETWEEN 29 PRECEDING AND CURRENT ROW))
    SELECT w.merchant_id, w.d, day_start(w.d + 1) AS event_ts,
           day_start(w.d + 1) + INTERVAL 20 MINUTE AS created_ts,
           w.mcc, txn_count_7d::BIGINT AS txn_count_7d,
           CASE WHEN n30 > 0 THEN round(frauds30 / n30, 4) END AS cb_rate_30d
    FROM w JOIN merchants m USING (merchant_id)
    WHERE NOT (m.review_day IS NOT NULL AND w.d >= m.review_day AND w.d < m.review_day + 9)
    """,
    """
    CREATE TABLE merchant_daily_stats AS
    SELECT merchant_id, event_ts, created_ts, mcc, txn_count_7d, cb_rate_30d
    FROM merchant_daily_stats0
    UNION ALL
    SELECT merchant_id, event_ts, event_ts + INTERVAL 6 HOUR, mcc, txn_count_7d,
           round(coalesce(cb_rate_30d, 0) + 0.0125, 4)
    FROM merchant_daily_stats0
    WHERE rnd(merchant_id, d, 'restate') < 0.03 AND event_ts + INTERVAL 6 HOUR <= p_end()
    """,
    // Per (customer, merchant) pair, rolling 90 days, on days the pair transacted.
    """
    CREATE TABLE customer_merchant_stats AS
    WITH daily AS (
      SELECT customer_id, merchant_id, d, count(*) AS n, sum(amount) AS s FROM txn
      GROUP BY customer_id, merchant_id, d)
    SELECT customer_id, merchant_id, day_start(d + 1) AS event_ts,
           day_start(d + 1) + INTERVAL 10 MINUTE AS created_ts,
           (sum(n) OVER w)::BIGINT AS pair_txn_count_90d, round(sum(s) OVER w, 2) AS pair_amount_sum_90d
    FROM daily
    WINDOW w AS (PARTITION BY customer_id, merchant_id ORDER BY d RANGE BETWEEN 89 PRECEDING AND CURRENT ROW)
    """,
    // Disputes are filed 2-10 days after a fraudulent transaction, and reach the lake a day later.
    """
    CREATE TABLE customer_disputes AS
    WITH filed AS (
      SELECT customer_id, amount,
             ts + to_hours(48 + floor(rnd(transaction_id, 3, 'dispute') * 192)::INT) AS filed_ts
      FROM txn WHERE is_fraud)
    SELECT customer_id, filed_ts AS event_ts, filed_ts + INTERVAL 1 DAY AS created_ts,
           (count(*) OVER w)::BIGINT AS disputes_90d, round(sum(amount) OVER w, 2) AS disputed_amount_90d
    FROM filed
    WHERE filed_ts + INTERVAL 1 DAY <= p_end()
    WINDOW w AS (PARTITION BY customer_id ORDER BY filed_ts
                 RANGE BETWEEN INTERVAL 90 DAY PRECEDING AND CURRENT ROW)
    """,
  };
}
