package dev.fletch.bench;

import static dev.fletch.bench.HistoricalBench.lit;
import static dev.fletch.bench.HistoricalBench.mb;

import dev.fletch.core.JobHistory;
import dev.fletch.core.model.Aggregation;
import dev.fletch.core.model.AggregationFunction;
import dev.fletch.core.model.Entity;
import dev.fletch.core.model.EntityKey;
import dev.fletch.core.model.Feature;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.model.FeatureRow;
import dev.fletch.core.model.FeatureView;
import dev.fletch.core.model.JoinKey;
import dev.fletch.core.model.Source;
import dev.fletch.core.model.SourceFormat;
import dev.fletch.core.model.ValueType;
import dev.fletch.materializer.Materializer;
import dev.fletch.offline.DuckDbOfflineStore;
import dev.fletch.offline.EntitySet;
import dev.fletch.offline.HistoricalRequest;
import dev.fletch.online.OnlineStore;
import dev.fletch.online.RedisOnlineStore;
import dev.fletch.registry.Registry;
import dev.fletch.serving.FletchServer;
import dev.fletch.serving.client.FletchClient;
import dev.fletch.testkit.RedisServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Window aggregations, offline and online (issue 14).
 *
 * <p>Offline: historical retrieval of 1M entity rows over 10M raw events of 100k entities (a year),
 * 3 windows (1h, 24h, 7d) x 3 functions (sum, count, avg), against a hand-written DuckDB query with
 * the same semantics (a join to the longest window's events and FILTERed aggregates, window starts
 * rounded down to the hour) in the same run; best of {@code --runs} each; rows that differ between
 * the two outputs; peak heap for the full and a quarter of the entity rows.
 *
 * <p>Online: a dedicated redis-server and a FletchServer; one entity with an event every 10 minutes
 * over the last 7 days (169 tiles), {@code GetFeatures} of the aggregated view's 9 features against
 * a plain view of 9 features, alternating: p50/p99 of one caller, peak of 4.
 *
 * <pre>
 * ./mvnw -q -B -pl bench -am -Dmaven.test.skip=true install
 * ./mvnw -q -B -pl bench exec:exec -Dexec.args="--add-opens=java.base/java.nio=ALL-UNNAMED -Xmx1g \
 *     -cp %classpath dev.fletch.bench.AggregationBench [--scale 1.0] [--runs 3] [--seconds 5]"
 * </pre>
 */
public final class AggregationBench {
  private static final String[] FUNCTIONS = {"sum", "count", "avg"};
  private static final int[] WINDOW_HOURS = {1, 24, 168};

  private AggregationBench() {}

  public static void main(String[] args) throws Exception {
    double scale = 1.0;
    int runs = 3;
    int seconds = 5;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--scale" -> scale = Double.parseDouble(args[++i]);
        case "--runs" -> runs = Integer.parseInt(args[++i]);
        case "--seconds" -> seconds = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    Path dir = Files.createTempDirectory("fletch-aggregation-bench");
    try {
      offline(
          dir,
          Math.max(1000, Math.round(1_000_000 * scale)),
          Math.max(10_000, Math.round(10_000_000 * scale)),
          Math.max(100, Math.round(100_000 * scale)),
          runs);
      online(dir, seconds);
    } finally {
      try (Stream<Path> paths = Files.walk(dir)) {
        for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  private static List<Aggregation> aggregations() {
    List<Aggregation> out = new ArrayList<>();
    for (int h : WINDOW_HOURS) {
      for (String f : FUNCTIONS) {
        out.add(
            new Aggregation(
                "amount_" + f + "_" + h + "h",
                AggregationFunction.of(f),
                "amount",
                null,
                ValueType.DOUBLE,
                Duration.ofHours(h)));
      }
    }
    return out;
  }

  private static FeatureRepo repo(Path dir, List<FeatureView> views) {
    return new FeatureRepo(
        "bench",
        List.of(
            new Entity("entity", List.of(new JoinKey("entity_id", ValueType.INT64)), null, null)),
        List.of(
            new Source(
                "events",
                SourceFormat.PARQUET,
                "events.parquet",
                "event_ts",
                null,
                Map.of(),
                null)),
        views,
        List.of(),
        dir);
  }

  private static FeatureView aggregatedView() {
    return new FeatureView(
        "windows",
        List.of("entity"),
        "events",
        null,
        true,
        List.of(),
        null,
        null,
        null,
        null,
        aggregations(),
        Duration.ofHours(1));
  }

  // ---- offline

  private static void offline(Path dir, long entityRows, long events, long entities, int runs)
      throws Exception {
    System.out.printf(
        Locale.ROOT,
        "aggregation bench, offline: %,d entity rows x %,d raw events (%,d entities), windows"
            + " 1h/24h/7d x sum/count/avg, %d runs each, %d cores%n",
        entityRows,
        events,
        entities,
        runs,
        Runtime.getRuntime().availableProcessors());
    Path eventFile = dir.resolve("events.parquet");
    Path entityFile = dir.resolve("entities.parquet");
    Path quarterFile = dir.resolve("entities_quarter.parquet");
    long t0 = System.nanoTime();
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement()) {
      st.execute("SET TimeZone = 'UTC'");
      st.execute(
          "COPY (SELECT CAST(i % "
              + entities
              + " AS BIGINT) AS entity_id, TIMESTAMP '2024-01-01' + to_seconds(CAST(hash(i, 1) %"
              + " 31536000 AS BIGINT)) AS event_ts, (hash(i, 2) % 100000) / 100.0 AS amount FROM"
              + " range("
              + events
              + ") t(i)) TO "
              + lit(eventFile)
              + " (FORMAT parquet)");
      st.execute(
          "COPY (SELECT CAST(hash(i, 7) % "
              + entities
              + " AS BIGINT) AS entity_id, TIMESTAMP '2024-01-01' + to_seconds(CAST(hash(i, 8) %"
              + " 31536000 AS BIGINT)) AS event_timestamp, CAST(hash(i, 9) % 2 AS INTEGER) AS label"
              + " FROM range("
              + entityRows
              + ") t(i)) TO "
              + lit(entityFile)
              + " (FORMAT parquet)");
      st.execute(
          "COPY (SELECT * FROM read_parquet("
              + lit(entityFile)
              + ") LIMIT "
              + entityRows / 4
              + ") TO "
              + lit(quarterFile)
              + " (FORMAT parquet)");
    }
    System.out.printf(Locale.ROOT, "generated data in %.1f s%n", (System.nanoTime() - t0) / 1e9);
    FeatureRepo repo = repo(dir, List.of(aggregatedView()));
    Path fletchOut = dir.resolve("fletch.parquet");
    Path handOut = dir.resolve("hand.parquet");
    List<Double> hand = new ArrayList<>();
    List<Double> fletch = new ArrayList<>();
    HistoricalBench.Memory fullMemory;
    HistoricalBench.Memory quarterMemory;
    try (DuckDbOfflineStore store = new DuckDbOfflineStore();
        Connection baseline = DriverManager.getConnection("jdbc:duckdb:")) {
      try (Statement st = baseline.createStatement()) {
        st.execute("SET TimeZone = 'UTC'");
      }
      for (int i = 0; i < runs; i++) {
        hand.add(handWritten(baseline, entityFile, eventFile, handOut));
        fletch.add(fletch(store, repo, entityFile, fletchOut));
      }
      HistoricalBench.Memory.reset();
      fletch(store, repo, quarterFile, fletchOut);
      quarterMemory = HistoricalBench.Memory.read();
      HistoricalBench.Memory.reset();
      fletch(store, repo, entityFile, fletchOut);
      fullMemory = HistoricalBench.Memory.read();
      System.out.printf(
          Locale.ROOT,
          "rows differing between the two outputs: %d%n",
          differing(baseline, handOut, fletchOut));
    }
    double bestHand = hand.stream().min(Comparator.naturalOrder()).orElseThrow();
    double bestFletch = fletch.stream().min(Comparator.naturalOrder()).orElseThrow();
    System.out.printf(
        Locale.ROOT, "hand-written DuckDB query: runs %s s, best %.3f s%n", hand, bestHand);
    System.out.printf(
        Locale.ROOT, "fletch historicalToFile:   runs %s s, best %.3f s%n", fletch, bestFletch);
    System.out.printf(
        Locale.ROOT, "ratio fletch / hand-written: %.3f (target <= 1.5)%n", bestFletch / bestHand);
    System.out.printf(
        Locale.ROOT,
        "peak heap: %s for %,d entity rows, %s for %,d (process RSS %s, %s)%n",
        mb(fullMemory.heapPeak()),
        entityRows,
        mb(quarterMemory.heapPeak()),
        entityRows / 4,
        mb(fullMemory.rssPeak()),
        mb(quarterMemory.rssPeak()));
  }

  private static double fletch(
      DuckDbOfflineStore store, FeatureRepo repo, Path entities, Path out) {
    long t = System.nanoTime();
    store.historicalToFile(
        repo,
        new HistoricalRequest(
            new EntitySet.FromFile(entities), List.of("windows:*"), null, null, false, out, null));
    return Math.round((System.nanoTime() - t) / 1e6) / 1e3;
  }

  /** What a DuckDB user would write for the same semantics, copied to Parquet. */
  private static double handWritten(Connection conn, Path entities, Path events, Path out)
      throws SQLException {
    StringBuilder aggs = new StringBuilder();
    StringBuilder outs = new StringBuilder();
    for (int h : WINDOW_HOURS) {
      String filter =
          " FILTER (WHERE x.event_ts >= time_bucket(INTERVAL 1 HOUR, e.event_timestamp - INTERVAL "
              + h
              + " HOUR))";
      for (String f : FUNCTIONS) {
        String name = "amount_" + f + "_" + h + "h";
        aggs.append(", ").append(f).append("(x.amount)").append(filter).append(" AS ").append(name);
        outs.append(", ")
            .append(f.equals("count") ? "coalesce(j." + name + ", 0)" : "j." + name)
            .append(" AS ")
            .append(name);
      }
    }
    long t = System.nanoTime();
    try (Statement st = conn.createStatement()) {
      st.execute(
          "COPY (WITH e AS (SELECT row_number() OVER () AS rid, * FROM read_parquet("
              + lit(entities)
              + ")), j AS (SELECT e.rid"
              + aggs
              + " FROM e JOIN read_parquet("
              + lit(events)
              + ") x ON x.entity_id = e.entity_id AND x.event_ts <= e.event_timestamp AND"
              + " x.event_ts >= time_bucket(INTERVAL 1 HOUR, e.event_timestamp - INTERVAL 168 HOUR)"
              + " GROUP BY e.rid) SELECT e.entity_id, e.event_timestamp, e.label"
              + outs
              + " FROM e LEFT JOIN j USING (rid) ORDER BY e.rid) TO "
              + lit(out)
              + " (FORMAT parquet)");
    }
    return Math.round((System.nanoTime() - t) / 1e6) / 1e3;
  }

  private static long differing(Connection conn, Path a, Path b) throws SQLException {
    StringBuilder cols = new StringBuilder("entity_id, label");
    for (int h : WINDOW_HOURS) {
      for (String f : FUNCTIONS) {
        String name = "amount_" + f + "_" + h + "h";
        cols.append(", round(").append(name).append(", 6)");
      }
    }
    try (Statement st = conn.createStatement();
        var rs =
            st.executeQuery(
                "SELECT count(*) FROM (SELECT "
                    + cols
                    + " FROM read_parquet("
                    + lit(a)
                    + ") EXCEPT ALL SELECT "
                    + cols
                    + " FROM read_parquet("
                    + lit(b)
                    + "))")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  // ---- online

  private static void online(Path dir, int seconds) throws Exception {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    // One entity, an event every 10 minutes over the last 7 days: every tile of the 7d window.
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement()) {
      st.execute("SET TimeZone = 'UTC'");
      st.execute(
          "COPY (SELECT CAST(1 AS BIGINT) AS entity_id, make_timestamp(CAST("
              + now.getEpochSecond() * 1_000_000L
              + " - i * 600000000 AS BIGINT)) AS event_ts, (i % 97) * 1.5 AS amount FROM"
              + " range(1008) t(i)) TO "
              + lit(dir.resolve("events.parquet"))
              + " (FORMAT parquet)");
    }
    List<Feature> plainFeatures = new ArrayList<>();
    for (Aggregation a : aggregations()) {
      plainFeatures.add(new Feature(a.name(), a.outputType(), null, null, null));
    }
    FeatureView plain =
        new FeatureView(
            "plain",
            List.of("entity"),
            "events",
            Duration.ZERO,
            true,
            plainFeatures,
            null,
            null,
            null,
            null);
    FeatureView windows = aggregatedView();
    FeatureRepo repo = repo(dir, List.of(plain, windows));
    try (RedisServer redis = RedisServer.dedicated();
        OnlineStore store = RedisOnlineStore.open(redis.url());
        Registry registry = Registry.open("jdbc:sqlite:" + dir.resolve("registry.db"));
        DuckDbOfflineStore offline = new DuckDbOfflineStore()) {
      registry.apply(repo, 0, false, "bench");
      FeatureRepo applied = registry.load("bench").withRoot(dir);
      JobHistory jobs = registry.jobHistory();
      new Materializer(offline, store, jobs)
          .materialize(applied, now.minus(Duration.ofDays(8)), now, List.of("windows"), null);
      List<Object> values = new ArrayList<>();
      for (Feature f : plainFeatures) {
        values.add(f.type() == ValueType.INT64 ? (Object) 42L : (Object) 4.2);
      }
      store
          .write(
              "bench", plain, List.of(new FeatureRow(EntityKey.of("entity_id", 1L), now, values)))
          .join();
      try (FletchServer server =
              FletchServer.builder()
                  .httpPort(0)
                  .grpcPort(FletchServer.EPHEMERAL)
                  .definitions(registry)
                  .project("bench")
                  .onlineStore(store)
                  .warmUp(Duration.ZERO)
                  .start();
          FletchClient client =
              FletchClient.builder()
                  .target("127.0.0.1", server.grpcPort())
                  .deadline(Duration.ofSeconds(5))
                  .build()) {
        Map<String, List<Long>> entity = Map.of("entity_id", List.of(1L));
        List<String> plainRefs = List.of("plain:*");
        List<String> windowRefs = List.of("windows:*");
        Object checked = client.getFeatures(windowRefs, entity).value("amount_count_168h", 0);
        System.out.printf(
            Locale.ROOT,
            "%naggregation bench, online: 1 entity x 9 features over gRPC; the aggregated entry"
                + " holds 169 tiles (amount_count_168h = %s), %d s per measurement%n",
            checked,
            seconds);
        // Warm-up, then alternate so that neither side gets a warmer machine.
        latency(client, plainRefs, entity, 2);
        latency(client, windowRefs, entity, 2);
        double[][] plainLat = new double[2][];
        double[][] windowLat = new double[2][];
        for (int round = 0; round < 2; round++) {
          plainLat[round] = latency(client, plainRefs, entity, seconds);
          windowLat[round] = latency(client, windowRefs, entity, seconds);
        }
        double plainPeak = peak(client, plainRefs, entity, seconds);
        double windowPeak = peak(client, windowRefs, entity, seconds);
        for (int round = 0; round < 2; round++) {
          System.out.printf(
              Locale.ROOT,
              "round %d: plain p50 %.3f p99 %.3f ms | aggregated p50 %.3f p99 %.3f ms | p50 ratio"
                  + " %.2f%n",
              round + 1,
              plainLat[round][0],
              plainLat[round][1],
              windowLat[round][0],
              windowLat[round][1],
              windowLat[round][0] / plainLat[round][0]);
        }
        System.out.printf(
            Locale.ROOT,
            "peak (4 callers): plain %.0f calls/s, aggregated %.0f calls/s, ratio %.2f (target:"
                + " the aggregated view within 1.5x)%n",
            plainPeak,
            windowPeak,
            plainPeak / windowPeak);
      }
    }
  }

  /** p50 and p99 in ms of one caller in a closed loop for {@code seconds}. */
  private static double[] latency(
      FletchClient client, List<String> refs, Map<String, List<Long>> entity, int seconds) {
    List<Long> nanos = new ArrayList<>();
    long until = System.nanoTime() + seconds * 1_000_000_000L;
    while (System.nanoTime() < until) {
      long t = System.nanoTime();
      client.getFeatures(refs, entity);
      nanos.add(System.nanoTime() - t);
    }
    long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
    return new double[] {pct(sorted, 50) / 1e6, pct(sorted, 99) / 1e6};
  }

  private static double peak(
      FletchClient client, List<String> refs, Map<String, List<Long>> entity, int seconds)
      throws InterruptedException {
    AtomicLong calls = new AtomicLong();
    long until = System.nanoTime() + seconds * 1_000_000_000L;
    Thread[] threads = new Thread[4];
    long t0 = System.nanoTime();
    for (int i = 0; i < threads.length; i++) {
      threads[i] =
          new Thread(
              () -> {
                while (System.nanoTime() < until) {
                  client.getFeatures(refs, entity);
                  calls.incrementAndGet();
                }
              });
      threads[i].start();
    }
    for (Thread t : threads) {
      t.join();
    }
    return calls.get() / ((System.nanoTime() - t0) / 1e9);
  }

  private static double pct(long[] sorted, double p) {
    int idx = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, idx))];
  }
}
