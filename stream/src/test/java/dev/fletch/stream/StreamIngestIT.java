package dev.fletch.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fletch.core.model.EntityKey;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.model.FeatureView;
import dev.fletch.core.window.TileLayout;
import dev.fletch.core.window.Windows;
import dev.fletch.core.yaml.RepoLoader;
import dev.fletch.materializer.Materializer;
import dev.fletch.offline.DuckDbOfflineStore;
import dev.fletch.offline.EntitySet;
import dev.fletch.offline.HistoricalRequest;
import dev.fletch.online.EmbeddedOnlineStore;
import dev.fletch.online.OnlineStore;
import dev.fletch.online.RedisOnlineStore;
import dev.fletch.online.StreamTiles;
import dev.fletch.online.TileEntries;
import dev.fletch.online.ValueCodec;
import dev.fletch.registry.Registry;
import dev.fletch.testkit.RedisServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Kafka into the online store and the push log, against a real KRaft broker and real stores: what
 * is served equals historical retrieval at the same instant (plain and aggregated views); a replay
 * from offset 0 and a batch whose writes landed but whose commit did not leave every count as if
 * each event had been applied once; bad messages go to the dead-letter file and never stop the
 * partition.
 */
class StreamIngestIT {
  private static final Instant JOB_END = Instant.parse("2026-12-04T10:00:00Z");
  private static final Instant NOW = Instant.parse("2026-12-04T11:30:00Z");
  private static KafkaBroker broker;

  @TempDir Path dir;

  @BeforeAll
  static void startBroker() {
    broker = KafkaBroker.start();
  }

  @AfterAll
  static void stopBroker() {
    broker.close();
  }

  private static String repoYaml(String bootstrap, String topic) {
    return """
        project: shop
        entities:
          - name: customer
            join_keys: [{name: customer_id, type: INT64}]
        sources:
          - name: tx
            type: parquet
            path: data/tx.parquet
            timestamp_field: event_ts
            push_log: data/pushed/tx
            stream:
              type: kafka
              bootstrap_servers: BOOTSTRAP
              topic: TOPIC
              format: json
              field_mapping: {amt: amount}
        feature_views:
          - name: spend
            entities: [customer]
            source: tx
            aggregations:
              - {function: count, windows: [1h, 24h]}
              - {column: amount, function: sum, windows: [24h]}
              - {column: merchant_id, type: STRING, function: count_distinct, windows: [24h]}
          - name: last_txn
            entities: [customer]
            source: tx
            features:
              - {name: amount, type: DOUBLE}
              - {name: merchant_id, type: STRING}
        """
        .replace("BOOTSTRAP", bootstrap)
        .replace("TOPIC", topic);
  }

  private static void sql(String... statements) {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement()) {
      st.execute("SET TimeZone = 'UTC'");
      for (String s : statements) {
        st.execute(s);
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Historical values of {@code features} for customers 1..4 at NOW (source files + push log). */
  private List<Map<String, Object>> historical(
      DuckDbOfflineStore offline, FeatureRepo repo, List<String> features) {
    Path entities = dir.resolve("entities-" + System.nanoTime() + ".parquet");
    sql(
        "COPY (SELECT range::BIGINT AS customer_id, TIMESTAMP '2026-12-04 11:30:00' AS"
            + " event_timestamp FROM range(1, 5)) TO '"
            + entities
            + "' (FORMAT parquet)");
    Path out = dir.resolve("out-" + System.nanoTime() + ".parquet");
    offline.historicalToFile(
        repo,
        new HistoricalRequest(
            new EntitySet.FromFile(entities), features, null, null, false, out, null));
    return offline.preview(out, 10);
  }

  /** What serving computes at NOW for view {@code spend}, customers 1..4. */
  private static List<List<Object>> served(OnlineStore store, FeatureView view) {
    List<EntityKey> keys = new ArrayList<>();
    for (long c = 1; c <= 4; c++) {
      keys.add(EntityKey.of("customer_id", c));
    }
    List<byte[][]> entries =
        store.readEntries("shop", keys, List.of(view.name(), StreamTiles.field(view))).join();
    List<List<Object>> out = new ArrayList<>();
    for (byte[][] e : entries) {
      out.add(
          TileEntries.values(
              view,
              TileLayout.of(view),
              e[0] == null
                  ? null
                  : (byte[]) ValueCodec.decode(TileEntries.storageView(view), e[0]).values().get(0),
              e[0] == null ? Long.MIN_VALUE : ValueCodec.eventTimeMicros(e[0]),
              e[1] == null
                  ? null
                  : (byte[]) ValueCodec.decode(StreamTiles.storageView(view), e[1]).values().get(0),
              Windows.micros(NOW)));
    }
    return out;
  }

  private static void assertServedEqualsHistorical(
      OnlineStore store, FeatureRepo repo, List<Map<String, Object>> past, String when) {
    FeatureView spend = repo.view("spend");
    List<List<Object>> online = served(store, spend);
    for (int r = 0; r < 4; r++) {
      for (int f = 0; f < spend.features().size(); f++) {
        String name = spend.features().get(f).name();
        Object h = past.get(r).get(name);
        Object o = online.get(r).get(f);
        String where = name + " of customer " + (r + 1) + " " + when;
        if (h == null) {
          assertEquals(null, o, where);
        } else {
          assertEquals(((Number) h).doubleValue(), ((Number) o).doubleValue(), 1e-9, where);
        }
      }
    }
  }

  private static int drain(StreamIngestor ingestor, long messages) {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    int polls = 0;
    while (ingestor.stats().messages() < messages && System.nanoTime() < until) {
      ingestor.pollOnce();
      polls++;
    }
    assertEquals(messages, ingestor.stats().messages(), "every message consumed");
    return polls;
  }

  @ParameterizedTest
  @ValueSource(strings = {"embedded", "redis"})
  void servedEqualsHistoricalAndReplaysCountOnce(String kind) throws Exception {
    String topic = "tx-" + kind;
    broker.createTopic(topic, 2);
    Files.createDirectories(dir.resolve("data"));
    Files.writeString(dir.resolve("repo.yaml"), repoYaml(broker.bootstrap(), topic));
    sql(
        "COPY (SELECT * FROM (VALUES (1::BIGINT, TIMESTAMP '2026-12-04 07:00:00', 10.0::DOUBLE,"
            + " 'M1'), (1, TIMESTAMP '2026-12-04 09:30:00', 5.0, 'M2'), (2, TIMESTAMP"
            + " '2026-12-04 09:59:59', 1.0, 'M1')) AS t(customer_id, event_ts, amount,"
            + " merchant_id)) TO '"
            + dir.resolve("data/tx.parquet")
            + "' (FORMAT parquet)");
    // Events after the job, keyed by customer (one customer's events stay in one partition).
    Random rnd = new Random(7);
    List<ProducerRecord<String, String>> messages = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      long customer = 1 + rnd.nextInt(3);
      Instant t = JOB_END.plusSeconds(1 + rnd.nextInt(5000));
      messages.add(
          new ProducerRecord<>(
              topic,
              Long.toString(customer),
              "{\"customer_id\": "
                  + customer
                  + ", \"event_ts\": \""
                  + t
                  + "\", \"amt\": "
                  + (rnd.nextInt(100) + 0.5)
                  + ", \"merchant_id\": \"M"
                  + rnd.nextInt(6)
                  + "\", \"channel\": \"web\"}"));
    }
    messages.add(
        new ProducerRecord<>(
            topic,
            "1",
            "{\"customer_id\": 1, \"event_ts\": \"2026-12-04T10:10:00Z\", \"amt\": \"lots\", \"merchant_id\": \"M1\"}"));
    messages.add(new ProducerRecord<>(topic, "2", "not json at all"));
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(
            Map.of("bootstrap.servers", broker.bootstrap()),
            new StringSerializer(),
            new StringSerializer())) {
      for (ProducerRecord<String, String> m : messages) {
        producer.send(m);
      }
      producer.flush();
    }
    RedisServer redis = kind.equals("redis") ? RedisServer.dedicated() : null;
    try (Registry registry = Registry.open("jdbc:sqlite:" + dir.resolve("registry.db"));
        OnlineStore real =
            redis == null
                ? EmbeddedOnlineStore.open(dir.resolve("online.db"))
                : RedisOnlineStore.open(redis.url());
        DuckDbOfflineStore offline = new DuckDbOfflineStore()) {
      FeatureRepo repo = RepoLoader.load(dir);
      registry.apply(repo, 0, false, "it");
      new Materializer(offline, real, registry.jobHistory())
          .materialize(repo, Instant.parse("2026-01-01T00:00:00Z"), JOB_END, List.of(), null);

      // The first run: its second batch's tile writes land, then the store "fails" before the
      // commit (a process killed between the write and the commit does the same).
      AtomicInteger replaces = new AtomicInteger();
      FlakyStore flaky = new FlakyStore(real, replaces, 2);
      Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
      DeadLetters deadLetters =
          new DeadLetters(dir.resolve(".fletch/dead-letters/tx.jsonl"), clock);
      StreamIngestor.Options small =
          new StreamIngestor.Options(Duration.ofMillis(200), 40, Map.of());
      long consumed = 0;
      try (StreamIngestor ingestor =
          new StreamIngestor(repo, "tx", flaky, offline, deadLetters, clock, small)) {
        boolean failed = false;
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (ingestor.stats().messages() < messages.size() && System.nanoTime() < until) {
          try {
            ingestor.pollOnce();
          } catch (RuntimeException e) {
            failed = true;
            assertTrue(e.getMessage().contains("injected"), e.toString());
          }
        }
        assertTrue(failed, "a batch failed after its writes landed");
        consumed = ingestor.stats().messages();
        StreamIngestor.Stats stats = ingestor.stats();
        assertEquals(2, stats.deadLetters());
        assertTrue(
            stats.duplicates() > 0,
            "the failed batch's events were skipped the second time: " + stats);
      }
      assertEquals(messages.size(), consumed);
      List<String> lines = Files.readAllLines(deadLetters.file());
      assertEquals(2, lines.size(), lines.toString());
      assertTrue(
          lines.get(0).contains("column 'amount' (DOUBLE)")
              || lines.get(1).contains("column 'amount' (DOUBLE)"),
          lines.toString());
      assertTrue(String.join("\n", lines).contains("not JSON"), lines.toString());

      List<String> spendFeatures =
          repo.view("spend").features().stream().map(f -> "spend:" + f.name()).toList();
      List<Map<String, Object>> past = historical(offline, repo, spendFeatures);
      assertEquals(
          200 + 3,
          past.stream().mapToLong(m -> ((Number) m.get("count_24h")).longValue()).sum(),
          "the log holds each event once");
      assertServedEqualsHistorical(real, repo, past, "after the first run");
      // The plain view: the latest event of each customer, as historical retrieval picks it.
      List<Map<String, Object>> lastPast = historical(offline, repo, List.of("last_txn:amount"));
      List<dev.fletch.online.OnlineStore.StoredValues> lastOnline =
          real.read(
                  "shop",
                  List.of(
                      new OnlineStore.ReadRequest(
                          EntityKey.of("customer_id", 1L), repo.view("last_txn")),
                      new OnlineStore.ReadRequest(
                          EntityKey.of("customer_id", 2L), repo.view("last_txn")),
                      new OnlineStore.ReadRequest(
                          EntityKey.of("customer_id", 3L), repo.view("last_txn"))))
              .join();
      for (int r = 0; r < 3; r++) {
        assertEquals(
            ((Number) lastPast.get(r).get("amount")).doubleValue(),
            ((Number) lastOnline.get(r).values().get(0)).doubleValue(),
            "last_txn:amount of customer " + (r + 1));
      }
      long logFiles = offline.pushLogFiles(repo, "tx").size();

      // A replay from offset 0 (the group reset, as an operator would): nothing changes.
      try (Admin admin = broker.admin()) {
        admin
            .alterConsumerGroupOffsets(
                StreamIngestor.groupId(repo, repo.source("tx")),
                Map.of(
                    new TopicPartition(topic, 0), new OffsetAndMetadata(0),
                    new TopicPartition(topic, 1), new OffsetAndMetadata(0)))
            .all()
            .get(30, TimeUnit.SECONDS);
      }
      try (StreamIngestor again =
          new StreamIngestor(repo, "tx", real, offline, deadLetters, clock, small)) {
        drain(again, messages.size());
        StreamIngestor.Stats stats = again.stats();
        assertEquals(
            200, stats.duplicates(), "every aggregated event was already applied: " + stats);
        assertEquals(0, stats.late(), stats.toString());
        assertEquals(0, stats.loggedRows(), "no row logged twice");
      }
      assertEquals(logFiles, offline.pushLogFiles(repo, "tx").size());
      List<Map<String, Object>> replayed = historical(offline, repo, spendFeatures);
      assertEquals(past, replayed, "historical unchanged by the replay");
      assertServedEqualsHistorical(real, repo, replayed, "after a replay from offset 0");
    } finally {
      if (redis != null) {
        redis.close();
      }
    }
  }

  @org.junit.jupiter.api.Test
  void aRebalanceBetweenTwoConsumersCountsEachEventOnce() throws Exception {
    String topic = "tx-rebalance";
    broker.createTopic(topic, 4);
    Files.createDirectories(dir.resolve("data"));
    Files.writeString(dir.resolve("repo.yaml"), repoYaml(broker.bootstrap(), topic));
    // No history: every event comes from the stream.
    sql(
        "COPY (SELECT * FROM (VALUES (1::BIGINT, TIMESTAMP '2026-12-04 07:00:00', 10.0::DOUBLE,"
            + " 'M1')) AS t(customer_id, event_ts, amount, merchant_id) WHERE false) TO '"
            + dir.resolve("data/tx.parquet")
            + "' (FORMAT parquet)");
    Random rnd = new Random(11);
    int n = 400;
    try (OnlineStore store = EmbeddedOnlineStore.open(dir.resolve("online.db"));
        DuckDbOfflineStore offline = new DuckDbOfflineStore();
        KafkaProducer<String, String> producer =
            new KafkaProducer<>(
                Map.of("bootstrap.servers", broker.bootstrap()),
                new StringSerializer(),
                new StringSerializer())) {
      produceRandom(producer, topic, rnd, n / 2);
      FeatureRepo repo = RepoLoader.load(dir);
      Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
      DeadLetters dead = new DeadLetters(dir.resolve("dead.jsonl"), clock);
      StreamIngestor.Options small =
          new StreamIngestor.Options(Duration.ofMillis(100), 15, Map.of());
      // Consumer a "crashes" after a batch whose writes (log file and tiles) landed but whose
      // offsets were never committed; consumer b, made before that file existed, takes the
      // partitions over and must neither log nor count that batch again.
      AtomicInteger replaces = new AtomicInteger();
      StreamIngestor a =
          new StreamIngestor(
              repo, "tx", new FlakyStore(store, replaces, 3), offline, dead, clock, small);
      boolean crashed = false;
      try {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (replaces.get() < 2 && System.nanoTime() < until) {
          a.pollOnce();
        }
        assertEquals(2, replaces.get(), "a applied two batches alone: " + a.stats());
        // Batches of another size: b's files cover other offset ranges than a's.
        StreamIngestor.Options smaller =
            new StreamIngestor.Options(Duration.ofMillis(100), 7, Map.of());
        try (StreamIngestor b =
            new StreamIngestor(repo, "tx", store, offline, dead, clock, smaller)) {
          RuntimeException failure = assertThrowsAny(a::pollOnce);
          assertTrue(String.valueOf(failure.getMessage()).contains("injected"), failure.toString());
          a.close();
          crashed = true;
          boolean produced = false;
          int idle = 0;
          while (System.nanoTime() < until && idle < 20) {
            int got = 0;
            try {
              got = b.pollOnce();
            } catch (RuntimeException e) {
              // a commit refused by the rebalance: the batch is done again
            }
            if (!produced && b.stats().lag().size() == 4) {
              produceRandom(producer, topic, rnd, n / 2);
              produced = true;
            }
            idle = produced && got == 0 && committed(topic, repo) == n ? idle + 1 : 0;
          }
          assertTrue(produced, "b took every partition over: " + b.stats());
          assertEquals(n, committed(topic, repo), "every offset committed");
          assertTrue(b.stats().duplicates() > 0, "b skipped what a had applied: " + b.stats());
        }
      } finally {
        if (!crashed) {
          a.close();
        }
      }
      List<String> spendFeatures =
          repo.view("spend").features().stream().map(f -> "spend:" + f.name()).toList();
      List<Map<String, Object>> past = historical(offline, repo, spendFeatures);
      assertEquals(
          n,
          past.stream().mapToLong(m -> ((Number) m.get("count_24h")).longValue()).sum(),
          "the log holds each event once");
      assertServedEqualsHistorical(store, repo, past, "after a rebalance");
    }
  }

  private static void produceRandom(
      KafkaProducer<String, String> producer, String topic, Random rnd, int count) {
    for (int i = 0; i < count; i++) {
      long customer = 1 + rnd.nextInt(4);
      producer.send(
          // Keyed by event, not by customer: one customer's events spread over every partition.
          new ProducerRecord<>(
              topic,
              "event-" + rnd.nextInt(1_000_000),
              "{\"customer_id\": "
                  + customer
                  + ", \"event_ts\": \""
                  + JOB_END.plusSeconds(1 + rnd.nextInt(5000))
                  + "\", \"amt\": "
                  + (rnd.nextInt(100) + 0.5)
                  + ", \"merchant_id\": \"M"
                  + rnd.nextInt(6)
                  + "\"}"));
    }
    producer.flush();
  }

  private static RuntimeException assertThrowsAny(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      return e;
    }
    throw new AssertionError("expected a failure");
  }

  private static String ends(String topic) throws Exception {
    try (Admin admin = broker.admin()) {
      Map<TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> q = new java.util.HashMap<>();
      for (int p = 0; p < 4; p++) {
        q.put(new TopicPartition(topic, p), org.apache.kafka.clients.admin.OffsetSpec.latest());
      }
      return admin.listOffsets(q).all().get(30, TimeUnit.SECONDS).toString();
    }
  }

  private static long committed(String topic, FeatureRepo repo) throws Exception {
    try (Admin admin = broker.admin()) {
      return admin
          .listConsumerGroupOffsets(StreamIngestor.groupId(repo, repo.source("tx")))
          .partitionsToOffsetAndMetadata()
          .get(30, TimeUnit.SECONDS)
          .entrySet()
          .stream()
          .filter(e -> e.getKey().topic().equals(topic))
          .mapToLong(e -> e.getValue().offset())
          .sum();
    }
  }

  /** A real store whose {@code failOn}-th compare-and-set lands and then reports a failure. */
  private static final class FlakyStore implements OnlineStore {
    private final OnlineStore store;
    private final AtomicInteger calls;
    private final int failOn;

    FlakyStore(OnlineStore store, AtomicInteger calls, int failOn) {
      this.store = store;
      this.calls = calls;
      this.failOn = failOn;
    }

    @Override
    public CompletableFuture<boolean[]> replaceEntries(
        String project,
        String field,
        Duration ttl,
        List<EntityKey> keys,
        List<byte[]> expected,
        List<byte[]> entries) {
      CompletableFuture<boolean[]> done =
          store.replaceEntries(project, field, ttl, keys, expected, entries);
      if (calls.incrementAndGet() == failOn) {
        return done.thenApply(
            ok -> {
              throw new IllegalStateException("injected: the writes landed, the answer did not");
            });
      }
      return done;
    }

    @Override
    public CompletableFuture<Void> write(
        String project, FeatureView view, List<dev.fletch.core.model.FeatureRow> rows) {
      return store.write(project, view, rows);
    }

    @Override
    public CompletableFuture<List<StoredValues>> read(String project, List<ReadRequest> requests) {
      return store.read(project, requests);
    }

    @Override
    public CompletableFuture<List<byte[][]>> readEntries(
        String project, List<EntityKey> keys, List<String> fields) {
      return store.readEntries(project, keys, fields);
    }

    @Override
    public CompletableFuture<Long> deleteView(String project, FeatureView view) {
      return store.deleteView(project, view);
    }

    @Override
    public CompletableFuture<String> contentMarker(String project) {
      return store.contentMarker(project);
    }

    @Override
    public String describe() {
      return store.describe();
    }

    @Override
    public void close() {}
  }
}
