package dev.fletch.offline;

import static dev.fletch.offline.TestData.feature;
import static dev.fletch.offline.TestData.q;
import static dev.fletch.offline.TestData.sql;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fletch.core.FletchException;
import dev.fletch.core.InvalidRequestException;
import dev.fletch.core.NotFoundException;
import dev.fletch.core.model.Feature;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.model.ValueType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input gets a clear error that names the problem, and never leaves an output file behind. */
class HistoricalErrorsTest {
  @TempDir Path dir;
  private DuckDbOfflineStore store;
  private Path out;

  @BeforeEach
  void setUp() {
    store = new DuckDbOfflineStore();
    out = dir.resolve("out.parquet");
    sql(
        "COPY (SELECT 1 AS customer_id, TIMESTAMP '2024-01-01 10:00:00' AS event_ts, 5 AS amount,"
            + " 'x' AS code, 42 AS not_a_time) TO "
            + q(dir.resolve("tx.parquet"))
            + " (FORMAT parquet)",
        "COPY (SELECT 1 AS customer_id, TIMESTAMP '2024-01-02 00:00:00' AS event_timestamp,"
            + " 7 AS int_time) TO "
            + q(dir.resolve("entities.parquet"))
            + " (FORMAT parquet)",
        "COPY (SELECT 1 AS id, TIMESTAMP '2024-01-02 00:00:00' AS event_timestamp) TO "
            + q(dir.resolve("no_key.parquet"))
            + " (FORMAT parquet)",
        "COPY (SELECT 1 AS customer_id, TIMESTAMP '2024-01-02 00:00:00' AS event_timestamp LIMIT 0)"
            + " TO "
            + q(dir.resolve("empty.parquet"))
            + " (FORMAT parquet)");
  }

  @AfterEach
  void tearDown() throws IOException {
    store.close();
    try (Stream<Path> files = Files.list(dir)) {
      // whatever failed, nothing half-written stays beside the target
      assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")));
    }
  }

  private FeatureRepo repo(String sourcePath, String timestampField, Feature... features) {
    return TestData.repo(
        dir,
        List.of(TestData.entity("customer", "customer_id")),
        List.of(TestData.parquet("tx", sourcePath, timestampField, null)),
        List.of(TestData.view("spend", List.of("customer"), "tx", Duration.ZERO, features)));
  }

  private FeatureRepo repo() {
    return repo("tx.parquet", "event_ts", feature("amount", ValueType.INT64));
  }

  private FletchException fail(
      FeatureRepo repo, EntitySet entities, List<String> refs, String tsColumn) {
    FletchException e =
        assertThrows(
            FletchException.class,
            () ->
                store.historicalToFile(
                    repo, new HistoricalRequest(entities, refs, null, tsColumn, false, out, null)));
    assertFalse(Files.exists(out), "no output after a failure");
    return e;
  }

  private FletchException fail(FeatureRepo repo, String entityFile) {
    return fail(
        repo, new EntitySet.FromFile(dir.resolve(entityFile)), List.of("spend:amount"), null);
  }

  @Test
  void missingJoinKeyColumnNamesColumnAndView() {
    FletchException e = fail(repo(), "no_key.parquet");
    assertTrue(e instanceof InvalidRequestException);
    assertTrue(
        e.getMessage().contains("'customer_id'") && e.getMessage().contains("'spend'"),
        e.getMessage());
  }

  @Test
  void missingOrWrongTimestampColumn() {
    FletchException missing =
        fail(
            repo(),
            new EntitySet.FromFile(dir.resolve("entities.parquet")),
            List.of("spend:amount"),
            "ts");
    assertTrue(missing instanceof InvalidRequestException);
    assertTrue(missing.getMessage().contains("no timestamp column 'ts'"), missing.getMessage());

    FletchException wrongType =
        fail(
            repo(),
            new EntitySet.FromFile(dir.resolve("entities.parquet")),
            List.of("spend:amount"),
            "int_time");
    assertTrue(wrongType instanceof InvalidRequestException);
    assertTrue(
        wrongType.getMessage().contains("'int_time' has type INTEGER"), wrongType.getMessage());

    FletchException sourceType =
        fail(
            repo("tx.parquet", "not_a_time", feature("amount", ValueType.INT64)),
            "entities.parquet");
    assertTrue(sourceType instanceof InvalidRequestException);
    assertTrue(
        sourceType.getMessage().contains("timestamp_field column 'not_a_time' has type INTEGER"),
        sourceType.getMessage());
  }

  @Test
  void unknownViewOrFeature() {
    EntitySet entities = new EntitySet.FromFile(dir.resolve("entities.parquet"));
    FletchException view = fail(repo(), entities, List.of("nope:amount"), null);
    assertTrue(view instanceof NotFoundException);
    assertTrue(view.getMessage().contains("'nope'"), view.getMessage());
    FletchException feature = fail(repo(), entities, List.of("spend:nope"), null);
    assertTrue(feature instanceof NotFoundException);
    assertTrue(feature.getMessage().contains("spend:nope"), feature.getMessage());
    FletchException none = fail(repo(), entities, List.of(), null);
    assertTrue(none instanceof InvalidRequestException);
  }

  @Test
  void missingSourceFileNamesThePath() {
    FletchException e =
        fail(
            repo("data/missing.parquet", "event_ts", feature("amount", ValueType.INT64)),
            "entities.parquet");
    assertTrue(e instanceof NotFoundException);
    assertTrue(
        e.getMessage().contains(dir.resolve("data/missing.parquet").toString()), e.getMessage());
    FletchException glob =
        fail(
            repo("data/*.parquet", "event_ts", feature("amount", ValueType.INT64)),
            "entities.parquet");
    assertTrue(glob instanceof NotFoundException);
    assertTrue(glob.getMessage().contains(dir.resolve("data").toString()), glob.getMessage());
  }

  @Test
  void unreadableSourceFileNamesThePath() throws IOException {
    Files.writeString(dir.resolve("garbage.parquet"), "this is not parquet");
    FletchException e =
        fail(
            repo("garbage.parquet", "event_ts", feature("amount", ValueType.INT64)),
            "entities.parquet");
    assertTrue(e instanceof InvalidRequestException);
    assertTrue(e.getMessage().contains(dir.resolve("garbage.parquet").toString()), e.getMessage());
  }

  @Test
  void missingOrUnreadableEntityFile() throws IOException {
    FletchException missing = fail(repo(), "nope.parquet");
    assertTrue(missing instanceof InvalidRequestException);
    assertTrue(
        missing.getMessage().contains(dir.resolve("nope.parquet").toString()),
        missing.getMessage());
    Files.writeString(dir.resolve("bad.parquet"), "garbage");
    FletchException bad = fail(repo(), "bad.parquet");
    assertTrue(bad instanceof InvalidRequestException);
    assertTrue(bad.getMessage().contains(dir.resolve("bad.parquet").toString()), bad.getMessage());
    Files.writeString(dir.resolve("entities.txt"), "x");
    FletchException format = fail(repo(), "entities.txt");
    assertTrue(format.getMessage().contains("unknown format"), format.getMessage());
  }

  @Test
  void zeroEntityRows() {
    FletchException e = fail(repo(), "empty.parquet");
    assertTrue(e instanceof InvalidRequestException);
    assertTrue(e.getMessage().contains("no rows"), e.getMessage());
    FletchException rows =
        fail(repo(), new EntitySet.FromRows(List.of()), List.of("spend:amount"), null);
    assertTrue(rows.getMessage().contains("no rows"), rows.getMessage());
  }

  @Test
  void badExpressionOrMissingFeatureColumnNamesTheView() {
    FletchException expr =
        fail(
            repo("tx.parquet", "event_ts", feature("amount", ValueType.INT64, "no_such_col + 1")),
            "entities.parquet");
    assertTrue(expr instanceof InvalidRequestException);
    assertTrue(expr.getMessage().contains("feature view 'spend'"), expr.getMessage());
    FletchException col =
        fail(
            repo("tx.parquet", "event_ts", feature("missing", ValueType.INT64)),
            new EntitySet.FromFile(dir.resolve("entities.parquet")),
            List.of("spend:*"),
            null);
    assertTrue(col.getMessage().contains("feature 'missing'"), col.getMessage());
  }

  @Test
  void failureWhileWritingLeavesNoPartialFileAndKeepsAnOldOne() throws IOException {
    // The cast fails only when rows are computed, i.e. while COPY is writing.
    FeatureRepo repo =
        repo("tx.parquet", "event_ts", feature("amount", ValueType.INT64, "CAST(code AS BIGINT)"));
    FletchException e = fail(repo, "entities.parquet");
    assertTrue(e instanceof InvalidRequestException, e.toString());
    Files.writeString(out, "previous result");
    assertThrows(
        FletchException.class,
        () ->
            store.historicalToFile(
                repo,
                new HistoricalRequest(
                    new EntitySet.FromFile(dir.resolve("entities.parquet")),
                    List.of("spend:amount"),
                    null,
                    null,
                    false,
                    out,
                    null)));
    assertEquals("previous result", Files.readString(out));
  }

  @Test
  void closedStoreRefusesWork() {
    store.close();
    FletchException e = fail(repo(), "entities.parquet");
    assertTrue(e.getMessage().contains("closed"), e.getMessage());
  }

  @Test
  void entityQueryMustBeOneSelect() {
    for (String sql :
        List.of(
            "SELECT 1 AS customer_id; SELECT 2",
            "COPY (SELECT 1) TO '" + dir.resolve("evil.csv") + "'",
            "SELEC 1",
            " ; ")) {
      FletchException e = fail(repo(), new EntitySet.FromQuery(sql), List.of("spend:amount"), null);
      assertTrue(e instanceof InvalidRequestException, sql + " -> " + e);
      assertTrue(e.getMessage().contains("entity query"), e.getMessage());
    }
    assertFalse(Files.exists(dir.resolve("evil.csv")));
    FletchException unknown =
        fail(repo(), new EntitySet.FromQuery("SELECT * FROM nope"), List.of("spend:amount"), null);
    assertTrue(unknown.getMessage().contains("nope"), unknown.getMessage());
  }

  /**
   * A timestamp or integer key that is text but not parseable gets one message, naming the row, the
   * column and the value, however the retrieval runs: a file to a file (the CLI), inline rows to an
   * Arrow stream (HTTP). Streamed, DuckDB said only "Invalid result set".
   */
  @Test
  void unparsableTextNamesRowColumnAndValueOnEveryPath() throws Exception {
    Files.writeString(
        dir.resolve("bad_time.jsonl"),
        "{\"customer_id\": 1, \"event_timestamp\": \"2024-01-02T00:00:00Z\"}\n"
            + "{\"customer_id\": 1, \"event_timestamp\": \"yesterday\"}\n");
    Files.writeString(
        dir.resolve("bad_key.csv"),
        "customer_id,event_timestamp\n1,2024-01-02T00:00:00Z\nabc,2024-01-02T00:00:00Z\n");
    String badTime =
        "entity row 1: timestamp column 'event_timestamp' holds 'yesterday', which is not an"
            + " ISO-8601 time such as 2024-03-01T12:00:00Z (or 2024-03-01, or with an offset:"
            + " +02:00)";
    String badKey =
        "entity row 1: join-key column 'customer_id' (INT64) holds 'abc', which is not an integer";
    assertEquals(badTime, fail(repo(), "bad_time.jsonl").getMessage());
    assertEquals(badKey, fail(repo(), "bad_key.csv").getMessage());

    List<java.util.Map<String, Object>> rows =
        List.of(
            java.util.Map.of("customer_id", 1L, "event_timestamp", "2024-01-02T00:00:00Z"),
            java.util.Map.of("customer_id", 1L, "event_timestamp", "yesterday"));
    try (var allocator = new org.apache.arrow.memory.RootAllocator()) {
      FletchException streamed =
          assertThrows(
              FletchException.class,
              () ->
                  store.historicalToArrow(
                      repo(),
                      new HistoricalRequest(
                          new EntitySet.FromRows(rows),
                          List.of("spend:amount"),
                          null,
                          null,
                          false,
                          null,
                          null),
                      allocator,
                      reader -> {
                        while (reader.loadNextBatch()) {
                          // drain
                        }
                      }));
      assertTrue(streamed instanceof InvalidRequestException);
      assertEquals(badTime, streamed.getMessage());
    }
  }
}
