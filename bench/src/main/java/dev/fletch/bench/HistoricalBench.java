package dev.fletch.bench;

import dev.fletch.core.model.Entity;
import dev.fletch.core.model.Feature;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.model.FeatureView;
import dev.fletch.core.model.JoinKey;
import dev.fletch.core.model.Source;
import dev.fletch.core.model.SourceFormat;
import dev.fletch.core.model.ValueType;
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
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Historical retrieval benchmark: Fletch's {@code historicalToFile} (Parquet out) against a
 * hand-written DuckDB ASOF JOIN COPY over the same Parquet files, in the same run.
 *
 * <p>Full size (scale 1): 1M entity rows against 10M feature rows of 100k entities with 5 features.
 * Each side runs {@code --runs} times (default 3, warm-up included); the best time counts. Fletch
 * also runs on a quarter of the entity rows to show that its peak heap does not grow with the
 * output.
 *
 * <p>With {@code --created} the source also has a created timestamp that breaks ties between rows
 * with the same event time; the hand-written side then de-duplicates with a window before its join.
 *
 * <p>Usage: {@code HistoricalBench [--scale 1.0] [--runs 3] [--dir TMPDIR] [--created]}, e.g.
 *
 * <pre>
 * ./mvnw -q -B -pl bench -am -DskipTests install
 * ./mvnw -q -B -pl bench exec:exec -Dexec.args="--add-opens=java.base/java.nio=ALL-UNNAMED -Xmx1g \
 *     -cp %classpath dev.fletch.bench.HistoricalBench --runs 5"
 * </pre>
 */
public final class HistoricalBench {
  private static final String[] FEATURES = {"f1", "f2", "f3", "f4", "f5"};

  private static boolean created;

  private HistoricalBench() {}

  public static void main(String[] args) throws Exception {
    double scale = 1.0;
    int runs = 3;
    Path base = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--scale" -> scale = Double.parseDouble(args[++i]);
        case "--runs" -> runs = Integer.parseInt(args[++i]);
        case "--dir" -> base = Path.of(args[++i]);
        case "--created" -> created = true;
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    long entityRows = Math.max(1000, Math.round(1_000_000 * scale));
    long featureRows = Math.max(10_000, Math.round(10_000_000 * scale));
    long entities = Math.max(100, Math.round(100_000 * scale));
    Path dir =
        base == null
            ? Files.createTempDirectory("fletch-historical-bench")
            : Files.createDirectories(base);
    try {
      run(dir, entityRows, featureRows, entities, runs);
    } finally {
      deleteTree(dir);
    }
  }

  private static void run(Path dir, long entityRows, long featureRows, long entities, int runs)
      throws Exception {
    System.out.printf(
        Locale.ROOT,
        "historical bench: %,d entity rows x %,d feature rows (%,d entities, %d features), %d runs"
            + " each, %d cores%s%n",
        entityRows,
        featureRows,
        entities,
        FEATURES.length,
        runs,
        Runtime.getRuntime().availableProcessors(),
        created ? ", ties broken by created_ts" : "");
    Path features = dir.resolve("features.parquet");
    Path entityFile = dir.resolve("entities.parquet");
    Path smallEntityFile = dir.resolve("entities_quarter.parquet");
    long t0 = System.nanoTime();
    generate(features, entityFile, smallEntityFile, entityRows, featureRows, entities);
    System.out.printf(Locale.ROOT, "generated data in %.1f s%n", secs(System.nanoTime() - t0));

    FeatureRepo repo = repo(dir);
    Path fletchOut = dir.resolve("fletch_out.parquet");
    Path handOut = dir.resolve("hand_out.parquet");

    List<Double> hand = new ArrayList<>();
    List<Double> fletch = new ArrayList<>();
    Memory fullMemory;
    Memory quarterMemory;
    try (DuckDbOfflineStore store = new DuckDbOfflineStore();
        Connection baseline = DriverManager.getConnection("jdbc:duckdb:")) {
      try (Statement st = baseline.createStatement()) {
        st.execute("SET TimeZone = 'UTC'");
      }
      // Alternate the two so that neither benefits from a warmer machine.
      for (int i = 0; i < runs; i++) {
        hand.add(timeHandWritten(baseline, entityFile, features, handOut));
        fletch.add(timeFletch(store, repo, entityFile, fletchOut));
      }
      Memory.reset();
      timeFletch(store, repo, entityFile, fletchOut);
      fullMemory = Memory.read();
      Memory.reset();
      timeFletch(store, repo, smallEntityFile, fletchOut);
      quarterMemory = Memory.read();
      // Same answers? The last full-size Fletch output is the quarter run's; redo the full one.
      timeFletch(store, repo, entityFile, fletchOut);
      System.out.printf(
          Locale.ROOT,
          "rows differing between the two outputs: %d%n",
          differing(baseline, handOut, fletchOut));
    }
    double bestHand = hand.stream().min(Comparator.naturalOrder()).orElseThrow();
    double bestFletch = fletch.stream().min(Comparator.naturalOrder()).orElseThrow();
    System.out.printf(
        Locale.ROOT, "hand-written ASOF JOIN COPY: runs %s s, best %.3f s%n", fmt(hand), bestHand);
    System.out.printf(
        Locale.ROOT,
        "fletch historicalToFile:     runs %s s, best %.3f s%n",
        fmt(fletch),
        bestFletch);
    System.out.printf(
        Locale.ROOT, "ratio fletch / hand-written: %.3f (target <= 1.25)%n", bestFletch / bestHand);
    System.out.printf(
        Locale.ROOT,
        "peak memory, %,d entity rows out: heap %s, process RSS (VmHWM) %s%n",
        entityRows,
        mb(fullMemory.heapPeak()),
        mb(fullMemory.rssPeak()));
    System.out.printf(
        Locale.ROOT,
        "peak memory, %,d entity rows out: heap %s, process RSS (VmHWM) %s%n",
        entityRows / 4,
        mb(quarterMemory.heapPeak()),
        mb(quarterMemory.rssPeak()));
  }

  private static FeatureRepo repo(Path dir) {
    List<Feature> fs = new ArrayList<>();
    fs.add(new Feature("f1", ValueType.INT64, null, null, null));
    fs.add(new Feature("f2", ValueType.DOUBLE, null, null, null));
    fs.add(new Feature("f3", ValueType.DOUBLE, null, null, null));
    fs.add(new Feature("f4", ValueType.INT64, null, null, null));
    fs.add(new Feature("f5", ValueType.STRING, null, null, null));
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
                created ? "created_ts" : null,
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

  private static double timeFletch(
      DuckDbOfflineStore store, FeatureRepo repo, Path entities, Path out) {
    long t = System.nanoTime();
    store.historicalToFile(
        repo,
        new HistoricalRequest(
            new EntitySet.FromFile(entities), List.of("stats:*"), null, null, false, out, null));
    return secs(System.nanoTime() - t);
  }

  /** What a DuckDB user would write by hand: one ASOF LEFT JOIN, copied to Parquet. */
  private static double timeHandWritten(Connection conn, Path entities, Path features, Path out)
      throws SQLException {
    long t = System.nanoTime();
    try (Statement st = conn.createStatement()) {
      st.execute(
          "COPY (SELECT e.*, f.f1, f.f2, f.f3, f.f4, f.f5 FROM read_parquet("
              + lit(entities)
              + ") e ASOF LEFT JOIN "
              + (created
                  ? "(SELECT * FROM read_parquet("
                      + lit(features)
                      + ") QUALIFY row_number() OVER (PARTITION BY entity_id, event_ts"
                      + " ORDER BY created_ts DESC) = 1)"
                  : "read_parquet(" + lit(features) + ")")
              + " f"
              + " ON e.entity_id = f.entity_id AND e.event_timestamp >= f.event_ts) TO "
              + lit(out)
              + " (FORMAT parquet)");
    }
    return secs(System.nanoTime() - t);
  }

  /** Rows of one output not matched by a row of the other, ignoring order and timestamp types. */
  private static long differing(Connection conn, Path a, Path b) throws SQLException {
    String cols = "entity_id, label, f1, f2, f3, f4, f5";
    try (Statement st = conn.createStatement();
        java.sql.ResultSet rs =
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

  private static void generate(
      Path features,
      Path entityFile,
      Path smallEntityFile,
      long entityRows,
      long featureRows,
      long entities)
      throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement()) {
      st.execute("SET TimeZone = 'UTC'");
      // A year of history; hash() spreads ids and times deterministically.
      st.execute(
          "COPY (SELECT (i % "
              + entities
              + ") AS entity_id, TIMESTAMP '2024-01-01' + to_seconds(CAST(hash(i, 1) % 31536000 AS"
              + " BIGINT)) AS event_ts, TIMESTAMP '2024-01-01' + to_seconds(CAST(hash(i, 1) %"
              + " 31536000 + hash(i, 10) % 86400 AS BIGINT)) AS created_ts, CAST(hash(i, 2) % 1000"
              + " AS BIGINT) AS f1, (hash(i, 3) % 100000) / 100.0 AS f2, (hash(i, 4) % 1000) / 7.0"
              + " AS f3, CAST(hash(i, 5) % 50 AS BIGINT) AS f4, 'cat' || CAST(hash(i, 6) % 20 AS"
              + " VARCHAR) AS f5 FROM range("
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
      st.execute(
          "COPY (SELECT * FROM read_parquet("
              + lit(entityFile)
              + ") LIMIT "
              + (entityRows / 4)
              + ") TO "
              + lit(smallEntityFile)
              + " (FORMAT parquet)");
    }
  }

  /** Peak JVM heap (all heap pools) and peak process RSS since the last reset. */
  record Memory(long heapPeak, long rssPeak) {
    static void reset() {
      System.gc();
      for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
        if (pool.getType() == MemoryType.HEAP) {
          pool.resetPeakUsage();
        }
      }
      try {
        // Linux: writing 5 resets the process's peak RSS (VmHWM) to its current RSS.
        Files.writeString(Path.of("/proc/self/clear_refs"), "5");
      } catch (IOException | RuntimeException e) {
        // not Linux, or not allowed: VmHWM then covers the whole run
      }
    }

    static Memory read() {
      long heap = 0;
      for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
        if (pool.getType() == MemoryType.HEAP) {
          heap += pool.getPeakUsage().getUsed();
        }
      }
      return new Memory(heap, vmHwm());
    }

    private static long vmHwm() {
      try {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
          if (line.startsWith("VmHWM:")) {
            return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
          }
        }
      } catch (IOException | RuntimeException e) {
        // not Linux
      }
      return -1;
    }
  }

  static String mb(long bytes) {
    return bytes < 0 ? "n/a" : String.format(Locale.ROOT, "%.1f MB", bytes / 1048576.0);
  }

  private static String fmt(List<Double> times) {
    return times.stream().map(t -> String.format(Locale.ROOT, "%.3f", t)).toList().toString();
  }

  private static double secs(long nanos) {
    return nanos / 1e9;
  }

  static String lit(Path p) {
    return "'" + p.toAbsolutePath().toString().replace("'", "''") + "'";
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
