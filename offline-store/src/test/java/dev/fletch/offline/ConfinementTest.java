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
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.model.ValueType;
import dev.fletch.core.settings.OfflineSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DuckDB runs every job confined to the files that job needs: the repository (and allowed folders),
 * its entity file and its output. Anything that got past the definition checks still cannot read or
 * write elsewhere.
 */
class ConfinementTest {
  @TempDir Path repoDir;
  @TempDir Path elsewhere;
  private DuckDbOfflineStore store;
  private Path secret;

  @BeforeEach
  void setUp() throws Exception {
    store = new DuckDbOfflineStore();
    secret = elsewhere.resolve("secret.csv");
    // A value no temporary path can contain, so a message that names the path is not mistaken for
    // one that shows the file's content.
    Files.writeString(secret, "customer_id,event_ts,amount\n1,2024-01-01T00:00:00Z,31415926.5\n");
    sql(
        "COPY (SELECT 1 AS customer_id, TIMESTAMP '2024-01-01 10:00:00' AS event_ts, 5 AS amount)"
            + " TO "
            + q(repoDir.resolve("tx.parquet"))
            + " (FORMAT parquet)",
        "COPY (SELECT 1 AS customer_id, TIMESTAMP '2024-01-02 00:00:00' AS event_timestamp) TO "
            + q(repoDir.resolve("entities.parquet"))
            + " (FORMAT parquet)");
  }

  @AfterEach
  void tearDown() {
    store.close();
  }

  private FeatureRepo repo(String path) {
    return TestData.repo(
        repoDir,
        List.of(TestData.entity("customer", "customer_id")),
        List.of(TestData.parquet("tx", path, "event_ts", null)),
        List.of(
            TestData.view(
                "spend",
                List.of("customer"),
                "tx",
                Duration.ZERO,
                feature("amount", ValueType.INT64))));
  }

  private String inJob(FeatureRepo repo, String query) {
    return store.withConnection(
        "test",
        JobAccess.forRepo(repo, OfflineSettings.defaults()),
        conn -> {
          try (Statement st = conn.createStatement();
              ResultSet rs = st.executeQuery(query)) {
            rs.next();
            return rs.getString(1);
          }
        });
  }

  @Test
  void aJobReadsItsRepositoryAndNothingElse() {
    FeatureRepo repo = repo("tx.parquet");
    assertEquals(
        "5",
        inJob(repo, "SELECT amount FROM read_parquet(" + q(repoDir.resolve("tx.parquet")) + ")"));
    for (String query :
        List.of(
            "SELECT * FROM read_csv('/etc/passwd')",
            "SELECT * FROM read_csv(" + q(secret) + ")",
            "SELECT * FROM read_csv("
                + q(repoDir.resolve("../" + elsewhere.getFileName() + "/secret.csv"))
                + ")",
            "SELECT * FROM glob('/etc/*')",
            "SELECT * FROM read_text('/etc/hostname')")) {
      FletchException e = assertThrows(FletchException.class, () -> inJob(repo, query), query);
      assertTrue(
          e.getMessage().contains("disabled by configuration"), query + ": " + e.getMessage());
    }
  }

  @Test
  void aJobCannotWriteUnlockOrInstall() {
    FeatureRepo repo = repo("tx.parquet");
    Path pwned = elsewhere.resolve("pwned.csv");
    for (String statement :
        List.of(
            "COPY (SELECT 'pwned') TO " + q(pwned) + " (FORMAT csv)",
            "SET enable_external_access = true",
            "SET lock_configuration = false",
            "ATTACH " + q(elsewhere.resolve("x.db")),
            "INSTALL httpfs")) {
      assertThrows(
          FletchException.class,
          () ->
              store.withConnection(
                  "test",
                  JobAccess.forRepo(repo, OfflineSettings.defaults()),
                  conn -> {
                    try (Statement st = conn.createStatement()) {
                      st.execute(statement);
                    }
                    return null;
                  }),
          statement);
    }
    // (DuckDB's confinement lets a job write below the folders it may read; no text of a user's
    // can form such a statement: expressions are trees, entity queries one SELECT.)
    assertFalse(Files.exists(pwned));
  }

  @Test
  void aSourceOutsideTheRepositoryIsRefusedAtTheJobToo() throws Exception {
    // A definition from the registry was never validated against this machine's files.
    HistoricalRequest request =
        new HistoricalRequest(
            new EntitySet.FromFile(repoDir.resolve("entities.parquet")),
            List.of("spend:amount"),
            null,
            null,
            false,
            repoDir.resolve("out.parquet"),
            null);
    for (String path :
        List.of(secret.toString(), "../" + elsewhere.getFileName() + "/secret.csv")) {
      InvalidRequestException e =
          assertThrows(
              InvalidRequestException.class, () -> store.historicalToFile(repo(path), request));
      assertTrue(e.getMessage().contains("leaves the repository"), e.getMessage());
      assertFalse(e.getMessage().contains("31415926"), "no file content in the message");
    }
    // a link swapped in after validation
    Files.createSymbolicLink(repoDir.resolve("link.csv"), secret);
    InvalidRequestException link =
        assertThrows(
            InvalidRequestException.class, () -> store.historicalToFile(repo("link.csv"), request));
    assertTrue(link.getMessage().contains("symbolic link"), link.getMessage());

    // with the folder allowed by the operator, the same source is read
    try (DuckDbOfflineStore allowed =
        new DuckDbOfflineStore(
            new OfflineSettings(List.of(elsewhere), List.of(), null, 1, 1), Map.of())) {
      sql(
          "COPY (SELECT 1 AS customer_id, TIMESTAMP '2024-01-01 10:00:00' AS event_ts, 7 AS amount)"
              + " TO "
              + q(elsewhere.resolve("tx.parquet"))
              + " (FORMAT parquet)");
      allowed.historicalToFile(repo(elsewhere.resolve("tx.parquet").toString()), request);
      assertEquals(7L, allowed.preview(repoDir.resolve("out.parquet"), 1).get(0).get("amount"));
    }
  }

  @Test
  void anEntityQueryIsConfinedAndOneSelect() {
    FeatureRepo repo = repo("tx.parquet");
    for (String query :
        List.of(
            "SELECT customer_id, event_ts AS event_timestamp FROM read_csv(" + q(secret) + ")",
            "SELECT 1 AS customer_id, now() AS event_timestamp; COPY (SELECT 1) TO "
                + q(elsewhere.resolve("x.csv")),
            "COPY (SELECT 1) TO " + q(elsewhere.resolve("x.csv")))) {
      assertThrows(
          FletchException.class,
          () ->
              store.historicalToFile(
                  repo,
                  new HistoricalRequest(
                      new EntitySet.FromQuery(query),
                      List.of("spend:amount"),
                      null,
                      null,
                      false,
                      repoDir.resolve("out.parquet"),
                      null)),
          query);
    }
    assertFalse(Files.exists(elsewhere.resolve("x.csv")));
  }

  @Test
  void jobsSpillIntoTheirOwnFolderAndCleanUp(@TempDir Path spill) throws Exception {
    try (DuckDbOfflineStore small =
        new DuckDbOfflineStore(
            new OfflineSettings(List.of(), List.of(), "64MB", 1, 1),
            Map.of("temp_directory", spill.toString()))) {
      FeatureRepo repo = repo("tx.parquet");
      String n =
          small.withConnection(
              "test",
              JobAccess.forRepo(repo, OfflineSettings.defaults()),
              conn -> {
                try (Statement st = conn.createStatement();
                    ResultSet rs =
                        st.executeQuery(
                            "SELECT count(*) FROM (SELECT i, md5(i::VARCHAR) AS s FROM"
                                + " range(3000000) t(i) ORDER BY s)")) {
                  rs.next();
                  return rs.getString(1);
                }
              });
      assertEquals("3000000", n);
      // the job ran under the configured limit (64 MB = 61.0 MiB), so the sort spilled
      assertEquals(
          "61.0 MiB",
          small.withConnection(
              "test",
              JobAccess.none(),
              conn -> {
                try (Statement st = conn.createStatement();
                    ResultSet rs = st.executeQuery("SELECT current_setting('memory_limit')")) {
                  rs.next();
                  return rs.getString(1);
                }
              }));
    }
    try (var left = Files.list(spill)) {
      assertEquals(0, left.count(), "spill folders are removed after each job");
    }
  }
}
