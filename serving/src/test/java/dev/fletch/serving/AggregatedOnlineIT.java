package dev.fletch.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.settings.Settings;
import dev.fletch.core.yaml.RepoLoader;
import dev.fletch.materializer.Materializer;
import dev.fletch.offline.DuckDbOfflineStore;
import dev.fletch.online.OnlineStore;
import dev.fletch.online.OnlineStores;
import dev.fletch.registry.Registry;
import dev.fletch.testkit.RedisServer;
import dev.fletch.testkit.WindowOracle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Online answers of an aggregated view after materialization, on the embedded store and a real
 * Redis, at several "now" instants after the materialized end (on it, a microsecond after, on hop
 * boundaries, hours later), against the brute-force semantics ({@link WindowOracle}) that
 * historical retrieval is tested against: training and serving give the same value.
 */
class AggregatedOnlineIT {
  private static final long MINUTE = 60_000_000L;
  private static final long HOUR = 60 * MINUTE;
  private static final String[] FUNCTIONS = {"count", "sum", "avg", "min", "max", "stddev", "last"};
  private static final int[] WINDOW_HOURS = {1, 6, 24};

  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"embedded", "redis"})
  void onlineAnswersMatchTheWindowSemanticsAfterMaterialization(String kind) throws Exception {
    Random rnd = new Random(kind.hashCode());
    // The materialized end: a whole hour plus 17 minutes, an hour ago (jobs stop at now).
    Instant endInstant =
        Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(1)).plusSeconds(17 * 60);
    long end = endInstant.getEpochSecond() * 1_000_000L;
    List<WindowOracle.Event> events = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      long entity = 1 + rnd.nextInt(5);
      long time = end - rnd.nextInt(30 * 60) * MINUTE;
      Long created = rnd.nextInt(4) > 0 ? time + rnd.nextInt(3) * MINUTE : null;
      Double value = rnd.nextInt(8) == 0 ? null : (double) (rnd.nextInt(200) - 50);
      events.add(new WindowOracle.Event(entity, time, created, value));
      if (rnd.nextInt(6) == 0) {
        events.add(
            new WindowOracle.Event(entity, time, time + rnd.nextInt(3) * MINUTE, (double) i));
      }
    }
    // One event exactly at the end: it counts (the end is exact).
    events.add(new WindowOracle.Event(1, end, null, 3.0));
    Files.createDirectories(dir.resolve("data"));
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement()) {
      st.execute(
          "COPY ("
              + WindowOracle.select(events)
              + ") TO '"
              + dir.resolve("data/tx.parquet")
              + "' (FORMAT parquet)");
    }
    StringBuilder aggregations = new StringBuilder();
    for (String f : FUNCTIONS) {
      aggregations
          .append("      - {column: amount, function: ")
          .append(f)
          .append(", windows: [1h, 6h, 24h]}\n");
    }
    aggregations.append("      - {function: count, windows: [1h, 6h, 24h]}\n");
    for (int h : WINDOW_HOURS) {
      // count_distinct takes no floating inputs; the amounts are whole numbers.
      aggregations
          .append("      - {expression: \"CAST(amount AS BIGINT)\", type: INT64,")
          .append(" function: count_distinct, windows: [")
          .append(h)
          .append("h], name: distinct_")
          .append(h)
          .append("h}\n");
    }
    Files.writeString(
        dir.resolve("repo.yaml"),
        """
        project: agg
        entities:
          - name: customer
            join_keys: [{name: customer_id, type: INT64}]
        sources:
          - name: tx
            type: parquet
            path: data/tx.parquet
            timestamp_field: event_ts
            created_timestamp_field: created_ts
        feature_views:
          - name: customer_txn
            entities: [customer]
            source: tx
            aggregations:
        """
            + aggregations);
    FeatureRepo repo = RepoLoader.load(dir);
    RedisServer redis = kind.equals("redis") ? RedisServer.dedicated() : null;
    Settings defaults = Settings.defaults(dir);
    Settings settings =
        new Settings(
            "jdbc:sqlite:" + dir.resolve("registry.db"),
            redis == null ? defaults.onlineStore() : Settings.ONLINE_REDIS,
            redis == null ? defaults.redisUrl() : redis.url(),
            redis == null ? defaults.embeddedOnlinePath() : null,
            "127.0.0.1",
            0,
            0,
            1000,
            Duration.ofSeconds(2));
    try (Registry registry = Registry.open(settings.registryUrl());
        OnlineStore online = OnlineStores.open(settings);
        DuckDbOfflineStore offline = new DuckDbOfflineStore()) {
      registry.apply(repo, 0, false, "it");
      FeatureRepo applied = registry.load("agg").withRoot(dir);
      // The job covers only the last hour: aggregated views recompute whole windows anyway. Run
      // twice: the second replaces the entries, it does not add to them.
      Materializer materializer = new Materializer(offline, online, registry.jobHistory());
      for (int run = 0; run < 2; run++) {
        materializer.materialize(
            applied, endInstant.minus(Duration.ofHours(1)), endInstant, List.of(), null);
      }

      WindowOracle oracle = new WindowOracle(events, true);
      List<Long> nows =
          List.of(
              end,
              end + 1,
              end - end % HOUR + HOUR,
              end - end % HOUR + HOUR - 1,
              end + 2 * HOUR + 123,
              end + 5 * HOUR,
              end + 23 * HOUR + 59 * MINUTE);
      int checked = 0;
      for (long now : nows) {
        Instant at = Instant.ofEpochSecond(now / 1_000_000L, (now % 1_000_000L) * 1000L);
        try (RegistryCache definitions =
            new RegistryCache(registry, "agg", Duration.ofMinutes(1), dir)) {
          OnlineFeatures features =
              new OnlineFeatures(
                  definitions,
                  online,
                  1000,
                  Clock.fixed(at, ZoneOffset.UTC),
                  new ServingMetrics(),
                  ForkJoinPool.commonPool(),
                  0);
          OnlineResult result =
              features
                  .get(
                      OnlineQuery.ofFeatures(
                          List.of("customer_txn:*"),
                          Map.of("customer_id", List.of(1L, 2L, 3L, 4L, 5L, 6L))),
                      Duration.ofSeconds(10))
                  .join();
          for (int row = 0; row < 6; row++) {
            long entity = row + 1;
            for (int h : WINDOW_HOURS) {
              for (String f : FUNCTIONS) {
                String name = "amount_" + f + "_" + h + "h";
                check(
                    name,
                    oracle.value(f, entity, now, h * HOUR, HOUR),
                    result.value(name, row),
                    kind,
                    now);
                checked++;
              }
              String distinct = "distinct_" + h + "h";
              check(
                  distinct,
                  oracle.value("count_distinct", entity, now, h * HOUR, HOUR),
                  result.value(distinct, row),
                  kind,
                  now);
              checked++;
              String all = "count_" + h + "h";
              check(
                  all,
                  oracle.value("count_all", entity, now, h * HOUR, HOUR),
                  result.value(all, row),
                  kind,
                  now);
              checked++;
            }
          }
          assertEquals(
              ValueStatus.NOT_FOUND, result.status("count_1h", 5), "entity 6 has no entry");
        }
      }
      assertEquals(nows.size() * 6 * WINDOW_HOURS.length * (FUNCTIONS.length + 2), checked);

      // The view gains an aggregation of a new input (another tile layout) and is not
      // materialized again: the stored entries hold none of its features as now defined, which
      // serving says (NOT_MATERIALIZED), not that the entity is unknown (NOT_FOUND).
      Files.writeString(
          dir.resolve("repo.yaml"),
          Files.readString(dir.resolve("repo.yaml"))
              + "      - {expression: \"amount * 2\", name: doubled_sum_1h, function: sum,"
              + " windows: [1h]}\n");
      registry.apply(RepoLoader.load(dir), 1, false, "it");
      try (RegistryCache definitions =
          new RegistryCache(registry, "agg", Duration.ofMinutes(1), dir)) {
        OnlineResult result =
            new OnlineFeatures(
                    definitions,
                    online,
                    1000,
                    Clock.fixed(endInstant, ZoneOffset.UTC),
                    new ServingMetrics(),
                    ForkJoinPool.commonPool(),
                    0)
                .get(
                    OnlineQuery.ofFeatures(
                        List.of("customer_txn:count_1h", "customer_txn:doubled_sum_1h"),
                        Map.of("customer_id", List.of(1L, 6L))),
                    Duration.ofSeconds(10))
                .join();
        for (String feature : List.of("count_1h", "doubled_sum_1h")) {
          assertEquals(ValueStatus.NOT_MATERIALIZED, result.status(feature, 0), feature);
          assertEquals(null, result.value(feature, 0), feature);
          assertEquals(ValueStatus.NOT_FOUND, result.status(feature, 1), feature);
        }
      }
    } finally {
      if (redis != null) {
        redis.close();
      }
    }
  }

  private static void check(String name, Object expected, Object actual, String kind, long now) {
    WindowOracle.assertValue(expected, actual, name + " on " + kind + " at " + now);
  }
}
