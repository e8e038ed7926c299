package dev.fletch.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fletch.cli.CliRun;
import dev.fletch.serving.FletchServer;
import dev.fletch.serving.OnlineResult;
import dev.fletch.serving.ValueStatus;
import dev.fletch.serving.client.FletchClient;
import dev.fletch.testkit.RedisServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
    ServedFletch served =
        new ServedFletch()
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

  /** What get-online (serving's lookup) answers for orders_7d of every customer, by customer. */
  Map<Long, Object> served(String feature) throws Exception {
    String ids = String.join(",", customers().stream().map(String::valueOf).toList());
    CliRun run =
        ok(
            fletch(
                "get-online",
                "-f",
                "customer_stats:" + feature,
                "-e",
                "customer_id=" + ids,
                "--json"));
    JsonNode answer = new ObjectMapper().readTree(run.out());
    JsonNode values = answer.get("features").get(0).get("values");
    Map<Long, Object> out = new TreeMap<>();
    for (int i = 0; i < CUSTOMERS; i++) {
      out.put(1000L + i, values.get(i).isNull() ? null : values.get(i).asText());
    }
    return out;
  }

  /** What historical retrieval gives for the same customers at {@code at}. */
  Map<Long, Object> historical(String feature, Instant at) throws Exception {
    StringBuilder entities = new StringBuilder("customer_id,event_timestamp\n");
    customers().forEach(id -> entities.append(id).append(',').append(at).append('\n'));
    Path in = tmp.resolve("entities.csv");
    Path out = tmp.resolve("training.csv");
    Files.writeString(in, entities.toString());
    ok(
        fletch(
            "historical",
            "--entities",
            in.toString(),
            "--features",
            "customer_stats:" + feature,
            "--out",
            out.toString()));
    Map<Long, Object> values = new TreeMap<>();
    List<String> lines = Files.readAllLines(out);
    for (String line : lines.subList(1, lines.size())) {
      String[] cells = line.split(",", -1);
      values.put(Long.parseLong(cells[0]), cells[2].isEmpty() ? null : cells[2]);
    }
    return values;
  }

  /**
   * #24 item 2, a source with created_timestamp_field: a correction whose event time is before the
   * last job's end but that was created after it reaches the online store at the next incremental
   * job (served equals historical at now); a late row older than what is stored does not replace it
   * (never-older).
   */
  @Test
  void aLateCorrectionReachesTheOnlineStoreThroughItsCreatedTime() throws Exception {
    Instant day = now.minus(Duration.ofHours(3));
    writeStats(day, List.of());
    ok(fletch("apply", "--yes"));
    Instant bookmark = now.minus(Duration.ofHours(1));
    ok(fletch("materialize-incremental", "--end", bookmark.toString()));
    assertEquals("5", served("orders_7d").get(1005L));

    // After the job: customer 1005's row of `day` is corrected (same event time, created later),
    // customer 1006 gets a row between `day` and the bookmark, customer 1008 one older than its
    // stored row; all three were created after the bookmark.
    Instant late = bookmark.plus(Duration.ofMinutes(30));
    writeStats(
        day,
        List.of(
            "1005," + day + "," + late + ",999,1.5,true",
            "1006," + day.plus(Duration.ofMinutes(90)) + "," + late + ",66,6.5,true",
            "1008," + day.minus(Duration.ofHours(1)) + "," + late + ",88,8.5,true"));
    // A dry run says what the job will read and write (#24 item 10), and writes nothing: the
    // three late rows (1008's is then refused by the never-older rule).
    CliRun dry = ok(fletch("materialize-incremental", "--end", "now", "--dry-run"));
    assertTrue(dry.out().contains("rows created since " + bookmark + " (late rows)"), dry.out());
    assertTrue(
        dry.out().matches("(?s).*customer_stats\\s+\\S+\\s+\\S+\\s+incremental\\s+3\\n.*"),
        dry.out());
    assertEquals("5", served("orders_7d").get(1005L), "a dry run writes nothing");
    CliRun next = ok(fletch("materialize-incremental", "--end", "now"));
    assertTrue(next.out().matches("(?s).*customer_stats\\s+\\S+\\s+\\S+\\s+3\\s.*"), next.out());

    Map<Long, Object> online = served("orders_7d");
    assertEquals("999", online.get(1005L), "the correction won");
    assertEquals("66", online.get(1006L), "the late row, newer than the stored one");
    assertEquals("8", online.get(1008L), "an older late row does not replace a newer one");
    assertEquals(historical("orders_7d", Instant.now()), online);
  }

  /**
   * #24 item 2, a source without created times: an incremental job re-reads the view's lateness
   * (default 1h) before its watermark, so a row landing late within that window is served; one
   * later than that is not (the documented limit), until a full materialize.
   */
  @Test
  void withoutCreatedTimesTheLatenessWindowIsReRead() throws Exception {
    Path entities = repo.resolve("entities.yaml");
    Files.writeString(
        entities,
        Files.readString(entities).replace("    created_timestamp_field: created_ts\n", ""));
    Instant day = now.minus(Duration.ofHours(5));
    writeStats(day, List.of());
    ok(fletch("apply", "--yes"));
    Instant bookmark = now.minus(Duration.ofHours(1));
    ok(fletch("materialize-incremental", "--end", bookmark.toString()));

    writeStats(
        day,
        List.of(
            // 30 minutes before the bookmark: inside the default lateness of 1h
            "1005," + bookmark.minus(Duration.ofMinutes(30)) + ",,555,1.5,true",
            // 2 hours before it: outside
            "1006," + bookmark.minus(Duration.ofHours(2)) + ",,666,1.5,true"));
    CliRun next = ok(fletch("materialize-incremental", "--end", "now"));
    // the job's range starts one lateness before the bookmark
    assertTrue(next.out().contains(bookmark.minus(Duration.ofHours(1)).toString()), next.out());
    Map<Long, Object> online = served("orders_7d");
    assertEquals("555", online.get(1005L));
    assertEquals("6", online.get(1006L), "later than the lateness: not re-read");

    // a view that sets a longer lateness catches it at its next job
    Path features = repo.resolve("features.yaml");
    Files.writeString(
        features,
        Files.readString(features).replace("    ttl: 7d", "    ttl: 7d\n    lateness: 4h"));
    ok(fletch("apply", "--yes"));
    ok(fletch("materialize-incremental", "--end", "now"));
    online = served("orders_7d");
    assertEquals("666", online.get(1006L));
    assertEquals(historical("orders_7d", Instant.now()), online);
  }
}
