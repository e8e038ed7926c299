package dev.fletch.registry.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fletch.core.DefinitionJson;
import dev.fletch.core.UnavailableException;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.registry.HttpFixtures;
import dev.fletch.registry.Registry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry API over real HTTP, on a free port, against a SQLite registry. */
class RegistryHttpTest {
  @TempDir Path dir;
  private Vertx vertx;
  private Registry registry;
  private HttpServer server;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    registry = Registry.open("jdbc:sqlite:" + dir.resolve("registry.db"));
    server =
        RegistryHttpServer.start(vertx, registry, "127.0.0.1", 0)
            .toCompletionStage()
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    registry.close();
  }

  private record Reply(int status, JsonNode json) {}

  private Reply get(String path) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    return new Reply(r.statusCode(), DefinitionJson.mapper().readTree(r.body()));
  }

  private Reply post(String path, String body) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(uri(path))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return new Reply(r.statusCode(), DefinitionJson.mapper().readTree(r.body()));
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.actualPort() + path);
  }

  /** The repository as the API writes it (snake_case), with the apply's controls. */
  private static String applyBody(FeatureRepo repo, long expected, boolean allowBreaking) {
    ObjectNode body = ApiJson.mapper().valueToTree(repo);
    body.put("expected_version", expected);
    body.put("allow_breaking", allowBreaking);
    body.put("applied_by", "tester");
    return body.toString();
  }

  /**
   * What the YAML validator forbids cannot be stored over HTTP either: each apply is refused with
   * 400 naming the problem, and nothing is stored.
   */
  @Test
  void applyRunsTheSameChecksAsValidate() throws Exception {
    FeatureRepo repo = HttpFixtures.payments("payments");
    String attack =
        "1) AS BIGINT) AS x FROM t; COPY (SELECT 'pwned') TO '/tmp/pwned.txt' (FORMAT csv);"
            + " SELECT 1 --";
    java.util.List<java.util.function.Consumer<ObjectNode>> edits =
        java.util.List.of(
            b -> ((ObjectNode) b.at("/featureViews/0/features/0")).put("expression", attack),
            b ->
                ((ObjectNode) b.at("/featureViews/0/features/0"))
                    .put("expression", "read_csv('/etc/passwd')"),
            b -> ((ObjectNode) b.at("/featureViews/0")).put("name", "x\"; DROP TABLE v; --"),
            b -> ((ObjectNode) b.at("/featureViews/0")).put("ttl", "PT-1H"),
            b -> ((ObjectNode) b.at("/featureViews/0")).put("ttl", "PT999999999H"),
            b -> ((ObjectNode) b.at("/featureViews/0/features/0")).put("name", "a\nb"),
            b -> ((ObjectNode) b.at("/entities/0")).put("name", "../../etc"),
            b -> ((ObjectNode) b.at("/sources/0")).put("path", "data/x\u0000.parquet"));
    java.util.List<String> expected =
        java.util.List.of(
            "unexpected ')'",
            "uses read_csv(), which is not allowed",
            "is not a valid name",
            "ttl: is negative",
            "ttl: is longer than the longest allowed",
            "is not a valid name",
            "is not a valid name",
            "path: has a control character");
    for (int i = 0; i < edits.size(); i++) {
      ObjectNode body = DefinitionJson.mapper().valueToTree(repo);
      edits.get(i).accept(body);
      body.put("expected_version", 0);
      Reply r = post("/api/v1/projects/payments/apply", body.toString());
      assertEquals(400, r.status(), r.json().toString());
      assertTrue(r.json().toString().contains(expected.get(i)), i + ": " + r.json());
    }
    assertEquals(0, registry.currentVersion("payments"), "nothing was stored");
  }

  @Test
  void expressionsAreStoredInCanonicalForm() throws Exception {
    ObjectNode body = DefinitionJson.mapper().valueToTree(HttpFixtures.payments("payments"));
    ((ObjectNode) body.at("/featureViews/0/features/0")).put("expression", "(age)+1");
    body.put("expected_version", 0);
    assertEquals(200, post("/api/v1/projects/payments/apply", body.toString()).status());
    Reply stored = get("/api/v1/projects/payments/feature-views");
    assertTrue(
        stored.json().toString().contains("\"expression\":\"age + 1\""), stored.json().toString());
  }

  @Test
  void healthAnswersOnBothPaths() throws Exception {
    assertEquals("UP", get("/health").json().get("status").asText());
    Reply r = get("/api/v1/health");
    assertEquals(200, r.status());
  }

  @Test
  void planApplyAndReadBack() throws Exception {
    FeatureRepo repo = HttpFixtures.payments("payments");
    Reply plan = post("/api/v1/projects/payments/plan", ApiJson.mapper().writeValueAsString(repo));
    assertEquals(200, plan.status(), plan.json().toString());
    assertEquals(0, plan.json().at("/plan/base_version").asLong());
    assertTrue(plan.json().get("text").asText().contains("+ entity customer"));

    Reply applied = post("/api/v1/projects/payments/apply", applyBody(repo, 0, false));
    assertEquals(200, applied.status(), applied.json().toString());
    assertEquals(1, applied.json().at("/result/version").asLong());
    assertTrue(applied.json().at("/result/applied").asBoolean());

    assertEquals("payments", get("/api/v1/projects").json().at("/projects/0/name").asText());
    Reply project = get("/api/v1/projects/payments");
    assertEquals(1, project.json().at("/version/version").asLong());
    assertEquals("tester", project.json().at("/version/applied_by").asText());
    assertEquals(1, project.json().at("/counts/feature_views").asInt());

    Reply views = get("/api/v1/projects/payments/feature-views");
    assertEquals("customer_profile", views.json().at("/feature_views/0/name").asText());
    assertEquals(
        "transactions", views.json().at("/feature_views/0/definition/source").asText(), "");
    Reply entity = get("/api/v1/projects/payments/entities/customer");
    assertEquals(200, entity.status());
    assertEquals("INT64", entity.json().at("/definition/join_keys/0/type").asText());
    assertEquals(64, entity.json().get("content_hash").asText().length());
    assertEquals(
        1,
        get("/api/v1/projects/payments/sources/transactions?version=1")
            .json()
            .get("version")
            .asLong());
    assertEquals(
        1, get("/api/v1/projects/payments/feature-services").json().get("feature_services").size());

    assertEquals(1, get("/api/v1/projects/payments/versions").json().get("versions").size());
    assertEquals(
        "payments",
        get("/api/v1/projects/payments/versions/1").json().at("/definitions/project").asText());
    Reply history = get("/api/v1/projects/payments/history/feature-views/customer_profile");
    assertEquals(
        "ADDED", history.json().at("/history/0/action").asText(), history.json().toString());
  }

  @Test
  void errorsAreJsonWithPreciseStatuses() throws Exception {
    FeatureRepo repo = HttpFixtures.payments("payments");
    Reply missing = get("/api/v1/projects/nobody");
    assertEquals(404, missing.status());
    assertEquals("NOT_FOUND", missing.json().at("/error/code").asText());
    assertTrue(missing.json().at("/error/message").asText().contains("project 'nobody' not found"));
    assertTrue(missing.json().at("/error/problems").isArray());

    assertEquals(200, post("/api/v1/projects/payments/apply", applyBody(repo, 0, false)).status());
    assertEquals(404, get("/api/v1/projects/payments/entities/ghost").status());
    assertEquals(404, get("/api/v1/projects/payments/versions/7").status());
    assertEquals(404, get("/api/v1/projects/payments/history/widgets/x").status());
    Reply nowhere = get("/api/v1/no/such/thing");
    assertEquals(404, nowhere.status());
    assertEquals("NOT_FOUND", nowhere.json().at("/error/code").asText());
    assertEquals(400, get("/api/v1/projects/payments/entities?version=abc").status());

    Reply badJson = post("/api/v1/projects/payments/plan", "{not json");
    assertEquals(400, badJson.status());
    assertEquals("INVALID_ARGUMENT", badJson.json().at("/error/code").asText());
    assertTrue(badJson.json().at("/error/message").asText().contains("not valid JSON"));

    Reply noExpected = post("/api/v1/projects/payments/apply", DefinitionJson.write(repo));
    assertEquals(400, noExpected.status());
    assertTrue(noExpected.json().at("/error/message").asText().contains("expected_version"));

    Reply otherProject = post("/api/v1/projects/other/plan", DefinitionJson.write(repo));
    assertEquals(400, otherProject.status());

    ObjectNode dangling = ApiJson.mapper().valueToTree(repo);
    ((ObjectNode) dangling.at("/feature_views/0")).put("source", "nowhere");
    dangling.put("expected_version", 1);
    Reply invalid = post("/api/v1/projects/payments/apply", dangling.toString());
    assertEquals(400, invalid.status());
    JsonNode problem = invalid.json().at("/error/problems/0");
    assertTrue(
        problem.get("message").asText().contains("unknown source 'nowhere'"), problem.toString());
    assertTrue(problem.has("file") && problem.has("line") && problem.has("column"));

    Reply stale =
        post("/api/v1/projects/payments/apply", applyBody(HttpFixtures.longerTtl(repo), 0, false));
    assertEquals(409, stale.status());
    assertEquals("FAILED_PRECONDITION", stale.json().at("/error/code").asText());
    assertEquals(
        "planned against version 0 but the registry is at 1; re-run plan",
        stale.json().at("/error/message").asText());

    FeatureRepo breaking = HttpFixtures.retypedAmount(repo);
    Reply refused = post("/api/v1/projects/payments/apply", applyBody(breaking, 1, false));
    assertEquals(409, refused.status());
    assertEquals(1, refused.json().at("/error/breaking").size());
    assertEquals(1, refused.json().at("/error/plan/base_version").asLong());
    Reply allowed = post("/api/v1/projects/payments/apply", applyBody(breaking, 1, true));
    assertEquals(200, allowed.status());
    assertEquals(2, allowed.json().at("/result/version").asLong());
  }

  @Test
  void jobsAreListedWithTheWatermark() throws Exception {
    var jobs = registry.jobHistory();
    Instant end = Instant.parse("2026-03-01T00:00:00Z");
    long id = jobs.start("payments", "customer_profile", null, end);
    jobs.succeed(id, 42);
    jobs.fail(jobs.start("payments", "other", null, end), 0, "boom");

    Reply all = get("/api/v1/projects/payments/jobs");
    assertEquals(2, all.json().get("jobs").size());
    Reply one = get("/api/v1/projects/payments/jobs?view=customer_profile&limit=5");
    assertEquals(1, one.json().get("jobs").size());
    assertEquals(42, one.json().at("/jobs/0/rows").asLong());
    assertEquals("SUCCEEDED", one.json().at("/jobs/0/status").asText());
    assertEquals("2026-03-01T00:00:00Z", one.json().get("watermark").asText());
    assertEquals(400, get("/api/v1/projects/payments/jobs?limit=0").status());
  }

  /**
   * Bodies written for the camelCase names of earlier versions ({@code featureViews}, {@code
   * joinKeys}, {@code expectedVersion}) still plan and apply; tag and column names are data and
   * keep their spelling.
   */
  @Test
  void camelCaseBodiesOfEarlierVersionsAreStillRead() throws Exception {
    ObjectNode body = DefinitionJson.mapper().valueToTree(HttpFixtures.payments("payments"));
    ((ObjectNode) body.at("/featureViews/0")).putObject("tags").put("ownerTeam", "risk");
    assertTrue(body.has("featureViews") && body.at("/entities/0").has("joinKeys"), "camelCase");
    body.put("expectedVersion", 0);
    body.put("appliedBy", "old-client");
    Reply plan = post("/api/v1/projects/payments/plan", body.toString());
    assertEquals(200, plan.status(), plan.json().toString());
    assertTrue(plan.json().get("text").asText().contains("+ feature_view customer_profile"));
    Reply applied = post("/api/v1/projects/payments/apply", body.toString());
    assertEquals(200, applied.status(), applied.json().toString());
    assertEquals(
        "old-client", get("/api/v1/projects/payments").json().at("/version/applied_by").asText());
    Reply view = get("/api/v1/projects/payments/feature-views/customer_profile");
    assertEquals("risk", view.json().at("/definition/tags/ownerTeam").asText());
    assertEquals(
        "customer", view.json().at("/definition/entities/0").asText(), view.json().toString());
  }

  @Test
  void statisticsOfJobsAndDatasetsAreRead() throws Exception {
    var jobs = registry.jobHistory();
    Instant end = Instant.parse("2026-03-01T00:00:00Z");
    long id = jobs.start("payments", "customer_profile", null, end);
    jobs.succeed(id, 100);
    jobs.recordStats(id, dev.fletch.registry.HttpFixtures.sampleStats(100, 40.5));
    assertEquals(404, get("/api/v1/projects/payments/feature-views/other/stats").status());

    Reply view = get("/api/v1/projects/payments/feature-views/customer_profile/stats");
    assertEquals(200, view.status());
    assertEquals(id, view.json().at("/job/id").asLong());
    assertEquals(100, view.json().at("/stats/rows").asLong());
    assertEquals("amount", view.json().at("/stats/columns/0/name").asText());
    assertEquals(40.5, view.json().at("/stats/columns/0/mean").asDouble());
    assertEquals(0.02, view.json().at("/stats/columns/0/null_fraction").asDouble(), 1e-12);
    assertEquals(3, view.json().at("/stats/columns/0/histogram/edges").size());
    assertEquals("card", view.json().at("/stats/columns/1/top/0/value").asText());
    Reply job = get("/api/v1/projects/payments/jobs/" + id + "/stats");
    assertEquals(view.json().get("stats"), job.json().get("stats"));
    assertEquals(404, get("/api/v1/projects/other/jobs/" + id + "/stats").status());
    assertEquals(404, get("/api/v1/projects/payments/jobs/98765/stats").status());
    assertEquals(400, get("/api/v1/projects/payments/jobs/x/stats").status());

    long ds =
        registry
            .datasets()
            .record(
                new dev.fletch.core.stats.Dataset(
                    0,
                    "payments",
                    "/data/train.parquet",
                    dev.fletch.core.stats.Dataset.TRAINING_SET,
                    100,
                    1234,
                    end,
                    end,
                    1,
                    java.util.Map.of("amount", "customer_profile:amount"),
                    dev.fletch.registry.HttpFixtures.sampleStats(100, 7)));
    Reply list = get("/api/v1/projects/payments/datasets");
    assertEquals(1, list.json().get("datasets").size());
    assertEquals("/data/train.parquet", list.json().at("/datasets/0/path").asText());
    assertEquals(
        1234, list.json().at("/datasets/0/size_bytes").asLong(), "snake_case as every route");
    assertTrue(list.json().at("/datasets/0/stats").isMissingNode(), "listed without statistics");
    Reply one = get("/api/v1/projects/payments/datasets/" + ds);
    assertEquals(7.0, one.json().at("/stats/columns/0/mean").asDouble());
    assertEquals("customer_profile:amount", one.json().at("/features/amount").asText());
    assertEquals(404, get("/api/v1/projects/payments/datasets/" + (ds + 1)).status());
    assertEquals(400, get("/api/v1/projects/payments/datasets?limit=0").status());
  }

  @Test
  void failuresMapToStatuses() {
    assertEquals(503, RegistryRoutes.statusOf(new UnavailableException("down", null)));
    assertEquals(409, RegistryRoutes.statusOf(new dev.fletch.core.ConflictException("x")));
    assertEquals(500, RegistryRoutes.statusOf(new IllegalStateException("bug")));
  }
}
