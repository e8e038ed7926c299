package dev.fletch.bench;

import dev.fletch.core.model.Entity;
import dev.fletch.core.model.EntityKey;
import dev.fletch.core.model.Feature;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.model.FeatureView;
import dev.fletch.core.model.JoinKey;
import dev.fletch.core.model.Source;
import dev.fletch.core.model.SourceFormat;
import dev.fletch.core.model.ValueType;
import dev.fletch.materializer.Materializer;
import dev.fletch.offline.DuckDbOfflineStore;
import dev.fletch.online.EntityKeyCodec;
import dev.fletch.online.OnlineStore;
import dev.fletch.online.RedisOnlineStore;
import dev.fletch.online.ValueCodec;
import dev.fletch.registry.Registry;
import dev.fletch.testkit.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Materialization benchmark: Fletch's {@link Materializer} (DuckDB latest-value scan over Parquet,
 * then the never-older Lua upsert into Redis) against raw pipelined Lettuce HSETs of the same
 * number of hashes of the same size (async, manual flush every 1000, the same number of commands in
 * flight), in the same run and into the same dedicated redis-server.
 *
 * <p>Full size (scale 1): 1M entities x 10 features; also a quarter of that, to show that the peak
 * heap does not grow with the row count.
 *
 * <p>Peak heap: with the default heap size the collector lets the young generation grow with the
 * run's length, so the peak of the pools (garbage included) grows with the row count although
 * nothing is retained. Run with a fixed {@code -Xmx} to compare sizes: the job completes 1M rows in
 * a 64 MB heap, and the "gc" and "retained" columns stay flat.
 *
 * <p>Usage: {@code MaterializeBench [--scale 1.0] [--dir TMPDIR]}, e.g.
 *
 * <pre>
 * ./mvnw -q -B -pl bench -am -DskipTests install
 * ./mvnw -q -B -pl bench exec:exec -Dexec.args="--add-opens=java.base/java.nio=ALL-UNNAMED -Xmx96m \
 *     -cp %classpath dev.fletch.bench.MaterializeBench"
 * </pre>
 */
public final class MaterializeBench {
  private static final String PROJECT = "bench";
  private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");

  private MaterializeBench() {}

  public static void main(String[] args) throws Exception {
    double scale = 1.0;
    Path base = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--scale" -> scale = Double.parseDouble(args[++i]);
        case "--dir" -> base = Path.of(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    long rows = Math.max(4000, Math.round(1_000_000 * scale));
    Path dir =
        base == null
            ? Files.createTempDirectory("fletch-materialize-bench")
            : Files.createDirectories(base);
    System.out.printf(
        Locale.ROOT,
        "materialize bench: %,d and %,d entities x 10 features, %d cores, max heap %d MB%n",
        rows / 4,
        rows,
        Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() >> 20);
    try (RedisServer redis = RedisServer.dedicated()) {
      // Warm-up (JIT, DuckDB, connections) on a small run whose figures are not reported.
      runOnce(dir, redis, Math.min(rows / 4, 50_000));
      List<String> lines = new ArrayList<>();
      for (long n : new long[] {rows / 4, rows}) {
        lines.add(runOnce(dir, redis, n));
      }
      System.out.println();
      System.out.printf(
          Locale.ROOT,
          "%12s %16s %16s %16s %7s %14s %14s %14s %14s%n",
          "entities",
          "scan rows/s",
          "fletch rows/s",
          "lettuce rows/s",
          "ratio",
          "fletch heap MB",
          "fletch gc MB",
          "retained MB",
          "lettuce heap MB");
      lines.forEach(System.out::println);
      System.out.println(
          "heap MB: peak of the heap pools, garbage included (follows how far the collector lets"
              + " the heap grow, so set -Xmx to compare sizes); gc MB: the most left after any"
              + " collection; retained MB: live after a full GC once the job is done.");
    } finally {
      deleteTree(dir);
    }
  }

  private static String runOnce(Path dir, RedisServer redis, long n) throws Exception {
    Path data = Files.createDirectories(dir.resolve("data"));
    Path parquet = data.resolve("features_" + n + ".parquet");
    generate(parquet, n);
    FeatureView view = view();
    FeatureRepo repo =
        new FeatureRepo(
            PROJECT,
            List.of(
                new Entity(
                    "customer", List.of(new JoinKey("customer_id", ValueType.INT64)), null, null)),
            List.of(
                new Source(
                    "src",
                    SourceFormat.PARQUET,
                    "data/" + parquet.getFileName(),
                    "event_ts",
                    null,
                    Map.of(),
                    null)),
            List.of(view),
            List.of(),
            dir);

    // The offline side alone: DuckDB latest-value scan into Java rows, nothing written.
    long scanStart = System.nanoTime();
    long scanned;
    try (DuckDbOfflineStore offline = new DuckDbOfflineStore()) {
      scanned = offline.scanLatest(repo, view, T.minusSeconds(86_400), T, 1000, batch -> {});
    }
    double scanSeconds = (System.nanoTime() - scanStart) / 1e9;
    if (scanned != n) {
      throw new IllegalStateException("scanned " + scanned + " rows, expected " + n);
    }

    // Fletch: scan + encode + Lua upsert.
    redis.flushAll();
    Heap fletchHeap = Heap.start();
    long t0 = System.nanoTime();
    long written;
    double fletchSeconds;
    double retainedMb;
    try (DuckDbOfflineStore offline = new DuckDbOfflineStore();
        OnlineStore online = RedisOnlineStore.open(redis.url());
        Registry registry = Registry.open("jdbc:sqlite:" + dir.resolve("registry_" + n + ".db"))) {
      t0 = System.nanoTime();
      written =
          new Materializer(offline, online, registry.jobHistory())
              .materialize(repo, T.minusSeconds(86_400), T, List.of(), null)
              .get(0)
              .rows();
      fletchSeconds = (System.nanoTime() - t0) / 1e9;
      // What the stores keep after a job, with everything still open: a per-row leak (a cache, a
      // list of futures) would show here in proportion to the row count.
      retainedMb = Heap.liveAfterFullGcMb();
    }
    Heap.Peak fletchPeak = fletchHeap.peak();
    if (written != n) {
      throw new IllegalStateException("materialized " + written + " rows, expected " + n);
    }
    checkCount(redis, n);

    // Baseline: raw pipelined HSETs of the same number of hashes and entry size.
    int entrySize = ValueCodec.encode(view, T, sampleValues(0)).length;
    redis.flushAll();
    Heap rawHeap = Heap.start();
    double rawSeconds = rawHsets(redis, n, entrySize, view.name());
    Heap.Peak rawPeak = rawHeap.peak();
    checkCount(redis, n);
    redis.flushAll();
    Files.deleteIfExists(parquet);

    double fletchRate = n / fletchSeconds;
    double rawRate = n / rawSeconds;
    System.out.printf(
        Locale.ROOT,
        "%,d entities: scan only %.2f s, fletch %.2f s, lettuce %.2f s (entry %d bytes)%n",
        n,
        scanSeconds,
        fletchSeconds,
        rawSeconds,
        entrySize);
    return String.format(
        Locale.ROOT,
        "%,12d %,16.0f %,16.0f %,16.0f %7.2f %14.1f %14.1f %14.1f %14.1f",
        n,
        n / scanSeconds,
        fletchRate,
        rawRate,
        fletchRate / rawRate,
        fletchPeak.totalMb(),
        fletchPeak.afterGcMb(),
        retainedMb,
        rawPeak.totalMb());
  }

  private static double rawHsets(RedisServer redis, long n, int entrySize, String field)
      throws Exception {
    RedisClient client = RedisClient.create(redis.url());
    try (StatefulRedisConnection<byte[], byte[]> conn = client.connect(ByteArrayCodec.INSTANCE)) {
      conn.setAutoFlushCommands(false);
      RedisAsyncCommands<byte[], byte[]> async = conn.async();
      byte[] fieldBytes = field.getBytes(StandardCharsets.UTF_8);
      Random random = new Random(42);
      // Same window as the materializer: 8 batches of 1000 in flight.
      ArrayDeque<List<RedisFuture<Boolean>>> window = new ArrayDeque<>();
      long t0 = System.nanoTime();
      List<RedisFuture<Boolean>> batch = new ArrayList<>(1000);
      for (long i = 0; i < n; i++) {
        byte[] key =
            EntityKeyCodec.redisKey(PROJECT, EntityKey.of("customer_id", i))
                .getBytes(StandardCharsets.US_ASCII);
        byte[] value = new byte[entrySize];
        random.nextBytes(value);
        batch.add(async.hset(key, fieldBytes, value));
        if (batch.size() == 1000) {
          conn.flushCommands();
          window.add(batch);
          batch = new ArrayList<>(1000);
          if (window.size() >= 8) {
            awaitAll(window.poll());
          }
        }
      }
      conn.flushCommands();
      window.add(batch);
      while (!window.isEmpty()) {
        awaitAll(window.poll());
      }
      return (System.nanoTime() - t0) / 1e9;
    } finally {
      client.shutdown(0, 2, TimeUnit.SECONDS);
    }
  }

  private static void awaitAll(List<RedisFuture<Boolean>> futures) throws Exception {
    for (RedisFuture<Boolean> f : futures) {
      f.get(30, TimeUnit.SECONDS);
    }
  }

  private static void checkCount(RedisServer redis, long n) {
    long size = Long.parseLong(redis.command("DBSIZE").substring(1));
    if (size != n) {
      throw new IllegalStateException("Redis holds " + size + " keys, expected " + n);
    }
  }

  static FeatureView view() {
    List<Feature> features = new ArrayList<>();
    for (int i = 1; i <= 4; i++) {
      features.add(new Feature("d" + i, ValueType.DOUBLE, null, null, null));
    }
    for (int i = 1; i <= 3; i++) {
      features.add(new Feature("l" + i, ValueType.INT64, null, null, null));
    }
    features.add(new Feature("s1", ValueType.STRING, null, null, null));
    features.add(new Feature("s2", ValueType.STRING, null, null, null));
    features.add(new Feature("b1", ValueType.BOOL, null, null, null));
    return new FeatureView(
        "customer_bench",
        List.of("customer"),
        "src",
        Duration.ofDays(7),
        true,
        features,
        null,
        null,
        null,
        null);
  }

  private static List<Object> sampleValues(long i) {
    return List.of(
        0.5, 1.5, 2.5, 3.5, i, i * 2, i * 3, "segment-" + (i % 1000), "region-" + (i % 50), true);
  }

  private static void generate(Path parquet, long n) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement s = c.createStatement()) {
      s.execute("SET TimeZone = 'UTC'");
      s.execute(
          "COPY (SELECT i AS customer_id,"
              + " TIMESTAMP '2026-01-01 00:00:00' - to_seconds(i % 3600) AS event_ts,"
              + " random() AS d1, random() * 10 AS d2, random() * 100 AS d3, random() * 1000 AS d4,"
              + " i AS l1, i * 2 AS l2, i * 3 AS l3,"
              + " 'segment-' || (i % 1000) AS s1, 'region-' || (i % 50) AS s2, i % 2 = 0 AS b1"
              + " FROM range(0, "
              + n
              + ") t(i)) TO '"
              + parquet.toString().replace("'", "''")
              + "' (FORMAT PARQUET)");
    }
  }

  /**
   * Heap use between {@link #start()} and {@link #peak()}: the peak of the heap pools' used memory
   * (includes garbage not yet collected, so it follows the heap size more than the work), and the
   * largest heap left after any garbage collection (what the work keeps alive, plus old garbage a
   * young collection does not reclaim).
   */
  private static final class Heap {
    record Peak(double totalMb, double afterGcMb) {}

    private final List<MemoryPoolMXBean> pools;
    private final java.util.concurrent.atomic.AtomicLong maxAfterGc =
        new java.util.concurrent.atomic.AtomicLong();
    private final List<Runnable> unsubscribe = new ArrayList<>();

    private Heap(List<MemoryPoolMXBean> pools) {
      this.pools = pools;
    }

    static Heap start() {
      System.gc();
      List<MemoryPoolMXBean> pools =
          ManagementFactory.getMemoryPoolMXBeans().stream()
              .filter(p -> p.getType() == MemoryType.HEAP)
              .toList();
      pools.forEach(MemoryPoolMXBean::resetPeakUsage);
      Heap heap = new Heap(pools);
      heap.listen();
      return heap;
    }

    private void listen() {
      java.util.Set<String> heapPools =
          pools.stream()
              .map(MemoryPoolMXBean::getName)
              .collect(java.util.stream.Collectors.toSet());
      for (java.lang.management.GarbageCollectorMXBean gc :
          ManagementFactory.getGarbageCollectorMXBeans()) {
        if (!(gc instanceof javax.management.NotificationEmitter emitter)) {
          continue;
        }
        javax.management.NotificationListener listener =
            (notification, handback) -> {
              if (!notification
                  .getType()
                  .equals(
                      com.sun.management.GarbageCollectionNotificationInfo
                          .GARBAGE_COLLECTION_NOTIFICATION)) {
                return;
              }
              var info =
                  com.sun.management.GarbageCollectionNotificationInfo.from(
                      (javax.management.openmbean.CompositeData) notification.getUserData());
              long used = 0;
              for (var e : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
                if (heapPools.contains(e.getKey())) {
                  used += e.getValue().getUsed();
                }
              }
              maxAfterGc.accumulateAndGet(used, Math::max);
            };
        emitter.addNotificationListener(listener, null, null);
        unsubscribe.add(
            () -> {
              try {
                emitter.removeNotificationListener(listener);
              } catch (javax.management.ListenerNotFoundException e) {
                // already gone
              }
            });
      }
    }

    /** Live heap after a full collection (System.gc() is a full GC with G1 by default). */
    static double liveAfterFullGcMb() {
      System.gc();
      return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1048576.0;
    }

    Peak peak() {
      unsubscribe.forEach(Runnable::run);
      long total = 0;
      for (MemoryPoolMXBean p : pools) {
        total += p.getPeakUsage().getUsed();
      }
      return new Peak(total / 1048576.0, maxAfterGc.get() / 1048576.0);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
