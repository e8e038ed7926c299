package dev.fletch.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fletch.core.AccessDeniedException;
import dev.fletch.core.InvalidRequestException;
import dev.fletch.serving.client.FletchClient;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.NettyChannelBuilder;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** API keys on both transports: who gets in, what stays open, rotation without a restart. */
class ServingApiKeysTest {
  private static final String READ_KEY = "r3ad-key-0123456789abcdef";
  private static final String ADMIN_KEY = "adm1n-key-0123456789abcdef";

  @TempDir Path dir;
  private final HttpClient http = HttpClient.newHttpClient();
  private Path keysFile;
  private ApiKeys keys;
  private FletchServer server;

  @BeforeEach
  void start() throws Exception {
    MemoryOnlineStore store = TestRepos.customerOne(Instant.now().minusSeconds(60));
    keysFile = dir.resolve("keys");
    Files.writeString(
        keysFile, "# serving clients\nread " + READ_KEY + "\n\nadmin " + ADMIN_KEY + "\n");
    keys = ApiKeys.load(keysFile);
    server =
        FletchServer.builder()
            .host("127.0.0.1")
            .httpPort(FletchServer.EPHEMERAL)
            .grpcPort(FletchServer.EPHEMERAL)
            .definitions(new TestRepos.MemoryDefinitions(TestRepos.repo()))
            .project("payments")
            .onlineStore(store)
            .apiKeys(keys)
            .warmUp(Duration.ofMillis(300))
            .addRoutes(
                r ->
                    r.post("/api/v1/projects/payments/apply")
                        .handler(ctx -> ctx.response().end("applied")))
            .start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private FletchClient client(String key) {
    FletchClient.Builder b =
        FletchClient.builder()
            .target("127.0.0.1", server.grpcPort())
            .deadline(Duration.ofSeconds(5));
    return key == null ? b.build() : b.apiKey(key).build();
  }

  private static Object age(FletchClient c) {
    return c.getFeatures(List.of("customer_profile:age"), Map.of("customer_id", List.of(1L)))
        .value("age", 0);
  }

  @Test
  void grpcNeedsAKeyButHealthStaysOpen() throws Exception {
    try (FletchClient none = client(null);
        FletchClient wrong = client("not-a-known-key-0123456789");
        FletchClient reader = client(READ_KEY)) {
      AccessDeniedException missing = assertThrows(AccessDeniedException.class, () -> age(none));
      assertTrue(missing.getMessage().contains("an API key is required"), missing.getMessage());
      AccessDeniedException unknown = assertThrows(AccessDeniedException.class, () -> age(wrong));
      assertTrue(unknown.getMessage().contains("unknown or revoked"), unknown.getMessage());
      assertEquals(31, age(reader));
      assertEquals("payments", reader.servingInfo().getProject());
    }
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
    try {
      // Load balancers probe without a key; the warm-up (which uses a key of its own) ends first.
      ServingStatus status = null;
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (status != ServingStatus.SERVING && System.nanoTime() < until) {
        status =
            HealthGrpc.newBlockingStub(channel)
                .check(HealthCheckRequest.getDefaultInstance())
                .getStatus();
      }
      assertEquals(ServingStatus.SERVING, status);
    } finally {
      channel.shutdownNow();
    }
    WarmUp.Result warm = server.warmedUp().get(10, TimeUnit.SECONDS);
    assertNull(warm.skipped(), String.valueOf(warm));
    assertTrue(warm.calls() > 0 && warm.errors() == 0, "the warm-up got in: " + warm);
    assertTrue(
        server
            .metrics()
            .scrape()
            .contains(
                "fletch_serving_errors_total{method=\"GetFeatures\",status=\"UNAUTHENTICATED\",transport=\"grpc\"} 2.0"),
        server.metrics().scrape());
  }

  @Test
  void httpNeedsAKeyAndApplyNeedsAnAdminKey() throws Exception {
    String online = "/api/v1/features/online";
    String body = "{\"features\":[\"customer_profile:age\"],\"entities\":{\"customer_id\":[1]}}";
    HttpResponse<String> none = post(online, body, null);
    assertEquals(401, none.statusCode(), none.body());
    assertEquals("Bearer", none.headers().firstValue("WWW-Authenticate").orElse(null));
    assertEquals(
        "UNAUTHENTICATED", new JsonObject(none.body()).getJsonObject("error").getString("code"));
    assertEquals(401, post(online, body, "wrong-key-0123456789abcdef").statusCode());
    HttpResponse<String> ok = post(online, body, READ_KEY);
    assertEquals(200, ok.statusCode(), ok.body());
    assertTrue(ok.body().contains("\"values\":[31]"), ok.body());

    assertEquals(200, get("/metrics", null).statusCode(), "Prometheus scrapes without a key");
    assertTrue(
        List.of(200, 503).contains(get("/api/v1/serving/health", null).statusCode()),
        "probes get an answer, not a 401");
    assertEquals(401, get("/api/v1/serving/info", null).statusCode());

    HttpResponse<String> readerApplies = post("/api/v1/projects/payments/apply", "{}", READ_KEY);
    assertEquals(403, readerApplies.statusCode(), readerApplies.body());
    assertTrue(readerApplies.body().contains("PERMISSION_DENIED"), readerApplies.body());
    HttpResponse<String> adminApplies = post("/api/v1/projects/payments/apply", "{}", ADMIN_KEY);
    assertEquals(200, adminApplies.statusCode(), adminApplies.body());
    assertEquals("applied", adminApplies.body());
  }

  @Test
  void keysAreRotatedWithoutARestartAndABrokenFileKeepsTheLastGoodKeys() throws Exception {
    String newKey = "n3w-key-0123456789abcdefgh";
    Files.writeString(keysFile, "read " + newKey + "\n");
    keys.reload();
    try (FletchClient old = client(READ_KEY);
        FletchClient renewed = client(newKey)) {
      assertThrows(AccessDeniedException.class, () -> age(old), "the removed key is revoked");
      assertEquals(31, age(renewed));

      Files.writeString(keysFile, "read short\n");
      keys.reload();
      assertEquals(31, age(renewed), "a broken file leaves the last good keys in force");
    }
  }

  @Test
  void unusableKeyFilesAreClearErrorsThatNeverShowAKey() throws Exception {
    Path file = dir.resolve("bad");
    Files.writeString(file, "read s3cr3t\n");
    InvalidRequestException shortKey =
        assertThrows(InvalidRequestException.class, () -> ApiKeys.load(file));
    assertTrue(
        shortKey
            .getMessage()
            .contains("API keys file " + file + " line 1: the key is 6 characters"),
        shortKey.getMessage());
    assertFalse(shortKey.getMessage().contains("s3cr3t"), shortKey.getMessage());

    Files.writeString(file, "# only a comment\n\nwriter " + READ_KEY + "\n");
    InvalidRequestException role =
        assertThrows(InvalidRequestException.class, () -> ApiKeys.load(file));
    assertTrue(
        role.getMessage().contains("line 3: unknown role 'writer' (read, write or admin)"),
        role.getMessage());

    Files.writeString(file, "# nothing\n");
    assertTrue(
        assertThrows(InvalidRequestException.class, () -> ApiKeys.load(file))
            .getMessage()
            .contains("lists no key"));
    assertTrue(
        assertThrows(InvalidRequestException.class, () -> ApiKeys.load(dir.resolve("missing")))
            .getMessage()
            .contains("does not exist"));
  }

  private HttpResponse<String> post(String path, String body, String key) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.ofString(body));
    if (key != null) {
      b.header("Authorization", "Bearer " + key);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String path, String key) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).GET();
    if (key != null) {
      b.header("Authorization", "Bearer " + key);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.httpPort() + path);
  }
}
