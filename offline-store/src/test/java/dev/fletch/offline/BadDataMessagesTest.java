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

  @Test
  void aRaggedCsvIsReportedAsSuch() {
    FletchException e = scanFails(repo("ragged.csv"));
    assertTrue(e.getMessage().contains("could not split"), e.getMessage());
    assertTrue(e.getMessage().contains("ragged.csv"), e.getMessage());
  }
}
