package dev.fletch.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fletch.core.InvalidRequestException;
import dev.fletch.core.NotFoundException;
import dev.fletch.core.UnavailableException;
import dev.fletch.core.model.EntityKey;
import dev.fletch.core.model.FeatureRow;
import dev.fletch.serving.client.FletchClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The server's mapping, validation and error codes over both transports, with a store in memory.
 */
class FletchServerTest {
  private static final Instant NOW = Instant.parse("2026-01-10T12:00:00Z");

  private MemoryOnlineStore store;
  private TestRepos.MemoryDefinitions definitions;
  private FletchServer server;
  private FletchClient client;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() {
    store = new MemoryOnlineStore();
    definitions = new TestRepos.MemoryDefinitions(TestRepos.repo());
    store.write(
        "payments",
        TestRepos.profile(),
        List.of(
            new FeatureRow(
                EntityKey.of("customer_id", 1L),
                NOW.minusSeconds(60),
                List.of(31, 12.5, List.of("a", "b"))),
            new FeatureRow(
                EntityKey.of("customer_id", 2L),
                NOW.minusSeconds(60),
                Arrays.asList(null, 3.0, null)),
            new FeatureRow(
                EntityKey.of("customer_id", 3L),
                NOW.minus(Duration.ofHours(2)),
                List.of(40, 1.0, List.of()))));
    store.write(
        "payments",
        TestRepos.merchantStats(),
        List.of(
            new FeatureRow(
                EntityKey.of("merchant_id", "m1"), NOW.minusSeconds(5), List.of(99.0, "DE"))));
    server =
        FletchServer.builder()
            .host("127.0.0.1")
            .httpPort(FletchServer.EPHEMERAL)
            .grpcPort(FletchServer.EPHEMERAL)
            .definitions(definitions)
            .project("payments")
            .onlineStore(store)
            .maxEntityRows(5)
            .registryRefresh(Duration.ofMillis(100))
            .requestTimeout(Duration.ofMillis(300))
            .clock(Clock.fixed(NOW, ZoneOffset.UTC))
            .start();
    client =
        FletchClient.builder()
            .target("127.0.0.1", server.grpcPort())
            .deadline(Duration.ofSeconds(2))
            .build();
  }

  @AfterEach
  void stop() {
    client.close();
    server.close();
  }

  @Test
  void aServerWithEveryListenerOffIsAClearUsageError() {
    InvalidRequestException e =
        assertThrows(
            InvalidRequestException.class,
            () ->
                FletchServer.builder()
                    .host("127.0.0.1")
                    .httpPort(0)
                    .grpcPort(0)
                    .definitions(definitions)
                    .project("payments")
                    .onlineStore(store)
                    .start());
    assertTrue(e.getMessage().contains("nothing to serve"), e.getMessage());
  }

  @Test
  void servingHealthFollowsTheStoreAndIsNotServingBeforeAnythingIsApplied() throws Exception {
    try (FletchServer watched =
        FletchServer.builder()
            .host("127.0.0.1")
            .httpPort(FletchServer.EPHEMERAL)
            .grpcPort(0)
            .definitions(definitions)
            .project("payments")
            .onlineStore(store)
            .healthInterval(Duration.ofMillis(50))
            .start()) {
      String url = "http://127.0.0.1:" + watched.httpPort() + "/api/v1/serving/health";
      HttpResponse<String> up = get(url);
      assertEquals(200, up.statusCode(), up.body());
      assertEquals("SERVING", new JsonObject(up.body()).getString("status"));

      store.down = true;
      HttpResponse<String> down = awaitStatus(url, 503);
      assertEquals("NOT_SERVING", new JsonObject(down.body()).getString("status"));
      assertTrue(
          new JsonObject(down.body()).getString("reason").contains("memory store is down"),
          down.body());
      store.down = false;
      awaitStatus(url, 200);
    }
    try (FletchServer empty =
        FletchServer.builder()
            .host("127.0.0.1")
            .httpPort(FletchServer.EPHEMERAL)
            .grpcPort(0)
            .definitions(definitions)
            .project("nothing_applied")
            .onlineStore(store)
            .start()) {
      HttpResponse<String> none =
          get("http://127.0.0.1:" + empty.httpPort() + "/api/v1/serving/health");
      assertEquals(503, none.statusCode(), none.body());
      assertTrue(none.body().contains("no definitions applied to project 'nothing_applied'"));
    }
  }

  private HttpResponse<String> get(String url) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> awaitStatus(String url, int code) throws Exception {
    HttpResponse<String> r = get(url);
    long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (r.statusCode() != code && System.nanoTime() < until) {
      Thread.sleep(20);
      r = get(url);
    }
    assertEquals(code, r.statusCode(), r.body());
    return r;
  }

  @Test
  void grpcAnswersEveryStatus() {
    OnlineResult r =
        client.getFeatures(
            List.of("customer_profile:*"), Map.of("customer_id", List.of(1L, 2L, 3L, 4L)));
    assertEquals(List.of("age", "avg_amount", "tags"), r.featureNames());
    assertEquals(4, r.entityRows());
    assertEquals(31, r.value("age", 0));
    assertEquals(List.of("a", "b"), r.value("tags", 0));
    assertEquals(ValueStatus.PRESENT, r.status("age", 0));
    assertEquals(NOW.minusSeconds(60), r.eventTime("age", 0));
    assertEquals(ValueStatus.NULL_VALUE, r.status("age", 1));
    assertNull(r.value("age", 1));
    assertEquals(ValueStatus.PRESENT, r.status("avg_amount", 1));
    assertEquals(ValueStatus.OUTSIDE_MAX_AGE, r.status("age", 2));
    assertEquals(40, r.value("age", 2), "a value past its ttl is still returned");
    assertEquals(ValueStatus.NOT_FOUND, r.status("age", 3));
    assertNull(r.eventTime("age", 3));
  }

  @Test
  void asyncClientCallsCompleteAndFailLikeBlockingOnes() throws Exception {
    OnlineResult r =
        client
            .getFeaturesAsync(
                OnlineQuery.ofFeatures(
                    List.of("customer_profile:age"), Map.of("customer_id", List.of(1L))))
            .get(5, java.util.concurrent.TimeUnit.SECONDS);
    assertEquals(31, r.value("age", 0));
    java.util.concurrent.ExecutionException e =
        assertThrows(
            java.util.concurrent.ExecutionException.class,
            () ->
                client
                    .getFeaturesAsync(
                        OnlineQuery.ofFeatures(
                            List.of("nope:x"), Map.of("customer_id", List.of(1L))))
                    .get(5, java.util.concurrent.TimeUnit.SECONDS));
    assertTrue(e.getCause() instanceof NotFoundException, String.valueOf(e.getCause()));
  }

  @Test
  void serviceAcrossTwoEntitiesAndCollidingNames() {
    OnlineResult r =
        client.getServiceFeatures(
            "fraud_v1", Map.of("customer_id", List.of(1, 4), "merchant_id", List.of("m1", "m1")));
    assertEquals(List.of("age", "avg_amount", "country"), r.featureNames());
    assertEquals(99.0, r.value("avg_amount", 1));
    OnlineResult both =
        client.getFeatures(
            List.of("customer_profile:avg_amount", "merchant_stats:avg_amount"),
            Map.of("customer_id", List.of(1L), "merchant_id", List.of("m1")));
    assertEquals(
        List.of("customer_profile__avg_amount", "merchant_stats__avg_amount"), both.featureNames());
    OnlineResult full =
        client.getFeatures(
            OnlineQuery.ofFeatures(
                    List.of("merchant_stats:country"), Map.of("merchant_id", List.of("m1")))
                .withFullNames(true));
    assertEquals(List.of("merchant_stats__country"), full.featureNames());
  }

  @Test
  void grpcErrorsHaveTheirCodesAndNameTheProblem() {
    Map<String, List<Long>> one = Map.of("customer_id", List.of(1L));
    NotFoundException view =
        assertThrows(NotFoundException.class, () -> client.getFeatures(List.of("nope:age"), one));
    assertTrue(view.getMessage().contains("nope"), view.getMessage());
    NotFoundException feature =
        assertThrows(
            NotFoundException.class,
            () -> client.getFeatures(List.of("customer_profile:height"), one));
    assertTrue(feature.getMessage().contains("customer_profile:height"), feature.getMessage());
    NotFoundException service =
        assertThrows(NotFoundException.class, () -> client.getServiceFeatures("ghost", one));
    assertTrue(service.getMessage().contains("ghost"), service.getMessage());

    InvalidRequestException missing =
        assertThrows(
            InvalidRequestException.class,
            () -> client.getFeatures(List.of("merchant_stats:country"), one));
    assertTrue(missing.getMessage().contains("merchant_id"), missing.getMessage());
    InvalidRequestException wrongType =
        assertThrows(
            InvalidRequestException.class,
            () ->
                client.getFeatures(
                    List.of("customer_profile:age"), Map.of("customer_id", List.of("abc"))));
    assertTrue(wrongType.getMessage().contains("INT64"), wrongType.getMessage());
    InvalidRequestException ragged =
        assertThrows(
            InvalidRequestException.class,
            () ->
                client.getServiceFeatures(
                    "fraud_v1",
                    Map.of("customer_id", List.of(1L, 2L), "merchant_id", List.of("m1"))));
    assertTrue(ragged.getMessage().contains("differ in length"), ragged.getMessage());
    InvalidRequestException tooMany =
        assertThrows(
            InvalidRequestException.class,
            () ->
                client.getFeatures(
                    List.of("customer_profile:age"),
                    Map.of("customer_id", List.of(1L, 2L, 3L, 4L, 5L, 6L))));
    assertTrue(tooMany.getMessage().contains("at most 5"), tooMany.getMessage());
    assertThrows(InvalidRequestException.class, () -> client.getFeatures(List.of("bad ref"), one));

    store.down = true;
    assertThrows(
        UnavailableException.class, () -> client.getFeatures(List.of("customer_profile:age"), one));
    store.down = false;
    store.hang = true;
    long start = System.nanoTime();
    UnavailableException slow =
        assertThrows(
            UnavailableException.class,
            () -> client.getFeatures(List.of("customer_profile:age"), one));
    assertTrue(slow.getMessage().startsWith("UNAVAILABLE"), slow.getMessage());
    assertTrue(
        System.nanoTime() - start < Duration.ofSeconds(1).toNanos(),
        "answered within the server timeout");
    store.hang = false;
    // the server is still fine after all of that
    assertEquals(31, client.getFeatures(List.of("customer_profile:age"), one).value("age", 0));
  }

  @Test
  void aSlowStoreIsUnavailableBeforeTheClientsDeadline() {
    // The server gives up on the store after its request timeout (300 ms here), well before the 3 s
    // deadline, and says why; the client does not see a bare DEADLINE_EXCEEDED.
    try (FletchClient patient =
        FletchClient.builder()
            .target("127.0.0.1:" + server.grpcPort())
            .deadline(Duration.ofSeconds(3))
            .build()) {
      patient.getFeatures(List.of("customer_profile:age"), Map.of("customer_id", List.of(1L)));
      store.hang = true;
      long start = System.nanoTime();
      UnavailableException e =
          assertThrows(
              UnavailableException.class,
              () ->
                  patient.getFeatures(
                      List.of("customer_profile:age"), Map.of("customer_id", List.of(1L))));
      assertTrue(e.getMessage().startsWith("UNAVAILABLE"), e.getMessage());
      assertTrue(e.getMessage().contains("did not answer within 300 ms"), e.getMessage());
      assertTrue(System.nanoTime() - start < Duration.ofMillis(2500).toNanos());
      // The answer told the client's retry policy not to try again: one attempt, with its reason.
      assertEquals(1, TestRepos.calls(server, "GetFeatures", "UNAVAILABLE"));
    }
  }

  @Test
  void storeTimeoutLeavesRoomBeforeTheDeadline() {
    Duration fallback = Duration.ofSeconds(2);
    assertEquals(fallback, GrpcFeatureService.storeTimeout(null, fallback));
    long ms100 =
        GrpcFeatureService.storeTimeout(
                io.grpc.Deadline.after(100, java.util.concurrent.TimeUnit.MILLISECONDS), fallback)
            .toMillis();
    assertTrue(ms100 >= 70 && ms100 <= 75, "a quarter of a short deadline is kept back: " + ms100);
    long ms1000 =
        GrpcFeatureService.storeTimeout(
                io.grpc.Deadline.after(1, java.util.concurrent.TimeUnit.SECONDS), fallback)
            .toMillis();
    assertTrue(ms1000 >= 940 && ms1000 <= 950, "at most 50 ms is kept back: " + ms1000);
    assertEquals(
        fallback,
        GrpcFeatureService.storeTimeout(
            io.grpc.Deadline.after(1, java.util.concurrent.TimeUnit.MINUTES), fallback));
    assertEquals(
        Duration.ZERO,
        GrpcFeatureService.storeTimeout(
            io.grpc.Deadline.after(-1, java.util.concurrent.TimeUnit.SECONDS), fallback));
  }

  @Test
  void httpTwinMirrorsGrpc() throws Exception {
    JsonObject body =
        new JsonObject()
            .put("features", new JsonArray().add("customer_profile:*"))
            .put("entities", new JsonObject().put("customer_id", new JsonArray().add(1).add(4)));
    HttpResponse<String> resp = post("/api/v1/features/online", body.encode());
    assertEquals(200, resp.statusCode(), resp.body());
    JsonObject json = new JsonObject(resp.body());
    assertEquals(
        new JsonArray().add("age").add("avg_amount").add("tags"),
        json.getJsonArray("feature_names"));
    JsonObject age = json.getJsonArray("features").getJsonObject(0);
    assertEquals(31, age.getJsonArray("values").getInteger(0));
    assertEquals("PRESENT", age.getJsonArray("statuses").getString(0));
    assertEquals("NOT_FOUND", age.getJsonArray("statuses").getString(1));
    assertEquals(NOW.minusSeconds(60).toString(), age.getJsonArray("event_times").getString(0));
    assertNull(age.getJsonArray("event_times").getValue(1));
    assertEquals(
        new JsonArray().add("a").add("b"),
        json.getJsonArray("features").getJsonObject(2).getJsonArray("values").getJsonArray(0));

    assertEquals(
        404,
        post(
                "/api/v1/features/online",
                body.copy().put("features", new JsonArray().add("x:y")).encode())
            .statusCode());
    HttpResponse<String> bad = post("/api/v1/features/online", "{not json");
    assertEquals(400, bad.statusCode());
    assertEquals(
        "INVALID_ARGUMENT", new JsonObject(bad.body()).getJsonObject("error").getString("code"));
    HttpResponse<String> wrongType =
        post(
            "/api/v1/features/online",
            body.copy()
                .put("entities", new JsonObject().put("customer_id", new JsonArray().add("x")))
                .encode());
    assertEquals(400, wrongType.statusCode());
    assertTrue(wrongType.body().contains("customer_id"), wrongType.body());
    store.down = true;
    assertEquals(503, post("/api/v1/features/online", body.encode()).statusCode());
  }

  @Test
  void integerJoinKeysMayComeAsDecimalStringsAsProto3JsonWritesThem() throws Exception {
    JsonObject body =
        new JsonObject()
            .put("features", new JsonArray().add("customer_profile:age"))
            .put("entities", new JsonObject().put("customer_id", new JsonArray().add("1").add(1)));
    HttpResponse<String> resp = post("/api/v1/features/online", body.encode());
    assertEquals(200, resp.statusCode(), resp.body());
    assertEquals(
        new JsonArray().add(31).add(31),
        new JsonObject(resp.body())
            .getJsonArray("features")
            .getJsonObject(0)
            .getJsonArray("values"));
    for (String notAnInteger : List.of("01", "+1", " 1", "1.0", "", "-", "9223372036854775808")) {
      HttpResponse<String> bad =
          post(
              "/api/v1/features/online",
              body.copy()
                  .put(
                      "entities",
                      new JsonObject().put("customer_id", new JsonArray().add(notAnInteger)))
                  .encode());
      assertEquals(400, bad.statusCode(), notAnInteger + ": " + bad.body());
      assertTrue(bad.body().contains("wrong type for join key 'customer_id'"), bad.body());
    }
    // the largest long is still an integer key
    assertEquals(Long.MAX_VALUE, OnlineFeatures.integerKey("9223372036854775807"));
    assertEquals(Long.MIN_VALUE, OnlineFeatures.integerKey("-9223372036854775808"));
  }

  @Test
  void httpHonoursTheCallersTimeoutHeader() throws Exception {
    String body = "{\"features\":[\"customer_profile:age\"],\"entities\":{\"customer_id\":[1]}}";
    store.hang = true;
    long start = System.nanoTime();
    HttpResponse<String> slow =
        http.send(
            HttpRequest.newBuilder(uri("/api/v1/features/online"))
                .header("X-Fletch-Timeout-Ms", "100")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(503, slow.statusCode(), slow.body());
    assertTrue(slow.body().matches(".*did not answer within 7[0-5] ms.*"), slow.body());
    assertTrue(
        System.nanoTime() - start < Duration.ofMillis(280).toNanos(),
        "before the 300 ms server timeout");
    store.hang = false;
    HttpResponse<String> bad =
        http.send(
            HttpRequest.newBuilder(uri("/api/v1/features/online"))
                .header("X-Fletch-Timeout-Ms", "soon")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(400, bad.statusCode(), bad.body());
  }

  @Test
  void metricsCountRequestsErrorsRowsAndFreshness() throws Exception {
    client.getFeatures(List.of("customer_profile:age"), Map.of("customer_id", List.of(1L, 2L)));
    assertThrows(
        NotFoundException.class,
        () -> client.getFeatures(List.of("nope:x"), Map.of("customer_id", List.of(1L))));
    HttpResponse<String> m =
        http.send(
            HttpRequest.newBuilder(uri("/metrics")).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, m.statusCode());
    String text = m.body();
    assertTrue(
        text.contains(
            "fletch_serving_requests_total{method=\"GetFeatures\",service=\"(none)\",status=\"OK\",transport=\"grpc\"} 1.0"),
        text);
    assertTrue(
        text.contains(
            "fletch_serving_errors_total{method=\"GetFeatures\",status=\"NOT_FOUND\",transport=\"grpc\"} 1.0"),
        text);
    assertTrue(text.contains("fletch_serving_entity_rows_total 2.0"), text);
    assertTrue(text.contains("fletch_serving_request_seconds_bucket"), text);
    assertTrue(
        text.contains("fletch_serving_freshness_seconds_count{view=\"customer_profile\"} 2"), text);

    // Rows per view by whether the view had an entry: 3 is past the ttl, 4 was never stored.
    client.getFeatures(List.of("customer_profile:age"), Map.of("customer_id", List.of(3L, 4L, 1L)));
    String after =
        http.send(
                HttpRequest.newBuilder(uri("/metrics")).GET().build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    assertTrue(
        after.contains(
            "fletch_serving_view_rows_total{status=\"FOUND\",view=\"customer_profile\"} 3.0"),
        after);
    assertTrue(
        after.contains(
            "fletch_serving_view_rows_total{status=\"OUTSIDE_MAX_AGE\",view=\"customer_profile\"} 1.0"),
        after);
    assertTrue(
        after.contains(
            "fletch_serving_view_rows_total{status=\"NOT_FOUND\",view=\"customer_profile\"} 1.0"),
        after);
  }

  @Test
  void newlyAppliedDefinitionIsServedWithoutRestart() throws Exception {
    var repo = TestRepos.repo();
    var renamed =
        new dev.fletch.core.model.FeatureRepo(
            repo.project(),
            repo.entities(),
            repo.sources(),
            repo.featureViews(),
            List.of(
                new dev.fletch.core.model.FeatureService(
                    "fraud_v2", List.of("customer_profile:age"), null, null, null)),
            null);
    Map<String, List<Long>> one = Map.of("customer_id", List.of(1L));
    assertThrows(NotFoundException.class, () -> client.getServiceFeatures("fraud_v2", one));
    // Every answer says which registry version answered it: gRPC in the message, HTTP in a header.
    assertEquals(1, client.getFeatures(List.of("customer_profile:age"), one).registryVersion());
    assertEquals("1", onlineOverHttp().headers().firstValue("X-Fletch-Registry-Version").get());
    definitions.apply(renamed);
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    OnlineResult r = null;
    while (r == null && System.nanoTime() < deadline) {
      try {
        r = client.getServiceFeatures("fraud_v2", one);
      } catch (NotFoundException e) {
        Thread.sleep(20);
      }
    }
    assertEquals(31, r == null ? null : r.value("age", 0));
    assertEquals(2, r.registryVersion());
    assertEquals("2", onlineOverHttp().headers().firstValue("X-Fletch-Registry-Version").get());
    assertEquals(2, client.servingInfo().getRegistryVersion());
  }

  private HttpResponse<String> onlineOverHttp() throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(uri("/api/v1/features/online"))
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"features\": [\"customer_profile:age\"], \"entities\":"
                            + " {\"customer_id\": [1]}}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    return r;
  }

  @Test
  void closeFinishesCallsInFlight() throws Exception {
    store.gate = new java.util.concurrent.CompletableFuture<>();
    java.util.concurrent.CompletableFuture<OnlineResult> call =
        java.util.concurrent.CompletableFuture.supplyAsync(
            () ->
                client.getFeatures(
                    List.of("customer_profile:age"), Map.of("customer_id", List.of(1L))));
    assertTrue(
        store.gateReached.await(5, java.util.concurrent.TimeUnit.SECONDS),
        "the call reached the store");
    Thread closer = new Thread(server::close);
    closer.start();
    Thread.sleep(200);
    assertTrue(closer.isAlive(), "close() waits for the call in flight");
    store.gate.complete(null);
    assertEquals(31, call.get(5, java.util.concurrent.TimeUnit.SECONDS).value("age", 0));
    closer.join(10_000);
    assertTrue(!closer.isAlive(), "close() returned once the call finished");
  }

  @Test
  void historicalWithoutAnOfflineStoreIsUnavailable() throws Exception {
    HttpResponse<String> r =
        post(
            "/api/v1/historical",
            "{\"entities\":[{\"customer_id\":1}],\"features\":[\"customer_profile:age\"]}");
    assertEquals(503, r.statusCode(), r.body());
    assertTrue(r.body().contains("no offline store"), r.body());
  }

  @Test
  void emptyEntitiesAndNullKeysAreInvalid() {
    assertThrows(
        InvalidRequestException.class,
        () -> client.getFeatures(List.of("customer_profile:age"), Map.of()));
    List<Object> withNull = new ArrayList<>(Collections.singletonList(null));
    assertThrows(
        InvalidRequestException.class,
        () -> client.getFeatures(List.of("customer_profile:age"), Map.of("customer_id", withNull)));
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.httpPort() + path);
  }

  private HttpResponse<String> post(String path, String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
