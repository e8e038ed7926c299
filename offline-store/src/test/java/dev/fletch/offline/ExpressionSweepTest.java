package dev.fletch.offline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fletch.core.expr.CompiledExpression;
import dev.fletch.core.expr.EvaluationException;
import dev.fletch.core.expr.ExprParser;
import dev.fletch.core.expr.Expressions;
import dev.fletch.core.expr.TypeChecker;
import dev.fletch.core.model.ValueType;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The conversions most sensitive to the last digit or microsecond, over 20,000 random values each
 * (where {@link ExpressionDifferentialTest} has 160 rows): doubles as text and back, rounding,
 * casts to integers, and date parts, truncation and formats of timestamps across 600 years. A row
 * where DuckDB fails counts as NULL here (TRY); failures are compared in the differential test.
 */
class ExpressionSweepTest {
  private static final int ROWS = 20_000;

  @Test
  void textRoundingAndDatePartsAgreeOnRandomValues() throws Exception {
    Random random = new Random(2302);
    Object[][] rows = new Object[ROWS][];
    for (int r = 0; r < ROWS; r++) {
      double d =
          switch (r % 3) {
            case 0 -> Double.longBitsToDouble(random.nextLong());
            case 1 -> random.nextGaussian() * Math.pow(10, random.nextInt(40) - 20);
            default -> Math.round(random.nextGaussian() * 1e6) / 1000.0;
          };
      long micros = (long) ((random.nextDouble() - 0.75) * 4e16) + random.nextInt(1000);
      rows[r] =
          new Object[] {
            d,
            (float) d,
            Instant.ofEpochSecond(
                Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000)
          };
    }
    Map<String, ValueType> columns = new LinkedHashMap<>();
    columns.put("d", ValueType.DOUBLE);
    columns.put("f", ValueType.FLOAT);
    columns.put("ts", ValueType.TIMESTAMP);
    Map<String, ValueType> cases = new LinkedHashMap<>();
    cases.put("CAST(d AS VARCHAR)", ValueType.STRING);
    cases.put("CAST(CAST(f AS DOUBLE) AS VARCHAR)", ValueType.STRING);
    cases.put("CAST(CAST(d AS VARCHAR) AS DOUBLE)", ValueType.DOUBLE);
    cases.put("CAST(d * 1000 AS BIGINT)", ValueType.INT64);
    cases.put("CAST(d AS INTEGER)", ValueType.INT32);
    cases.put("round(d, 2)", ValueType.DOUBLE);
    cases.put("round(d)", ValueType.DOUBLE);
    cases.put("d / 3", ValueType.DOUBLE);
    cases.put("f * 1.5", ValueType.FLOAT);
    cases.put("CAST(ts AS VARCHAR)", ValueType.STRING);
    cases.put("strftime(ts, '%Y-%m-%d %H:%M:%S.%f %j %a %b')", ValueType.STRING);
    cases.put("date_trunc('week', ts)", ValueType.TIMESTAMP);
    cases.put("date_trunc('quarter', ts)", ValueType.TIMESTAMP);
    cases.put("epoch_ms(ts)", ValueType.INT64);
    cases.put("epoch(ts)", ValueType.DOUBLE);
    cases.put("week(ts) * 10000 + year(ts)", ValueType.INT64);
    cases.put("date_part('isoyear', ts)", ValueType.INT64);
    cases.put("ts + INTERVAL 13 MONTH", ValueType.TIMESTAMP);
    cases.put("date_diff('week', ts, TIMESTAMPTZ '2024-02-29 12:00:00+00')", ValueType.INT64);
    List<String> mismatches = new ArrayList<>();
    int compared = 0;
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement()) {
      st.execute("SET TimeZone = 'UTC'");
      st.execute("CREATE TABLE s (k INTEGER, d DOUBLE, f FLOAT, ts TIMESTAMPTZ)");
      try (PreparedStatement ps =
          c.prepareStatement(
              "INSERT INTO s SELECT ?, ?, ?, CAST(TIMESTAMP '1970-01-01' + to_microseconds(?) AS"
                  + " TIMESTAMPTZ)")) {
        for (int r = 0; r < ROWS; r++) {
          Instant t = (Instant) rows[r][2];
          ps.setInt(1, r);
          ps.setDouble(2, (Double) rows[r][0]);
          ps.setFloat(3, (Float) rows[r][1]);
          ps.setLong(4, t.getEpochSecond() * 1_000_000L + t.getNano() / 1000);
          ps.addBatch();
        }
        ps.executeBatch();
      }
      for (Map.Entry<String, ValueType> e : cases.entrySet()) {
        CompiledExpression compiled =
            Expressions.compile(
                ExprParser.parse(e.getKey()), TypeChecker.Resolver.of(columns), e.getValue());
        String sql =
            DuckDbExpressions.render(ExprParser.parse(e.getKey()), col -> Sql.ident(col.name()));
        sql = "CAST(" + sql + " AS " + Sql.duckType(e.getValue()) + ")";
        if (e.getValue() == ValueType.TIMESTAMP) {
          sql = "epoch_us(" + sql + ")";
        }
        try (ResultSet rs = st.executeQuery("SELECT TRY(" + sql + ") FROM s ORDER BY k")) {
          for (int r = 0; rs.next(); r++) {
            Object theirs = rs.getObject(1);
            Object mine;
            try {
              mine = compiled.evaluate(rows[r].clone());
            } catch (EvaluationException ex) {
              mine = null;
            }
            if (mine instanceof Instant i) {
              mine = i.getEpochSecond() * 1_000_000L + i.getNano() / 1000;
            }
            if (theirs instanceof Number n && mine instanceof Long) {
              theirs = n.longValue();
            }
            compared++;
            if (mine == null ? theirs != null : !mine.equals(theirs)) {
              if (mismatches.size() < 30) {
                mismatches.add(
                    e.getKey()
                        + " on "
                        + List.of(rows[r])
                        + ": Java "
                        + mine
                        + ", DuckDB "
                        + theirs);
              }
            }
          }
        }
      }
    }
    System.out.printf("expression sweep: %d values compared%n", compared);
    mismatches.forEach(System.out::println);
    assertEquals(List.of(), mismatches);
    assertEquals(ROWS * cases.size(), compared);
  }
}
