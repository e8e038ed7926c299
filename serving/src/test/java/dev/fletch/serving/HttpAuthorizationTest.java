package dev.fletch.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Authorization is decided on the canonical path and is default-deny for writes: no spelling of a
 * write route gets past a read key, and without keys writes are closed unless explicitly opened.
 */
class HttpAuthorizationTest {
  private static final String READ_KEY = "r3ad-key-0123456789abcdef";
  private static final String ADMIN_KEY = "adm1n-key-0123456789abcdef";

  /** Every spelling under which Vert.x may route a request to the apply handler. */
  private static final List<String> APPLY_SPELLINGS =
      List.of(
          "/api/v1/projects/payments/apply",
          "/api/v1/projects/payments/apply/",
          "/api/v1/projects/payments/apply//",
          "/api/v1/projects/payments/apply/.",
          "/api/v1/projects/payments/./apply",
          "//api/v1/projects/payments/apply",
          "/api/v1/projects/payments/x/../apply",
          "/api/v1/projects/payments/apply?x=1");

  @TempDir Path dir;
  private final HttpClient http = HttpClient.newHttpClient();
  private final AtomicInteger applied = new AtomicInteger();
  private FletchServer server;

  private void start(ApiKeys keys, boolean openWrites) throws Exception {
    server =
        FletchServer.builder()
            .host("127.0.0.1")
            .httpPort(FletchServer.EPHEMERAL)
            .grpcPort(0)
            .definitions(new TestRepos.MemoryDefinitions(TestRepos.repo()))
            .project("payments")
            .onlineStore(TestRepos.customerOne(Instant.now().minusSeconds(60)))
            .apiKeys(keys)
            .allowUnauthenticatedWrites(openWrites)
            .addRoutes(
                r -> {
                  r.post("/api/v1/projects/:project/apply")
                      .handler(
                          ctx -> {
                            applied.incrementAndGet();
                            ctx.response().end("applied");
                          });
                  r.delete("/api/v1/projects/:project")
                      .handler(
                          ctx -> {
                            applied.incrementAndGet();
                            ctx.response().end("deleted");
                          });
                  r.post("/api/v1/projects/:project/plan")
                      .handler(ctx -> ctx.response().end("plan"));
                })
            .start();
  }

  private ApiKeys keys() throws Exception {
    Path file = dir.resolve("keys");
    Files.writeString(file, "read " + READ_KEY + "\nadmin " + ADMIN_KEY + "\n");
    return ApiKeys.load(file);
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private HttpResponse<String> send(String method, String path, String key) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + path))
            .method(method, HttpRequest.BodyPublishers.ofString("{}"))
            .header("content-type", "application/json");
    if (key != null) {
      b.header("Authorization", "Bearer " + key);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void noSpellingOfAWriteRouteGetsPastAReadKey() throws Exception {
    start(keys(), false);
    for (String path : APPLY_SPELLINGS) {
      HttpResponse<String> none = send("POST", path, null);
      assertEquals(401, none.statusCode(), path + ": " + none.body());
      HttpResponse<String> read = send("POST", path, READ_KEY);
      assertEquals(403, read.statusCode(), path + ": " + read.body());
      assertTrue(read.body().contains("PERMISSION_DENIED"), read.body());
    }
    assertEquals(403, send("DELETE", "/api/v1/projects/payments", READ_KEY).statusCode());
    assertEquals(403, send("PUT", "/api/v1/projects/payments/apply", READ_KEY).statusCode());
    assertEquals(0, applied.get(), "no write handler ran for a read key");

    assertEquals(200, send("POST", "/api/v1/projects/payments/apply", ADMIN_KEY).statusCode());
    assertEquals(200, send("POST", "/api/v1/projects/payments/apply/", ADMIN_KEY).statusCode());
    assertEquals(2, applied.get());
    // reads stay reads, under any spelling
    assertEquals(200, send("POST", "/api/v1/projects/payments/plan/", READ_KEY).statusCode());
    assertEquals(200, send("GET", "/api/v1/serving/info/", READ_KEY).statusCode());
    assertEquals(401, send("GET", "/api/v1/serving/info", null).statusCode());
    assertEquals(200, send("GET", "/api/v1/serving/health", null).statusCode());
  }

  @Test
  void withoutKeysWritesAreClosedAndReadsOpen() throws Exception {
    start(null, false);
    for (String path : APPLY_SPELLINGS) {
      HttpResponse<String> r = send("POST", path, null);
      assertEquals(403, r.statusCode(), path + ": " + r.body());
      assertTrue(r.body().contains("--api-keys"), r.body());
    }
    assertEquals(403, send("DELETE", "/api/v1/projects/payments", null).statusCode());
    assertEquals(0, applied.get());
    assertEquals(200, send("POST", "/api/v1/projects/payments/plan", null).statusCode());
    assertEquals(200, send("GET", "/api/v1/serving/info", null).statusCode());
  }

  @Test
  void writesCanBeOpenedForLocalDevelopment() throws Exception {
    start(null, true);
    assertEquals(200, send("POST", "/api/v1/projects/payments/apply", null).statusCode());
    assertEquals(1, applied.get());
  }

  @Test
  void canonicalPaths() {
    assertEquals("/a/b", ApiKeyChecks.canonical("//a/./b//"));
    assertEquals("/a/c", ApiKeyChecks.canonical("/a/b/../c"));
    assertEquals("/", ApiKeyChecks.canonical("/../.."));
  }
}
