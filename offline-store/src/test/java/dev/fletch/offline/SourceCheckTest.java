package dev.fletch.offline;

import static dev.fletch.offline.TestData.q;
import static dev.fletch.offline.TestData.sql;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fletch.core.Problem;
import dev.fletch.core.model.DataMismatch;
import dev.fletch.core.model.ValueType;
import dev.fletch.core.settings.OfflineSettings;
import dev.fletch.core.yaml.RepoLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * #24 item 4: definitions checked against their sources' schemas (DESCRIBE, no rows), each mismatch
 * at the YAML position of the field or feature, with the file's actual type; widenings pass.
 */
class SourceCheckTest {
  @TempDir Path dir;
  private DuckDbOfflineStore store;

  @BeforeEach
  void setUp() throws Exception {
    store = new DuckDbOfflineStore();
    Files.createDirectories(dir.resolve("data"));
    sql(
        "COPY (SELECT 1::BIGINT AS customer_id, 'm1' AS merchant,"
            + " CAST(TIMESTAMP '2024-01-01' AS TIMESTAMP_NS) AS event_ts, 5 AS created_int,"
            + " 1.5::DOUBLE AS amount, 3::INTEGER AS cnt, 'x' AS tag, 'gold' AS seg,"
            + " [1.0, 2.0]::DOUBLE[] AS emb, [1.0]::FLOAT[] AS embf) TO "
            + q(dir.resolve("data/tx.parquet"))
            + " (FORMAT parquet)");
    Files.writeString(
        dir.resolve("data/ok.csv"),
        "customer_id,event_ts,orders\n1,2024-01-01T00:00:00Z,2\n2,2024-01-01T00:00:00Z,3\n");
  }

  @AfterEach
  void tearDown() {
    store.close();
  }

  static final String YAML =
      """
      project: chk
      entities:
        - name: customer
          join_keys: [{name: customer_id, type: INT64}]
        - name: merchant
          join_keys: [{name: merchant, type: INT64}]
        - name: shop
          join_keys: [{name: shop_id, type: INT64}]
      sources:
        - name: tx
          type: parquet
          path: data/tx.parquet
          timestamp_field: event_ts
          created_timestamp_field: created_int
          field_mapping: {nope: renamed, amount: amt}
        - name: orders
          type: csv
          path: data/ok.csv
          timestamp_field: event_ts
          csv:
            types: {orders: INT64, absent: STRING}
      feature_views:
        - name: good
          entities: [customer]
          source: tx
          features:
            - {name: amt, type: DOUBLE}
            - {name: cnt, type: INT64}
            - {name: embf, type: list<double>}
            - {name: doubled, type: DOUBLE, expression: "amt * 2"}
            - {name: scaled, type: DOUBLE, expression: "cnt * 1.5"}
        - name: bad
          entities: [customer, merchant, shop]
          source: tx
          features:
            - {name: seg, type: INT64}
            - {name: missing_col, type: STRING}
            - {name: emb, type: list<float>}
            - {name: small, type: INT32, expression: "amt * 2"}
            - {name: ghost, type: DOUBLE, expression: "ghost_col + 1"}
            - {name: mixed, type: STRING, expression: "tag + amt"}
        - name: agg
          entities: [customer]
          source: tx
          aggregations:
            - {column: tag, function: sum, windows: [1h, 2h]}
            - {column: nope_col, function: count_distinct, type: STRING, windows: [1h]}
        - name: counted
          entities: [customer]
          source: orders
          features:
            - {name: orders, type: INT64}
      """;

  private List<Problem> check() throws Exception {
    Files.writeString(dir.resolve("repo.yaml"), YAML);
    RepoLoader.Located loaded = RepoLoader.loadLocated(dir, true, OfflineSettings.defaults());
    List<Problem> out = new ArrayList<>();
    for (DataMismatch m : store.checkSources(loaded.repo())) {
      out.add(loaded.locations().problem(m.at(), m.message()));
    }
    return out;
  }

  /** The problem at the first occurrence of {@code marker} in the YAML, with {@code text}. */
  private static void expect(List<Problem> problems, String marker, int occurrence, String text) {
    int at = -1;
    for (int i = 0; i < occurrence; i++) {
      at = YAML.indexOf(marker, at + 1);
    }
    String before = YAML.substring(0, at);
    int line = (int) before.chars().filter(c -> c == '\n').count() + 1;
    int column = at - before.lastIndexOf('\n');
    for (Problem p : problems) {
      if (p.line() == line && p.column() == column && p.message().contains(text)) {
        assertEquals("repo.yaml", p.file());
        return;
      }
    }
    throw new AssertionError(
        "no problem at " + line + ":" + column + " with '" + text + "' in\n" + problems);
  }

  private static void expect(List<Problem> problems, String marker, String text) {
    expect(problems, marker, 1, text);
  }

  @Test
  void everyMismatchIsLocatedAndWideningsPass() throws Exception {
    List<Problem> p = check();
    expect(p, "created_int", 1, "created_timestamp_field 'created_int' has type INTEGER");
    expect(
        p, "renamed", "field_mapping renames column 'nope', which data/tx.parquet does not have");
    expect(p, "STRING}", "csv types names column 'absent'");
    // join keys: a VARCHAR column for an INT64 key, and one that is missing
    expect(
        p,
        "merchant, shop]",
        "join key 'merchant' of entity 'merchant' is INT64, but column"
            + " 'merchant' of data/tx.parquet is VARCHAR (declare STRING)");
    expect(p, "shop]", "has no column 'shop_id' (join key of entity 'shop'");
    // a STRING column declared INT64, at the feature's type, with the file's type
    expect(
        p,
        "INT64}\n      - {name: missing_col",
        "declared INT64, but column 'seg' of" + " data/tx.parquet is VARCHAR (declare STRING)");
    expect(p, "missing_col", "has no column 'missing_col'");
    expect(
        p,
        "list<float>",
        "declared FLOAT_LIST, but column 'emb' of data/tx.parquet is DOUBLE[]"
            + " (declare list<double>)");
    expect(p, "INT32", "declared INT32, but its expression gives DOUBLE");
    expect(p, "\"ghost_col + 1\"", "the expression reads column 'ghost_col'");
    expect(p, "\"tag + amt\"", "the expression does not apply to source 'tx': Binder Error");
    // an aggregation of a VARCHAR column as DOUBLE (its default type): once, not per window
    expect(
        p,
        "{column: tag",
        "aggregation 'tag_sum_1h': the aggregation's type DOUBLE, but"
            + " column 'tag' of data/tx.parquet is VARCHAR");
    expect(p, "nope_col", "has no column 'nope_col'");
    assertEquals(13, p.size(), p.toString());
  }

  @Test
  void aSourceThatCannotBeReadIsOneProblemAtItsPath() throws Exception {
    Files.writeString(dir.resolve("data/tx.parquet"), "not parquet");
    List<Problem> p = check();
    expect(p, "data/tx.parquet", "source 'tx': cannot read data/tx.parquet");
    assertTrue(p.stream().noneMatch(x -> x.message().contains("feature view 'bad'")), p.toString());
  }

  @Test
  void theTypeRuleReadsWideningsOnly() {
    assertTrue(ColumnTypes.reads("INTEGER", ValueType.INT64));
    assertTrue(ColumnTypes.reads("FLOAT", ValueType.DOUBLE));
    assertTrue(ColumnTypes.reads("DECIMAL(18,3)", ValueType.DOUBLE));
    assertTrue(ColumnTypes.reads("INTEGER[]", ValueType.INT64_LIST));
    assertTrue(ColumnTypes.reads("TIMESTAMP WITH TIME ZONE", ValueType.TIMESTAMP));
    assertTrue(ColumnTypes.reads("TIMESTAMP_NS", ValueType.TIMESTAMP));
    assertTrue(!ColumnTypes.reads("BIGINT", ValueType.INT32));
    assertTrue(!ColumnTypes.reads("DOUBLE", ValueType.FLOAT));
    assertTrue(!ColumnTypes.reads("VARCHAR", ValueType.INT64));
    assertTrue(!ColumnTypes.reads("BIGINT", ValueType.STRING));
    assertTrue(!ColumnTypes.reads("DOUBLE[]", ValueType.DOUBLE));
    assertEquals("INT64", ColumnTypes.suggestion("BIGINT"));
    assertEquals("list<string>", ColumnTypes.suggestion("VARCHAR[]"));
  }
}
