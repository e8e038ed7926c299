package dev.fletch.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fletch.cli.CliRun;
import dev.fletch.cli.ExitCodes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fletch get-online} on a repository made by {@code fletch init}, applied and materialized
 * (embedded stores): the values, statuses and event times serving would answer.
 */
class GetOnlineCommandTest {
  @TempDir Path tmp;
  Path repo;
  Instant fresh;

  @BeforeEach
  void materialize() throws IOException {
    repo = tmp.resolve("shop");
    assertOk(CliRun.run("init", repo.toString()));
    // customer 1001 gets a row from an hour ago (within the 7 d ttl); 1002 keeps only the
    // template's rows from 2025 (outside it).
    fresh = Instant.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS);
    Files.writeString(
        repo.resolve("data/customer_stats.csv"),
        "1001," + fresh + "," + fresh + ",5,150.0,true\n",
        StandardCharsets.UTF_8,
        StandardOpenOption.APPEND);
    assertOk(CliRun.run("apply", "--repo", repo.toString(), "--yes"));
    assertOk(
        CliRun.run(
            "materialize", "--repo", repo.toString(), "--start", "2000-01-01", "--end", "now"));
  }

  private static void assertOk(CliRun run) {
    assertEquals(ExitCodes.OK, run.exitCode(), run.err());
  }

  private CliRun getOnline(String... args) {
    String[] all = new String[args.length + 3];
    all[0] = "get-online";
    all[1] = "--repo";
    all[2] = repo.toString();
    System.arraycopy(args, 0, all, 3, args.length);
    return CliRun.run(all);
  }

  @Test
  void printsValueStatusAndEventTimePerEntityRow() {
    CliRun run = getOnline("-f", "customer_stats:*", "-e", "customer_id=1001,1002,424242");
    assertOk(run);
    String out = run.out();
    assertTrue(out.contains("project 'shop', registry version 1"), out);
    String[] rows = out.split("\\R\\R");
    // header, three entity rows, summary
    assertEquals(5, rows.length, out);
    assertTrue(rows[1].startsWith("entity row 0: customer_id=1001"), out);
    assertTrue(
        rows[1].matches(
            "(?s).*\\n  orders_7d +5 +PRESENT +" + fresh + " \\(1 h( \\d+ min)? ago\\)\\n.*"),
        rows[1]);
    assertTrue(rows[1].matches("(?s).*\\n  avg_order_value_7d +30\\.0 +PRESENT .*"), rows[1]);
    assertTrue(rows[1].matches("(?s).*\\n  is_vip +true +PRESENT .*"), rows[1]);
    // 1002's newest row is from 2025-01-04: returned, marked, with the ttl that it exceeds
    assertTrue(
        rows[2].matches(
            "(?s).*\\n  orders_7d +2 +OUTSIDE_MAX_AGE +2025-01-04T00:00:00Z \\(\\d+ d( \\d+ h)?"
                + " ago\\), older than ttl 7 d\\n.*"),
        rows[2]);
    assertTrue(rows[3].matches("(?s).*\\n  spend_7d +null +NOT_FOUND +-\\n.*"), rows[3]);
    assertEquals(
        "3 entity rows x 4 features: 4 PRESENT, 4 NOT_FOUND, 4 OUTSIDE_MAX_AGE", rows[4].strip());
  }

  @Test
  void jsonIsTheHttpAnswerOfTheService() {
    CliRun run =
        getOnline("-s", "churn_model_v1", "-e", "customer_id=1001", "--full-names", "--json");
    assertOk(run);
    JsonObject answer = new JsonObject(run.out());
    assertEquals(1, answer.getInteger("entity_rows"));
    assertEquals(
        new JsonArray()
            .add("customer_stats__orders_7d")
            .add("customer_stats__spend_7d")
            .add("customer_stats__avg_order_value_7d")
            .add("customer_stats__is_vip"),
        answer.getJsonArray("feature_names"));
    JsonObject spend = answer.getJsonArray("features").getJsonObject(1);
    assertEquals(150.0, spend.getJsonArray("values").getDouble(0));
    assertEquals("PRESENT", spend.getJsonArray("statuses").getString(0));
    assertEquals(fresh.toString(), spend.getJsonArray("event_times").getString(0));
  }

  @Test
  void badLookupsFailWithOneLineNamingTheProblem() {
    CliRun unknownFeature = getOnline("-f", "customer_stats:nope", "-e", "customer_id=1001");
    assertEquals(ExitCodes.FAILURE, unknownFeature.exitCode());
    assertEquals(
        "error: feature 'customer_stats:nope' not found (view 'customer_stats' has [orders_7d,"
            + " spend_7d, avg_order_value_7d, is_vip])",
        unknownFeature.errLines()[0]);

    CliRun unknownKey = getOnline("-s", "churn_model_v1", "-e", "cust=1");
    assertEquals(ExitCodes.USAGE, unknownKey.exitCode());
    assertEquals(
        "error: unknown join key 'cust' in -e cust=1: project 'shop' has join keys [customer_id]",
        unknownKey.errLines()[0]);

    CliRun notAnInteger = getOnline("-s", "churn_model_v1", "-e", "customer_id=1001,x1");
    assertEquals(ExitCodes.USAGE, notAnInteger.exitCode());
    assertEquals(
        "error: join key 'customer_id' is INT64: 'x1' is not an integer (in -e"
            + " customer_id=1001,x1)",
        notAnInteger.errLines()[0]);

    CliRun both =
        getOnline("-s", "churn_model_v1", "-f", "customer_stats:*", "-e", "customer_id=1");
    assertEquals(ExitCodes.USAGE, both.exitCode());
    assertTrue(both.errLines()[0].startsWith("error: --features"), both.err());
  }

  @Test
  void nothingAppliedSaysSo() throws IOException {
    Path other = tmp.resolve("other");
    assertOk(CliRun.run("init", other.toString()));
    CliRun run =
        CliRun.run(
            "get-online",
            "--repo",
            other.toString(),
            "-s",
            "churn_model_v1",
            "-e",
            "customer_id=1");
    assertEquals(ExitCodes.FAILURE, run.exitCode());
    assertEquals(
        "error: nothing applied for project 'other' yet: run fletch apply", run.err().strip());
  }
}
