package dev.fletch.offline;

import static dev.fletch.offline.TestData.q;
import static dev.fletch.offline.TestData.sql;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.model.ValueType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CSV training sets say one thing one way: NULL is an empty field, an empty string is {@code ""},
 * the text NULL is the text NULL, and a list is a JSON array (its null elements {@code null}).
 */
class CsvOutputTest {
  @TempDir Path dir;

  @Test
  void nullsEmptyStringsAndListsAreUnambiguous() throws Exception {
    sql(
        "COPY (SELECT * FROM (VALUES"
            + " (1, TIMESTAMP '2024-01-01 00:00:00', ['en', NULL], 'NULL'),"
            + " (2, TIMESTAMP '2024-01-01 00:00:00', [], ''),"
            + " (3, TIMESTAMP '2024-01-01 00:00:00', NULL::VARCHAR[], NULL))"
            + " AS t(customer_id, event_ts, langs, note)) TO "
            + q(dir.resolve("profiles.parquet"))
            + " (FORMAT parquet)",
        "COPY (SELECT range::BIGINT AS customer_id, TIMESTAMP '2024-02-01 00:00:00' AS"
            + " event_timestamp FROM range(1, 4)) TO "
            + q(dir.resolve("entities.parquet"))
            + " (FORMAT parquet)");
    FeatureRepo repo =
        TestData.repo(
            dir,
            List.of(TestData.entity("customer", "customer_id")),
            List.of(TestData.parquet("profiles", "profiles.parquet", "event_ts", null)),
            List.of(
                TestData.view(
                    "profile",
                    List.of("customer"),
                    "profiles",
                    Duration.ZERO,
                    TestData.feature("langs", ValueType.STRING_LIST),
                    TestData.feature("note", ValueType.STRING))));
    Path out = dir.resolve("train.csv");
    try (DuckDbOfflineStore store = new DuckDbOfflineStore()) {
      store.historicalToFile(
          repo,
          new HistoricalRequest(
              new EntitySet.FromFile(dir.resolve("entities.parquet")),
              List.of("profile:langs", "profile:note"),
              null,
              null,
              false,
              out,
              HistoricalRequest.OutputFormat.CSV));
    }
    List<String> lines = Files.readAllLines(out);
    assertEquals("customer_id,event_timestamp,langs,note", lines.get(0));
    assertEquals("1,2024-02-01 00:00:00+00,\"[\"\"en\"\",null]\",NULL", lines.get(1));
    assertEquals("2,2024-02-01 00:00:00+00,[],\"\"", lines.get(2));
    assertEquals("3,2024-02-01 00:00:00+00,,", lines.get(3));
  }
}
