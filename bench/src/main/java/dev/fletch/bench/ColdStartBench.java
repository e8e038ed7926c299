package dev.fletch.bench;

import dev.fletch.bench.ServingBench.Target;
import dev.fletch.core.model.FeatureView;
import dev.fletch.core.settings.Settings;
import dev.fletch.online.OnlineStore;
import dev.fletch.online.OnlineStores;
import dev.fletch.proto.serving.v1.GetFeaturesRequest;
import dev.fletch.serving.FletchServer;
import dev.fletch.testkit.RedisServer;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The first seconds of a new serving process, with and without the built-in warm-up ({@code fletch
 * serve --warm-up}). Each variant is a fresh JVM (the JIT's state is per process) serving the
 * {@link ServingBench} data from one redis-server; the load generator (this JVM) waits until gRPC
 * health says SERVING, as a load balancer would, then sends 1 entity x 50 features at 1,000
 * requests/s, open loop, and prints each second's latencies. The load generator is warmed first
 * against a throwaway server, so both variants meet a warm client. Order: cold, warm, cold, warm.
 *
 * <p>Arguments (optional): warm-up seconds (default 10), measured seconds per variant (default 10).
 * Server JVM flags: {@code -Dbench.serverJvm="..."} (default the README's serving flags).
 */
public final class ColdStartBench {
  private static final int RATE = 1000;

  private ColdStartBench() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("serve")) {
      serve(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]));
      return;
    }
    int warmUp = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    System.out.printf(
        Locale.ROOT,
        "ColdStartBench: 1 x 50 at %d rps for %d s after health says SERVING; warm-up %d s; %d"
            + " cores%n",
        RATE,
        seconds,
        warmUp,
        Runtime.getRuntime().availableProcessors());
    List<FeatureView> views = ServingBench.views();
    try (RedisServer redis = RedisServer.dedicated()) {
      try (OnlineStore store = OnlineStores.open(settings(redis.url()))) {
        ServingBench.load(store, views);
      }
      Random random = new Random(11);
      List<String> refs = ServingBench.refs(views);
      GetFeaturesRequest[] requests = new GetFeaturesRequest[4096];
      int[][] sets = ServingBench.entitySets(1, requests.length, random);
      for (int i = 0; i < requests.length; i++) {
        requests[i] = ServingBench.request(refs, sets[i]);
      }
      List<String> lines = new ArrayList<>();
      // The first run only warms this JVM's client; it is not reported.
      run("client warm-up", redis.url(), 0, seconds, requests, false);
      for (int round = 0; round < 2; round++) {
        lines.add(run("no warm-up", redis.url(), 0, seconds, requests, true));
        lines.add(run("warm-up " + warmUp + " s", redis.url(), warmUp, seconds, requests, true));
      }
      System.out.printf("%n== Summary (first %d s after SERVING) ==%n", seconds);
      lines.forEach(System.out::println);
    }
  }

  private static Settings settings(String redisUrl) {
    Settings d = Settings.defaults(Path.of("."));
    return new Settings(
        d.registryUrl(),
        Settings.ONLINE_REDIS,
        redisUrl,
        null,
        "127.0.0.1",
        0,
        0,
        1000,
        Duration.ofSeconds(2));
  }

  /** One fresh serving JVM: time to SERVING, then each second's latencies. */
  private static String run(
      String label,
      String redisUrl,
      int warmUpSeconds,
      int seconds,
      GetFeaturesRequest[] requests,
      boolean report)
      throws Exception {
    int port = FletchServer.freePort();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String flag :
        System.getProperty(
                "bench.serverJvm", "-XX:+UseParallelGC -Xms1g -Xmx1g -Xmn600m -XX:+AlwaysPreTouch")
            .split(" ")) {
      if (!flag.isBlank()) {
        command.add(flag);
      }
    }
    command.addAll(
        List.of(
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "-cp",
            System.getProperty("java.class.path"),
            ColdStartBench.class.getName(),
            "serve",
            redisUrl,
            String.valueOf(port),
            String.valueOf(warmUpSeconds)));
    long spawned = System.nanoTime();
    Process server =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(new File("/tmp/fletch-coldstart-server.log"))
            .start();
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", port)
            .usePlaintext()
            .directExecutor()
            .flowControlWindow(1 << 20)
            .build();
    try {
      awaitServing(channel, server);
      double toServing = (System.nanoTime() - spawned) / 1e9;
      if (report) {
        System.out.printf(
            Locale.ROOT, "%n-- %s: SERVING %.1f s after spawn --%n", label, toServing);
      }
      Target target =
          (i, done, failed) ->
              ClientCalls.asyncUnaryCall(
                  channel.newCall(
                      ServingBench.DRAINED,
                      CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS)),
                  requests[i % requests.length],
                  ServingBench.observer(done, failed));
      long[] all = new long[0];
      List<Double> p99s = new ArrayList<>();
      for (int s = 0; s < seconds; s++) {
        long[] second = ServingBench.openLoop(label + " s" + (s + 1), target, RATE, 1, report);
        p99s.add(ServingBench.percentile(second, 99) / 1e6);
        long[] merged = new long[all.length + second.length];
        System.arraycopy(all, 0, merged, 0, all.length);
        System.arraycopy(second, 0, merged, all.length, second.length);
        all = merged;
      }
      java.util.Arrays.sort(all);
      return String.format(
          Locale.ROOT,
          "%-16s SERVING after %5.1f s; then p50 %6.3f  p99 %7.3f  p99.9 %7.3f  max %7.3f ms;"
              + " p99 per second %s",
          label,
          toServing,
          ServingBench.percentile(all, 50) / 1e6,
          ServingBench.percentile(all, 99) / 1e6,
          ServingBench.percentile(all, 99.9) / 1e6,
          all[all.length - 1] / 1e6,
          p99s.stream().map(p -> String.format(Locale.ROOT, "%.2f", p)).toList());
    } finally {
      channel.shutdownNow();
      server.destroy();
      server.waitFor(30, TimeUnit.SECONDS);
    }
  }

  private static void awaitServing(ManagedChannel channel, Process server) throws Exception {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < until) {
      if (!server.isAlive()) {
        throw new IllegalStateException(
            "the server exited (" + server.exitValue() + "); see /tmp/fletch-coldstart-server.log");
      }
      try {
        ServingStatus status =
            HealthGrpc.newBlockingStub(channel)
                .withDeadlineAfter(1, TimeUnit.SECONDS)
                .check(HealthCheckRequest.getDefaultInstance())
                .getStatus();
        if (status == ServingStatus.SERVING) {
          return;
        }
      } catch (RuntimeException notYet) {
        // not listening yet
      }
      Thread.sleep(10);
    }
    throw new IllegalStateException("the server did not report SERVING within 120 s");
  }

  /** The child process: a FletchServer on the given Redis until this JVM is stopped. */
  private static void serve(String redisUrl, int port, int warmUpSeconds) throws Exception {
    List<FeatureView> views = ServingBench.views();
    OnlineStore store = OnlineStores.open(settings(redisUrl));
    FletchServer.builder()
        .httpPort(0)
        .grpcPort(port)
        .definitions(ServingBench.definitions(ServingBench.repo(views)))
        .project(ServingBench.PROJECT)
        .onlineStore(store)
        .maxEntityRows(1000)
        .requestTimeout(Duration.ofSeconds(5))
        .warmUp(Duration.ofSeconds(warmUpSeconds))
        .start();
    Thread.currentThread().join();
  }
}
