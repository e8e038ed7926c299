package dev.fletch.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fletch.cli.ExitCodes;
import dev.fletch.cli.Fletch;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * plan, apply, list, describe and history against a scaffolded repository and its SQLite registry.
 */
class RegistryCommandsTest {
  @TempDir Path tmp;
  private Path repo;
  private String registry;

  private record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
    PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
    CommandLine cli = Fletch.commandLine(o, e);
    // registered here too, so the test does not depend on the order of edits to Fletch's list
    for (Object c :
        List.of(
            new PlanCommand(),
            new ApplyCommand(),
            new ListCommand(),
            new DescribeCommand(),
            new HistoryCommand())) {
      String name = c.getClass().getAnnotation(CommandLine.Command.class).name();
      if (!cli.getSubcommands().containsKey(name)) {
        cli.addSubcommand(c);
      }
    }
    int code = cli.execute(args);
    return new Run(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private Run fletch(String... args) {
    String[] all = new String[args.length + 4];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--repo";
    all[args.length + 1] = repo.toString();
    all[args.length + 2] = "--registry";
    all[args.length + 3] = registry;
    return run(all);
  }

  @BeforeEach
  void scaffold() {
    repo = tmp.resolve("shop");
    registry = "jdbc:sqlite:" + tmp.resolve("state/registry.db");
    Run init = run("init", repo.toString(), "--project", "shop");
    assertEquals(ExitCodes.OK, init.code(), init.err());
  }

  private void retypeOrders() throws IOException {
    Path features = repo.resolve("features.yaml");
    String text = Files.readString(features);
    assertTrue(text.contains("{name: orders_7d, type: INT64}"));
    Files.writeString(
        features, text.replace("{name: orders_7d, type: INT64}", "{name: orders_7d, type: INT32}"));
  }

  @Test
  void planApplyAndPlanAgain() {
    Run plan = fletch("plan");
    assertEquals(ExitCodes.OK, plan.code(), plan.err());
    assertTrue(
        plan.out().contains("Plan for project 'shop' against an empty registry"), plan.out());
    assertTrue(plan.out().contains("+ entity customer"), plan.out());
    assertTrue(plan.out().contains("+ feature_view customer_stats"), plan.out());

    Run apply = fletch("apply", "--yes", "-m", "first");
    assertEquals(ExitCodes.OK, apply.code(), apply.err());
    assertTrue(apply.out().contains("Applied version 1 of project 'shop'."), apply.out());

    Run json = fletch("plan", "--json");
    assertEquals(ExitCodes.OK, json.code(), json.err());
    assertTrue(json.out().contains("\"baseVersion\" : 1"), json.out());
    assertTrue(json.out().contains("\"action\" : \"UNCHANGED\""), json.out());

    Run again = fletch("plan");
    assertTrue(again.out().startsWith("No changes"), again.out());
    Run noop = fletch("apply", "--yes");
    assertEquals(ExitCodes.OK, noop.code());
    assertTrue(noop.out().startsWith("No changes"), noop.out());
  }

  @Test
  void breakingChangeNeedsAllowBreaking() throws IOException {
    assertEquals(ExitCodes.OK, fletch("apply", "--yes").code());
    retypeOrders();

    Run plan = fletch("plan");
    assertTrue(plan.out().contains("features[orders_7d].type: INT64 -> INT32"), plan.out());
    assertTrue(plan.out().contains("changed type INT64 -> INT32"), plan.out());

    Run refused = fletch("apply", "--yes");
    assertEquals(ExitCodes.FAILURE, refused.code());
    assertTrue(
        refused.err().contains("breaking change") && refused.err().contains("--allow-breaking"),
        refused.err());

    Run history = fletch("history");
    assertEquals(1, history.out().lines().count() - 1, history.out());

    Run forced = fletch("apply", "--yes", "--allow-breaking");
    assertEquals(ExitCodes.OK, forced.code(), forced.err());
    assertTrue(forced.out().contains("Applied version 2"), forced.out());
  }

  @Test
  void listDescribeAndHistoryReadTheRegistry() throws IOException {
    Run empty = fletch("list", "projects");
    assertTrue(empty.out().contains("No projects"), empty.out());
    assertEquals(ExitCodes.OK, fletch("apply", "--yes", "-m", "first").code());
    retypeOrders();
    assertEquals(ExitCodes.OK, fletch("apply", "--yes", "--allow-breaking").code());

    Run projects = fletch("list", "projects");
    assertTrue(projects.out().lines().anyMatch(l -> l.matches("shop\\s+2")), projects.out());
    Run views = fletch("list", "feature-views");
    assertTrue(
        views
            .out()
            .lines()
            .anyMatch(
                l -> l.matches("customer_stats\\s+customer\\s+customer_stats\\s+7d\\s+true\\s+4")),
        views.out());
    Run entities = fletch("list", "entities");
    assertTrue(entities.out().contains("customer_id INT64"), entities.out());

    Run now = fletch("describe", "feature-view", "customer_stats");
    assertEquals(ExitCodes.OK, now.code(), now.err());
    assertTrue(
        now.out().startsWith("feature_view customer_stats\n  project: shop, version 2"), now.out());
    assertTrue(now.out().contains("  - orders_7d\n      type: INT32"), now.out());
    assertTrue(now.out().contains("\n  ttl: 7d\n"), now.out());
    Run old = fletch("describe", "feature-view", "customer_stats", "--version", "1", "--json");
    assertTrue(old.out().contains("\"type\" : \"INT64\""), old.out());

    Run history = fletch("history");
    List<String> lines = history.out().lines().toList();
    assertTrue(lines.get(0).startsWith("VERSION"), history.out());
    assertTrue(lines.get(1).startsWith("2 ") && lines.get(1).contains("+0 ~1 -0"), history.out());
    assertTrue(
        lines.get(2).startsWith("1 ")
            && lines.get(2).contains("+4 ~0 -0")
            && lines.get(2).endsWith("first"),
        history.out());

    Run object = fletch("history", "feature-view", "customer_stats");
    assertTrue(
        object.out().lines().anyMatch(l -> l.startsWith("2 ") && l.contains("CHANGED")),
        object.out());
    assertTrue(
        object.out().lines().anyMatch(l -> l.startsWith("1 ") && l.contains("ADDED")),
        object.out());
  }

  @Test
  void describeSpeaksTheWordsOfTheYaml() throws IOException {
    Path features = repo.resolve("features.yaml");
    Files.writeString(
        features,
        Files.readString(features)
            .replace(
                "feature_services:",
                """
                  - name: customer_counts
                    entities: [customer]
                    source: customer_stats
                    aggregations:
                      - {function: count, windows: [1h, 7d]}
                      - {column: orders_7d, type: INT64, function: count_distinct, windows: [1d]}
                feature_services:"""));
    assertEquals(ExitCodes.OK, fletch("apply", "--yes").code());
    Run source = fletch("describe", "source", "customer_stats");
    assertTrue(source.out().contains("\n  timestamp_field: event_ts\n"), source.out());
    assertTrue(source.out().contains("\n  created_timestamp_field: created_ts\n"), source.out());
    assertFalse(source.out().contains("timestampField"), source.out());
    Run view = fletch("describe", "feature-view", "customer_counts");
    String out = view.out();
    assertTrue(out.contains("  - count_7d\n      function: count\n      window: 7d\n"), out);
    assertTrue(
        out.contains(
            "  - orders_7d_count_distinct_1d\n      column: orders_7d\n      function:"
                + " count_distinct\n      type: INT64\n      window: 1d\n"),
        out);
    assertTrue(out.contains("\n  hop: 1h\n"), out);
    assertFalse(out.contains("PT") || out.contains("ttl"), out);
  }

  @Test
  void listFeaturesAndDescribeAServiceExpandTheWildcards() {
    assertEquals(ExitCodes.OK, fletch("apply", "--yes").code());
    Run features = fletch("list", "features");
    assertEquals(ExitCodes.OK, features.code(), features.err());
    assertTrue(
        features
            .out()
            .lines()
            .anyMatch(
                l ->
                    l.matches(
                        "customer_stats:avg_order_value_7d\\s+DOUBLE\\s+7d\\s+true\\s+Mean order"
                            + " value over the last week.")),
        features.out());
    assertEquals(5, features.out().lines().count(), features.out());
    Run service = fletch("describe", "feature-service", "churn_model_v1");
    assertTrue(service.out().contains("  features: [customer_stats:*]"), service.out());
    assertTrue(service.out().contains("  resolved features (4):"), service.out());
    assertTrue(service.out().contains("    - customer_stats:is_vip  BOOL  ttl 7d"), service.out());
    Run json = fletch("describe", "feature-service", "churn_model_v1", "--json");
    assertTrue(
        json.out().contains("\"feature\" : \"customer_stats:orders_7d\"")
            && json.out().contains("\"type\" : \"INT64\""),
        json.out());
  }

  @Test
  void unknownObjectsAndKindsFailClearly() {
    assertEquals(ExitCodes.OK, fletch("apply", "--yes").code());
    Run missing = fletch("describe", "entity", "ghost");
    assertEquals(ExitCodes.FAILURE, missing.code());
    assertTrue(missing.err().contains("entity 'ghost' not found"), missing.err());
    Run kind = fletch("list", "widgets");
    assertEquals(ExitCodes.FAILURE, kind.code());
    assertTrue(kind.err().contains("unknown kind 'widgets'"), kind.err());
    assertTrue(kind.err().contains("features or projects"), kind.err());
    Run half = fletch("history", "entity");
    assertEquals(ExitCodes.FAILURE, half.code());
  }
}
