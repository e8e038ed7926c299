package dev.fletch.bench;

import dev.fletch.core.model.Entity;
import dev.fletch.core.model.Feature;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.model.FeatureView;
import dev.fletch.core.model.JoinKey;
import dev.fletch.core.model.Source;
import dev.fletch.core.model.SourceFormat;
import dev.fletch.core.model.ValueType;
import dev.fletch.core.stats.DatasetStats;
import dev.fletch.monitoring.DriftCheck;
import dev.fletch.monitoring.DriftReport;
import dev.fletch.monitoring.DriftSource;
import dev.fletch.monitoring.LoggedValues;
import dev.fletch.offline.DataSlice;
import dev.fletch.offline.DuckDbOfflineStore;
import dev.fletch.offline.EntitySet;
import dev.fletch.offline.HistoricalRequest;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * What statistics cost, measured against the same work without them in the same run, on {@code
 * HistoricalBench}'s data (scale 1: 1M entity rows x 10M feature rows of 100k entities, 5
 * features):
 *
 * <ul>
 *   <li>a training set: {@code historicalToFile} alone (the baseline) against {@code
 *       historicalToFile} followed by the statistics of the written file (what {@code fletch
 *       historical} does);
 *   <li>a materialization scan: {@code scanLatest} streaming the latest row of each of 100k
 *       entities into the JVM (the baseline) against the same scan that also summarises them;
 *   <li>a drift check of the 1M-row training set against a shifted copy (no baseline: its time).
 * </ul>
 *
 * Each pair alternates {@code --runs} times (default 3); the best time counts. Peak heap and peak
 * process RSS are read for the variants with statistics.
 *
 * <pre>
 * ./mvnw -q -B -pl bench -am -Dmaven.test.skip=true install
 * ./mvnw -q -B -pl bench exec:exec -Dexec.args="--add-opens=java.base/java.nio=ALL-UNNAMED -Xmx1g \
 *     -cp %classpath dev.fletch.bench.StatsBench --runs 3"
 * </pre>
 */
public final class StatsBench {
  private StatsBench() {}

  public static void main(String[] args) throws Exception {
    double scale = 1.0;
    int runs = 3;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--scale" -> scale = Double.parseDouble(args[++i]);
        case "--runs" -> runs = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    long entityRows = Math.max(1000, Math.round(1_000_000 * scale));
    long featureRows = Math.max(10_000, Math.round(10_000_000 * scale));
    long entities = Math.max(100, Math.round(100_000 * scale));
    Path dir = Files.createTempDirectory("fletch-stats-bench");
    try {
      run(dir, entityRows, featureRows, entities, runs);
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static void run(Path dir, long entityRows, long featureRows, long entities, int runs)
      throws Exception {
    System.out.printf(
        Locale.ROOT,
        "stats bench: %,d entity rows x %,d feature rows (%,d entities, 5 features), %d runs each,"
            + " %d cores%n",
        entityRows,
        featureRows,
        entities,
        runs,
        Runtime.getRuntime().availableProcessors());
    Path features = dir.resolve("features.parquet");
    Path entityFile = dir.resolve("entities.parquet");
    generate(features, entityFile, entityRows, featureRows, entities);
    FeatureRepo repo = repo(dir);
    Path out = dir.resolve("train.parquet");
    HistoricalRequest request =
        new HistoricalRequest(
            new EntitySet.FromFile(entityFile), List.of("stats:*"), null, null, false, out, null);

    List<Double> plain = new ArrayList<>();
    List<Double> withStats = new ArrayList<>();
    List<Double> statsOnly = new ArrayList<>();
    List<Double> scan = new ArrayList<>();
    List<Double> scanStats = new ArrayList<>();
    Memory historicalMemory;
    Memory scanMemory;
    try (DuckDbOfflineStore store = new DuckDbOfflineStore()) {
      FeatureView view = repo.view("stats");
      Instant start = Instant.parse("2024-01-01T00:00:00Z");
      Instant end = Instant.parse("2025-01-01T00:00:00Z");
      for (int i = 0; i < runs; i++) {
        long t0 = System.nanoTime();
        store.historicalToFile(repo, request);
        plain.add(secs(t0));

        long t1 = System.nanoTime();
        store.historicalToFile(repo, request);
        long t2 = System.nanoTime();
        DatasetStats s = store.stats(null, new DataSlice.Files(out));
        withStats.add(secs(t1));
        statsOnly.add(secs(t2));
        if (s.rows() != entityRows) {
          throw new IllegalStateException("summarised " + s.rows() + " rows");
        }

        long t3 = System.nanoTime();
        AtomicLong rows = new AtomicLong();
        store.scanLatest(repo, view, start, end, 1000, b -> rows.addAndGet(b.size()));
        scan.add(secs(t3));

        long t4 = System.nanoTime();
        AtomicReference<DatasetStats> latest = new AtomicReference<>();
        store.scanLatest(repo, view, start, end, 1000, b -> rows.addAndGet(b.size()), latest::set);
        scanStats.add(secs(t4));
        if (latest.get().rows() != entities) {
          throw new IllegalStateException("summarised " + latest.get().rows() + " entities");
        }
      }
      Memory.reset();
      store.historicalToFile(repo, request);
      store.stats(null, new DataSlice.Files(out));
      historicalMemory = Memory.read();
      Memory.reset();
      store.scanLatest(repo, view, start, end, 1000, b -> {}, s -> {});
      scanMemory = Memory.read();

      // Drift: the training set against a copy whose f2 is shifted and f5 remixed.
      Path shifted = dir.resolve("shifted.parquet");
      try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
          Statement st = c.createStatement()) {
        st.execute(
            "COPY (SELECT * REPLACE (f2 * 1.1 AS f2, CASE WHEN f1 % 10 = 0 THEN 'cat0' ELSE f5"
                + " END AS f5) FROM read_parquet("
                + lit(out)
                + ")) TO "
                + lit(shifted)
                + " (FORMAT parquet)");
      }
      DriftCheck check = new DriftCheck(store, LoggedValues.NONE);
      List<Double> drift = new ArrayList<>();
      DriftReport report = null;
      for (int i = 0; i < runs; i++) {
        long t = System.nanoTime();
        report =
            check.run(
                new DriftCheck.Request(
                    repo,
                    new DriftSource.TrainingSet(out),
                    new DriftSource.TrainingSet(shifted),
                    List.of("f1", "f2", "f3", "f4", "f5")),
                null);
        drift.add(secs(t));
      }
      report(plain, withStats, statsOnly, scan, scanStats, historicalMemory, scanMemory);
      System.out.printf(
          Locale.ROOT,
          "drift check, %,d rows against %,d (4 numbers, 1 category): runs %s s, best %.3f s;"
              + " drifted: %s%n",
          report.referenceRows(),
          report.currentRows(),
          fmt(drift),
          best(drift),
          report.drifted().stream().map(f -> f.feature()).toList());
    }
  }

  private static void report(
      List<Double> plain,
      List<Double> withStats,
      List<Double> statsOnly,
      List<Double> scan,
      List<Double> scanStats,
      Memory historicalMemory,
      Memory scanMemory) {
    System.out.printf(
        Locale.ROOT,
        "training set, historicalToFile alone (baseline): runs %s s, best %.3f s%n",
        fmt(plain),
        best(plain));
    System.out.printf(
        Locale.ROOT,
        "training set with statistics of the written file: runs %s s, best %.3f s (of which"
            + " statistics: best %.3f s); ratio %.3f%n",
        fmt(withStats),
        best(withStats),
        best(statsOnly),
        best(withStats) / best(plain));
    System.out.printf(
        Locale.ROOT,
        "  peak heap %s, process RSS %s%n",
        mb(historicalMemory.heapPeak()),
        mb(historicalMemory.rssPeak()));
    System.out.printf(
        Locale.ROOT,
        "materialization scan, latest rows streamed (baseline): runs %s s, best %.3f s%n",
        fmt(scan),
        best(scan));
    System.out.printf(
        Locale.ROOT,
        "materialization scan with statistics (temp table): runs %s s, best %.3f s; ratio %.3f%n",
        fmt(scanStats),
        best(scanStats),
        best(scanStats) / best(scan));
    System.out.printf(
        Locale.ROOT,
        "  peak heap %s, process RSS %s%n",
        mb(scanMemory.heapPeak()),
        mb(scanMemory.rssPeak()));
  }

  private static FeatureRepo repo(Path dir) {
    List<Feature> fs =
        List.of(
            new Feature("f1", ValueType.INT64, null, null, null),
            new Feature("f2", ValueType.DOUBLE, null, null, null),
            new Feature("f3", ValueType.DOUBLE, null, null, null),
            new Feature("f4", ValueType.INT64, null, null, null),
            new Feature("f5", ValueType.STRING, null, null, null));
    return new FeatureRepo(
        "bench",
        List.of(
            new Entity("entity", List.of(new JoinKey("entity_id", ValueType.INT64)), null, null)),
        List.of(
            new Source(
                "events",
                SourceFormat.PARQUET,
                "features.parquet",
                "event_ts",
                null,
                Map.of(),
                null)),
        List.of(
            new FeatureView(
                "stats",
                List.of("entity"),
                "events",
                Duration.ZERO,
                true,
                fs,
                null,
                null,
                null,
                null)),
        List.of(),
        dir);
  }

  /** HistoricalBench's data: a year of history, hash() spreading ids and times. */
  private static void generate(
      Path features, Path entityFile, long entityRows, long featureRows, long entities)
      throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement()) {
      st.execute("SET TimeZone = 'UTC'");
      st.execute(
          "COPY (SELECT (i % "
              + entities
              + ") AS entity_id, TIMESTAMP '2024-01-01' + to_seconds(CAST(hash(i, 1) % 31536000 AS"
              + " BIGINT)) AS event_ts, CAST(hash(i, 2) % 1000 AS BIGINT) AS f1, (hash(i, 3) %"
              + " 100000) / 100.0 AS f2, (hash(i, 4) % 1000) / 7.0 AS f3, CAST(hash(i, 5) % 50 AS"
              + " BIGINT) AS f4, 'cat' || CAST(hash(i, 6) % 20 AS VARCHAR) AS f5 FROM range("
              + featureRows
              + ") t(i)) TO "
              + lit(features)
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
    }
  }

  private static String lit(Path p) {
    return "'" + p.toString().replace("'", "''") + "'";
  }

  private static double secs(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }

  private static double best(List<Double> times) {
    return times.stream().min(Comparator.naturalOrder()).orElseThrow();
  }

  private static String fmt(List<Double> times) {
    return String.join(
        ", ", times.stream().map(t -> String.format(Locale.ROOT, "%.3f", t)).toList());
  }

  private static String mb(long bytes) {
    return String.format(Locale.ROOT, "%.1f MB", bytes / 1048576.0);
  }

  /** Peak JVM heap and peak process RSS since the last reset. */
  record Memory(long heapPeak, long rssPeak) {
    static void reset() {
      System.gc();
      for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
        if (pool.getType() == MemoryType.HEAP) {
          pool.resetPeakUsage();
        }
      }
      try {
        Files.writeString(Path.of("/proc/self/clear_refs"), "5");
      } catch (IOException | RuntimeException e) {
        // not Linux: VmHWM then covers the whole run
      }
    }

    static Memory read() {
      long heap = 0;
      for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
        if (pool.getType() == MemoryType.HEAP) {
          heap += pool.getPeakUsage().getUsed();
        }
      }
      long rss = 0;
      try {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
          if (line.startsWith("VmHWM:")) {
            rss = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
          }
        }
      } catch (IOException e) {
        // not Linux
      }
      return new Memory(heap, rss);
    }
  }
}
