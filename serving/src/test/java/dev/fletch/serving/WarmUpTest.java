package dev.fletch.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fletch.core.InvalidRequestException;
import dev.fletch.proto.serving.v1.GetFeaturesRequest;
import dev.fletch.serving.client.FletchClient;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The built-in warm-up: health waits for it, it calls every served shape, metrics ignore it. */
class WarmUpTest {
  private final HttpClient http = HttpClient.newHttpClient();
  private MemoryOnlineStore store;
  private TestRepos.MemoryDefinitions definitions;

  @BeforeEach
  void data() {
    store = TestRepos.customerOne(Instant.now().minusSeconds(60));
    definitions = new TestRepos.MemoryDefinitions(TestRepos.repo());
  }

  private FletchServer.Builder server(String project, Duration warmUp) {
    return FletchServer.builder()
        .host("127.0.0.1")
        .httpPort(FletchServer.EPHEMERAL)
        .grpcPort(FletchServer.EPHEMERAL)
        .definitions(definitions)
        .project(project)
        .onlineStore(store)
        .maxEntityRows(5)
        .healthInterval(Duration.ofMillis(50))
        .warmUp(warmUp);
  }

  @Test
  void healthWaitsForTheWarmUpWhichCallsEveryShapeAndStaysOutOfTheMetrics() throws Exception {
    try (FletchServer s = server("payments", Duration.ofMillis(1500)).start();
        FletchClient client =
            FletchClient.builder()
                .target("127.0.0.1", s.grpcPort())
                .deadline(Duration.ofSeconds(5))
                .build()) {
      String url = "http://127.0.0.1:" + s.httpPort() + "/api/v1/serving/health";
      HttpResponse<String> warming = get(url);
      assertEquals(503, warming.statusCode(), warming.body());
      assertTrue(
          new JsonObject(warming.body()).getString("reason").startsWith("warming up"),
          warming.body());
      // A caller that does not wait for health is answered (and counted) all the same.
      assertEquals(
          31,
          client
              .getFeatures(List.of("customer_profile:age"), Map.of("customer_id", List.of(1L)))
              .value("age", 0));

      WarmUp.Result result = s.warmedUp().get(10, TimeUnit.SECONDS);
      assertNull(result.skipped(), String.valueOf(result));
      assertTrue(result.calls() > 20, "warm-up calls: " + result);
      assertEquals(0, result.errors(), "every warm-up request is a valid request: " + result);
      assertTrue(result.millis() >= 1400, "ran for its budget: " + result);

      awaitReady(url);
      assertEquals(1.0, TestRepos.okGetFeatures(s), "only the caller's call is in the metrics");
      assertEquals(
          1.0,
          s.metrics().registry().get("fletch.serving.entity.rows").counter().count(),
          "warm-up rows are not counted as served");
      assertEquals(
          0.0,
          s
              .metrics()
              .registry()
              .find("fletch.serving.view.rows")
              .tag("status", "NOT_FOUND")
              .counters()
              .stream()
              .mapToDouble(Counter::count)
              .sum(),
          "the warm-up's made-up keys are not counted as missing rows");
      assertEquals(
          1,
          s.metrics()
              .registry()
              .get("fletch.online.store.request")
              .tag("operation", "read")
              .timer()
              .count(),
          "the warm-up's reads are not counted as store traffic");
    }
  }

  @Test
  void theWarmUpWaitsForDefinitionsAndHealthSaysWhatItWaitsFor() throws Exception {
    definitions = new TestRepos.MemoryDefinitions(null);
    try (FletchServer s = server("payments", Duration.ofMillis(300)).start()) {
      String url = "http://127.0.0.1:" + s.httpPort() + "/api/v1/serving/health";
      HttpResponse<String> none = get(url);
      assertEquals(503, none.statusCode());
      assertTrue(none.body().contains("no definitions applied"), none.body());
      Thread.sleep(600);
      assertFalse(s.warmedUp().isDone(), "still waiting for definitions after its budget");

      definitions.apply(TestRepos.repo());
      s.definitions().refreshNow();
      WarmUp.Result result = s.warmedUp().get(10, TimeUnit.SECONDS);
      assertNull(result.skipped(), String.valueOf(result));
      assertTrue(result.calls() > 0 && result.errors() == 0, String.valueOf(result));
      awaitReady(url);
    }
  }

  @Test
  void withoutAWarmUpHealthIsServingAtOnce() throws Exception {
    try (FletchServer s = server("payments", Duration.ZERO).start()) {
      assertEquals("no warm-up", s.warmedUp().get(1, TimeUnit.SECONDS).skipped());
      assertEquals(
          200, get("http://127.0.0.1:" + s.httpPort() + "/api/v1/serving/health").statusCode());
    }
  }

  @Test
  void shapesCoverEveryOnlineViewAndServiceWithOneAndManyRows() {
    List<GetFeaturesRequest> shapes =
        new WarmUp(Duration.ofSeconds(1), () -> null, 5).shapes(TestRepos.repo());
    Set<String> described =
        shapes.stream()
            .map(
                r ->
                    (r.getFeatureService().isEmpty()
                            ? String.join(",", r.getFeaturesList())
                            : "service " + r.getFeatureService())
                        + " "
                        + r.getEntitiesMap().keySet().stream().sorted().toList()
                        + " x"
                        + r.getEntitiesMap().values().iterator().next().getValuesCount())
            .collect(Collectors.toSet());
    assertEquals(
        Set.of(
            "customer_profile:* [customer_id] x1",
            "customer_profile:* [customer_id] x5",
            "merchant_stats:* [merchant_id] x1",
            "merchant_stats:* [merchant_id] x5",
            "service fraud_v1 [customer_id, merchant_id] x1",
            "service fraud_v1 [customer_id, merchant_id] x5"),
        described);
  }

  @Test
  void aNegativeWarmUpIsRejected() {
    InvalidRequestException e =
        assertThrows(
            InvalidRequestException.class,
            () -> server("payments", Duration.ofSeconds(-1)).build());
    assertTrue(e.getMessage().contains("warm-up time cannot be negative"), e.getMessage());
  }

  /** Waits up to 5 s for health 200 at {@code url}. */
  private void awaitReady(String url) throws Exception {
    HttpResponse<String> ready = get(url);
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (ready.statusCode() != 200 && System.nanoTime() < until) {
      Thread.sleep(20);
      ready = get(url);
    }
    assertEquals(200, ready.statusCode(), ready.body());
  }

  private HttpResponse<String> get(String url) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
