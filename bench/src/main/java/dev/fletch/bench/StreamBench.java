package dev.fletch.bench;

import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.yaml.RepoLoader;
import dev.fletch.online.RedisOnlineStore;
import dev.fletch.stream.DeadLetters;
import dev.fletch.stream.KafkaBroker;
import dev.fletch.stream.StreamIngestor;
import dev.fletch.testkit.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Kafka into Redis: {@code fletch stream}'s ingestor for a plain view and for an aggregated view
 * against, in the same run and from the same topic, a raw kafka-clients consumer that parses each
 * JSON message and writes it with pipelined Lettuce HSETs (committing per batch like the ingestor);
 * then freshness (event time to servable) at a fixed produce rate.
 *
 * <pre>
 * ./mvnw -q -B -pl bench -am -Dmaven.test.skip=true install
 * ./mvnw -q -B -pl bench exec:exec -Dexec.args="--add-opens=java.base/java.nio=ALL-UNNAMED -Xmx1g \
 *   -cp %classpath dev.fletch.bench.StreamBench --events 200000 --rate 5000 --seconds 10"
 * </pre>
 */
public final class StreamBench {
  private static final int PARTITIONS = 4;

  public static void main(String[] args) throws Exception {
    int events = 200_000;
    int entities = 10_000;
    int rate = 5000;
    int seconds = 10;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--events" -> events = Integer.parseInt(args[++i]);
        case "--entities" -> entities = Integer.parseInt(args[++i]);
        case "--rate" -> rate = Integer.parseInt(args[++i]);
        case "--seconds" -> seconds = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    Path dir = Files.createTempDirectory("fletch-stream-bench");
    try (KafkaBroker broker = KafkaBroker.start();
        RedisServer redis = RedisServer.dedicated()) {
      for (String topic : List.of("plain", "agg", "fresh")) {
        broker.createTopic(topic, PARTITIONS);
      }
      Files.createDirectories(dir.resolve("data"));
      Files.writeString(
          dir.resolve("data/tx.csv"),
          "customer_id,event_ts,amount,merchant_id\n1,2026-01-01T00:00:00Z,1.0,M1\n");
      Files.writeString(dir.resolve("repo.yaml"), yaml(broker.bootstrap()));
      FeatureRepo repo = RepoLoader.load(dir);
      Instant base = Instant.now().minus(Duration.ofHours(1));
      System.out.printf(
          "producing %,d events for %,d entities to topics plain and agg (%d partitions)%n",
          events, entities, PARTITIONS);
      produce(broker.bootstrap(), events, entities, base);

      double raw = rawConsumer(broker.bootstrap(), redis, events);
      double plain;
      double agg;
      try (RedisOnlineStore store = RedisOnlineStore.open(redis.url())) {
        plain = ingest(repo, "plain_src", store, dir, events, null);
        agg = ingest(repo, "agg_src", store, dir, events, null);
      }
      System.out.printf(
          "raw consumer + Jackson + pipelined HSETs: %,.0f events/s (%.2f s)%n", events / raw, raw);
      System.out.printf(
          "fletch stream, plain view:      %,.0f events/s (%.2f s), ratio %.2f (target >= 0.5)%n",
          events / plain, plain, raw / plain);
      System.out.printf(
          "fletch stream, aggregated view: %,.0f events/s (%.2f s), ratio %.2f (target >= 0.5)%n",
          events / agg, agg, raw / agg);

      // Freshness: events produced at a fixed rate with their send time as event time; the ingestor
      // reports, per applied batch, when its writes and commit completed.
      List<Long> latencies = new ArrayList<>();
      try (RedisOnlineStore store = RedisOnlineStore.open(redis.url())) {
        StreamIngestor.Listener listener =
            (eventMicros, at) -> {
              long now = at.toEpochMilli() * 1000 + (at.getNano() / 1000) % 1000;
              synchronized (latencies) {
                for (long e : eventMicros) {
                  latencies.add(now - e);
                }
              }
            };
        AtomicBoolean producing = new AtomicBoolean(true);
        int total = rate * seconds;
        int perSecond = rate;
        int keys = entities;
        Thread producer =
            new Thread(() -> produceAtRate(broker.bootstrap(), perSecond, total, keys, producing));
        try (StreamIngestor ingestor = ingestor(repo, "fresh_src", store, dir, listener)) {
          // Joined and caught up before the clock starts.
          for (int i = 0; i < 10; i++) {
            ingestor.pollOnce();
          }
          producer.start();
          long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds + 30);
          while (ingestor.stats().messages() < total && System.nanoTime() < until) {
            ingestor.pollOnce();
          }
        }
        producer.join();
      }
      long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
      System.out.printf(
          "freshness at %,d events/s for %d s (%,d events): p50 %.1f ms, p99 %.1f ms, max %.1f ms (produce to written online and committed)%n",
          rate,
          seconds,
          sorted.length,
          pct(sorted, 0.50) / 1000.0,
          pct(sorted, 0.99) / 1000.0,
          sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1000.0);
    }
  }

  private static double pct(long[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    return sorted[Math.min(sorted.length - 1, (int) Math.floor(p * sorted.length))];
  }

  private static String yaml(String bootstrap) {
    StringBuilder sources = new StringBuilder();
    for (String name : List.of("plain", "agg", "fresh")) {
      sources.append(
          """
            - name: NAME_src
              type: csv
              path: data/tx.csv
              timestamp_field: event_ts
              stream: {type: kafka, bootstrap_servers: BOOT, topic: NAME, group_id: bench-NAME}
          """
              .replace("NAME", name)
              .replace("BOOT", bootstrap));
    }
    return """
        project: bench
        entities:
          - name: customer
            join_keys: [{name: customer_id, type: INT64}]
        sources:
        """
        + sources
        + """
        feature_views:
          - name: last_txn
            entities: [customer]
            source: plain_src
            features:
              - {name: amount, type: DOUBLE}
              - {name: merchant_id, type: STRING}
          - name: spend
            entities: [customer]
            source: agg_src
            aggregations:
              - {column: amount, function: sum, windows: [1h, 24h, 7d]}
              - {column: amount, function: count, windows: [1h, 24h, 7d]}
              - {column: amount, function: max, windows: [1h, 24h, 7d]}
          - name: fresh
            entities: [customer]
            source: fresh_src
            features:
              - {name: amount, type: DOUBLE}
              - {name: merchant_id, type: STRING}
        """;
  }

  private static String message(long customer, Instant t, double amount, int merchant) {
    return "{\"customer_id\": "
        + customer
        + ", \"event_ts\": \""
        + t
        + "\", \"amount\": "
        + amount
        + ", \"merchant_id\": \"M"
        + merchant
        + "\"}";
  }

  private static void produce(String bootstrap, int events, int entities, Instant base) {
    Random rnd = new Random(42);
    try (KafkaProducer<String, String> producer = producer(bootstrap)) {
      for (int i = 0; i < events; i++) {
        long customer = 1 + rnd.nextInt(entities);
        String m =
            message(
                customer, base.plusMillis(i / 100), rnd.nextInt(10_000) / 100.0, rnd.nextInt(50));
        producer.send(new ProducerRecord<>("plain", Long.toString(customer), m));
        producer.send(new ProducerRecord<>("agg", Long.toString(customer), m));
      }
      producer.flush();
    }
  }

  private static void produceAtRate(
      String bootstrap, int rate, int total, int entities, AtomicBoolean producing) {
    Random rnd = new Random(7);
    try (KafkaProducer<String, String> producer = producer(bootstrap)) {
      long start = System.nanoTime();
      for (int i = 0; i < total; i++) {
        long due = start + (long) (i * (1e9 / rate));
        long wait = due - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
        long customer = 1 + rnd.nextInt(entities);
        producer.send(
            new ProducerRecord<>(
                "fresh", Long.toString(customer), message(customer, Instant.now(), 1.0, 1)));
      }
      producer.flush();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      producing.set(false);
    }
  }

  private static KafkaProducer<String, String> producer(String bootstrap) {
    return new KafkaProducer<>(
        Map.of("bootstrap.servers", bootstrap, "linger.ms", 1, "batch.size", 65536, "acks", "1"),
        new StringSerializer(),
        new StringSerializer());
  }

  private static StreamIngestor ingestor(
      FeatureRepo repo,
      String source,
      RedisOnlineStore store,
      Path dir,
      StreamIngestor.Listener listener) {
    return new StreamIngestor(
        repo,
        source,
        store,
        null,
        new DeadLetters(dir.resolve("dead-" + source + ".jsonl"), Clock.systemUTC()),
        Clock.systemUTC(),
        new StreamIngestor.Options(Duration.ofMillis(100), 5000, Map.of(), listener));
  }

  /** Seconds for the ingestor to consume {@code events} messages (from joining the group on). */
  private static double ingest(
      FeatureRepo repo,
      String source,
      RedisOnlineStore store,
      Path dir,
      int events,
      StreamIngestor.Listener listener) {
    try (StreamIngestor ingestor = ingestor(repo, source, store, dir, listener)) {
      long t0 = System.nanoTime();
      while (ingestor.stats().messages() < events) {
        ingestor.pollOnce();
      }
      double s = (System.nanoTime() - t0) / 1e9;
      if (ingestor.stats().deadLetters() > 0) {
        throw new IllegalStateException("dead letters in the bench: " + ingestor.stats());
      }
      return s;
    }
  }

  /** A raw consumer: parse each message, HSET it into the entity's hash, commit per batch. */
  private static double rawConsumer(String bootstrap, RedisServer redis, int events)
      throws Exception {
    com.fasterxml.jackson.databind.ObjectMapper json =
        new com.fasterxml.jackson.databind.ObjectMapper();
    RedisClient client = RedisClient.create(redis.url());
    try (StatefulRedisConnection<byte[], byte[]> conn = client.connect(ByteArrayCodec.INSTANCE);
        KafkaConsumer<byte[], byte[]> consumer =
            new KafkaConsumer<>(
                Map.of(
                    "bootstrap.servers",
                    bootstrap,
                    "group.id",
                    "bench-raw",
                    "enable.auto.commit",
                    "false",
                    "auto.offset.reset",
                    "earliest",
                    "max.poll.records",
                    5000),
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
      conn.setAutoFlushCommands(false);
      RedisAsyncCommands<byte[], byte[]> async = conn.async();
      byte[] field = "raw".getBytes(StandardCharsets.UTF_8);
      consumer.subscribe(List.of("plain"));
      long seen = 0;
      long t0 = System.nanoTime();
      while (seen < events) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
        List<RedisFuture<Boolean>> futures = new ArrayList<>(records.count());
        Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
          com.fasterxml.jackson.databind.JsonNode node = json.readTree(r.value());
          byte[] key =
              ("raw:customer_id=i" + node.get("customer_id").asLong())
                  .getBytes(StandardCharsets.US_ASCII);
          futures.add(async.hset(key, field, r.value()));
          commit.put(
              new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
          if (futures.size() % 1000 == 0) {
            conn.flushCommands();
          }
        }
        conn.flushCommands();
        for (RedisFuture<Boolean> f : futures) {
          f.get(30, TimeUnit.SECONDS);
        }
        if (!commit.isEmpty()) {
          consumer.commitSync(commit);
        }
        seen += records.count();
      }
      return (System.nanoTime() - t0) / 1e9;
    } finally {
      client.shutdown(0, 2, TimeUnit.SECONDS);
    }
  }
}
