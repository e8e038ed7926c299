package dev.fletch.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fletch.cli.CliRun;
import dev.fletch.cli.Fletch;
import dev.fletch.serving.FletchServer;
import dev.fletch.serving.OnlineResult;
import dev.fletch.serving.ValueStatus;
import dev.fletch.serving.client.FletchClient;
import dev.fletch.testkit.RedisServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Bringing your own data (#24), as a user meets it: a repository made by {@code fletch init}, its
 * data rewritten to recent times, the online store a real Redis, every step a CLI command, values
 * read back over gRPC and HTTP from {@code fletch serve}.
 */
class OwnDataRedisIT {
  static final int CUSTOMERS = 40;

  @TempDir Path tmp;
  Path repo;
  String project;
  Instant now;

  @BeforeEach
  void init() throws Exception {
    project = "own" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    repo = tmp.resolve(project);
    ok(CliRun.run("init", repo.toString(), "--project", project));
    Files.writeString(
        repo.resolve("fletch_settings.yaml"),
        "online_store: {type: redis, url: '" + RedisServer.shared().url() + "'}\n");
    now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
  }

  static CliRun ok(CliRun run) {
    assertEquals(0, run.exitCode(), "stdout: " + run.out() + "\nstderr: " + run.err());
    return run;
  }

  CliRun fletch(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add(1, "--repo");
    all.add(2, repo.toString());
    return CliRun.run(all.toArray(String[]::new));
  }

  /**
   * customer_stats rows: customer i has orders i, spend i * 10 (none for customer 7), at {@code
   * at}.
   */
  void writeStats(Instant at, List<String> extraRows) throws Exception {
    StringBuilder csv =
        new StringBuilder("customer_id,event_ts,created_ts,orders_7d,spend_7d,is_vip\n");
    for (int i = 0; i < CUSTOMERS; i++) {
      csv.append(1000 + i)
          .append(',')
          .append(at)
          .append(',')
          .append(at.plusSeconds(60))
          .append(',')
          .append(i)
          .append(',')
          .append(i == 7 ? "" : String.valueOf(i * 10.0))
          .append(',')
          .append(i % 2 == 0)
          .append('\n');
    }
    extraRows.forEach(r -> csv.append(r).append('\n'));
    Files.writeString(repo.resolve("data/customer_stats.csv"), csv.toString());
  }

  static List<Long> customers() {
    List<Long> ids = new ArrayList<>();
    for (int i = 0; i < CUSTOMERS; i++) {
      ids.add(1000L + i);
    }
    return ids;
  }

  /**
   * #24 item 3: a feature added to a materialized view. Before the next job, every stored entity
   * answers NOT_MATERIALIZED for it (not NULL_VALUE, which a stored null still gets), on gRPC, HTTP
   * and get-online; apply says the view's next job is a full one, and after it the feature is
   * served like the others.
   */
  @Test
  void anAddedFeatureIsNotMaterializedUntilTheFullRunThatApplyAnnounces() throws Exception {
    writeStats(now.minus(Duration.ofHours(2)), List.of());
    ok(fletch("apply", "--yes"));
    ok(fletch("materialize-incremental", "--end", "now"));

    Path features = repo.resolve("features.yaml");
    Files.writeString(
        features,
        Files.readString(features)
            .replace(
                "      - {name: is_vip, type: BOOL}\n",
                "      - {name: is_vip, type: BOOL}\n"
                    + "      - {name: orders_next, type: INT64, expression: \"orders_7d + 1\"}\n"));
    CliRun apply = ok(fletch("apply", "--yes"));
    assertTrue(
        apply.out().contains("runs these views in full")
            && apply.out().contains("customer_stats: features added: orders_next")
            && apply.out().contains("NOT_MATERIALIZED"),
        apply.out());

    int httpPort = FletchServer.freePort();
    int grpcPort = FletchServer.freePort();
    Served served =
        new Served()
            .start(
                "serve",
                "--repo",
                repo.toString(),
                "--http-port",
                String.valueOf(httpPort),
                "--grpc-port",
                String.valueOf(grpcPort),
                "--no-schedule");
    try (FletchClient client =
        FletchClient.builder()
            .target("127.0.0.1", grpcPort)
            .deadline(Duration.ofSeconds(5))
            .build()) {
      OnlineResult before =
          client.getFeatures(List.of("customer_stats:*"), Map.of("customer_id", customers()));
      for (int r = 0; r < CUSTOMERS; r++) {
        assertEquals(ValueStatus.NOT_MATERIALIZED, before.status("orders_next", r), "row " + r);
        assertEquals(null, before.value("orders_next", r));
        assertEquals(ValueStatus.PRESENT, before.status("orders_7d", r), "row " + r);
        // the entity's stored row is there: its event time comes with the status
        assertNotNull(before.eventTime("orders_next", r));
      }
      // a null the job did store is still a NULL_VALUE
      assertEquals(ValueStatus.NULL_VALUE, before.status("spend_7d", 7));

      String body =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + httpPort + "/api/v1/features/online"))
                      .POST(
                          HttpRequest.BodyPublishers.ofString(
                              "{\"features\":[\"customer_stats:orders_next\"],"
                                  + "\"entities\":{\"customer_id\":[1003]}}"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      assertTrue(body.contains("\"statuses\":[\"NOT_MATERIALIZED\"]"), body);
      CliRun looked =
          ok(fletch("get-online", "-f", "customer_stats:orders_next", "-e", "customer_id=1003"));
      assertTrue(looked.out().contains("NOT_MATERIALIZED"), looked.out());

      CliRun full = ok(fletch("materialize-incremental", "--end", "now"));
      assertTrue(full.out().contains("customer_stats: full run"), full.out());
      OnlineResult after =
          client.getFeatures(List.of("customer_stats:*"), Map.of("customer_id", customers()));
      for (int r = 0; r < CUSTOMERS; r++) {
        assertEquals(ValueStatus.PRESENT, after.status("orders_next", r), "row " + r);
        assertEquals((long) r + 1, after.value("orders_next", r));
      }
      assertEquals(ValueStatus.NULL_VALUE, after.status("spend_7d", 7));
    } finally {
      assertEquals(0, served.stop(), "stderr: " + served.errors());
    }
  }

  /** A `fletch serve` run on a thread of its own. */
  private static final class Served {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();
    final CommandLine cli =
        Fletch.commandLine(
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    final ServeCommand serve = cli.getSubcommands().get("serve").getCommand();
    final AtomicInteger exit = new AtomicInteger(-1);
    Thread running;

    Served start(String... args) throws InterruptedException {
      running = new Thread(() -> exit.set(cli.execute(args)));
      running.start();
      long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (serve.server() == null && running.isAlive() && System.nanoTime() < until) {
        Thread.sleep(20);
      }
      assertNotNull(serve.server(), "serve started; stderr: " + errors());
      return this;
    }

    int stop() throws InterruptedException {
      serve.requestStop();
      running.join(30_000);
      return exit.get();
    }

    String errors() {
      return err.toString(StandardCharsets.UTF_8);
    }
  }
}
