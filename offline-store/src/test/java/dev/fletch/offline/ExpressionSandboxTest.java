package dev.fletch.offline;

import static dev.fletch.offline.TestData.feature;
import static dev.fletch.offline.TestData.q;
import static dev.fletch.offline.TestData.sql;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fletch.core.InvalidRequestException;
import dev.fletch.core.expr.ExprParser;
import dev.fletch.core.expr.Functions;
import dev.fletch.core.model.Feature;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.model.ValueType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Expressions reach DuckDB only as rendered from their checked tree: the sandbox issue's
 * reproductions fail before any SQL runs, even when a definition skipped the YAML checks, and every
 * allowed function works in DuckDB.
 */
class ExpressionSandboxTest {
  @TempDir Path dir;
  private DuckDbOfflineStore store;

  @BeforeEach
  void setUp() {
    store = new DuckDbOfflineStore();
    sql(
        "COPY (SELECT 1 AS customer_id, TIMESTAMP '2024-01-01 10:00:00' AS event_ts,"
            + " TIMESTAMP '2024-01-01 10:00:00' AS created_ts, 5.5 AS amount, 'Web' AS channel,"
            + " ['a', 'b'] AS tags, [1.0, 2.0] AS scores) TO "
            + q(dir.resolve("tx.parquet"))
            + " (FORMAT parquet)",
        "COPY (SELECT 1 AS customer_id, TIMESTAMP '2024-01-02 00:00:00' AS event_timestamp) TO "
            + q(dir.resolve("entities.parquet"))
            + " (FORMAT parquet)");
  }

  @AfterEach
  void tearDown() {
    store.close();
  }

  private FeatureRepo repo(Feature... features) {
    return TestData.repo(
        dir,
        List.of(TestData.entity("customer", "customer_id")),
        List.of(TestData.parquet("tx", "tx.parquet", "event_ts", "created_ts")),
        List.of(TestData.view("spend", List.of("customer"), "tx", Duration.ZERO, features)));
  }

  private List<Map<String, Object>> historical(FeatureRepo repo) {
    Path out = dir.resolve("out.parquet");
    store.historicalToFile(
        repo,
        new HistoricalRequest(
            new EntitySet.FromFile(dir.resolve("entities.parquet")),
            List.of("spend:*"),
            null,
            null,
            false,
            out,
            null));
    return store.preview(out, 10);
  }

  @Test
  void theIssuesBreakOutExpressionIsRefusedAndWritesNothing() {
    Path pwned = dir.resolve("pwned.txt");
    String attack =
        "1) AS BIGINT) AS x FROM (SELECT 1 AS customer_id, TIMESTAMPTZ '2024-01-01' AS event_ts,"
            + " TIMESTAMPTZ '2024-01-01' AS created_ts) AS src; COPY (SELECT 'pwned') TO "
            + q(pwned)
            + " (FORMAT csv); SELECT 1 --";
    InvalidRequestException e =
        assertThrows(
            InvalidRequestException.class,
            () -> historical(repo(feature("x", ValueType.INT64, attack))));
    assertTrue(e.getMessage().contains("feature 'x': expression unexpected ')'"), e.getMessage());
    assertFalse(Files.exists(pwned));
    assertThrows(
        InvalidRequestException.class,
        () ->
            store.scanLatest(
                repo(feature("x", ValueType.INT64, attack)),
                repo(feature("x", ValueType.INT64, attack)).view("spend"),
                java.time.Instant.EPOCH,
                java.time.Instant.now(),
                100,
                rows -> {}));
    assertFalse(Files.exists(pwned));
  }

  @Test
  void fileAndEnvironmentFunctionsAreRefused() {
    for (String attack :
        List.of(
            "read_csv('/etc/passwd')",
            "(SELECT string_agg(column0, ',') FROM read_csv('/etc/passwd'))",
            "length(read_text('/etc/passwd'))",
            "getenv('HOME')",
            "current_setting('threads')",
            "list_value(glob('/etc/*'))")) {
      InvalidRequestException e =
          assertThrows(
              InvalidRequestException.class,
              () -> historical(repo(feature("x", ValueType.STRING, attack))),
              attack);
      assertTrue(e.getMessage().contains("which is not allowed"), attack + ": " + e.getMessage());
    }
  }

  @Test
  void aColumnTheSourceLacksIsNamed() {
    InvalidRequestException e =
        assertThrows(
            InvalidRequestException.class,
            () -> historical(repo(feature("x", ValueType.DOUBLE, "amount * nope"))));
    assertTrue(
        e.getMessage().contains("expression reads column 'nope', which source 'tx' does not have"),
        e.getMessage());
  }

  @Test
  void expressionsComputeTheirValues() {
    List<Map<String, Object>> rows =
        historical(
            repo(
                feature("doubled", ValueType.DOUBLE, "amount * 2"),
                feature("is_web", ValueType.BOOL, "lower(channel) = 'web'"),
                feature(
                    "band",
                    ValueType.STRING,
                    "CASE WHEN amount >= 100 THEN 'high' ELSE 'it''s low' END"),
                feature("has_a", ValueType.BOOL, "list_contains(tags, 'a')"),
                feature("total", ValueType.DOUBLE, "list_sum(scores)"),
                feature("hour", ValueType.INT64, "hour(event_ts)"),
                feature(
                    "mixed", ValueType.BOOL, "NOT amount BETWEEN 1 AND 2 AND channel IN ('Web')")));
    assertEquals(1, rows.size());
    Map<String, Object> r = rows.get(0);
    assertEquals(11.0, r.get("doubled"));
    assertEquals(true, r.get("is_web"));
    assertEquals("it's low", r.get("band"));
    assertEquals(true, r.get("has_a"));
    assertEquals(3.0, r.get("total"));
    assertEquals(10L, ((Number) r.get("hour")).longValue());
    assertEquals(true, r.get("mixed"));
  }

  /**
   * Every function of the allow-list exists in DuckDB with the arities it declares: a sample call
   * per function is rendered and bound by DuckDB.
   */
  @Test
  void everyAllowedFunctionRunsInDuckDb() throws Exception {
    Map<String, String> samples =
        Map.ofEntries(
            Map.entry("if", "if(true, 1, 2)"),
            Map.entry("left", "left('abc', 2)"),
            Map.entry("right", "right('abc', 2)"),
            Map.entry("round", "round(1.25, 1)"),
            Map.entry("trim", "trim(' a ')"),
            Map.entry("ltrim", "ltrim(' a ')"),
            Map.entry("rtrim", "rtrim(' a ')"),
            Map.entry("substr", "substr('abc', 2, 1)"),
            Map.entry("substring", "substring('abc', 2)"),
            Map.entry("replace", "replace('abc', 'b', 'x')"),
            Map.entry("lpad", "lpad('a', 3, '-')"),
            Map.entry("rpad", "rpad('a', 3, '-')"),
            Map.entry("repeat", "repeat('a', 3)"),
            Map.entry("split_part", "split_part('a,b', ',', 2)"),
            Map.entry("regexp_replace", "regexp_replace('abc', 'b', 'x')"),
            Map.entry("concat_ws", "concat_ws('-', 'a', 'b')"),
            Map.entry("date_trunc", "date_trunc('day', TIMESTAMP '2024-01-01 10:00:00')"),
            Map.entry("date_part", "date_part('hour', TIMESTAMP '2024-01-01 10:00:00')"),
            Map.entry("date_diff", "date_diff('day', DATE '2024-01-01', DATE '2024-01-03')"),
            Map.entry("make_date", "make_date(2024, 1, 2)"),
            Map.entry("strftime", "strftime(TIMESTAMP '2024-01-01 10:00:00', '%Y')"),
            Map.entry("strptime", "strptime('2024-01-01', '%Y-%m-%d')"),
            Map.entry("to_timestamp", "to_timestamp(0)"),
            Map.entry("list_extract", "list_extract([1, 2], 1)"),
            Map.entry("list_position", "list_position([1, 2], 2)"),
            Map.entry("list_contains", "list_contains([1, 2], 2)"),
            Map.entry("string_split", "string_split('a,b', ',')"));
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:")) {
      List<String> failures = new ArrayList<>();
      for (Functions.Function f : Functions.all().values()) {
        String call = samples.getOrDefault(f.name(), defaultSample(f));
        // The sample goes through Fletch's own parser and renderer, as a definition would.
        String rendered = DuckDbExpressions.render(ExprParser.parse(call), col -> "unused");
        try (Statement st = c.createStatement();
            ResultSet rs = st.executeQuery("SELECT " + rendered)) {
          rs.next();
        } catch (Exception e) {
          failures.add(f.name() + ": " + rendered + " -> " + e.getMessage().split("\n")[0]);
        }
      }
      assertEquals(List.of(), failures);
    }
  }

  private static String defaultSample(Functions.Function f) {
    String arg =
        switch (f.group()) {
          case "string" -> "'Ab'";
          case "date and time" -> "TIMESTAMP '2024-01-01 10:00:00'";
          case "list" -> "[3, 1, 2]";
          default -> "2.5";
        };
    String second =
        switch (f.group()) {
          case "string" -> "'b'";
          default -> arg;
        };
    List<String> args = new ArrayList<>();
    for (int i = 0; i < Math.max(1, f.minArgs()); i++) {
      args.add(i == 0 ? arg : second);
    }
    return f.name() + "(" + String.join(", ", args) + ")";
  }
}
