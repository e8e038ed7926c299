package dev.fletch.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fletch.core.model.EntityKey;
import dev.fletch.core.model.FeatureRow;
import dev.fletch.online.OnlineStore;
import dev.fletch.online.RedisOnlineStore;
import dev.fletch.serving.client.FletchClient;
import dev.fletch.testkit.RedisCluster;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.NettyChannelBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Readiness tells the truth on a real Redis Cluster (three primaries, no replicas, node timeout 2
 * s): a primary is killed under a steady load of GetFeatures, stays dead for 8 s, and is started
 * again. Health (gRPC and HTTP) must turn NOT_SERVING soon after the kill, stay so while reads fail
 * (the dead node's slots, then CLUSTERDOWN everywhere), and turn SERVING again as soon as reads
 * work. The measured figures are printed.
 */
class ServingReadinessClusterIT {
  /** How soon after the kill health may still say SERVING (a check runs every second). */
  private static final Duration DETECTION = Duration.ofSeconds(3);

  private record Call(long startNanos, long endNanos, boolean ok) {}

  private record Health(long atNanos, boolean serving) {}

  @Test
  void healthFollowsWhatReadsDoWhenAPrimaryDiesAndReturns() throws Exception {
    try (RedisCluster cluster = RedisCluster.start();
        OnlineStore store = RedisOnlineStore.open(cluster.url())) {
      List<FeatureRow> rows = new ArrayList<>();
      for (long id = 0; id < 300; id++) {
        rows.add(
            new FeatureRow(
                EntityKey.of("customer_id", id),
                Instant.now().minusSeconds(10),
                List.of((int) id, 1.0, List.of())));
      }
      store.write("payments", TestRepos.profile(), rows).join();
      try (FletchServer server =
          FletchServer.builder()
              .httpPort(FletchServer.EPHEMERAL)
              .grpcPort(FletchServer.EPHEMERAL)
              .definitions(new TestRepos.MemoryDefinitions(TestRepos.repo()))
              .project("payments")
              .onlineStore(store)
              .start()) {
        run(cluster, server);
      }
    }
  }

  private void run(RedisCluster cluster, FletchServer server) throws Exception {
    ConcurrentLinkedQueue<Call> calls = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<Health> health = new ConcurrentLinkedQueue<>();
    AtomicBoolean running = new AtomicBoolean(true);
    List<Thread> threads = new ArrayList<>();
    FletchClient client =
        FletchClient.builder()
            .target("127.0.0.1", server.grpcPort())
            .deadline(Duration.ofSeconds(3))
            .maxAttempts(1)
            .build();
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
    try {
      // A steady load: 4 callers, each asking for 20 random customers (every node's slots) every
      // 20 ms, about 150 calls/s.
      for (int t = 0; t < 4; t++) {
        Thread caller =
            new Thread(
                () -> {
                  while (running.get()) {
                    List<Long> ids = new ArrayList<>();
                    for (int i = 0; i < 20; i++) {
                      ids.add(ThreadLocalRandom.current().nextLong(300));
                    }
                    long start = System.nanoTime();
                    boolean ok;
                    try {
                      client.getFeatures(
                          List.of("customer_profile:age"), Map.of("customer_id", ids));
                      ok = true;
                    } catch (RuntimeException e) {
                      ok = false;
                    }
                    calls.add(new Call(start, System.nanoTime(), ok));
                    sleep(20);
                  }
                });
        threads.add(caller);
      }
      HealthGrpc.HealthBlockingStub probe = HealthGrpc.newBlockingStub(channel);
      Thread watcher =
          new Thread(
              () -> {
                while (running.get()) {
                  boolean serving;
                  try {
                    serving =
                        probe
                                .withDeadlineAfter(500, TimeUnit.MILLISECONDS)
                                .check(
                                    HealthCheckRequest.newBuilder()
                                        .setService("fletch.serving.v1.FeatureServing")
                                        .build())
                                .getStatus()
                            == ServingStatus.SERVING;
                  } catch (RuntimeException e) {
                    serving = false;
                  }
                  health.add(new Health(System.nanoTime(), serving));
                  sleep(50);
                }
              });
      threads.add(watcher);
      threads.forEach(Thread::start);

      sleep(3000);
      assertTrue(calls.stream().allMatch(Call::ok), "all calls succeed before the kill");
      int dead = cluster.primaries().get(2);
      long killed = System.nanoTime();
      cluster.kill(dead);
      sleep(4000);
      // While the cluster is down, the HTTP probe says why.
      HttpResponse<String> httpHealth =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create(
                              "http://127.0.0.1:" + server.httpPort() + "/api/v1/serving/health"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      String metricsDown = server.metrics().scrape();
      sleep(4000);
      long restarted = System.nanoTime();
      cluster.restart(dead);
      // Until reads have worked for 3 s and health has said SERVING since, 40 s at most.
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
      while (System.nanoTime() < until && !settled(calls, health)) {
        sleep(200);
      }
      running.set(false);
      for (Thread t : threads) {
        t.join(10_000);
      }
      report(killed, restarted, new ArrayList<>(calls), new ArrayList<>(health), metricsDown);
      assertEquals(503, httpHealth.statusCode(), httpHealth.body());
      assertTrue(httpHealth.body().contains("online store"), httpHealth.body());
    } finally {
      running.set(false);
      client.close();
      channel.shutdownNow();
    }
  }

  /** Reads have worked for the last 3 s and health says SERVING. */
  private static boolean settled(
      ConcurrentLinkedQueue<Call> calls, ConcurrentLinkedQueue<Health> health) {
    long now = System.nanoTime();
    boolean failedLately =
        calls.stream().anyMatch(c -> !c.ok() && now - c.endNanos() < TimeUnit.SECONDS.toNanos(3));
    boolean anyFailed = calls.stream().anyMatch(c -> !c.ok());
    Health last = null;
    for (Health h : health) {
      last = h;
    }
    return anyFailed && !failedLately && last != null && last.serving();
  }

  private static void report(
      long killed, long restarted, List<Call> calls, List<Health> health, String metricsDown) {
    List<Call> failed = calls.stream().filter(c -> !c.ok()).toList();
    assertTrue(!failed.isEmpty(), "the kill made calls fail");
    long lastFailedStart = failed.stream().mapToLong(Call::startNanos).max().orElseThrow();
    // Reads are back from the first successful call started after the last failed one started.
    long readsBack =
        calls.stream()
            .filter(c -> c.ok() && c.startNanos() > lastFailedStart)
            .mapToLong(Call::startNanos)
            .min()
            .orElseThrow();
    long notServingAt =
        health.stream()
            .filter(h -> !h.serving() && h.atNanos() > killed)
            .mapToLong(Health::atNanos)
            .min()
            .orElse(-1);
    long servingAgainAt =
        notServingAt < 0
            ? -1
            : health.stream()
                .filter(h -> h.serving() && h.atNanos() > notServingAt)
                .mapToLong(Health::atNanos)
                .min()
                .orElse(-1);
    long failedWhileServing = 0;
    long failedWhileServingAfterDetection = 0;
    for (Call c : failed) {
      if (servingAt(health, c.startNanos())) {
        failedWhileServing++;
        if (c.startNanos() - killed > DETECTION.toNanos()) {
          failedWhileServingAfterDetection++;
        }
      }
    }
    long servingMillisWhileFailing = 0;
    Health previous = null;
    for (Health h : health) {
      if (previous != null
          && previous.serving()
          && previous.atNanos() >= killed
          && previous.atNanos() < readsBack) {
        servingMillisWhileFailing += (h.atNanos() - previous.atNanos()) / 1_000_000;
      }
      previous = h;
    }
    System.out.printf(
        "readiness on a Redis Cluster: %d calls, %d failed (%d of them while health said SERVING);"
            + " reads failed from the kill until %.1f s after it (%.1f s after the restart);"
            + " health NOT_SERVING %s after the kill, SERVING again %s after reads came"
            + " back; SERVING for %.2f s of the %.1f s while reads failed%n",
        calls.size(),
        failed.size(),
        failedWhileServing,
        (readsBack - killed) / 1e9,
        (readsBack - restarted) / 1e9,
        notServingAt < 0 ? "never" : String.format("%.2f s", (notServingAt - killed) / 1e9),
        servingAgainAt < 0 ? "-" : String.format("%.2f s", (servingAgainAt - readsBack) / 1e9),
        servingMillisWhileFailing / 1e3,
        (readsBack - killed) / 1e9);
    assertTrue(notServingAt > 0, "health never said NOT_SERVING");
    assertTrue(servingAgainAt > 0, "health never said SERVING again");
    assertTrue(
        notServingAt - killed < DETECTION.toNanos(),
        "NOT_SERVING " + (notServingAt - killed) / 1e9 + " s after the kill");
    assertEquals(
        0,
        failedWhileServingAfterDetection,
        "calls that failed while health said SERVING, later than " + DETECTION + " after the kill");
    assertTrue(
        servingAgainAt - readsBack < TimeUnit.SECONDS.toNanos(3),
        "SERVING again " + (servingAgainAt - readsBack) / 1e9 + " s after reads came back");
    // What the failure looked like in the metrics while the cluster was down.
    assertTrue(metricsDown.contains("fletch_serving_ready 0.0"), metricsDown);
    assertTrue(metricsDown.contains("fletch_online_store_up 0.0"), metricsDown);
    assertTrue(metricsDown.contains("fletch_online_store_cluster_state 0.0"), metricsDown);
  }

  /** What health said last at or before {@code nanos} (SERVING before the first sample). */
  private static boolean servingAt(List<Health> health, long nanos) {
    boolean serving = true;
    for (Health h : health) {
      if (h.atNanos() > nanos) {
        break;
      }
      serving = h.serving();
    }
    return serving;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
