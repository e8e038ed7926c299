package dev.fletch.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.model.FeatureRow;
import dev.fletch.core.model.FeatureView;
import dev.fletch.offline.DuckDbOfflineStore;
import dev.fletch.offline.HistoricalRequest;
import dev.fletch.offline.OfflineStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP port's limits: no uploads, bounded bodies, bounded inline entity sets, a bounded number
 * of historical retrievals at once, and JSON answers for everything.
 */
class HttpLimitsTest {
  @TempDir Path dir;
  private final HttpClient http = HttpClient.newHttpClient();
  private final CountDownLatch release = new CountDownLatch(1);
  private final CountDownLatch entered = new CountDownLatch(1);
  private DuckDbOfflineStore duckdb;
  private FletchServer server;

  /** The real DuckDB store, with a gate in front of historical retrieval so a test can hold one. */
  private final class GatedStore implements OfflineStore {
    @Override
    public long historicalToFile(FeatureRepo repo, HistoricalRequest request) {
      return duckdb.historicalToFile(repo, request);
    }

    @Override
    public long historicalToArrow(
        FeatureRepo repo, HistoricalRequest request, BufferAllocator allocator, ArrowSink sink) {
      entered.countDown();
      try {
        release.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return duckdb.historicalToArrow(repo, request, allocator, sink);
    }

    @Override
    public List<Map<String, Object>> preview(Path file, int limit) {
      return duckdb.preview(file, limit);
    }

    @Override
    public long scanLatest(
        FeatureRepo repo,
        FeatureView view,
        Instant start,
        Instant end,
        int batchSize,
        Consumer<List<FeatureRow>> consumer) {
      return duckdb.scanLatest(repo, view, start, end, batchSize, consumer);
    }

    @Override
    public void close() {}
  }

  @BeforeEach
  void start() throws Exception {
    Files.createDirectories(dir.resolve("data"));
    try (var c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement()) {
      st.execute(
          "COPY (SELECT 1::BIGINT AS customer_id, TIMESTAMPTZ '2024-01-01 00:00:00+00' AS event_ts,"
              + " 31 AS age, 2.5 AS avg_amount, ['a'] AS tags) TO '"
              + dir.resolve("data/t.parquet")
              + "' (FORMAT parquet)");
    }
    duckdb = new DuckDbOfflineStore();
    server =
        FletchServer.builder()
            .host("127.0.0.1")
            .httpPort(FletchServer.EPHEMERAL)
            .grpcPort(0)
            .definitions(new TestRepos.MemoryDefinitions(TestRepos.repo().withRoot(dir)))
            .project("payments")
            .onlineStore(TestRepos.customerOne(Instant.now().minusSeconds(60)))
            .offlineStore(new GatedStore())
            .maxHistoricalRows(10)
            .maxHistoricalInFlight(1)
            .start();
  }

  @AfterEach
  void stop() {
    release.countDown();
    server.close();
    duckdb.close();
  }

  private HttpResponse<String> post(String path, String contentType, String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + path))
            .header("content-type", contentType)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpRequest historical(int rows) {
    return HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + server.httpPort() + "/api/v1/historical"))
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(historicalBody(rows)))
        .build();
  }

  private static String historicalBody(int rows) {
    StringBuilder b = new StringBuilder("{\"features\":[\"customer_profile:age\"],\"entities\":[");
    for (int i = 0; i < rows; i++) {
      b.append(i == 0 ? "" : ",")
          .append("{\"customer_id\":1,\"event_timestamp\":\"2024-01-02T00:00:00Z\"}");
    }
    return b.append("]}").toString();
  }

  @Test
  void uploadsAndFormsAreRefusedAndNothingIsStored() throws Exception {
    String multipart =
        "--xyz\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.bin\"\r\n"
            + "Content-Type: application/octet-stream\r\n\r\n"
            + "x".repeat(100_000)
            + "\r\n--xyz--\r\n";
    for (String path :
        List.of(
            "/api/v1/features/online", "/api/v1/historical", "/api/v1/projects/payments/apply")) {
      HttpResponse<String> r = post(path, "multipart/form-data; boundary=xyz", multipart);
      assertEquals(415, r.statusCode(), path + ": " + r.body());
      assertTrue(r.body().contains("uploads and forms are not accepted"), r.body());
      HttpResponse<String> form = post(path, "application/x-www-form-urlencoded", "a=b");
      assertEquals(415, form.statusCode(), path + ": " + form.body());
    }
    assertFalse(Files.exists(Path.of("file-uploads")), "no upload folder in the working directory");
  }

  @Test
  void bodiesOverTheirLimitAreRefusedWithJson() throws Exception {
    String big =
        "{\"features\":[\"customer_profile:age\"],\"pad\":\"" + "x".repeat(5 << 20) + "\"}";
    HttpResponse<String> online = post("/api/v1/features/online", "application/json", big);
    assertEquals(413, online.statusCode(), online.body());
    assertTrue(online.body().contains("the request body is too large"), online.body());
    assertTrue(online.headers().firstValue("content-type").orElse("").contains("json"));
    // still serving
    HttpResponse<String> ok =
        post(
            "/api/v1/features/online",
            "application/json",
            "{\"features\":[\"customer_profile:age\"],\"entities\":{\"customer_id\":[1]}}");
    assertEquals(200, ok.statusCode(), ok.body());
  }

  @Test
  void inlineEntitySetsAreBounded() throws Exception {
    release.countDown();
    HttpResponse<String> tooMany =
        post("/api/v1/historical", "application/json", historicalBody(11));
    assertEquals(400, tooMany.statusCode(), tooMany.body());
    assertTrue(tooMany.body().contains("at most 10"), tooMany.body());
    assertTrue(tooMany.body().contains("--max-historical-rows"), tooMany.body());
    HttpResponse<String> columns =
        post(
            "/api/v1/historical",
            "application/json",
            "{\"features\":[\"customer_profile:age\"],\"entities\":{\"customer_id\":[1]}}");
    assertEquals(400, columns.statusCode(), columns.body());
    // The column shape is read like the rows (HttpShapesIT): here it lacks the timestamp.
    assertTrue(columns.body().contains("no timestamp column 'event_timestamp'"), columns.body());
    assertFalse(columns.body().contains("java."), "no Java internals: " + columns.body());
    HttpResponse<String> broken =
        post("/api/v1/historical", "application/json", "{\"entities\": [{\"customer_id\": 1,}]}");
    assertEquals(400, broken.statusCode(), broken.body());
    assertTrue(broken.body().contains("not valid JSON"), broken.body());
    assertTrue(broken.body().contains("at line 1, column"), broken.body());
    HttpResponse<byte[]> ok = http.send(historical(10), HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, ok.statusCode());
    // Bodies are spooled to files (never held in the heap) that go away with their requests.
    Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
    long deadline = System.nanoTime() + 5_000_000_000L;
    List<Path> left;
    do {
      try (var listing = Files.list(tmp)) {
        left =
            listing
                .filter(f -> f.getFileName().toString().startsWith("fletch-historical-"))
                .toList();
      }
    } while (!left.isEmpty() && System.nanoTime() < deadline);
    assertEquals(List.of(), left, "spooled bodies removed");
  }

  @Test
  void historicalRetrievalsBeyondTheLimitAreBusy() throws Exception {
    CompletableFuture<HttpResponse<byte[]>> first =
        http.sendAsync(historical(1), HttpResponse.BodyHandlers.ofByteArray());
    assertTrue(entered.await(10, TimeUnit.SECONDS), "the first retrieval is running");
    HttpResponse<String> busy = post("/api/v1/historical", "application/json", historicalBody(1));
    assertEquals(503, busy.statusCode(), busy.body());
    assertTrue(busy.body().contains("busy"), busy.body());
    assertEquals("5", busy.headers().firstValue("retry-after").orElse(""));
    release.countDown();
    assertEquals(200, first.get(10, TimeUnit.SECONDS).statusCode());
    // the slot is free again once the first answer is complete
    int status = 0;
    for (int i = 0; i < 50 && status != 200; i++) {
      status = post("/api/v1/historical", "application/json", historicalBody(1)).statusCode();
      if (status != 200) {
        Thread.sleep(20);
      }
    }
    assertEquals(200, status);
  }

  @Test
  void idleConnectionsAreClosed() throws Exception {
    try (FletchServer quick =
            FletchServer.builder()
                .host("127.0.0.1")
                .httpPort(FletchServer.EPHEMERAL)
                .grpcPort(0)
                .definitions(new TestRepos.MemoryDefinitions(TestRepos.repo()))
                .project("payments")
                .onlineStore(TestRepos.customerOne(Instant.now().minusSeconds(60)))
                .idleTimeout(java.time.Duration.ofSeconds(1))
                .start();
        java.net.Socket idle = new java.net.Socket("127.0.0.1", quick.httpPort())) {
      idle.setSoTimeout(10_000);
      long opened = System.nanoTime();
      // Nothing is sent: the server closes the connection after the idle timeout.
      assertEquals(-1, idle.getInputStream().read());
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - opened);
      assertTrue(millis >= 900 && millis < 10_000, "closed after " + millis + " ms");
    }
  }

  @Test
  void unknownPathsAndMethodsAnswerJson() throws Exception {
    HttpResponse<String> missing =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + "/nope"))
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(404, missing.statusCode());
    assertTrue(missing.body().startsWith("{\"error\""), missing.body());
    HttpResponse<String> method = post("/metrics", "application/json", "{}");
    assertTrue(method.body().startsWith("{\"error\""), method.statusCode() + " " + method.body());
  }
}
