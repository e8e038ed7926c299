package dev.fletch.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fletch.cli.Fletch;
import dev.fletch.core.model.EntityKey;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.yaml.RepoLoader;
import dev.fletch.online.EmbeddedOnlineStore;
import dev.fletch.online.OnlineStore;
import dev.fletch.registry.Registry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
    // materialization reads the applied definitions (the ones serving uses), not the local YAML
    Run apply = run("apply", "--repo", repo.toString(), "--yes");
    assertEquals(0, apply.code(), apply.err());
  }

  static final String BROKEN_VIEW =
      """
      sources:
        - name: broken_src
          type: parquet
          path: data/broken.parquet
          timestamp_field: event_ts
      feature_views:
        - name: broken_stats
          entities: [customer]
          source: broken_src
          ttl: 7d
          features:
            - {name: n, type: INT64}
      """;

  private java.util.Optional<Instant> watermark(String view) {
    try (Registry registry = Registry.open("jdbc:sqlite:" + repo.resolve(".fletch/registry.db"))) {
      return registry.jobHistory().watermark(RepoLoader.load(repo).project(), view);
    }
  }

  private OnlineStore.StoredValues stored(String view) {
    FeatureRepo definitions = RepoLoader.load(repo);
    try (OnlineStore online = EmbeddedOnlineStore.open(repo.resolve(".fletch/online.db"))) {
      return online
          .read(
              definitions.project(),
              List.of(
                  new OnlineStore.ReadRequest(
                      EntityKey.of("customer_id", 1001), definitions.findView(view).orElseThrow())))
          .join()
          .get(0);
    }
  }

  @Test
  void nothingAppliedIsAClearError() {
    Path fresh = tmp.resolve("fresh");
    assertEquals(0, run("init", fresh.toString()).code());
    Run m = run("materialize", "--repo", fresh.toString(), "--start", "2025-01-01", "--end", "now");
    assertEquals(1, m.code(), m.err());
    assertTrue(
        m.err().contains("error: nothing applied for project 'fresh' yet: run fletch apply"),
        m.err());
    Run inc = run("materialize-incremental", "--repo", fresh.toString(), "--end", "now");
    assertEquals(1, inc.code(), inc.err());
    assertTrue(inc.err().contains("nothing applied for project 'fresh' yet"), inc.err());
  }

  @Test
  void localEditsAreReportedAndTheAppliedVersionIsUsed() throws Exception {
    // A view that is only local (and whose source is unreadable): not materialized.
    Files.writeString(repo.resolve("extra.yaml"), BROKEN_VIEW);
    Files.writeString(repo.resolve("data/broken.parquet"), "this is not a parquet file");
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
    assertTrue(
        m.err()
            .contains(
                "warning: 2 objects differ between the local definitions and applied version 1"
                    + " of project 'shop'; using the applied version"),
        m.err());
    assertTrue(m.out().contains("customer_stats"), m.out());
    assertFalse(m.out().contains("broken_stats"), m.out());
  }

  @Test
  void everyViewRunsAndEachFailureIsReported() throws Exception {
    Files.writeString(repo.resolve("extra.yaml"), BROKEN_VIEW);
    Files.writeString(repo.resolve("data/broken.parquet"), "this is not a parquet file");
    // apply reads the sources and refuses the broken file, at its path ...
    Run refused = run("apply", "--repo", repo.toString(), "--yes");
    assertEquals(1, refused.code(), refused.err());
    assertTrue(
        refused
            .err()
            .contains("extra.yaml:4:11: source 'broken_src': cannot read data/broken.parquet"),
        refused.err());
    // ... which --no-data-check skips, as where the data is not reachable (or breaks later)
    Run apply = run("apply", "--repo", repo.toString(), "--yes", "--no-data-check");
    assertEquals(0, apply.code(), apply.err());

    Run m =
        run(
            "materialize",
            "--repo",
            repo.toString(),
            "--start",
            "2025-01-01",
            "--end",
            "2025-01-03T12:00:00Z");
    assertEquals(1, m.code(), m.err());
    List<String> errors = m.err().lines().filter(l -> l.startsWith("error: ")).toList();
    assertEquals(2, errors.size(), m.err());
    assertTrue(
        errors.get(0).startsWith("error: materializing view 'broken_stats' [2025-01-01T00:00:00Z"),
        m.err());
    assertEquals(
        "error: 1 of 2 views failed (the other views' jobs stand; re-run to complete, writes are"
            + " idempotent)",
        errors.get(1));
    // the good view ran, was written and recorded
    assertTrue(m.out().matches("(?s).*customer_stats\\s+2025-01-01T00:00:00Z.*"), m.out());
    assertEquals(List.of(4L, 118.0, 29.5, false), stored("customer_stats").values());
    Run jobs = run("jobs", "--repo", repo.toString());
    assertTrue(jobs.out().matches("(?s).*customer_stats.*SUCCEEDED.*"), jobs.out());
    assertTrue(jobs.out().matches("(?s).*broken_stats.*FAILED.*"), jobs.out());

    // its watermark moved; the failed view's did not (first run: end - ttl)
    Run inc =
        run("materialize-incremental", "--repo", repo.toString(), "--end", "2025-01-04T00:00:00Z");
    assertEquals(1, inc.code(), inc.err());
    assertTrue(
        inc.out().matches("(?s).*customer_stats\\s+2025-01-03T12:00:00Z\\s+2025-01-04.*"),
        inc.out());
    assertTrue(
        inc.err().contains("error: materializing view 'broken_stats' [2024-12-28T00:00:00Z"),
        inc.err());
  }

  /**
   * --dry-run (#24 item 10): per view the range, full or incremental and why, and the rows the job
   * would write; nothing written (no entry, no content marker), no job recorded, no watermark.
   */
  @Test
  void aDryRunSaysWhatAJobWouldDoAndDoesNothing() throws Exception {
    Run first =
        run(
            "materialize-incremental",
            "--repo",
            repo.toString(),
            "--end",
            "2025-01-03T12:00:00Z",
            "--dry-run");
    assertEquals(0, first.code(), first.err());
    assertTrue(
        first
            .out()
            .matches(
                "(?s).*customer_stats\\s+2024-12-27T12:00:00Z\\s+2025-01-03T12:00:00Z\\s+full\\s+3\\n.*"),
        first.out());
    assertTrue(
        first
            .out()
            .contains("customer_stats: full run: first job of the view in this online store"),
        first.out());
    assertTrue(first.out().contains("Dry run: nothing was written"), first.out());
    assertNull(stored("customer_stats"));
    assertEquals(java.util.Optional.empty(), watermark("customer_stats"));
    try (OnlineStore online = EmbeddedOnlineStore.open(repo.resolve(".fletch/online.db"))) {
      assertEquals(
          java.util.Optional.empty(),
          online.existingContentMarker("shop").join(),
          "not even the content marker was created");
    }
    Run jobs = run("jobs", "--repo", repo.toString());
    assertFalse(jobs.out().contains("customer_stats"), jobs.out());

    // After a real job: the dry run of the next one is incremental from the watermark, and counts
    // what that job then writes.
    Run real =
        run("materialize-incremental", "--repo", repo.toString(), "--end", "2025-01-03T12:00:00Z");
    assertEquals(0, real.code(), real.err());
    Run next =
        run(
            "materialize-incremental",
            "--repo",
            repo.toString(),
            "--end",
            "2025-01-05T12:00:00Z",
            "--dry-run");
    assertEquals(0, next.code(), next.err());
    assertTrue(
        next.out().matches("(?s).*customer_stats\\s+\\S+\\s+\\S+\\s+incremental\\s+2\\n.*"),
        next.out());
    assertTrue(
        next.out()
            .contains(
                "customer_stats: incremental from its watermark 2025-01-03T12:00:00Z, and rows"
                    + " created since 2025-01-03T12:00:00Z (late rows)"),
        next.out());
    Run done =
        run("materialize-incremental", "--repo", repo.toString(), "--end", "2025-01-05T12:00:00Z");
    assertTrue(
        done.out().matches("(?s).*customer_stats.*2025-01-05T12:00:00Z\\s+2\\s.*"), done.out());
    Run past =
        run(
            "materialize-incremental",
            "--repo",
            repo.toString(),
            "--end",
            "2025-01-04T00:00:00Z",
            "--dry-run");
    assertTrue(past.out().contains("nothing to do: its watermark"), past.out());

    Run full =
        run(
            "materialize",
            "--repo",
            repo.toString(),
            "--start",
            "2025-01-01",
            "--end",
            "2025-01-02",
            "--dry-run");
    assertEquals(0, full.code(), full.err());
    assertTrue(full.out().matches("(?s).*customer_stats.*\\s+full\\s+3\\n.*"), full.out());
    assertEquals(2, jobsOf("customer_stats"), "the dry runs recorded no job");
  }

  private int jobsOf(String view) {
    try (Registry registry = Registry.open("jdbc:sqlite:" + repo.resolve(".fletch/registry.db"))) {
      return registry.jobHistory().recent("shop", view, 100).size();
    }
  }

  /**
   * #24 item 10: a view renamed together with the service that uses it is one apply without
   * --allow-breaking; the old name's online data goes, the new name is announced as a full run.
   */
  @Test
  void renamingAViewWithItsServiceNeedsNoAllowBreaking() throws Exception {
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
    Path features = repo.resolve("features.yaml");
    String renamed =
        Files.readString(features)
            .replace("  - name: customer_stats\n", "  - name: customer_spend\n")
            .replace("\"customer_stats:*\"", "\"customer_spend:*\"");
    // the view alone, the service still naming the old view: refused, nothing applied
    Files.writeString(features, renamed.replace("\"customer_spend:*\"", "\"customer_stats:*\""));
    Run stale = run("apply", "--repo", repo.toString(), "--yes");
    assertEquals(1, stale.code(), stale.err());
    assertTrue(stale.err().contains("unknown feature view 'customer_stats'"), stale.err());

    Files.writeString(features, renamed);
    Run apply = run("apply", "--repo", repo.toString(), "--yes");
    assertEquals(0, apply.code(), apply.err());
    assertTrue(apply.out().contains("- feature_view customer_stats\n"), apply.out());
    assertTrue(apply.out().contains("+ feature_view customer_spend\n"), apply.out());
    assertFalse(apply.out().contains("BREAKING"), apply.out());
    assertTrue(apply.out().contains("customer_spend: it is new"), apply.out());
    assertTrue(
        apply.out().contains("Deleted 3 online entries of feature view 'customer_stats'"),
        apply.out());
  }

  /**
   * #24 item 10: fletch delete-project asks (here: refuses without a terminal unless --yes),
   * records a deleting version, drops the project from the listings and its online data; history
   * stays, jobs refuse a deleted project, a re-run says so, an apply re-creates it.
   */
  @Test
  void deletingAProjectKeepsItsHistoryAndRemovesItsOnlineData() throws Exception {
    String r = repo.toString();
    Run m =
        run("materialize", "--repo", r, "--start", "2025-01-01", "--end", "2025-01-03T12:00:00Z");
    assertEquals(0, m.code(), m.err());
    assertNotNull(stored("customer_stats"));

    Run unconfirmed = run("delete-project", "--repo", r, "shop");
    assertEquals(1, unconfirmed.code(), unconfirmed.err());
    assertTrue(unconfirmed.err().contains("give --yes"), unconfirmed.err());
    assertTrue(run("list", "--repo", r, "projects").out().contains("shop"));

    Run deleted = run("delete-project", "--repo", r, "shop", "--yes", "-m", "retired");
    assertEquals(0, deleted.code(), deleted.err());
    assertTrue(deleted.out().contains("Deleted project 'shop' (version 2)."), deleted.out());
    assertTrue(
        deleted.out().contains("Deleted 3 online entries of feature view 'customer_stats'"),
        deleted.out());
    assertNull(stored("customer_stats"));
    assertEquals(java.util.Optional.empty(), watermark("customer_stats"));
    assertFalse(run("list", "--repo", r, "projects").out().contains("shop"));
    Run history = run("history", "--repo", r, "--project", "shop");
    assertTrue(history.out().contains("project deleted (-4)"), history.out());
    assertTrue(
        run("describe", "--repo", r, "feature-view", "customer_stats", "--version", "1")
            .out()
            .contains("customer_stats"));
    Run refused = run("materialize-incremental", "--repo", r, "--end", "now");
    assertEquals(1, refused.code());
    assertTrue(refused.err().contains("project 'shop' was deleted at version 2"), refused.err());
    Run again = run("delete-project", "--repo", r, "shop", "--yes");
    assertEquals(0, again.code(), again.err());
    assertTrue(again.out().contains("was deleted at version 2"), again.out());

    Run recreated = run("apply", "--repo", r, "--yes");
    assertEquals(0, recreated.code(), recreated.err());
    assertTrue(recreated.out().contains("Applied version 3"), recreated.out());
    assertTrue(run("list", "--repo", r, "projects").out().contains("shop"));
  }

  @Test
  void applyThatTurnsAViewOfflineDeletesItsOnlineData() throws Exception {
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
    assertNotNull(stored("customer_stats"));
    assertTrue(watermark("customer_stats").isPresent());
    // the clean-up refuses a view that serving still reads
    Run refused =
        run("apply", "--repo", repo.toString(), "--yes", "--delete-online", "customer_stats");
    assertEquals(1, refused.code(), refused.err());
    assertTrue(
        refused.err().contains("'customer_stats' is online in applied version 1"), refused.err());
    assertNotNull(stored("customer_stats"));

    Path features = repo.resolve("features.yaml");
    Files.writeString(
        features,
        Files.readString(features).replace("    ttl: 7d", "    online: false\n    ttl: 7d"));
    Run apply = run("apply", "--repo", repo.toString(), "--yes", "--allow-breaking");
    assertEquals(0, apply.code(), apply.err());
    assertTrue(
        apply.out().contains("Deleted 3 online entries of feature view 'customer_stats'"),
        apply.out());
    assertNull(stored("customer_stats"));
    assertEquals(
        java.util.Optional.empty(),
        watermark("customer_stats"),
        "deleting a view's online data resets its watermark");
  }

  @Test
  void anUnreachableOnlineStoreLeavesTheApplyStandingWithACleanUpHint() throws Exception {
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
    // Point the online store at a port nobody listens on, then remove the view.
    Path settings = repo.resolve("fletch_settings.yaml");
    Files.writeString(settings, "online_store:\n  type: redis\n  url: redis://127.0.0.1:1\n");
    Path features = repo.resolve("features.yaml");
    Files.writeString(
        features,
        Files.readString(features).replace("    ttl: 7d", "    online: false\n    ttl: 7d"));
    Run apply = run("apply", "--repo", repo.toString(), "--yes", "--allow-breaking");
    assertEquals(0, apply.code(), apply.err());
    assertTrue(apply.out().contains("Applied"), apply.out());
    assertTrue(
        apply
            .err()
            .contains(
                "warning: the apply stands, but the online data of feature view 'customer_stats'"
                    + " was not deleted"),
        apply.err());
    assertTrue(
        apply.err().contains("run: fletch apply --delete-online customer_stats"), apply.err());

    // The clean-up once the store is back.
    Files.delete(settings);
    Run unknown = run("apply", "--repo", repo.toString(), "--yes", "--delete-online", "nope");
    assertEquals(1, unknown.code(), unknown.err());
    assertTrue(unknown.err().contains("'nope' not found"), unknown.err());
    Run cleanup =
        run("apply", "--repo", repo.toString(), "--yes", "--delete-online", "customer_stats");
    assertEquals(0, cleanup.code(), cleanup.err());
    assertTrue(
        cleanup.out().contains("Deleted 3 online entries of feature view 'customer_stats'"),
        cleanup.out());
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

    // One clock per job: the progress line, the summary table and fletch jobs say the same.
    java.util.regex.Matcher line =
        java.util.regex.Pattern.compile("customer_stats: done, 3 rows in (\\d+)ms")
            .matcher(m.err());
    assertTrue(line.find(), m.err());
    String progressSeconds =
        String.format(java.util.Locale.ROOT, "%.2f", Long.parseLong(line.group(1)) / 1000.0);
    java.util.regex.Matcher table =
        java.util.regex.Pattern.compile("customer_stats\\s+\\S+\\s+\\S+\\s+3\\s+(\\d+\\.\\d\\d)\\s")
            .matcher(m.out());
    assertTrue(table.find(), m.out());
    java.util.regex.Matcher job =
        java.util.regex.Pattern.compile(
                "customer_stats\\s+SUCCEEDED\\s+\\S+\\s+\\S+\\s+3\\s+(\\d+\\.\\d\\d)\\s")
            .matcher(jobs.out());
    assertTrue(job.find(), jobs.out());
    assertEquals(table.group(1), job.group(1), "table and fletch jobs");
    assertEquals(table.group(1), progressSeconds, "table and the progress line");
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
    // An end of "now" is printed as stored: microseconds, never nanoseconds.
    Run now = run("materialize-incremental", "--repo", repo.toString(), "--end", "now");
    assertEquals(0, now.code(), now.err());
    assertTrue(
        now.out().matches("(?s).*\\s\\d{4}-\\d{2}-\\d{2}T[0-9:]+(\\.\\d{1,6})?Z\\s+\\d+\\s.*"),
        now.out());
    assertFalse(now.out().matches("(?s).*\\.\\d{7,9}Z.*"), now.out());
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
