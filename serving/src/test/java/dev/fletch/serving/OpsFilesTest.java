package dev.fletch.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboard and Prometheus alert rules shipped in ops/ hold together with what a server
 * exports and what docs/operations.md says: every metric they use exists in a live scrape, every
 * {@code fletch_} metric of the scrape is documented, every runbook link names a section of the
 * docs, and the files are well formed. Where promtool is installed (Debian's {@code prometheus}
 * package; .ci/run installs it) it also checks the rules, runs their unit tests
 * (fletch-alerts.test.yml), parses every dashboard query and lints the scrape.
 */
class OpsFilesTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Path RULES = ROOT.resolve("ops/prometheus/fletch-alerts.yml");
  private static final Path RULE_TESTS = ROOT.resolve("ops/prometheus/fletch-alerts.test.yml");
  private static final Path DASHBOARD = ROOT.resolve("ops/grafana/fletch.json");
  private static final Path OPERATIONS = ROOT.resolve("docs/operations.md");

  /** Metric names in a PromQL expression (label names never start with these prefixes). */
  private static final Pattern METRIC =
      Pattern.compile("\\b((?:fletch|jvm|process|system)_[a-z0-9_]+)\\b");

  /**
   * Metrics a server exports only with a feature this test's server does not run: streams ({@code
   * fletch serve --stream}, tested in StreamCommandIT).
   */
  private static final Set<String> ONLY_WITH_STREAMS = Set.of("fletch_stream_");

  private static FletchServer server;
  private static String scrape;

  @BeforeAll
  static void scrapeAServer() throws Exception {
    MemoryOnlineStore store = TestRepos.customerOne(Instant.now().minusSeconds(5));
    store.clusterOk = true; // a cluster's gauge too
    server =
        FletchServer.builder()
            .httpPort(0)
            .grpcPort(FletchServer.EPHEMERAL)
            .definitions(new TestRepos.MemoryDefinitions(TestRepos.repo()))
            .project("payments")
            .onlineStore(store)
            .jobHistory(new OperatorMetricsTest.Watermarks())
            .healthInterval(Duration.ofMillis(100))
            .start();
    try (dev.fletch.serving.client.FletchClient client =
        dev.fletch.serving.client.FletchClient.builder()
            .target("127.0.0.1", server.grpcPort())
            .deadline(Duration.ofSeconds(5))
            .build()) {
      client.getFeatures(List.of("customer_profile:age"), Map.of("customer_id", List.of(1L, 2L)));
    }
    server
        .metrics()
        .materialization()
        .jobSucceeded("merchant_stats", 10, Duration.ofSeconds(1), Instant.now());
    System.gc(); // the GC pause timers appear with the first collection
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    do {
      Thread.sleep(100);
      scrape = server.metrics().scrape();
    } while ((!scrape.contains("jvm_gc_pause_seconds_sum")
            || !scrape.contains("fletch_online_store_cluster_state"))
        && System.nanoTime() < until);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void theAlertRulesAreWellFormedAndUseOnlyMetricsThatExist() throws Exception {
    JsonNode rules = new ObjectMapper(new YAMLFactory()).readTree(RULES.toFile());
    Set<String> names = new HashSet<>();
    int count = 0;
    for (JsonNode group : rules.get("groups")) {
      assertTrue(group.get("name").asText().startsWith("fletch-"), group.toString());
      for (JsonNode rule : group.get("rules")) {
        count++;
        String alert = rule.get("alert").asText();
        assertTrue(alert.matches("Fletch[A-Za-z]+"), alert);
        assertTrue(names.add(alert), "two alerts named " + alert);
        String severity = rule.path("labels").path("severity").asText();
        assertTrue(Set.of("page", "ticket").contains(severity), alert + ": severity " + severity);
        for (String a : List.of("summary", "description", "runbook")) {
          assertFalse(rule.path("annotations").path(a).asText().isBlank(), alert + " needs " + a);
        }
        assertUsesExistingMetrics(alert, rule.get("expr").asText());
        String runbook = rule.path("annotations").path("runbook").asText();
        assertTrue(runbook.startsWith("docs/operations.md#"), alert + ": " + runbook);
        String anchor = runbook.substring(runbook.indexOf('#') + 1);
        assertTrue(
            anchors().contains(anchor),
            alert + ": docs/operations.md has no section #" + anchor + " " + anchors());
      }
    }
    assertTrue(count >= 10, "rules: " + count);
  }

  @Test
  void theDashboardIsWellFormedAndUsesOnlyMetricsThatExist() throws Exception {
    JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
    assertEquals("fletch-overview", dashboard.get("uid").asText());
    Set<Integer> ids = new HashSet<>();
    List<String> templateNames = new ArrayList<>();
    dashboard.get("templating").get("list").forEach(v -> templateNames.add(v.get("name").asText()));
    assertEquals(List.of("datasource", "job", "instance"), templateNames);
    int queries = 0;
    for (JsonNode panel : dashboard.get("panels")) {
      assertTrue(ids.add(panel.get("id").asInt()), "two panels with id " + panel.get("id"));
      JsonNode grid = panel.get("gridPos");
      assertTrue(
          grid.get("x").asInt() + grid.get("w").asInt() <= 24, panel.get("title") + " overflows");
      if (panel.get("type").asText().equals("row")) {
        continue;
      }
      assertEquals("${datasource}", panel.get("datasource").get("uid").asText());
      assertTrue(panel.get("targets").size() > 0, panel.get("title") + " has no query");
      for (JsonNode target : panel.get("targets")) {
        queries++;
        String expr = target.get("expr").asText();
        assertUsesExistingMetrics(panel.get("title").asText(), expr);
        if (expr.contains("fletch_") || expr.contains("jvm_") || expr.contains("process_")) {
          assertTrue(expr.contains("job=~\"$job\""), "filters by job: " + expr);
        }
      }
    }
    assertTrue(queries >= 25, "queries: " + queries);
  }

  @Test
  void everyExportedFletchMetricIsDocumented() throws IOException {
    String docs = Files.readString(OPERATIONS);
    Set<String> undocumented = new TreeSet<>();
    for (String family : families(scrape)) {
      if (family.startsWith("fletch_") && !docs.contains(family)) {
        undocumented.add(family);
      }
    }
    assertEquals(Set.of(), undocumented, "metrics missing from docs/operations.md");
  }

  @Test
  void promtoolChecksTheRulesRunsTheirTestsAndParsesEveryDashboardQuery() throws Exception {
    String promtool = promtool();
    org.junit.jupiter.api.Assumptions.assumeTrue(
        promtool != null, "promtool is not installed (apt-get install prometheus)");
    run(List.of(promtool, "check", "rules", RULES.toString()), null);
    run(
        List.of(promtool, "test", "rules", RULE_TESTS.getFileName().toString()),
        RULE_TESTS.getParent());
    // Each dashboard query, its Grafana variables filled in, as a recording rule: promtool parses
    // the PromQL.
    JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
    StringBuilder recorded = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
    int n = 0;
    for (JsonNode panel : dashboard.get("panels")) {
      for (JsonNode target : panel.path("targets")) {
        String expr =
            target
                .get("expr")
                .asText()
                .replace("$__rate_interval", "5m")
                .replace("$job", ".*")
                .replace("$instance", ".*");
        recorded
            .append("      - record: dashboard_query_")
            .append(n++)
            .append("\n        expr: ")
            .append(new ObjectMapper().writeValueAsString(expr))
            .append('\n');
      }
    }
    Path file = Files.createTempFile("fletch-dashboard-queries", ".yml");
    try {
      Files.writeString(file, recorded);
      run(List.of(promtool, "check", "rules", file.toString()), null);
    } finally {
      Files.deleteIfExists(file);
    }
    // The exposition's lint: Fletch's own metrics pass (Micrometer's binders have two names that
    // promtool dislikes: process_cpu_time_ns_total and system_cpu_count).
    Process lint =
        new ProcessBuilder(promtool, "check", "metrics").redirectErrorStream(true).start();
    lint.getOutputStream().write(scrape.getBytes(StandardCharsets.UTF_8));
    lint.getOutputStream().close();
    String out = new String(lint.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    lint.waitFor(30, TimeUnit.SECONDS);
    for (String line : out.split("\\R")) {
      assertFalse(line.contains("fletch_"), "promtool check metrics: " + line);
    }
  }

  private static void assertUsesExistingMetrics(String where, String expr) {
    Matcher m = METRIC.matcher(expr);
    while (m.find()) {
      String name = m.group(1);
      if (ONLY_WITH_STREAMS.stream().anyMatch(name::startsWith)) {
        continue;
      }
      assertTrue(
          Pattern.compile("(?m)^" + Pattern.quote(name) + "[{ ]").matcher(scrape).find(),
          where + " uses " + name + ", which the server does not export:\n" + expr);
    }
  }

  /** Metric family names of an exposition, without the _bucket/_count/_sum/_max of histograms. */
  private static Set<String> families(String text) {
    Set<String> out = new TreeSet<>();
    for (String line : text.split("\n")) {
      if (line.startsWith("# TYPE ")) {
        // A histogram's _max is a gauge family of its own.
        out.add(line.split(" ")[2].replaceFirst("_max$", ""));
      }
    }
    return out;
  }

  /** The anchors GitHub gives the headings of docs/operations.md. */
  private static Set<String> anchors() throws IOException {
    Set<String> out = new HashSet<>();
    for (String line : Files.readAllLines(OPERATIONS)) {
      if (line.startsWith("#")) {
        String title = line.replaceFirst("^#+\\s*", "").toLowerCase(Locale.ROOT);
        out.add(title.replaceAll("[^a-z0-9 _-]", "").replace(' ', '-'));
      }
    }
    return out;
  }

  private static String promtool() {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
      Path p = Path.of(dir, "promtool");
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    return null;
  }

  private static void run(List<String> cmd, Path dir) throws Exception {
    ProcessBuilder b = new ProcessBuilder(cmd).redirectErrorStream(true);
    if (dir != null) {
      b.directory(dir.toFile());
    }
    Process p = b.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), cmd + " did not finish");
    assertEquals(0, p.exitValue(), cmd + ":\n" + out);
  }
}
