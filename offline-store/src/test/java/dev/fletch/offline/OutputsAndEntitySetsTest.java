package dev.fletch.offline;

import static dev.fletch.offline.TestData.feature;
import static dev.fletch.offline.TestData.q;
import static dev.fletch.offline.TestData.sql;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fletch.core.InvalidRequestException;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.model.FeatureService;
import dev.fletch.core.model.ValueType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Output formats (Parquet, CSV, Arrow), names, and every kind of entity set. */
class OutputsAndEntitySetsTest {
  @TempDir Path dir;
  private DuckDbOfflineStore store;
  private FeatureRepo repo;

  @BeforeEach
  void setUp() {
    store = new DuckDbOfflineStore();
    sql(
        "COPY (SELECT * FROM (VALUES"
            + " (1, TIMESTAMP '2024-01-01 10:00:00', 10),"
            + " (2, TIMESTAMP '2024-01-01 11:00:00', 20),"
            + " (1, TIMESTAMP '2024-01-01 12:00:00', 11),"
            + " (3, TIMESTAMP '2024-01-02 00:00:00', 30))"
            + " AS t(customer_id, event_ts, amount)) TO "
            + q(dir.resolve("tx.parquet"))
            + " (FORMAT parquet)",
        "COPY (SELECT * FROM (VALUES"
            + " (1, TIMESTAMP '2024-01-01 09:00:00', 'gold'))"
            + " AS t(customer_id, event_ts, tier)) TO "
            + q(dir.resolve("profile.parquet"))
            + " (FORMAT parquet)");
    repo =
        TestData.repo(
            dir,
            List.of(TestData.entity("customer", "customer_id")),
            List.of(
                TestData.parquet("tx", "tx.parquet", "event_ts", null),
                TestData.parquet("profiles", "profile.parquet", "event_ts", null)),
            List.of(
                TestData.view(
                    "spend",
                    List.of("customer"),
                    "tx",
                    Duration.ZERO,
                    feature("amount", ValueType.INT64)),
                TestData.view(
                    "profile",
                    List.of("customer"),
                    "profiles",
                    Duration.ZERO,
                    feature("tier", ValueType.STRING),
                    feature("amount", ValueType.INT64, "42"))),
            new FeatureService("svc", List.of("profile:tier", "spend:amount"), null, null, null));
  }

  @AfterEach
  void tearDown() {
    store.close();
  }

  private HistoricalRequest request(
      EntitySet entities,
      List<String> refs,
      boolean fullNames,
      Path out,
      HistoricalRequest.OutputFormat format) {
    return new HistoricalRequest(entities, refs, null, null, fullNames, out, format);
  }

  private EntitySet twoRows() {
    return new EntitySet.FromRows(
        List.of(
            row(
                "customer_id",
                1L,
                "event_timestamp",
                Instant.parse("2024-01-01T12:30:00Z"),
                "label",
                true),
            row(
                "customer_id",
                2L,
                "event_timestamp",
                Instant.parse("2024-01-01T10:30:00Z"),
                "label",
                false)));
  }

  /** Inline rows keep their column order, as JSON objects parsed by Jackson do. */
  private static Map<String, Object> row(Object... kv) {
    Map<String, Object> row = new java.util.LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      row.put((String) kv[i], kv[i + 1]);
    }
    return row;
  }

  @Test
  void csvOutputWithFullNames() throws Exception {
    Path out = dir.resolve("sub/dir/out.csv");
    long n =
        store.historicalToFile(
            repo,
            request(
                twoRows(),
                List.of("spend:amount", "profile:tier"),
                true,
                out,
                HistoricalRequest.OutputFormat.CSV));
    assertEquals(2, n);
    List<String> lines = Files.readAllLines(out);
    assertEquals("customer_id,event_timestamp,label,spend__amount,profile__tier", lines.get(0));
    assertEquals("1,2024-01-01 12:30:00+00,true,11,gold", lines.get(1));
    assertEquals("2,2024-01-01 10:30:00+00,false,,", lines.get(2));
  }

  @Test
  void serviceAndCollidingNames() {
    Path out = dir.resolve("out.parquet");
    // A feature service; then a collision between two views' "amount", and with an entity column.
    store.historicalToFile(
        repo, new HistoricalRequest(twoRows(), List.of(), "svc", null, false, out, null));
    assertEquals(
        List.of("customer_id", "event_timestamp", "label", "tier", "amount"),
        List.copyOf(store.preview(out, 1).get(0).keySet()));
    store.historicalToFile(
        repo, request(twoRows(), List.of("spend:amount", "profile:amount"), false, out, null));
    Map<String, Object> row = store.preview(out, 1).get(0);
    assertEquals(11L, row.get("spend__amount"));
    assertEquals(42L, row.get("profile__amount"));
    EntitySet labelled =
        new EntitySet.FromRows(
            List.of(
                Map.of("customer_id", 1L, "event_timestamp", "2024-01-02T00:00:00Z", "tier", "x")));
    // A feature named like an entity column: training would name it otherwise than serving does,
    // so it is an error naming both; with full names the two agree.
    InvalidRequestException clash =
        assertThrows(
            InvalidRequestException.class,
            () ->
                store.historicalToFile(
                    repo, request(labelled, List.of("profile:tier"), false, out, null)));
    assertTrue(
        clash.getMessage().contains("feature profile:tier is named 'tier'")
            && clash.getMessage().contains("already have a column 'tier'"),
        clash.getMessage());
    store.historicalToFile(repo, request(labelled, List.of("profile:tier"), true, out, null));
    row = store.preview(out, 1).get(0);
    assertEquals("x", row.get("tier")); // the entity column is untouched
    assertEquals("gold", row.get("profile__tier"));
  }

  @Test
  void arrowStreamMatchesAndReleasesMemory() {
    List<Long> amounts = new ArrayList<>();
    List<String> tiers = new ArrayList<>();
    try (BufferAllocator allocator = new RootAllocator()) {
      long n =
          store.historicalToArrow(
              repo,
              request(twoRows(), List.of("spend:amount", "profile:tier"), false, null, null),
              allocator,
              1,
              reader -> {
                VectorSchemaRoot root = reader.getVectorSchemaRoot();
                assertEquals("amount", root.getSchema().getFields().get(3).getName());
                // Times travel as zone-aware UTC microseconds, so pyarrow/pandas see UTC instants.
                assertEquals(
                    new org.apache.arrow.vector.types.pojo.ArrowType.Timestamp(
                        org.apache.arrow.vector.types.TimeUnit.MICROSECOND, "UTC"),
                    root.getSchema().findField("event_timestamp").getType());
                while (reader.loadNextBatch()) {
                  BigIntVector v = (BigIntVector) root.getVector("amount");
                  org.apache.arrow.vector.VarCharVector tier =
                      (org.apache.arrow.vector.VarCharVector) root.getVector("tier");
                  for (int i = 0; i < root.getRowCount(); i++) {
                    amounts.add(v.isNull(i) ? null : v.get(i));
                    tiers.add(
                        tier.isNull(i)
                            ? null
                            : new String(tier.get(i), java.nio.charset.StandardCharsets.UTF_8));
                  }
                }
              });
      assertEquals(2, n);
      assertEquals(0, allocator.getAllocatedMemory());
    } // closing the allocator fails the test on a leak
    assertEquals(11L, amounts.get(0));
    assertNull(amounts.get(1));
    assertEquals(java.util.Arrays.asList("gold", null), tiers);
  }

  @Test
  void entityQueryOverSourceViews() {
    Path out = dir.resolve("out.parquet");
    long n =
        store.historicalToFile(
            repo,
            request(
                new EntitySet.FromQuery(
                    "SELECT customer_id, event_ts + INTERVAL 1 MINUTE AS event_timestamp FROM tx"
                        + " WHERE customer_id <> 3 ORDER BY event_ts DESC"),
                List.of("spend:amount"),
                false,
                out,
                null));
    assertEquals(3, n);
    List<Object> amounts = store.preview(out, 10).stream().map(r -> r.get("amount")).toList();
    assertEquals(List.of(11L, 20L, 10L), amounts);
  }

  @Test
  void viewRangeEntitiesAreInclusiveAndOrderedByTime() {
    Path out = dir.resolve("out.parquet");
    long n =
        store.historicalToFile(
            repo,
            request(
                new EntitySet.FromViewRange(
                    "spend",
                    Instant.parse("2024-01-01T10:00:00Z"),
                    Instant.parse("2024-01-01T12:00:00Z")),
                List.of("spend:amount", "profile:tier"),
                false,
                out,
                null));
    assertEquals(3, n);
    List<Map<String, Object>> rows = store.preview(out, 10);
    assertEquals(List.of(1L, 2L, 1L), rows.stream().map(r -> r.get("customer_id")).toList());
    assertEquals(List.of(10L, 20L, 11L), rows.stream().map(r -> r.get("amount")).toList());
    assertEquals(Instant.parse("2024-01-01T12:00:00Z"), rows.get(2).get("event_timestamp"));
    assertEquals("gold", rows.get(0).get("tier"));
    assertNull(rows.get(1).get("tier"));
  }

  @Test
  void jsonLinesEntityFile() throws Exception {
    Path entities = dir.resolve("entities.jsonl");
    Files.writeString(
        entities,
        "{\"customer_id\": 1, \"event_timestamp\": \"2024-01-01T11:00:00Z\"}\n"
            + "{\"customer_id\": 3, \"event_timestamp\": \"2024-01-03T00:00:00+01:00\"}\n");
    Path out = dir.resolve("out.parquet");
    store.historicalToFile(
        repo, request(new EntitySet.FromFile(entities), List.of("spend:amount"), false, out, null));
    assertEquals(
        List.of(10L, 30L), store.preview(out, 10).stream().map(r -> r.get("amount")).toList());
  }

  @Test
  void concurrentRetrievalsDoNotInterfere() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Long>> results = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        Path out = dir.resolve("out" + i + ".parquet");
        results.add(
            pool.submit(
                () ->
                    store.historicalToFile(
                        repo, request(twoRows(), List.of("spend:amount"), false, out, null))));
      }
      for (Future<Long> f : results) {
        assertEquals(2L, f.get());
      }
    } finally {
      pool.shutdownNow();
    }
    assertTrue(Files.exists(dir.resolve("out7.parquet")));
  }

  @Test
  void folderOrGlobOfEntityPartFiles() throws Exception {
    Path parts = dir.resolve("labels");
    Files.createDirectories(parts);
    sql(
        "COPY (SELECT 1 AS customer_id, TIMESTAMP '2024-01-01 11:00:00' AS event_timestamp) TO "
            + q(parts.resolve("part-0.parquet"))
            + " (FORMAT parquet)",
        "COPY (SELECT 3 AS customer_id, TIMESTAMP '2024-01-03 00:00:00' AS event_timestamp) TO "
            + q(parts.resolve("part-1.parquet"))
            + " (FORMAT parquet)");
    Files.writeString(parts.resolve("_SUCCESS"), "");
    Path out = dir.resolve("out.parquet");
    for (Path entities : List.of(parts, parts.resolve("part-*.parquet"))) {
      store.historicalToFile(
          repo,
          request(new EntitySet.FromFile(entities), List.of("spend:amount"), false, out, null));
      assertEquals(
          List.of(10L, 30L), store.preview(out, 10).stream().map(r -> r.get("amount")).toList());
    }
    Path empty = dir.resolve("empty");
    Files.createDirectories(empty);
    org.junit.jupiter.api.Assertions.assertThrows(
        dev.fletch.core.InvalidRequestException.class,
        () ->
            store.historicalToFile(
                repo,
                request(new EntitySet.FromFile(empty), List.of("spend:amount"), false, out, null)));
  }

  @Test
  void previewConvertsValuesToPlainJava() {
    Path file = dir.resolve("values.parquet");
    sql(
        "COPY (SELECT TIMESTAMP '2024-01-01 10:00:00' AS naive,"
            + " TIMESTAMPTZ '2024-01-01 12:00:00+02:00' AS aware, DATE '2024-01-02' AS day,"
            + " [1, 2] AS ids, 'ab'::BLOB AS raw, 1.5::FLOAT AS f, NULL::VARCHAR AS nothing"
            + " FROM range(3)) TO "
            + q(file)
            + " (FORMAT parquet)");
    List<Map<String, Object>> rows = store.preview(file, 2);
    assertEquals(2, rows.size());
    Map<String, Object> row = rows.get(0);
    assertEquals(Instant.parse("2024-01-01T10:00:00Z"), row.get("naive"));
    assertEquals(Instant.parse("2024-01-01T10:00:00Z"), row.get("aware"));
    assertEquals(java.time.LocalDate.parse("2024-01-02"), row.get("day"));
    assertEquals(List.of(1, 2), row.get("ids"));
    org.junit.jupiter.api.Assertions.assertArrayEquals(
        new byte[] {'a', 'b'}, (byte[]) row.get("raw"));
    assertEquals(1.5f, row.get("f"));
    assertTrue(row.containsKey("nothing"));
    assertNull(row.get("nothing"));
  }

  @Test
  void inlineRowsOfEveryJavaType() {
    List<Map<String, Object>> rows = new ArrayList<>();
    rows.add(
        row(
            "customer_id",
            1,
            "event_timestamp",
            java.time.LocalDateTime.parse("2024-01-01T10:30:00"),
            "w",
            0.5f,
            "ok",
            true,
            "none",
            null,
            "note",
            "a"));
    rows.add(
        row(
            "customer_id",
            2L,
            "event_timestamp",
            java.time.ZonedDateTime.parse("2024-01-01T12:30:00+01:00[Europe/Paris]"),
            "w",
            2,
            "ok",
            false,
            "none",
            null,
            "note",
            null));
    Path out = dir.resolve("out.parquet");
    store.historicalToFile(
        repo, request(new EntitySet.FromRows(rows), List.of("spend:amount"), false, out, null));
    List<Map<String, Object>> got = store.preview(out, 10);
    assertEquals(10L, got.get(0).get("amount"));
    assertEquals(20L, got.get(1).get("amount")); // 11:30 UTC
    assertEquals(Instant.parse("2024-01-01T11:30:00Z"), got.get(1).get("event_timestamp"));
    assertEquals(0.5, got.get(0).get("w"));
    assertEquals(2.0, got.get(1).get("w"));
    assertEquals(true, got.get(0).get("ok"));
    assertNull(got.get(1).get("none"));

    List<Map<String, Object>> mixed =
        List.of(
            row("customer_id", 1L, "event_timestamp", "2024-01-01T10:30:00Z"),
            row("customer_id", "x", "event_timestamp", "2024-01-01T10:30:00Z"));
    dev.fletch.core.InvalidRequestException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            dev.fletch.core.InvalidRequestException.class,
            () ->
                store.historicalToFile(
                    repo,
                    request(
                        new EntitySet.FromRows(mixed), List.of("spend:amount"), false, out, null)));
    assertTrue(e.getMessage().contains("entity row 1, column 'customer_id'"), e.getMessage());
  }

  /**
   * The Arrow stream carries the same lineage as a Parquet training set: schema metadata, and each
   * feature field's view:feature, read back from the IPC bytes a client receives; describeFile
   * reads the Parquet footer.
   */
  @Test
  void arrowStreamsAndParquetFilesCarryLineage() throws Exception {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    HistoricalRequest request =
        new HistoricalRequest(
                twoRows(), List.of(), "svc", null, false, dir.resolve("t.parquet"), null)
            .withMetadata(Map.of(TrainingSetMetadata.REGISTRY_VERSION, "7"));
    try (BufferAllocator allocator = new RootAllocator()) {
      store.historicalToArrow(
          repo,
          request,
          allocator,
          1,
          reader -> {
            try (org.apache.arrow.vector.ipc.ArrowStreamWriter writer =
                new org.apache.arrow.vector.ipc.ArrowStreamWriter(
                    reader.getVectorSchemaRoot(),
                    null,
                    java.nio.channels.Channels.newChannel(bytes))) {
              writer.start();
              while (reader.loadNextBatch()) {
                writer.writeBatch();
              }
              writer.end();
            }
          });
      try (org.apache.arrow.vector.ipc.ArrowStreamReader in =
          new org.apache.arrow.vector.ipc.ArrowStreamReader(
              new java.io.ByteArrayInputStream(bytes.toByteArray()), allocator)) {
        org.apache.arrow.vector.types.pojo.Schema schema = in.getVectorSchemaRoot().getSchema();
        Map<String, String> meta = schema.getCustomMetadata();
        assertEquals("test", meta.get(TrainingSetMetadata.PROJECT));
        assertEquals("7", meta.get(TrainingSetMetadata.REGISTRY_VERSION));
        assertEquals("svc", meta.get(TrainingSetMetadata.FEATURE_SERVICE));
        assertEquals("inline rows", meta.get(TrainingSetMetadata.ENTITY_SOURCE));
        assertEquals(
            "{\"tier\":\"profile:tier\",\"amount\":\"spend:amount\"}",
            meta.get(TrainingSetMetadata.FEATURES));
        assertEquals(
            "spend:amount",
            schema.findField("amount").getMetadata().get(TrainingSetMetadata.FEATURE_REF));
        assertNull(
            schema.findField("customer_id").getMetadata().get(TrainingSetMetadata.FEATURE_REF));
        long rows = 0;
        while (in.loadNextBatch()) {
          rows += in.getVectorSchemaRoot().getRowCount();
        }
        assertEquals(2, rows, "every batch still arrives");
      }
    }
    store.historicalToFile(repo, request);
    OfflineStore.FileDescription d = store.describeFile(dir.resolve("t.parquet"));
    assertEquals(2, d.rows());
    assertEquals("parquet", d.format());
    assertEquals("tier", d.columns().get(d.columns().size() - 2).name());
    assertEquals("7", d.metadata().get(TrainingSetMetadata.REGISTRY_VERSION));
    assertEquals(
        Map.of("tier", "profile:tier", "amount", "spend:amount"),
        TrainingSetMetadata.featureRefs(d.metadata()));
  }
}
