package dev.fletch.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fletch.cli.Fletch;
import dev.fletch.core.model.EntityKey;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.yaml.RepoLoader;
import dev.fletch.online.EmbeddedOnlineStore;
import dev.fletch.online.OnlineStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The materialize commands on a repository made by {@code fletch init} (embedded stores, no setup).
 */
class MaterializeCommandTest {
  @TempDir Path tmp;
  Path repo;

  record Run(int code, String out, String err) {}

  static Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
    PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
    int code = Fletch.commandLine(o, e).execute(args);
    return new Run(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @BeforeEach
  void init() {
    repo = tmp.resolve("shop");
    Run init = run("init", repo.toString());
    assertEquals(0, init.code(), init.err());
  }

  @Test
  void materializeWritesTheLatestValuesAndRecordsTheJob() {
    Run m =
        run(
            "materialize",
            "--repo",
            repo.toString(),
            "--start",
            "2025-01-01",
            "--end",
            "2025-01-03T12:00:00Z");
    assertEquals(0, m.code(), m.err());
    assertTrue(m.out().contains("customer_stats"), m.out());
    assertTrue(
        m.out()
            .matches(
                "(?s).*customer_stats\\s+2025-01-01T00:00:00Z\\s+2025-01-03T12:00:00Z\\s+3\\s.*"),
        m.out());
    assertTrue(m.err().contains("materializing customer_stats: done, 3 rows"), m.err());

    FeatureRepo definitions = RepoLoader.load(repo);
    try (OnlineStore online = EmbeddedOnlineStore.open(repo.resolve(".fletch/online.db"))) {
      OnlineStore.StoredValues v =
          online
              .read(
                  definitions.project(),
                  List.of(
                      new OnlineStore.ReadRequest(
                          EntityKey.of("customer_id", 1001), definitions.view("customer_stats"))))
              .join()
              .get(0);
      // the correction written at 09:30 wins over the 01:00 row of the same event time
      assertEquals(Instant.parse("2025-01-03T00:00:00Z"), v.eventTime());
      assertEquals(List.of(4L, 118.0, 29.5, false), v.values());
    }

    Run jobs = run("jobs", "--repo", repo.toString());
    assertEquals(0, jobs.code(), jobs.err());
    assertTrue(jobs.out().contains("customer_stats"), jobs.out());
    assertTrue(jobs.out().contains("SUCCEEDED"), jobs.out());
  }

  @Test
  void incrementalStartsAtTheWatermark() {
    Run first =
        run("materialize-incremental", "--repo", repo.toString(), "--end", "2025-01-03T12:00:00Z");
    assertEquals(0, first.code(), first.err());
    // first run: end - ttl (7 days)
    assertTrue(first.out().contains("2024-12-27T12:00:00Z"), first.out());
    Run second =
        run(
            "materialize-incremental",
            "--repo",
            repo.toString(),
            "--end",
            "2025-01-06",
            "--views",
            "customer_stats");
    assertEquals(0, second.code(), second.err());
    assertTrue(
        second.out().matches("(?s).*2025-01-03T12:00:00Z\\s+2025-01-06T00:00:00Z\\s+2\\s.*"),
        second.out());
    Run jobs = run("jobs", "--repo", repo.toString(), "--view", "customer_stats", "--limit", "1");
    assertEquals(2, jobs.out().strip().split("\\R").length, jobs.out());
  }

  @Test
  void badArgumentsAreReportedClearly() {
    Run badTime =
        run("materialize", "--repo", repo.toString(), "--start", "yesterday", "--end", "now");
    assertEquals(2, badTime.code());
    assertTrue(badTime.err().contains("--start: 'yesterday' is not a time"), badTime.err());
    Run unknown =
        run(
            "materialize-incremental",
            "--repo",
            repo.toString(),
            "--end",
            "now",
            "--views",
            "nope");
    assertEquals(1, unknown.code());
    assertTrue(unknown.err().contains("nope"), unknown.err());
    Run noJobs = run("jobs", "--repo", repo.toString());
    assertTrue(noJobs.out().contains("no materialization jobs"), noJobs.out());
  }
}
