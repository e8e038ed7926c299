package dev.fletch.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fletch.core.UnavailableException;
import dev.fletch.core.model.EntityKey;
import dev.fletch.core.model.FeatureRow;
import dev.fletch.core.settings.Settings;
import dev.fletch.online.OnlineStore;
import dev.fletch.online.OnlineStores;
import dev.fletch.serving.client.FletchClient;
import dev.fletch.testkit.RedisServer;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.StreamObserver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The server over the real Redis online store: values, statuses, outage and recovery, health,
 * reflection.
 */
class ServingRedisIT {
  private RedisServer redis;
  private OnlineStore store;
  private FletchServer server;
  private FletchClient client;
  private final Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);

  @BeforeEach
  void start() {
    redis = RedisServer.dedicated();
    Settings defaults = Settings.defaults(Path.of("."));
    store =
        OnlineStores.open(
            new Settings(
                defaults.registryUrl(),
                Settings.ONLINE_REDIS,
                redis.url(),
                null,
                "127.0.0.1",
                0,
                0,
                1000,
                Duration.ofSeconds(2)));
    writeRows();
    server =
        FletchServer.builder()
            .httpPort(FletchServer.EPHEMERAL)
            .grpcPort(FletchServer.EPHEMERAL)
            .definitions(new TestRepos.MemoryDefinitions(TestRepos.repo()))
            .project("payments")
            .onlineStore(store)
            .healthInterval(Duration.ofMillis(200))
            .start();
    client =
        FletchClient.builder()
            .target("127.0.0.1", server.grpcPort())
            .deadline(Duration.ofSeconds(5))
            .build();
  }

  private void writeRows() {
    store
        .write(
            "payments",
            TestRepos.profile(),
            List.of(
                new FeatureRow(
                    EntityKey.of("customer_id", 1L),
                    now.minusSeconds(30),
                    List.of(31, 12.5, List.of("a"))),
                new FeatureRow(
                    EntityKey.of("customer_id", 2L),
                    now.minusSeconds(30),
                    Arrays.asList(null, 2.0, null)),
                new FeatureRow(
                    EntityKey.of("customer_id", 3L),
                    now.minus(Duration.ofHours(3)),
                    List.of(50, 1.0, List.of()))))
        .join();
    store
        .write(
            "payments",
            TestRepos.merchantStats(),
            List.of(
                new FeatureRow(
                    EntityKey.of("merchant_id", "m1"), now.minusSeconds(5), List.of(99.0, "DE"))))
        .join();
  }

  @AfterEach
  void stop() {
    if (client != null) client.close();
    if (server != null) server.close();
    if (store != null) store.close();
    if (redis != null) redis.close();
  }

  @Test
  void servesValuesWithStatusesFromRedis() throws Exception {
    OnlineResult r =
        client.getFeatures(
            List.of("customer_profile:*", "merchant_stats:country"),
            Map.of(
                "customer_id",
                List.of(1L, 2L, 3L, 4L),
                "merchant_id",
                List.of("m1", "m1", "zz", "m1")));
    assertEquals(List.of("age", "avg_amount", "tags", "country"), r.featureNames());
    assertEquals(Arrays.asList(31, null, 50, null), r.column("age").values());
    assertEquals(
        List.of(
            ValueStatus.PRESENT,
            ValueStatus.NULL_VALUE,
            ValueStatus.OUTSIDE_MAX_AGE,
            ValueStatus.NOT_FOUND),
        r.column("age").statuses());
    assertEquals(now.minusSeconds(30), r.eventTime("age", 0));
    assertEquals(List.of("a"), r.value("tags", 0));
    assertEquals(Arrays.asList("DE", "DE", null, "DE"), r.column("country").values());

    HttpResponse<String> http =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(
                            "http://127.0.0.1:" + server.httpPort() + "/api/v1/features/online"))
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            "{\"features\":[\"customer_profile:age\"],\"entities\":{\"customer_id\":[1,3]}}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertEquals(200, http.statusCode(), http.body());
    assertTrue(http.body().contains("\"values\":[31,50]"), http.body());
    assertTrue(http.body().contains("\"statuses\":[\"PRESENT\",\"OUTSIDE_MAX_AGE\"]"), http.body());
  }

  @Test
  void redisOutageIsUnavailableWithinTheDeadlineAndServingRecovers() throws Exception {
    Map<String, List<Long>> one = Map.of("customer_id", List.of(1L));
    assertEquals(31, client.getFeatures(List.of("customer_profile:age"), one).value("age", 0));

    FletchClient fast =
        FletchClient.builder()
            .target("127.0.0.1", server.grpcPort())
            .deadline(Duration.ofSeconds(1))
            .build();
    try {
      warmUp(fast, one);
      redis.stop();
      long start = System.nanoTime();
      UnavailableException e =
          assertThrows(
              UnavailableException.class,
              () -> fast.getFeatures(List.of("customer_profile:age"), one));
      long tookMillis = (System.nanoTime() - start) / 1_000_000;
      assertTrue(e.getMessage().startsWith("UNAVAILABLE"), e.getMessage());
      assertTrue(tookMillis < 1000, "answered within the 1 s deadline, took " + tookMillis + " ms");
    } finally {
      fast.close();
    }
    // Load balancers see it too: health turns NOT_SERVING while Redis is away.
    assertEquals(
        HealthCheckResponse.ServingStatus.NOT_SERVING,
        awaitHealth(HealthCheckResponse.ServingStatus.NOT_SERVING));

    redis.start();
    OnlineResult back = null;
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (back == null && System.nanoTime() < until) {
      try {
        // The test Redis persists nothing, so the rows are written again once the store reconnects.
        writeRows();
        back = client.getFeatures(List.of("customer_profile:age"), one);
      } catch (RuntimeException stillDown) {
        Thread.sleep(100);
      }
    }
    assertTrue(back != null, "serving recovered after Redis came back");
    assertEquals(31, back.value("age", 0));
    assertEquals(
        HealthCheckResponse.ServingStatus.SERVING,
        awaitHealth(HealthCheckResponse.ServingStatus.SERVING));
  }

  /**
   * The gRPC health status of FeatureServing once it is {@code wanted}, or the last one after 10 s.
   */
  private HealthCheckResponse.ServingStatus awaitHealth(HealthCheckResponse.ServingStatus wanted)
      throws InterruptedException {
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
    try {
      HealthCheckResponse.ServingStatus status = null;
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (status != wanted && System.nanoTime() < until) {
        status =
            HealthGrpc.newBlockingStub(channel)
                .withDeadlineAfter(2, TimeUnit.SECONDS)
                .check(
                    HealthCheckRequest.newBuilder()
                        .setService("fletch.serving.v1.FeatureServing")
                        .build())
                .getStatus();
        if (status != wanted) {
          Thread.sleep(100);
        }
      }
      return status;
    } finally {
      channel.shutdownNow();
    }
  }

  /**
   * The first calls of a fresh channel in a cold JVM can exceed a short deadline; that is not under
   * test.
   */
  private static void warmUp(FletchClient c, Map<String, List<Long>> entities) {
    for (int i = 0; i < 50; i++) {
      try {
        c.getFeatures(List.of("customer_profile:age"), entities);
        return;
      } catch (UnavailableException e) {
        // still warming up
      }
    }
  }

  @Test
  void healthAndReflectionAnswer() throws Exception {
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
    try {
      HealthCheckResponse health =
          HealthGrpc.newBlockingStub(channel)
              .withDeadlineAfter(2, TimeUnit.SECONDS)
              .check(
                  HealthCheckRequest.newBuilder()
                      .setService("fletch.serving.v1.FeatureServing")
                      .build());
      assertEquals(HealthCheckResponse.ServingStatus.SERVING, health.getStatus());

      CompletableFuture<List<String>> services = new CompletableFuture<>();
      StreamObserver<ServerReflectionRequest> requests =
          ServerReflectionGrpc.newStub(channel)
              .withDeadlineAfter(2, TimeUnit.SECONDS)
              .serverReflectionInfo(
                  new StreamObserver<>() {
                    @Override
                    public void onNext(ServerReflectionResponse value) {
                      List<String> names = new ArrayList<>();
                      value
                          .getListServicesResponse()
                          .getServiceList()
                          .forEach(s -> names.add(s.getName()));
                      services.complete(names);
                    }

                    @Override
                    public void onError(Throwable t) {
                      services.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {}
                  });
      requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
      List<String> names = services.get(5, TimeUnit.SECONDS);
      requests.onCompleted();
      assertTrue(names.contains("fletch.serving.v1.FeatureServing"), names.toString());
      assertTrue(names.contains("grpc.health.v1.Health"), names.toString());

      assertEquals("payments", client.servingInfo().getProject());
    } finally {
      channel.shutdownNow();
    }
  }
}
