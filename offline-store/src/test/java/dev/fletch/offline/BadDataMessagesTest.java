package dev.fletch.offline;

import static dev.fletch.offline.TestData.feature;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fletch.core.FletchException;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.model.Source;
import dev.fletch.core.model.SourceFormat;
import dev.fletch.core.model.ValueType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad data files are reported with their cause, the same way by materialization and training. */
class BadDataMessagesTest {
  @TempDir Path dir;
  private DuckDbOfflineStore store;

  @BeforeEach
  void setUp() throws Exception {
    store = new DuckDbOfflineStore();
    Files.writeString(
        dir.resolve("badval.csv"),
        "customer_id,event_ts,amount\n1,2024-01-01T00:00:00Z,5\n2,2024-01-01T00:00:00Z,abc\n");
    Files.writeString(
        dir.resolve("ragged.csv"),
        "customer_id,event_ts,amount\n1,2024-01-01T00:00:00Z,5\n"
            + "2,2024-01-01T00:00:00Z,6,7\n3,2024-01-01T00:00:00Z,8\n");
    Files.writeString(
        dir.resolve("entities.csv"), "customer_id,event_timestamp\n2,2024-01-02T00:00:00Z\n");
  }

  @AfterEach
  void tearDown() {
    store.close();
  }

  private FeatureRepo repo(String file) {
    return TestData.repo(
        dir,
        List.of(TestData.entity("customer", "customer_id")),
        List.of(new Source("tx", SourceFormat.CSV, file, "event_ts", null, Map.of(), null)),
        List.of(
            TestData.view(
                "spend",
                List.of("customer"),
                "tx",
                Duration.ZERO,
                feature("amount", ValueType.INT64))));
  }

  private FletchException scanFails(FeatureRepo repo) {
    return assertThrows(
        FletchException.class,
        () ->
            store.scanLatest(
                repo, repo.view("spend"), Instant.EPOCH, Instant.now(), 100, rows -> {}));
  }

  private FletchException historicalFails(FeatureRepo repo) {
    return assertThrows(
        FletchException.class,
        () ->
            store.historicalToFile(
                repo,
                new HistoricalRequest(
                    new EntitySet.FromFile(dir.resolve("entities.csv")),
                    List.of("spend:amount"),
                    null,
                    null,
                    false,
                    dir.resolve("out.parquet"),
                    null)));
  }

  @Test
  void aValueThatDoesNotConvertIsNamedByBothPaths() {
    for (FletchException e :
        List.of(scanFails(repo("badval.csv")), historicalFails(repo("badval.csv")))) {
      assertTrue(e.getMessage().contains("Could not convert string"), e.getMessage());
      assertTrue(e.getMessage().contains("abc"), e.getMessage());
      assertTrue(!e.getMessage().contains("Invalid result set"), e.getMessage());
    }
  }

  /** A CSV whose bad value sits past DuckDB's type detection sample (20,480 rows). */
  private void writeLongCsv(String name, String lastRow) throws Exception {
    StringBuilder csv = new StringBuilder("customer_id,event_ts,amount\n");
    for (int i = 0; i < 30_000; i++) {
      csv.append(i).append(",2024-01-01T00:00:00Z,").append(i % 9).append('\n');
    }
    csv.append(lastRow).append('\n');
    Files.writeString(dir.resolve(name), csv.toString());
  }

  /**
   * #24 item 5: DuckDB's cause (file, line, column, value) reaches the message, with what to change
   * in the source's csv options; not only "CSV Error on Line: N".
   */
  @Test
  void aCsvValueThatDoesNotConvertIsNamedWithFileLineColumnAndValue() throws Exception {
    writeLongCsv("late.csv", "7,2024-01-01T00:00:00Z,n/a");
    for (FletchException e :
        List.of(scanFails(repo("late.csv")), historicalFails(repo("late.csv")))) {
      String m = e.getMessage();
      assertTrue(m.contains(dir.resolve("late.csv") + " line 30002, column amount"), m);
      assertTrue(m.contains("cannot read \"n/a\" as INT64"), m);
      assertTrue(m.contains("csv: null_strings") && m.contains("csv: types"), m);
      assertTrue(!m.contains("\n"), "one line: " + m);
    }
    writeLongCsv("wide.csv", "7,2024-01-01T00:00:00Z,1,2");
    String m = scanFails(repo("wide.csv")).getMessage();
    assertTrue(
        m.contains(dir.resolve("wide.csv") + " line 30002: 4 fields where the header has 3"), m);
  }

  /**
   * #24 item 5: the csv options real files need, rendered into read_csv: a semicolon delimiter, a
   * quote, null strings, explicit types, a file without a header (columns column0, column1, ...).
   */
  @Test
  void csvOptionsReadFilesDetectionWouldGetWrong() throws Exception {
    Files.writeString(
        dir.resolve("semi.csv"),
        "customer_id;event_ts;amount\n1;2024-01-01T00:00:00Z;NA\n2;2024-01-01T00:00:00Z;'7'\n"
            + "3;2024-01-01T00:00:00Z;-\n");
    dev.fletch.core.model.CsvOptions options =
        new dev.fletch.core.model.CsvOptions(
            ";", true, "'", null, List.of("", "NA", "-"), Map.of("amount", ValueType.INT64));
    FeatureRepo repo =
        TestData.repo(
            dir,
            List.of(TestData.entity("customer", "customer_id")),
            List.of(
                new Source(
                    "tx",
                    SourceFormat.CSV,
                    "semi.csv",
                    "event_ts",
                    null,
                    Map.of(),
                    null,
                    null,
                    null,
                    options)),
            List.of(
                TestData.view(
                    "spend",
                    List.of("customer"),
                    "tx",
                    Duration.ZERO,
                    feature("amount", ValueType.INT64))));
    Map<Object, Object> amounts = new java.util.HashMap<>();
    store.scanLatest(
        repo,
        repo.view("spend"),
        Instant.EPOCH,
        Instant.now(),
        100,
        rows -> rows.forEach(r -> amounts.put(r.key().values().get(0), r.values().get(0))));
    java.util.Map<Object, Object> expected = new java.util.HashMap<>();
    expected.put(1L, null);
    expected.put(2L, 7L);
    expected.put(3L, null);
    assertTrue(expected.equals(amounts), amounts.toString());

    // without a header, columns are column0, column1, ...; a field mapping names them
    Files.writeString(dir.resolve("bare.csv"), "5|2024-01-01T00:00:00Z|11\n");
    FeatureRepo bare =
        TestData.repo(
            dir,
            List.of(TestData.entity("customer", "customer_id")),
            List.of(
                new Source(
                    "tx",
                    SourceFormat.CSV,
                    "bare.csv",
                    "event_ts",
                    null,
                    Map.of("column0", "customer_id", "column1", "event_ts", "column2", "amount"),
                    null,
                    null,
                    null,
                    new dev.fletch.core.model.CsvOptions("|", false, null, null, null, null))),
            List.of(
                TestData.view(
                    "spend",
                    List.of("customer"),
                    "tx",
                    Duration.ZERO,
                    feature("amount", ValueType.INT64))));
    List<Object> got = new java.util.ArrayList<>();
    store.scanLatest(
        bare,
        bare.view("spend"),
        Instant.EPOCH,
        Instant.now(),
        100,
        rows -> rows.forEach(r -> got.add(r.values().get(0))));
    assertTrue(got.equals(List.of(11L)), got.toString());
  }

  /** Hostile option values stay inside their literals: the query reads the file, nothing else. */
  @Test
  void optionValuesAreQuotedNotPasted() throws Exception {
    Files.writeString(dir.resolve("q.csv"), "a'b,c\nx,') ; DROP TABLE t; --\ny,z\n");
    String scan =
        FeatureSql.csvScan(
            dir.resolve("q.csv").toString(),
            new dev.fletch.core.model.CsvOptions(
                ",",
                true,
                "",
                null,
                List.of("') ; DROP TABLE t; --"),
                Map.of("a'b", ValueType.STRING)));
    assertTrue(
        scan.endsWith(
            ", header = true, delim = ',', quote = '', nullstr = [''') ; DROP TABLE t; --'],"
                + " types = {'a''b': 'VARCHAR'})"),
        scan);
    try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:duckdb:");
        java.sql.Statement st = c.createStatement();
        java.sql.ResultSet rs =
            st.executeQuery("SELECT count(*), count(c), min(\"a'b\") FROM " + scan)) {
      rs.next();
      assertTrue(rs.getLong(1) == 2 && rs.getLong(2) == 1, "the hostile text is a null string");
      assertTrue("x".equals(rs.getString(3)));
    }
  }

  @Test
  void aRaggedCsvIsReportedAsSuch() {
    FletchException e = scanFails(repo("ragged.csv"));
    assertTrue(e.getMessage().contains("could not split"), e.getMessage());
    assertTrue(e.getMessage().contains("ragged.csv"), e.getMessage());
  }
}
