package dev.fletch.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fletch.core.JobHistory;
import dev.fletch.core.model.EntityKey;
import dev.fletch.core.model.FeatureRow;
import dev.fletch.serving.client.FletchClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * After one GetFeatures call per transport, {@code /metrics} holds every metric docs/operations.md
 * lists, with its labels: per feature service, the online store's latency and errors by kind (every
 * kind at 0 before the first error), readiness, the registry version served and refresh failures,
 * materialization per view, the JVM's and the process's; and freshness has the buckets an operator
 * reads, not hundreds.
 */
class OperatorMetricsTest {
  private static final Instant NOW = Instant.now();

  private FletchServer server;
  private final HttpClient http = HttpClient.newHttpClient();

  /** Only watermarks are asked for; the rest of the job history is not used by serving. */
  static final class Watermarks implements JobHistory {
    @Override
    public Optional<Instant> watermark(String project, String view) {
      return view.equals("customer_profile")
          ? Optional.of(NOW.minus(Duration.ofMinutes(20)))
          : Optional.empty();
    }

    @Override
    public Optional<StoreWatermark> watermark(String project, String view, String storeMarker) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void succeed(long jobId, long rows, String storeMarker, String viewSchema) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void heartbeat(long jobId) {
      throw new UnsupportedOperationException();
    }

    @Override
    public long start(String project, String view, Instant rangeStart, Instant rangeEnd) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void succeed(long jobId, long rows) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void fail(long jobId, long rows, String error) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void resetWatermark(String project, String view) {
      throw new UnsupportedOperationException();
    }

    @Override
    public List<JobRecord> recent(String project, String view, int limit) {
      return List.of();
    }
  }

  @BeforeEach
  void start() {
    MemoryOnlineStore store = TestRepos.customerOne(NOW.minusSeconds(30));
    store.write(
        "payments",
        TestRepos.merchantStats(),
        List.of(
            new FeatureRow(
                EntityKey.of("merchant_id", "m1"), NOW.minusSeconds(5), List.of(99.0, "DE"))));
    server =
        FletchServer.builder()
            .httpPort(FletchServer.EPHEMERAL)
            .grpcPort(FletchServer.EPHEMERAL)
            .definitions(new TestRepos.MemoryDefinitions(TestRepos.repo()))
            .project("payments")
            .onlineStore(store)
            .jobHistory(new Watermarks())
            .start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void everyListedMetricExistsWithItsLabelsAfterOneCall() throws Exception {
    try (FletchClient client =
        FletchClient.builder()
            .target("127.0.0.1", server.grpcPort())
            .deadline(Duration.ofSeconds(5))
            .build()) {
      client.getServiceFeatures(
          "fraud_v1", Map.of("customer_id", List.of(1L), "merchant_id", List.of("m1")));
    }
    HttpResponse<String> online =
        http.send(
            HttpRequest.newBuilder(uri("/api/v1/features/online"))
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"feature_service\": \"fraud_v1\", \"entities\": {\"customer_id\": [1],"
                            + " \"merchant_id\": [\"m1\"]}}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, online.statusCode(), online.body());
    String text = scrape();

    // Requests and latency per feature service; errors at 0 before the first one.
    for (String transport : List.of("grpc", "http")) {
      String service = "method=\"GetFeatures\",service=\"fraud_v1\"";
      assertHas(
          text,
          "fletch_serving_requests_total{"
              + service
              + ",status=\"OK\",transport=\""
              + transport
              + "\"} 1.0");
      assertHas(
          text,
          "fletch_serving_request_seconds_count{"
              + service
              + ",transport=\""
              + transport
              + "\"} 1");
      for (String status : List.of("UNAVAILABLE", "INTERNAL", "INVALID_ARGUMENT", "NOT_FOUND")) {
        assertHas(
            text,
            "fletch_serving_errors_total{method=\"GetFeatures\",status=\""
                + status
                + "\",transport=\""
                + transport
                + "\"} 0.0");
      }
    }
    assertEquals(
        15,
        count(
            text,
            "fletch_serving_request_seconds_bucket\\{method=\"GetFeatures\",service=\"fraud_v1\",transport=\"grpc\""),
        "latency: 14 buckets and +Inf");
    // Freshness: a handful of buckets per view (was 276).
    assertEquals(
        15,
        count(text, "fletch_serving_freshness_seconds_bucket\\{view=\"customer_profile\""),
        "freshness: 14 buckets and +Inf");
    assertHas(
        text, "fletch_serving_freshness_seconds_bucket{view=\"customer_profile\",le=\"60.0\"} 2");

    // The online store: latency per operation, errors by kind at 0, reachability.
    assertHas(text, "fletch_online_store_request_seconds_count{operation=\"read\"} 2");
    assertHas(text, "fletch_online_store_request_seconds_bucket{operation=\"read\",le=\"0.001\"}");
    for (String kind : List.of("timeout", "connection", "cluster_down", "server_busy", "other")) {
      for (String operation : List.of("read", "write")) {
        assertHas(
            text,
            "fletch_online_store_errors_total{kind=\""
                + kind
                + "\",operation=\""
                + operation
                + "\"} 0.0");
      }
    }
    assertHas(text, "fletch_online_store_up 1.0");
    assertHas(text, "fletch_serving_ready 1.0");

    // The registry version served, its refreshes.
    assertHas(text, "fletch_serving_registry_version{project=\"payments\"} 1.0");
    assertHas(text, "fletch_serving_registry_refresh_failures_total{project=\"payments\"} 0.0");
    assertTrue(
        value(text, "fletch_serving_registry_last_refresh_timestamp_seconds{project=\"payments\"}")
            > NOW.getEpochSecond() - 60,
        text);

    // Materialization per online view: outcomes at 0, the watermark's age from the job history.
    for (String view : List.of("customer_profile", "merchant_stats")) {
      for (String outcome : List.of("succeeded", "failed")) {
        assertHas(
            text,
            "fletch_materialization_jobs_total{outcome=\""
                + outcome
                + "\",view=\""
                + view
                + "\"} 0.0");
      }
      assertHas(text, "fletch_materialization_rows_total{view=\"" + view + "\"} 0.0");
    }
    double age =
        value(text, "fletch_materialization_watermark_age_seconds{view=\"customer_profile\"}");
    assertTrue(age >= 1200 && age < 1300, "watermark age " + age);
    assertTrue(
        !text.contains("fletch_materialization_watermark_age_seconds{view=\"merchant_stats\""));

    // A job of this process's scheduler, as fletch serve reports it.
    server
        .metrics()
        .materialization()
        .jobSucceeded("merchant_stats", 1200, Duration.ofSeconds(3), NOW.minusSeconds(10));
    server.metrics().materialization().jobFailed("merchant_stats", Duration.ofSeconds(1));
    String after = scrape();
    assertHas(
        after,
        "fletch_materialization_jobs_total{outcome=\"succeeded\",view=\"merchant_stats\"} 1.0");
    assertHas(
        after, "fletch_materialization_jobs_total{outcome=\"failed\",view=\"merchant_stats\"} 1.0");
    assertHas(after, "fletch_materialization_rows_total{view=\"merchant_stats\"} 1200.0");
    assertHas(after, "fletch_materialization_job_seconds_count{view=\"merchant_stats\"} 2");
    assertHas(after, "fletch_materialization_watermark_age_seconds{view=\"merchant_stats\"}");

    // The JVM and the process, by Micrometer's binders.
    for (String jvm :
        List.of(
            "jvm_memory_used_bytes{area=\"heap\"",
            "jvm_memory_max_bytes{",
            "jvm_gc_memory_allocated_bytes_total",
            "jvm_gc_overhead",
            "jvm_threads_live_threads",
            "jvm_threads_states_threads{state=\"runnable\"}",
            "jvm_classes_loaded_classes",
            "jvm_info{",
            "process_cpu_usage",
            "process_files_open_files",
            "process_files_max_files",
            "process_uptime_seconds",
            "process_start_time_seconds",
            "system_cpu_count")) {
      assertHas(text, jvm);
    }
  }

  @Test
  void callsNamingNoOrAnUnknownServiceDoNotMakeLabelsUp() throws Exception {
    for (String service : List.of("fraud_v1", "made_up_1", "made_up_2")) {
      http.send(
          HttpRequest.newBuilder(uri("/api/v1/features/online"))
              .POST(
                  HttpRequest.BodyPublishers.ofString(
                      "{\"feature_service\": \""
                          + service
                          + "\", \"entities\": {\"customer_id\": [1], \"merchant_id\": [\"m1\"]}}"))
              .build(),
          HttpResponse.BodyHandlers.ofString());
    }
    http.send(
        HttpRequest.newBuilder(uri("/api/v1/features/online"))
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "{\"features\": [\"customer_profile:age\"], \"entities\": {\"customer_id\":"
                        + " [1]}}"))
            .build(),
        HttpResponse.BodyHandlers.ofString());
    String text = scrape();
    assertHas(
        text,
        "fletch_serving_requests_total{method=\"GetFeatures\",service=\"(unknown)\",status=\"NOT_FOUND\",transport=\"http\"} 2.0");
    assertHas(
        text,
        "fletch_serving_requests_total{method=\"GetFeatures\",service=\"(none)\",status=\"OK\",transport=\"http\"} 1.0");
    assertTrue(!text.contains("made_up"), "no label from a client's made-up name");
  }

  private String scrape() throws Exception {
    HttpResponse<String> m =
        http.send(
            HttpRequest.newBuilder(uri("/metrics")).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, m.statusCode());
    return m.body();
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.httpPort() + path);
  }

  private static void assertHas(String text, String line) {
    assertTrue(text.contains(line), "missing " + line + " in:\n" + text);
  }

  private static int count(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  /** The value of the series whose name and labels are {@code series}. */
  private static double value(String text, String series) {
    for (String line : text.split("\n")) {
      if (line.startsWith(series + " ")) {
        return Double.parseDouble(line.substring(series.length() + 1).trim());
      }
    }
    throw new AssertionError("no series " + series + " in:\n" + text);
  }
}
