package dev.fletch.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fletch.cli.Fletch;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HistoricalCommandTest {
  @TempDir Path repo;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @BeforeEach
  void writeRepo() throws Exception {
    Files.writeString(
        repo.resolve("repo.yaml"),
        """
        project: shop
        entities:
          - name: customer
            join_keys: [{name: customer_id, type: INT64}]
        sources:
          - name: orders
            type: csv
            path: data/orders.csv
            timestamp_field: event_ts
        feature_views:
          - name: spend
            entities: [customer]
            source: orders
            ttl: 1d
            features:
              - {name: total, type: DOUBLE}
              - {name: doubled, type: DOUBLE, expression: "total * 2"}
        feature_services:
          - name: model_v1
            features: ["spend:total"]
        """);
    Files.createDirectories(repo.resolve("data"));
    Files.writeString(
        repo.resolve("data/orders.csv"),
        """
        customer_id,event_ts,total
        1,2024-01-01T10:00:00Z,5.0
        1,2024-01-02T10:00:00Z,7.0
        2,2024-01-01T12:00:00Z,3.0
        """);
    Files.writeString(
        repo.resolve("entities.csv"),
        """
        customer_id,event_timestamp,label
        2,2024-01-01T13:00:00Z,0
        1,2024-01-02T09:00:00Z,1
        1,2024-01-05T00:00:00Z,1
        """);
    // historical reads the applied definitions (the ones serving uses), not the local YAML
    assertEquals(0, run("apply", "--yes"), err.toString());
  }

  private int run(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--repo");
    all.add(repo.toString());
    return Fletch.run(
        all.toArray(String[]::new),
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private static List<String> rows(Path parquet, String columns) throws Exception {
    List<String> rows = new ArrayList<>();
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery("SELECT " + columns + " FROM read_parquet('" + parquet + "')")) {
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= n; i++) {
          sb.append(i > 1 ? "," : "").append(rs.getString(i));
        }
        rows.add(sb.toString());
      }
    }
    return rows;
  }

  @Test
  void writesTrainingSetFromEntityFile() throws Exception {
    Path target = repo.resolve("train.parquet");
    int code =
        run(
            "historical",
            "--entities",
            repo.resolve("entities.csv").toString(),
            "--features",
            "spend:total,spend:doubled",
            "--out",
            target.toString());
    assertEquals(0, code, err.toString());
    String printed = out.toString();
    assertTrue(printed.contains("wrote 3 rows to " + target), printed);
    assertEquals(
        List.of("2,0,3.0,6.0", "1,1,5.0,10.0", "1,1,null,null"),
        rows(target, "customer_id, label, total, doubled"));
  }

  @Test
  void serviceFullNamesAndCsvOutput() throws Exception {
    Path target = repo.resolve("train.csv");
    int code =
        run(
            "historical",
            "--entities",
            repo.resolve("entities.csv").toString(),
            "--service",
            "model_v1",
            "--full-names",
            "--out",
            target.toString());
    assertEquals(0, code, err.toString());
    List<String> lines = Files.readAllLines(target);
    assertEquals("customer_id,event_timestamp,label,spend__total", lines.get(0));
    assertEquals(4, lines.size());
  }

  @Test
  void viewRangeWithoutEntityFile() throws Exception {
    Path target = repo.resolve("range.parquet");
    int code =
        run(
            "historical",
            "--view",
            "spend",
            "--start",
            "2024-01-01",
            "--end",
            "2024-01-01T23:59:59Z",
            "--features",
            "spend:total",
            "--out",
            target.toString());
    assertEquals(0, code, err.toString());
    assertEquals(List.of("1,5.0", "2,3.0"), rows(target, "customer_id, total"));
  }

  @Test
  void entityQueryOverSources() throws Exception {
    Path target = repo.resolve("q.parquet");
    int code =
        run(
            "historical",
            "--entity-query",
            "SELECT customer_id, max(event_ts) AS event_timestamp FROM orders GROUP BY 1 ORDER BY 1",
            "--features",
            "spend:total",
            "--out",
            target.toString());
    assertEquals(0, code, err.toString());
    assertEquals(List.of("1,7.0", "2,3.0"), rows(target, "customer_id, total"));
  }

  @Test
  void usesTheAppliedDefinitionsAndWarnsAboutLocalEdits() throws Exception {
    Path yaml = repo.resolve("repo.yaml");
    Files.writeString(yaml, Files.readString(yaml).replace("total * 2", "total * 3"));
    Path target = repo.resolve("applied.parquet");
    int code =
        run(
            "historical",
            "--entities",
            repo.resolve("entities.csv").toString(),
            "--features",
            "spend:doubled",
            "--out",
            target.toString());
    assertEquals(0, code, err.toString());
    assertTrue(
        err.toString()
            .contains(
                "warning: 1 object differs between the local definitions and applied version 1"
                    + " of project 'shop'; using the applied version"),
        err.toString());
    // the applied expression (total * 2), not the local edit (total * 3)
    List<String> rows = rows(target, "customer_id, doubled");
    assertTrue(rows.contains("2,6.0") && rows.contains("1,10.0"), rows.toString());
  }

  @Test
  void nothingAppliedIsAClearError() {
    Path target = repo.resolve("none.parquet");
    int code =
        run(
            "historical",
            "--project",
            "elsewhere",
            "--entities",
            repo.resolve("entities.csv").toString(),
            "--features",
            "spend:total",
            "--out",
            target.toString());
    assertEquals(1, code);
    assertTrue(
        err.toString()
            .contains("error: nothing applied for project 'elsewhere' yet: run fletch apply"),
        err.toString());
    assertFalse(Files.exists(target));
  }

  @Test
  void usageErrorsAndFailuresLeaveNoFile() {
    Path target = repo.resolve("nothing.parquet");
    assertEquals(2, run("historical", "--features", "spend:total", "--out", target.toString()));
    assertTrue(err.toString().contains("exactly one of --entities"), err.toString());
    err.reset();
    int code =
        run(
            "historical",
            "--entities",
            repo.resolve("entities.csv").toString(),
            "--features",
            "spend:nope",
            "--out",
            target.toString());
    assertEquals(1, code);
    assertTrue(err.toString().contains("spend:nope"), err.toString());
    assertFalse(Files.exists(target));
  }

  /**
   * A training set says where it came from (#20 item 7): the lineage survives DuckDB's COPY into
   * the Parquet footer (read back here with DuckDB's parquet_kv_metadata), and fletch describe file
   * shows it with the columns and rows.
   */
  @Test
  void trainingSetsCarryTheirLineageAndDescribeFileShowsIt() throws Exception {
    Path target = repo.resolve("train.parquet");
    assertEquals(
        0,
        run(
            "historical",
            "--entities",
            repo.resolve("entities.csv").toString(),
            "--service",
            "model_v1",
            "--out",
            target.toString()),
        err.toString());
    java.util.Map<String, String> kv = new java.util.LinkedHashMap<>();
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT decode(key), decode(value) FROM parquet_kv_metadata('" + target + "')")) {
      while (rs.next()) {
        kv.put(rs.getString(1), rs.getString(2));
      }
    }
    assertEquals("shop", kv.get("fletch.project"), kv.toString());
    assertEquals("1", kv.get("fletch.registry_version"), kv.toString());
    assertEquals("{\"total\":\"spend:total\"}", kv.get("fletch.features"));
    assertEquals("model_v1", kv.get("fletch.feature_service"));
    assertEquals("file " + repo.resolve("entities.csv"), kv.get("fletch.entity_source"));
    assertEquals("event_timestamp", kv.get("fletch.entity_timestamp_column"));
    assertEquals(dev.fletch.core.FletchVersion.VERSION, kv.get("fletch.version"));
    java.time.Instant at = java.time.Instant.parse(kv.get("fletch.retrieved_at"));
    assertTrue(at.isAfter(java.time.Instant.now().minusSeconds(600)), at.toString());

    out.reset();
    assertEquals(0, run("describe", "file", target.toString()), err.toString());
    String shown = out.toString();
    assertTrue(shown.contains("Parquet, 3 rows, 4 columns"), shown);
    assertTrue(shown.contains("registry version  1"), shown);
    assertTrue(shown.contains("feature service   model_v1"), shown);
    assertTrue(shown.matches("(?s).*\\n  total +DOUBLE +spend:total\\n.*"), shown);
    assertTrue(shown.matches("(?s).*\\n  label +BIGINT *\\n.*"), shown);

    out.reset();
    assertEquals(0, run("describe", "file", target.toString(), "--json"), err.toString());
    com.fasterxml.jackson.databind.JsonNode json =
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.toString());
    assertEquals(3, json.get("rows").asLong());
    assertEquals("spend:total", json.at("/columns/3/feature_ref").asText(), json.toString());
    assertEquals("shop", json.at("/metadata/fletch.project").asText());

    // A CSV training set has no footer to carry lineage: describe says so and still counts it.
    Path csv = repo.resolve("train.csv");
    assertEquals(
        0,
        run(
            "historical",
            "--entities",
            repo.resolve("entities.csv").toString(),
            "--service",
            "model_v1",
            "--out",
            csv.toString()),
        err.toString());
    out.reset();
    assertEquals(0, run("describe", "file", csv.toString()), err.toString());
    assertTrue(out.toString().contains("CSV, 3 rows"), out.toString());
    assertTrue(out.toString().contains("no lineage"), out.toString());

    err.reset();
    assertEquals(1, run("describe", "file", repo.resolve("nothing.parquet").toString()));
    assertTrue(err.toString().contains("does not exist"), err.toString());
  }
}
