package dev.fletch.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fletch.core.UnavailableException;
import dev.fletch.serving.client.FletchClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Readiness follows reads, not only a ping: a cluster that reports fail, and reads failing in a row
 * while the store still answers pings, turn health NOT_SERVING; it turns back by itself (a probe
 * read of its own) once reads work, with no client traffic. (The same on a real Redis Cluster:
 * {@code ServingReadinessClusterIT}.)
 */
class ReadinessTest {
  private MemoryOnlineStore store;
  private FletchServer server;
  private FletchClient client;

  @BeforeEach
  void start() {
    store = TestRepos.customerOne(Instant.now());
    server =
        FletchServer.builder()
            .httpPort(0)
            .grpcPort(FletchServer.EPHEMERAL)
            .definitions(new TestRepos.MemoryDefinitions(TestRepos.repo()))
            .project("payments")
            .onlineStore(store)
            .healthInterval(Duration.ofMillis(100))
            .start();
    client =
        FletchClient.builder()
            .target("127.0.0.1", server.grpcPort())
            .deadline(Duration.ofSeconds(2))
            .maxAttempts(1)
            .build();
  }

  @AfterEach
  void stop() {
    client.close();
    server.close();
  }

  @Test
  void readsFailingInARowTurnHealthNotServingUntilAProbeReadWorks() throws Exception {
    assertTrue(awaitHealth(true).serving());
    store.readsFail = true;
    for (int i = 0; i < StoreMetrics.FAILED_READS_TO_TRIP - 1; i++) {
      assertThrows(UnavailableException.class, this::call);
    }
    Thread.sleep(300);
    assertTrue(server.health().state().serving(), "a few failed reads are not an outage");
    assertThrows(UnavailableException.class, this::call);
    ServingHealth.State down = awaitHealth(false);
    assertTrue(down.reason().contains("5 reads in a row failed"), down.reason());
    assertTrue(down.reason().contains("a probe read failed too"), down.reason());
    assertTrue(down.reason().contains("connection: memory store is down"), down.reason());

    // No client calls: the health check's own probe read finds the store serving again.
    store.readsFail = false;
    assertTrue(awaitHealth(true).serving());
    assertEquals(31, call());
    String metrics = server.metrics().scrape();
    assertTrue(
        metrics.contains(
            "fletch_online_store_errors_total{kind=\"connection\",operation=\"read\"} 5.0"),
        metrics);
    assertTrue(metrics.contains("fletch_online_store_request_seconds_count{operation=\"read\"} 6"));
  }

  @Test
  void aClusterThatReportsFailIsNotServing() throws Exception {
    store.clusterOk = true;
    assertTrue(server.health().check().serving(), "a check that sees the cluster ok");
    assertTrue(server.metrics().scrape().contains("fletch_online_store_cluster_state 1.0"));
    store.clusterOk = false;
    ServingHealth.State down = awaitHealth(false);
    assertTrue(down.reason().contains("the Redis Cluster does not serve"), down.reason());
    assertTrue(down.reason().contains("127.0.0.1:7001 reports fail"), down.reason());
    assertTrue(down.reason().contains("CLUSTERDOWN"), down.reason());
    String metrics = server.metrics().scrape();
    assertTrue(metrics.contains("fletch_online_store_cluster_state 0.0"), metrics);
    assertTrue(metrics.contains("fletch_serving_ready 0.0"), metrics);
    assertTrue(metrics.contains("fletch_online_store_up 1.0"), "the store still answers pings");
    store.clusterOk = true;
    assertTrue(awaitHealth(true).serving());
  }

  @Test
  void aStoreThatDoesNotAnswerAPingIsNotServingAndNotUp() throws Exception {
    assertTrue(awaitHealth(true).serving());
    store.down = true;
    ServingHealth.State down = awaitHealth(false);
    assertTrue(down.reason().contains("is unreachable"), down.reason());
    assertTrue(server.metrics().scrape().contains("fletch_online_store_up 0.0"));
    store.down = false;
    assertTrue(awaitHealth(true).serving());
    assertFalse(server.metrics().scrape().contains("fletch_online_store_up 0.0"));
  }

  private Object call() {
    return client
        .getFeatures(List.of("customer_profile:age"), Map.of("customer_id", List.of(1L)))
        .value("age", 0);
  }

  private ServingHealth.State awaitHealth(boolean serving) throws InterruptedException {
    long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    ServingHealth.State s = server.health().state();
    while (s.serving() != serving && System.nanoTime() < until) {
      Thread.sleep(20);
      s = server.health().state();
    }
    assertEquals(serving, s.serving(), String.valueOf(s));
    return s;
  }
}
