package dev.fletch.bench;

import dev.fletch.core.DefinitionSource;
import dev.fletch.core.model.Entity;
import dev.fletch.core.model.EntityKey;
import dev.fletch.core.model.Feature;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.model.FeatureRow;
import dev.fletch.core.model.FeatureView;
import dev.fletch.core.model.JoinKey;
import dev.fletch.core.model.OnDemandFeatureView;
import dev.fletch.core.model.RequestField;
import dev.fletch.core.model.Source;
import dev.fletch.core.model.SourceFormat;
import dev.fletch.core.model.ValueType;
import dev.fletch.core.settings.Settings;
import dev.fletch.online.EntityKeyCodec;
import dev.fletch.online.OnlineStore;
import dev.fletch.online.OnlineStores;
import dev.fletch.proto.serving.v1.FeatureServingGrpc;
import dev.fletch.proto.serving.v1.GetFeaturesRequest;
import dev.fletch.proto.serving.v1.GetFeaturesResponse;
import dev.fletch.proto.serving.v1.GetServingInfoRequest;
import dev.fletch.proto.serving.v1.RepeatedValue;
import dev.fletch.proto.serving.v1.Value;
import dev.fletch.serving.FletchServer;
import dev.fletch.testkit.RedisServer;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Load benchmark of online serving (issue 5). Starts a dedicated redis-server and a FletchServer
 * (gRPC only) in this JVM on loopback, writes {@value #ENTITIES} entities of 5 views x 10 DOUBLE
 * features, then for 1 entity x 50 features and 100 entities x 50 features:
 *
 * <ul>
 *   <li>open loop at a fixed rate, latency measured from each request's intended send time (so a
 *       stall is charged to every request it delays: no coordinated omission);
 *   <li>closed loop with a fixed number of requests in flight, for peak throughput.
 * </ul>
 *
 * The baseline runs the same reads as raw pipelined Lettuce HMGETs (one per entity, the 5 view
 * fields, no decoding) over as many connections as the load generator opens to the server ({@code
 * -Dbench.connections}, default 2), under the same load shapes, in the same run. Arguments (all
 * optional): seconds per measured phase (default 10), warm-up seconds (default 10), and 1 or 100 to
 * run only that scenario. System properties: {@code bench.rounds} (3 alternating closed-loop
 * rounds), {@code bench.inFlight1} / {@code bench.inFlight100} (32), {@code bench.window} (client
 * HTTP/2 window, 1 MiB), {@code bench.slowLog=FILE} (appends each open-loop call over 1 ms: its
 * index and microseconds).
 *
 * <p>Two readings put the figures in context: before and after the scenarios, how late the idle
 * machine wakes a sleeping thread (late wake-ups put a floor under every open-loop p99 of the run,
 * the raw baseline's included); and after each measured closed loop, the CPU each call cost in
 * Redis and in each thread group of this JVM (server event loops, gRPC client, Lettuce), from /proc
 * on Linux.
 */
public final class ServingBench {
  static final int ENTITIES = 10_000;
  static final int VIEWS = 5;
  static final int FEATURES_PER_VIEW = 10;
  static final String PROJECT = "bench";

  /** Client connections of the load generator, to the server and (raw) to Redis alike. */
  static final int CONNECTIONS = Integer.getInteger("bench.connections", 2);

  /** Alternating server/raw rounds of the closed loop. */
  static final int PEAK_ROUNDS = Integer.getInteger("bench.rounds", 3);

  /** Calls each warm-up runs at least, flat out, before anything is measured. */
  static final long WARMUP_CALLS = 40_000;

  /** CPU per call of each measured closed loop, by part (set once Redis runs). */
  private static CpuMeter cpu = new CpuMeter(java.util.OptionalLong.empty(), "redis");

  private ServingBench() {}

  /** One load shape. */
  record Scenario(String name, int entities, int rate, int inFlight) {}

  /** Something that answers one request asynchronously: the server over gRPC, or raw Lettuce. */
  interface Target {
    void send(int requestIndex, Runnable done, Consumer<Throwable> failed);
  }

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    List<Scenario> scenarios =
        new ArrayList<>(
            List.of(
                new Scenario(
                    "1 entity x 50 features", 1, 1000, Integer.getInteger("bench.inFlight1", 32)),
                new Scenario(
                    "100 entities x 50 features",
                    100,
                    200,
                    Integer.getInteger("bench.inFlight100", 32))));
    // "ondemand": only the comparison of 1 x 50 with and without 5 on-demand features.
    boolean onDemandOnly = args.length > 2 && args[2].equals("ondemand");
    if (onDemandOnly) {
      scenarios.clear();
    } else if (args.length > 2) {
      int only = Integer.parseInt(args[2]);
      scenarios.removeIf(s -> s.entities() != only);
    }

    List<FeatureView> views = views();
    List<String> refs = refs(views);
    DefinitionSource definitions = definitions(repo(views));

    System.out.printf(
        Locale.ROOT,
        "ServingBench: %d entities, %d views x %d features, %d s per phase (+%d s warm-up), %d cores%n",
        ENTITIES,
        VIEWS,
        FEATURES_PER_VIEW,
        seconds,
        warmup,
        Runtime.getRuntime().availableProcessors());
    try (RedisServer redis = RedisServer.dedicated()) {
      cpu = new CpuMeter(redis.pid(), "redis");
      Settings d = Settings.defaults(Path.of("."));
      Settings settings =
          new Settings(
              d.registryUrl(),
              Settings.ONLINE_REDIS,
              redis.url(),
              null,
              "127.0.0.1",
              0,
              0,
              1000,
              Duration.ofSeconds(2));
      try (OnlineStore store = OnlineStores.open(settings)) {
        load(store, views);
        try (FletchServer server =
                FletchServer.builder()
                    .httpPort(0)
                    .grpcPort(FletchServer.EPHEMERAL)
                    .definitions(definitions)
                    .project(PROJECT)
                    .onlineStore(store)
                    .maxEntityRows(1000)
                    .requestTimeout(Duration.ofSeconds(5))
                    .start();
            Raw raw = new Raw(redis.url(), views)) {
          // Calls take turns over CONNECTIONS client connections, as the raw baseline's reads do
          // over as many Lettuce connections (a server's callers are many; one connection pins
          // the whole load on one server event loop).
          ManagedChannel[] channels = new ManagedChannel[CONNECTIONS];
          for (int c = 0; c < channels.length; c++) {
            channels[c] =
                NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort())
                    .usePlaintext()
                    // Callbacks only count completions: run them on the transport thread, as the
                    // raw baseline's run on Lettuce's, instead of handing each to another pool.
                    .directExecutor()
                    .flowControlWindow(Integer.getInteger("bench.window", 1 << 20))
                    .build();
          }
          ManagedChannel channel = channels[0];
          try {
            // The load generator shares the machine with the server: it drains answers without
            // parsing them (as the raw baseline does not decode), after one parsed check that they
            // are right.
            GetFeaturesResponse check =
                FeatureServingGrpc.newBlockingStub(channel)
                    .getFeatures(request(refs, new int[] {1}));
            if (check.getFeaturesCount() != VIEWS * FEATURES_PER_VIEW
                || check.getFeatures(0).getStatuses(0)
                    != dev.fletch.proto.serving.v1.FeatureStatus.PRESENT) {
              throw new IllegalStateException("unexpected answer: " + check);
            }
            List<String> lines = new ArrayList<>();
            lines.add(machineStalls("machine before", seconds));
            for (Scenario s : scenarios) {
              int[][] entitySets = entitySets(s.entities(), 1024, new Random(42));
              GetFeaturesRequest[] requests = new GetFeaturesRequest[entitySets.length];
              for (int i = 0; i < requests.length; i++) {
                requests[i] = request(refs, entitySets[i]);
              }
              Target viaServer =
                  (i, done, failed) ->
                      ClientCalls.asyncUnaryCall(
                          channels[i % channels.length].newCall(
                              DRAINED, CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS)),
                          requests[i % requests.length],
                          observer(done, failed));
              Target viaRaw =
                  (i, done, failed) -> raw.read(entitySets[i % entitySets.length], done, failed);

              System.out.printf(Locale.ROOT, "%n== %s ==%n", s.name());
              // Warm-up until the JIT is done: flat out with one call in flight (the paths a
              // lightly loaded channel takes, where every call finds it idle), then with many, then
              // at the measured rate. With a short warm-up at the open-loop rate alone, the JIT
              // compiler was still taking half a core, seconds into the measured phase.
              for (Target t : List.of(viaServer, viaRaw)) {
                String name = t == viaServer ? "server" : "raw";
                closedLoop("warm-up " + name, t, 1, warmup);
                closedLoop("warm-up " + name, t, s.inFlight(), warmup, WARMUP_CALLS);
              }
              openLoop("warm-up server", viaServer, s.rate(), warmup);
              openLoop("warm-up raw", viaRaw, s.rate(), warmup);
              Timer handling =
                  server
                      .metrics()
                      .registry()
                      .find("fletch.serving.request")
                      .tag("method", "GetFeatures")
                      .timer();
              CountAtBucket[] before = handling.takeSnapshot().histogramCounts();
              long[] server1 = openLoop("server open loop", viaServer, s.rate(), seconds);
              printServerSide(before, handling.takeSnapshot().histogramCounts());
              long[] raw1 = openLoop("raw    open loop", viaRaw, s.rate(), seconds);
              // Peaks alternate server and raw rounds, and the medians are compared: the machine's
              // speed drifts by tens of percent over a minute here, which two single back-to-back
              // phases would read as a difference between server and raw.
              double[] serverRounds = new double[PEAK_ROUNDS];
              double[] rawRounds = new double[PEAK_ROUNDS];
              double[] serverCpu = new double[PEAK_ROUNDS];
              double[] rawCpu = new double[PEAK_ROUNDS];
              for (int round = 0; round < PEAK_ROUNDS; round++) {
                serverRounds[round] =
                    closedLoop("server closed loop", viaServer, s.inFlight(), seconds);
                serverCpu[round] = lastCpuPerCall;
                rawRounds[round] = closedLoop("raw    closed loop", viaRaw, s.inFlight(), seconds);
                rawCpu[round] = lastCpuPerCall;
              }
              double serverPeak = median(serverRounds);
              double rawPeak = median(rawRounds);
              System.out.printf(
                  Locale.ROOT,
                  "peak (median of %d rounds): server %.0f rps, raw %.0f rps, ratio %.2f%n",
                  PEAK_ROUNDS,
                  serverPeak,
                  rawPeak,
                  serverPeak / rawPeak);
              if (s.entities() == 1) {
                // The floor and ceiling of the transport alone: a gRPC call with a trivial answer
                // and no store read, through the same channel, server and load shapes.
                GetServingInfoRequest info = GetServingInfoRequest.getDefaultInstance();
                Target noStore =
                    (i, done, failed) ->
                        ClientCalls.asyncUnaryCall(
                            channels[i % channels.length].newCall(
                                FeatureServingGrpc.getGetServingInfoMethod(),
                                CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS)),
                            info,
                            observer(done, failed));
                openLoop("grpc floor (info)", noStore, s.rate(), seconds);
                closedLoop("grpc ceiling (info)", noStore, s.inFlight(), seconds);
                // Peaks here are set by CPU (both sides share the 2 cores), so the peak ratio
                // follows the CPU per call. A server that did nothing but take the gRPC call and
                // make the raw read would cost at least the no-store call plus the raw read.
                double serverCall = median(serverCpu);
                double rawRead = median(rawCpu);
                double transport = lastCpuPerCall;
                System.out.printf(
                    Locale.ROOT,
                    "cpu bound: per call server %.1f us, raw read %.1f, no-store gRPC call %.1f;"
                        + " raw/server %.2f; a server doing only the gRPC call and the raw read:"
                        + " %.1f us, ratio about %.2f%n",
                    serverCall,
                    rawRead,
                    transport,
                    rawRead / serverCall,
                    transport + rawRead,
                    rawRead / (transport + rawRead));
              }
              double p99 = percentile(server1, 99) / 1e6;
              lines.add(
                  String.format(
                      Locale.ROOT,
                      "%-28s @%4d rps: server p99 %.3f ms (raw %.3f ms) | peak server %.0f rps, raw %.0f rps, ratio %.2f",
                      s.name(),
                      s.rate(),
                      p99,
                      percentile(raw1, 99) / 1e6,
                      serverPeak,
                      rawPeak,
                      serverPeak / rawPeak));
            }
            if (onDemandOnly) {
              lines.add(onDemand(channels, refs, seconds, warmup));
            }
            lines.add(machineStalls("machine after", seconds));
            System.out.printf(
                "%n== Summary (targets: p99 <= 1 ms @1000 rps 1x50; p99 <= 5 ms @200 rps 100x50; peak >= 50%% of raw) ==%n");
            lines.forEach(System.out::println);
          } finally {
            for (ManagedChannel c : channels) {
              c.shutdownNow();
            }
          }
        }
      }
    }
  }

  /** GetFeatures with an answer that is read off the wire but not parsed (its size is returned). */
  static final MethodDescriptor<GetFeaturesRequest, Long> DRAINED =
      FeatureServingGrpc.getGetFeaturesMethod().toBuilder(
              ProtoUtils.marshaller(GetFeaturesRequest.getDefaultInstance()),
              new MethodDescriptor.Marshaller<Long>() {
                @Override
                public InputStream stream(Long value) {
                  throw new UnsupportedOperationException("responses only");
                }

                @Override
                public Long parse(InputStream stream) {
                  byte[] buffer = new byte[8192];
                  long n = 0;
                  try (stream) {
                    for (int r; (r = stream.read(buffer)) > 0; ) {
                      n += r;
                    }
                  } catch (IOException e) {
                    throw new UncheckedIOException(e);
                  }
                  return n;
                }
              })
          .build();

  static <T> StreamObserver<T> observer(Runnable done, Consumer<Throwable> failed) {
    return new StreamObserver<>() {
      @Override
      public void onNext(T answer) {}

      @Override
      public void onError(Throwable t) {
        failed.accept(t);
      }

      @Override
      public void onCompleted() {
        done.run();
      }
    };
  }

  /**
   * Sends at a fixed rate from one thread; each latency is completion time minus the intended send
   * time. Returns the sorted latencies in nanoseconds.
   */
  static long[] openLoop(String label, Target target, int rate, int seconds)
      throws InterruptedException {
    return openLoop(label, target, rate, seconds, true);
  }

  /** {@link #openLoop(String, Target, int, int)}, printing its line only when {@code print}. */
  static long[] openLoop(String label, Target target, int rate, int seconds, boolean print)
      throws InterruptedException {
    int total = rate * seconds;
    long[] latencies = new long[total];
    AtomicInteger errors = new AtomicInteger();
    CountDownLatch finished = new CountDownLatch(total);
    long period = 1_000_000_000L / rate;
    long start = System.nanoTime() + 1_000_000;
    for (int i = 0; i < total; i++) {
      long intended = start + i * period;
      long wait = intended - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      final int n = i;
      target.send(
          i,
          () -> {
            latencies[n] = System.nanoTime() - intended;
            finished.countDown();
          },
          t -> {
            latencies[n] = System.nanoTime() - intended;
            errors.incrementAndGet();
            finished.countDown();
          });
    }
    if (!finished.await(60, TimeUnit.SECONDS)) {
      throw new IllegalStateException(label + ": requests still outstanding after 60 s");
    }
    if (System.getProperty("bench.slowLog") != null) {
      try (var out =
          new java.io.PrintWriter(
              new java.io.FileWriter(System.getProperty("bench.slowLog"), true))) {
        out.println("# " + label);
        for (int i = 0; i < total; i++) {
          if (latencies[i] > 1_000_000) {
            out.println(i + " " + latencies[i] / 1000);
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    Arrays.sort(latencies);
    double achieved = total / ((System.nanoTime() - start) / 1e9);
    if (!print) {
      return latencies;
    }
    System.out.printf(
        Locale.ROOT,
        "%-20s %5d rps (%6.0f achieved) p50 %7.3f  p95 %7.3f  p99 %7.3f  p99.9 %7.3f  max %8.3f ms  errors %d%n",
        label,
        rate,
        achieved,
        percentile(latencies, 50) / 1e6,
        percentile(latencies, 95) / 1e6,
        percentile(latencies, 99) / 1e6,
        percentile(latencies, 99.9) / 1e6,
        latencies[total - 1] / 1e6,
        errors.get());
    return latencies;
  }

  /**
   * How late the machine wakes an idle thread, with no load running: one thread sleeps 0.5 ms at a
   * time for {@code seconds} and counts the wake-ups that came over 1, 2 and 5 ms late. Every call
   * crosses several thread wake-ups (sender, client loop, server loop, Redis, and back), so late
   * wake-ups here put a floor under any open-loop p99 of this run, raw baseline included.
   */
  static String machineStalls(String label, int seconds) throws InterruptedException {
    long[] lateness = new long[4]; // over 1 ms, over 2 ms, over 5 ms, max
    long[] wakeups = new long[1];
    Thread probe =
        new Thread(
            () -> {
              long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
              for (long now = System.nanoTime(); now < end; now = System.nanoTime()) {
                LockSupport.parkNanos(500_000);
                long late = System.nanoTime() - now - 500_000;
                wakeups[0]++;
                lateness[0] += late > 1_000_000 ? 1 : 0;
                lateness[1] += late > 2_000_000 ? 1 : 0;
                lateness[2] += late > 5_000_000 ? 1 : 0;
                lateness[3] = Math.max(lateness[3], late);
              }
            },
            "stall-probe");
    probe.start();
    probe.join();
    String line =
        String.format(
            Locale.ROOT,
            "%-28s idle wake-ups %d in %d s: %d over 1 ms late, %d over 2 ms, %d over 5 ms, max %.1f ms",
            label,
            wakeups[0],
            seconds,
            lateness[0],
            lateness[1],
            lateness[2],
            lateness[3] / 1e6);
    System.out.println(line);
    return line;
  }

  /** CPU per call in microseconds (every thread and Redis) of the last measured closed loop. */
  static volatile double lastCpuPerCall = Double.NaN;

  /**
   * Keeps {@code inFlight} requests outstanding for {@code seconds}; returns completed requests per
   * second.
   */
  static double closedLoop(String label, Target target, int inFlight, int seconds)
      throws InterruptedException {
    return closedLoop(label, target, inFlight, seconds, 0);
  }

  /**
   * As {@link #closedLoop(String, Target, int, int)}, going on past {@code seconds} until at least
   * {@code minCalls} calls completed (at most 90 s): a warm-up must run each per-call path often
   * enough for the JIT's top tier, which at a few hundred large calls a second takes far longer
   * than at tens of thousands of small ones.
   */
  static double closedLoop(String label, Target target, int inFlight, int seconds, long minCalls)
      throws InterruptedException {
    AtomicLong completed = new AtomicLong();
    AtomicInteger errors = new AtomicInteger();
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger next = new AtomicInteger();
    CountDownLatch drained = new CountDownLatch(inFlight);
    Map<String, Long> cpuBefore = cpu.snapshot();
    long start = System.nanoTime();
    for (int w = 0; w < inFlight; w++) {
      new Object() {
        void go() {
          if (!running.get()) {
            drained.countDown();
            return;
          }
          target.send(
              next.getAndIncrement(),
              () -> {
                completed.incrementAndGet();
                go();
              },
              t -> {
                errors.incrementAndGet();
                go();
              });
        }
      }.go();
    }
    Thread.sleep(seconds * 1000L);
    long limit = start + TimeUnit.SECONDS.toNanos(90);
    while (completed.get() < minCalls && System.nanoTime() < limit) {
      Thread.sleep(100);
    }
    long done = completed.get();
    double elapsed = (System.nanoTime() - start) / 1e9;
    Map<String, Long> cpuAfter = cpu.snapshot();
    running.set(false);
    drained.await(30, TimeUnit.SECONDS);
    double rps = done / elapsed;
    System.out.printf(
        Locale.ROOT,
        "%-20s %3d in flight: %8.0f rps  errors %d%n",
        label,
        inFlight,
        rps,
        errors.get());
    if (!label.startsWith("warm-up")) {
      System.out.println("  " + CpuMeter.perCall(cpuBefore, cpuAfter, done));
      lastCpuPerCall = CpuMeter.totalPerCall(cpuBefore, cpuAfter, done);
    }
    return rps;
  }

  /**
   * How much of the open-loop latency is the server's own work: the share of calls whose handling
   * (receipt to answer, from the server's latency histogram) took longer than 0.5, 1 and 5 ms.
   * Whatever the client sees beyond that is transport and thread wake-ups.
   */
  private static void printServerSide(CountAtBucket[] before, CountAtBucket[] after) {
    double[] limitsMs = {0.5, 1, 5};
    StringBuilder line = new StringBuilder("server-side handling: ");
    long total = 0;
    for (int i = 0; i < after.length; i++) {
      total = Math.max(total, (long) (after[i].count() - countAt(before, i)));
    }
    for (double limit : limitsMs) {
      long within = 0;
      double bucketMs = Double.NaN;
      for (int i = 0; i < after.length; i++) {
        double ms = after[i].bucket(TimeUnit.NANOSECONDS) / 1e6;
        if (ms >= limit) {
          // Buckets are cumulative: the count of calls at or under this bucket's bound.
          within = (long) (after[i].count() - countAt(before, i));
          bucketMs = ms;
          break;
        }
      }
      line.append(
          String.format(
              Locale.ROOT,
              "%.2f%% over %.2f ms  ",
              total == 0 ? 0 : 100.0 * (total - within) / total,
              bucketMs));
    }
    System.out.println(line.append("(").append(total).append(" calls)"));
  }

  private static double countAt(CountAtBucket[] buckets, int i) {
    return i < buckets.length ? buckets[i].count() : 0;
  }

  /** The benchmark's {@value #VIEWS} views of {@value #FEATURES_PER_VIEW} DOUBLE features each. */
  static List<FeatureView> views() {
    List<FeatureView> views = new ArrayList<>();
    for (int v = 0; v < VIEWS; v++) {
      List<Feature> features = new ArrayList<>();
      for (int f = 0; f < FEATURES_PER_VIEW; f++) {
        features.add(new Feature("f" + v + "_" + f, ValueType.DOUBLE, null, null, null));
      }
      views.add(
          new FeatureView(
              "view" + v,
              List.of("customer"),
              "src",
              Duration.ofDays(1),
              true,
              features,
              null,
              null,
              null,
              null));
    }
    return views;
  }

  /** {@code view:*} of every view: all 50 features. */
  static List<String> refs(List<FeatureView> views) {
    return views.stream().map(v -> v.name() + ":*").toList();
  }

  static FeatureRepo repo(List<FeatureView> views) {
    return new FeatureRepo(
        PROJECT,
        List.of(
            new Entity(
                "customer", List.of(new JoinKey("customer_id", ValueType.INT64)), null, null)),
        List.of(new Source("src", SourceFormat.PARQUET, "unused.parquet", "ts", null, null, null)),
        views,
        List.of(),
        null,
        List.of(onDemandView()));
  }

  /**
   * Five on-demand features over two request fields and three of the views' features: a ratio, a
   * string test, a CASE, arithmetic with coalesce, and a rounding.
   */
  static OnDemandFeatureView onDemandView() {
    return new OnDemandFeatureView(
        "risk",
        List.of(
            new RequestField("amount", ValueType.DOUBLE, null),
            new RequestField("channel", ValueType.STRING, null)),
        List.of("view0", "view1"),
        List.of(
            new Feature("vs_f0", ValueType.DOUBLE, "amount / nullif(view0.f0_0, 0)", null, null),
            new Feature("is_web", ValueType.BOOL, "lower(channel) = 'web'", null, null),
            new Feature(
                "band",
                ValueType.STRING,
                "CASE WHEN amount >= 100 THEN 'high' WHEN amount >= 10 THEN 'mid' ELSE 'low' END",
                null,
                null),
            new Feature(
                "adjusted", ValueType.DOUBLE, "coalesce(view1.f1_3, 0) + amount * 2", null, null),
            new Feature("rounded", ValueType.DOUBLE, "round(view0.f0_1 * 100) / 100", null, null)),
        null,
        null,
        null);
  }

  /**
   * 1 entity x 50 features with and without the 5 on-demand features (and their 2 request fields)
   * of {@link #onDemandView}, through the same server in the same run: open-loop p99 at 1,000 rps
   * and closed-loop peaks in alternating rounds. Goals: peak >= 0.8x, p99 <= 1.2x.
   */
  static String onDemand(ManagedChannel[] channels, List<String> refs, int seconds, int warmup)
      throws InterruptedException {
    int[][] entitySets = entitySets(1, 1024, new Random(42));
    List<String> withOnDemand = new ArrayList<>(refs);
    withOnDemand.add("risk:*");
    GetFeaturesRequest[] plain = new GetFeaturesRequest[entitySets.length];
    GetFeaturesRequest[] computed = new GetFeaturesRequest[entitySets.length];
    Random random = new Random(11);
    String[] channelValues = {"web", "App", "POS", "Web "};
    for (int i = 0; i < entitySets.length; i++) {
      plain[i] = request(refs, entitySets[i]);
      computed[i] =
          request(withOnDemand, entitySets[i]).toBuilder()
              .putEntities(
                  "amount",
                  RepeatedValue.newBuilder()
                      .addValues(Value.newBuilder().setDoubleValue(random.nextDouble() * 200))
                      .build())
              .putEntities(
                  "channel",
                  RepeatedValue.newBuilder()
                      .addValues(
                          Value.newBuilder()
                              .setStringValue(channelValues[random.nextInt(channelValues.length)]))
                      .build())
              .build();
    }
    GetFeaturesResponse check =
        FeatureServingGrpc.newBlockingStub(channels[0]).getFeatures(computed[0]);
    if (check.getFeaturesCount() != VIEWS * FEATURES_PER_VIEW + 5
        || check.getFeatures(VIEWS * FEATURES_PER_VIEW).getStatuses(0)
            != dev.fletch.proto.serving.v1.FeatureStatus.PRESENT) {
      throw new IllegalStateException("unexpected answer: " + check);
    }
    Target base = via(channels, plain);
    Target onDemand = via(channels, computed);
    int inFlight = Integer.getInteger("bench.inFlight1", 32);
    System.out.printf(
        Locale.ROOT, "%n== 1 entity x 50 features, without and with 5 on-demand ==%n");
    for (Target t : List.of(base, onDemand)) {
      closedLoop("warm-up", t, 1, warmup);
      closedLoop("warm-up", t, inFlight, warmup, WARMUP_CALLS);
      openLoop("warm-up", t, 1000, warmup);
    }
    long[] baseLatencies = openLoop("50 features       open loop", base, 1000, seconds);
    long[] onDemandLatencies = openLoop("50 + 5 on-demand  open loop", onDemand, 1000, seconds);
    double[] basePeaks = new double[PEAK_ROUNDS];
    double[] onDemandPeaks = new double[PEAK_ROUNDS];
    for (int round = 0; round < PEAK_ROUNDS; round++) {
      basePeaks[round] = closedLoop("50 features       closed loop", base, inFlight, seconds);
      onDemandPeaks[round] =
          closedLoop("50 + 5 on-demand  closed loop", onDemand, inFlight, seconds);
    }
    double p99Base = percentile(baseLatencies, 99) / 1e6;
    double p99OnDemand = percentile(onDemandLatencies, 99) / 1e6;
    double peakBase = median(basePeaks);
    double peakOnDemand = median(onDemandPeaks);
    return String.format(
        Locale.ROOT,
        "1x50 + 5 on-demand @1000 rps: p99 %.3f ms vs %.3f ms without (ratio %.2f, goal <= 1.2)"
            + " | peak %.0f vs %.0f rps (ratio %.2f, goal >= 0.8)",
        p99OnDemand,
        p99Base,
        p99OnDemand / p99Base,
        peakOnDemand,
        peakBase,
        peakOnDemand / peakBase);
  }

  private static Target via(ManagedChannel[] channels, GetFeaturesRequest[] requests) {
    return (i, done, failed) ->
        ClientCalls.asyncUnaryCall(
            channels[i % channels.length].newCall(
                DRAINED, CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS)),
            requests[i % requests.length],
            observer(done, failed));
  }

  /** Definitions applied once, at version 1. */
  static DefinitionSource definitions(FeatureRepo repo) {
    return new DefinitionSource() {
      @Override
      public long currentVersion(String project) {
        return 1;
      }

      @Override
      public FeatureRepo load(String project) {
        return repo;
      }
    };
  }

  static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  static double percentile(long[] sorted, double p) {
    int idx = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, idx))];
  }

  static int[][] entitySets(int size, int count, Random random) {
    int[][] sets = new int[count][];
    for (int i = 0; i < count; i++) {
      int[] ids = new int[size];
      int first = random.nextInt(ENTITIES);
      for (int k = 0; k < size; k++) {
        ids[k] = (first + k * 97) % ENTITIES + 1; // distinct within a request
      }
      sets[i] = ids;
    }
    return sets;
  }

  static GetFeaturesRequest request(List<String> refs, int[] ids) {
    RepeatedValue.Builder column = RepeatedValue.newBuilder();
    for (int id : ids) {
      column.addValues(Value.newBuilder().setInt64Value(id));
    }
    return GetFeaturesRequest.newBuilder()
        .addAllFeatures(refs)
        .putEntities("customer_id", column.build())
        .build();
  }

  static void load(OnlineStore store, List<FeatureView> views) {
    long t = System.nanoTime();
    Random random = new Random(7);
    Instant now = Instant.now();
    for (FeatureView view : views) {
      List<FeatureRow> rows = new ArrayList<>(1000);
      for (int id = 1; id <= ENTITIES; id++) {
        List<Object> values = new ArrayList<>(FEATURES_PER_VIEW);
        for (int f = 0; f < FEATURES_PER_VIEW; f++) {
          values.add(random.nextDouble() * 100);
        }
        rows.add(
            new FeatureRow(
                EntityKey.of("customer_id", (long) id),
                now.minusSeconds(random.nextInt(3600)),
                values));
        if (rows.size() == 1000) {
          store.write(PROJECT, view, rows).join();
          rows = new ArrayList<>(1000);
        }
      }
      if (!rows.isEmpty()) {
        store.write(PROJECT, view, rows).join();
      }
    }
    System.out.printf(
        Locale.ROOT,
        "loaded %d entities x %d views in %.1f s%n",
        ENTITIES,
        views.size(),
        (System.nanoTime() - t) / 1e9);
  }

  /** The baseline: the same HMGETs (one per entity, every view's field), pipelined, not decoded. */
  static final class Raw implements AutoCloseable {
    private final RedisClient client;
    private final List<StatefulRedisConnection<byte[], byte[]>> connections = new ArrayList<>();
    private final List<RedisAsyncCommands<byte[], byte[]>> commands = new ArrayList<>();
    private final AtomicInteger turn = new AtomicInteger();
    private final byte[][] fields;
    private final byte[][] keys = new byte[ENTITIES + 1][];

    Raw(String url, List<FeatureView> views) {
      client = RedisClient.create(url);
      for (int c = 0; c < CONNECTIONS; c++) {
        StatefulRedisConnection<byte[], byte[]> connection =
            client.connect(ByteArrayCodec.INSTANCE);
        connection.setAutoFlushCommands(false);
        connections.add(connection);
        commands.add(connection.async());
      }
      fields = new byte[views.size()][];
      for (int v = 0; v < views.size(); v++) {
        fields[v] = views.get(v).name().getBytes(StandardCharsets.UTF_8);
      }
      for (int id = 1; id <= ENTITIES; id++) {
        keys[id] =
            EntityKeyCodec.redisKey(PROJECT, EntityKey.of("customer_id", (long) id))
                .getBytes(StandardCharsets.US_ASCII);
      }
    }

    void read(int[] ids, Runnable done, Consumer<Throwable> failed) {
      int c = Math.floorMod(turn.getAndIncrement(), connections.size());
      RedisAsyncCommands<byte[], byte[]> async = commands.get(c);
      CompletableFuture<?>[] replies = new CompletableFuture<?>[ids.length];
      for (int k = 0; k < ids.length; k++) {
        RedisFuture<List<KeyValue<byte[], byte[]>>> f = async.hmget(keys[ids[k]], fields);
        replies[k] = f.toCompletableFuture();
      }
      connections.get(c).flushCommands();
      CompletableFuture.allOf(replies)
          .whenComplete(
              (ok, e) -> {
                if (e != null) {
                  failed.accept(e);
                } else {
                  done.run();
                }
              });
    }

    @Override
    public void close() {
      connections.forEach(StatefulRedisConnection::close);
      client.shutdown();
    }
  }
}
