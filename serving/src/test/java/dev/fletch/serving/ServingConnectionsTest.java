package dev.fletch.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fletch.core.InvalidRequestException;
import dev.fletch.core.UnavailableException;
import dev.fletch.serving.client.FletchClient;
import io.grpc.EquivalentAddressGroup;
import io.grpc.ManagedChannel;
import io.grpc.NameResolver;
import io.grpc.NameResolverProvider;
import io.grpc.NameResolverRegistry;
import io.grpc.StatusOr;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.NettyChannelBuilder;
import io.vertx.core.json.JsonObject;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a server does with its connections in a fleet behind load balancers: draining before it
 * stops, asking clients to reconnect after a maximum connection age, and the Java client spreading
 * calls over every address of its target, trying UNAVAILABLE answers again on the next replica and
 * (with health checks) leaving out replicas that are not serving. The store is in memory: the
 * behaviour is the server's.
 */
class ServingConnectionsTest {
  private final HttpClient http = HttpClient.newHttpClient();
  private MemoryOnlineStore store;
  private TestRepos.MemoryDefinitions definitions;

  @BeforeEach
  void data() {
    store = TestRepos.customerOne(Instant.now().minusSeconds(60));
    definitions = new TestRepos.MemoryDefinitions(TestRepos.repo());
  }

  private FletchServer.Builder server() {
    return FletchServer.builder()
        .host("127.0.0.1")
        .httpPort(FletchServer.EPHEMERAL)
        .grpcPort(FletchServer.EPHEMERAL)
        .definitions(definitions)
        .project("payments")
        .onlineStore(store)
        .healthInterval(Duration.ofMillis(50));
  }

  private static FletchClient client(FletchServer s) {
    return FletchClient.builder()
        .target("127.0.0.1", s.grpcPort())
        .deadline(Duration.ofSeconds(5))
        .build();
  }

  private static Object age(FletchClient c) {
    return c.getFeatures(List.of("customer_profile:age"), Map.of("customer_id", List.of(1L)))
        .value("age", 0);
  }

  @Test
  void drainingSaysNotServingWhileItStillAnswersThenCloses() throws Exception {
    FletchServer s = server().drainDelay(Duration.ofMillis(1500)).start();
    try (FletchClient c = client(s)) {
      assertEquals(31, age(c));
      String healthUrl = "http://127.0.0.1:" + s.httpPort() + "/api/v1/serving/health";
      int httpPort = s.httpPort();
      Thread closer = new Thread(s::close, "closer");
      long closeStarted = System.nanoTime();
      closer.start();

      HttpResponse<String> health = get(healthUrl);
      while (health.statusCode() == 200
          && System.nanoTime() - closeStarted < TimeUnit.SECONDS.toNanos(1)) {
        health = get(healthUrl);
      }
      assertEquals(503, health.statusCode(), health.body());
      assertTrue(
          new JsonObject(health.body()).getString("reason").contains("shutting down"),
          health.body());
      assertEquals(ServingStatus.NOT_SERVING, grpcHealth(s.grpcPort()));
      // Still answering both transports while the load balancers catch up.
      assertEquals(31, age(c));
      HttpResponse<String> twin = postAge(httpPort);
      assertEquals(200, twin.statusCode(), twin.body());
      assertTrue(closer.isAlive(), "close() is still draining");

      closer.join(15_000);
      assertFalse(closer.isAlive(), "close() returned");
      assertTrue(
          System.nanoTime() - closeStarted >= TimeUnit.MILLISECONDS.toNanos(1500),
          "close() waited out the drain delay");
      assertThrows(UnavailableException.class, () -> age(c));
    } finally {
      s.close();
    }
  }

  @Test
  void withoutADrainDelayCloseStopsAtOnce() {
    FletchServer s = server().start();
    long start = System.nanoTime();
    s.close();
    assertTrue(
        System.nanoTime() - start < TimeUnit.SECONDS.toNanos(1),
        "close() of an idle server without a drain delay does not wait");
  }

  @Test
  void clientsReconnectAfterTheMaximumConnectionAgeWithoutAFailedCall() throws Exception {
    try (FletchServer s = server().maxConnectionAge(Duration.ofSeconds(1)).start();
        FletchClient c = client(s)) {
      long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(3500);
      int calls = 0;
      while (System.nanoTime() < until) {
        assertEquals(31, age(c), "call " + calls);
        calls++;
        Thread.sleep(10);
      }
      double opened =
          s.metrics().registry().get("fletch.serving.grpc.connections.opened").counter().count();
      assertTrue(opened >= 2, "connections opened in 3.5 s with a 1 s maximum age: " + opened);
      String scrape = s.metrics().scrape();
      assertTrue(scrape.contains("fletch_serving_grpc_connections "), scrape);
      assertTrue(scrape.contains("fletch_serving_grpc_connections_opened_total "), scrape);
      assertTrue(calls > 100, "calls made: " + calls);
    }
  }

  @Test
  void aTooShortMaximumConnectionAgeOrNegativeDrainIsRejected() {
    InvalidRequestException age =
        assertThrows(
            InvalidRequestException.class,
            () -> server().maxConnectionAge(Duration.ofMillis(500)).build());
    assertTrue(age.getMessage().contains("at least 1 second"), age.getMessage());
    InvalidRequestException drain =
        assertThrows(
            InvalidRequestException.class,
            () -> server().drainDelay(Duration.ofSeconds(-1)).build());
    assertTrue(drain.getMessage().contains("drain delay cannot be negative"), drain.getMessage());
  }

  @Test
  void theClientSpreadsCallsOverEveryAddressOfItsTarget() {
    try (FletchServer a = server().httpPort(0).start();
        FletchServer b = server().httpPort(0).start()) {
      withFleet(
          a,
          b,
          builder -> builder,
          c -> {
            for (int i = 0; i < 40; i++) {
              assertEquals(31, age(c));
            }
          });
      double onA = TestRepos.okGetFeatures(a);
      double onB = TestRepos.okGetFeatures(b);
      assertEquals(40, onA + onB);
      assertTrue(onA >= 10 && onB >= 10, "calls on each server: " + onA + " and " + onB);
    }
  }

  @Test
  void aCallAnsweredUnavailableIsTriedAgainOnTheNextReplica() {
    MemoryOnlineStore broken = TestRepos.customerOne(Instant.now().minusSeconds(60));
    broken.down = true;
    try (FletchServer a = server().httpPort(0).onlineStore(broken).start();
        FletchServer b = server().httpPort(0).start()) {
      // Round-robin sends each call's first attempt to the broken replica (its retry took the
      // healthy one's turn), so the throttle (10 tokens, 1 per failure, 0.1 back per success, no
      // retries at 5 or fewer) would stop the retries from the 6th call on: 4 calls stay under it.
      withFleet(
          a,
          b,
          builder -> builder,
          c -> {
            awaitConnectedToBoth(c, a, b);
            for (int i = 0; i < 4; i++) {
              assertEquals(31, age(c));
            }
          });
      assertTrue(
          TestRepos.calls(a, "GetFeatures", "UNAVAILABLE") >= 1,
          "the broken replica was never asked, so nothing was retried");
      assertEquals(4, TestRepos.okGetFeatures(b));

      // The same fleet without retries: the broken replica's answers reach the caller.
      int[] failed = {0};
      withFleet(
          a,
          b,
          builder -> builder.maxAttempts(1),
          c -> {
            awaitConnectedToBoth(c, a, b);
            for (int i = 0; i < 20; i++) {
              try {
                age(c);
              } catch (UnavailableException e) {
                assertTrue(e.getMessage().contains("memory store is down"), e.getMessage());
                failed[0]++;
              }
            }
          });
      assertTrue(failed[0] >= 1, "no call reached the broken replica");
    }
  }

  @Test
  void withHealthChecksTheClientLeavesOutReplicasThatAreNotServing() throws Exception {
    MemoryOnlineStore flaky = TestRepos.customerOne(Instant.now().minusSeconds(60));
    flaky.down = true;
    try (FletchServer a = server().httpPort(0).onlineStore(flaky).start();
        FletchServer b = server().httpPort(0).start()) {
      awaitHealth(a, ServingStatus.NOT_SERVING);
      withFleet(
          a,
          b,
          builder -> builder.healthChecks(true).maxAttempts(1),
          c -> {
            for (int i = 0; i < 20; i++) {
              assertEquals(31, age(c));
            }
            assertEquals(0, TestRepos.calls(a, "GetFeatures", "UNAVAILABLE"));
            assertEquals(0, TestRepos.okGetFeatures(a));
            // Once the replica's store is back and its health says so, it gets calls again.
            flaky.down = false;
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (TestRepos.okGetFeatures(a) == 0 && System.nanoTime() < until) {
              assertEquals(31, age(c));
            }
            assertTrue(TestRepos.okGetFeatures(a) > 0, "the recovered replica got no calls");
          });
    }
  }

  /**
   * Calls GetServingInfo (which reads no store) until both servers have answered one: the client
   * then has a connection to each, so round-robin alternates between them.
   */
  private static void awaitConnectedToBoth(FletchClient c, FletchServer a, FletchServer b) {
    double before = TestRepos.calls(a, "GetServingInfo", "OK");
    double beforeB = TestRepos.calls(b, "GetServingInfo", "OK");
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (TestRepos.calls(a, "GetServingInfo", "OK") == before
        || TestRepos.calls(b, "GetServingInfo", "OK") == beforeB) {
      assertTrue(System.nanoTime() < until, "the client never connected to both servers");
      c.servingInfo();
    }
  }

  @Test
  void beyondTheInFlightLimitCallsAreShedAtOnceAndCounted() throws Exception {
    try (FletchServer s = server().maxInFlight(1).start();
        FletchClient c = client(s)) {
      store.gate = new java.util.concurrent.CompletableFuture<>();
      java.util.concurrent.CompletableFuture<OnlineResult> first =
          c.getFeaturesAsync(
              dev.fletch.serving.OnlineQuery.ofFeatures(
                  List.of("customer_profile:age"), Map.of("customer_id", List.of(1L))));
      assertTrue(store.gateReached.await(5, TimeUnit.SECONDS), "the first call reached the store");

      long start = System.nanoTime();
      UnavailableException shed = assertThrows(UnavailableException.class, () -> age(c));
      long tookMillis = (System.nanoTime() - start) / 1_000_000;
      assertTrue(shed.getMessage().contains("overloaded"), shed.getMessage());
      assertTrue(tookMillis < 2000, "shed at once, not after the 5 s deadline: " + tookMillis);
      HttpResponse<String> overloaded = postAge(s.httpPort());
      assertEquals(503, overloaded.statusCode(), overloaded.body());
      assertTrue(overloaded.body().contains("overloaded"), overloaded.body());
      assertTrue(
          get("http://127.0.0.1:" + s.httpPort() + "/metrics")
              .body()
              .contains("fletch_serving_in_flight 1.0"),
          "the gauge shows the call in flight");
      assertTrue(TestRepos.calls(s, "GetFeatures", "UNAVAILABLE") >= 2);

      store.gate.complete(null);
      assertEquals(31, first.get(5, TimeUnit.SECONDS).value("age", 0));
      assertEquals(31, age(c));
      assertTrue(
          get("http://127.0.0.1:" + s.httpPort() + "/metrics")
              .body()
              .contains("fletch_serving_in_flight 0.0"),
          "the gauge is back to 0");
    }
  }

  @Test
  void aListenerThatIsGoneTurnsHealthNotServingOnTheOtherPort() throws Exception {
    FletchServer s = server().start();
    try {
      awaitHealth(s, ServingStatus.SERVING);
      int httpPort = s.httpPort();
      s.closeHttpListenerForTest();
      awaitHealth(s, ServingStatus.NOT_SERVING);
      assertTrue(
          s.health()
              .state()
              .reason()
              .contains("the HTTP listener on 127.0.0.1:" + httpPort + " is gone"),
          s.health().state().reason());
    } finally {
      s.close();
    }
  }

  private static void awaitHealth(FletchServer s, ServingStatus wanted)
      throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (grpcHealth(s.grpcPort()) != wanted) {
      assertTrue(System.nanoTime() < until, "health never became " + wanted);
      Thread.sleep(20);
    }
  }

  /** Runs {@code body} with a client whose target resolves to both servers. */
  private static void withFleet(
      FletchServer a,
      FletchServer b,
      java.util.function.UnaryOperator<FletchClient.Builder> options,
      java.util.function.Consumer<FletchClient> body) {
    TwoAddresses resolver =
        new TwoAddresses(
            new InetSocketAddress("127.0.0.1", a.grpcPort()),
            new InetSocketAddress("127.0.0.1", b.grpcPort()));
    NameResolverRegistry.getDefaultRegistry().register(resolver);
    try (FletchClient c =
        options
            .apply(
                FletchClient.builder()
                    .target(TwoAddresses.SCHEME + ":///fleet")
                    .deadline(Duration.ofSeconds(5)))
            .build()) {
      body.accept(c);
    } finally {
      NameResolverRegistry.getDefaultRegistry().deregister(resolver);
    }
  }

  /** The JSON twin of {@link #age}: POST /api/v1/features/online for customer 1's age. */
  private HttpResponse<String> postAge(int httpPort) throws Exception {
    return http.send(
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + httpPort + "/api/v1/features/online"))
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "{\"features\":[\"customer_profile:age\"],"
                        + "\"entities\":{\"customer_id\":[1]}}"))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String url) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static ServingStatus grpcHealth(int port) {
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    try {
      return HealthGrpc.newBlockingStub(channel)
          .withDeadlineAfter(2, TimeUnit.SECONDS)
          .check(
              HealthCheckRequest.newBuilder()
                  .setService("fletch.serving.v1.FeatureServing")
                  .build())
          .getStatus();
    } finally {
      channel.shutdownNow();
    }
  }

  /** A name that resolves to two servers, as a DNS name of every replica would. */
  private static final class TwoAddresses extends NameResolverProvider {
    static final String SCHEME = "fletch-two";
    private final List<EquivalentAddressGroup> addresses;

    TwoAddresses(InetSocketAddress first, InetSocketAddress second) {
      this.addresses =
          List.of(new EquivalentAddressGroup(first), new EquivalentAddressGroup(second));
    }

    @Override
    public NameResolver newNameResolver(URI target, NameResolver.Args args) {
      if (!SCHEME.equals(target.getScheme())) {
        return null;
      }
      return new NameResolver() {
        @Override
        public String getServiceAuthority() {
          return "fleet";
        }

        @Override
        public void start(Listener2 listener) {
          listener.onResult(
              ResolutionResult.newBuilder()
                  .setAddressesOrError(StatusOr.fromValue(addresses))
                  .build());
        }

        @Override
        public void shutdown() {}
      };
    }

    @Override
    public String getDefaultScheme() {
      return SCHEME;
    }

    @Override
    protected boolean isAvailable() {
      return true;
    }

    @Override
    protected int priority() {
      return 5;
    }
  }
}
