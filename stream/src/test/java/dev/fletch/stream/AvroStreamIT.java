package dev.fletch.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fletch.core.model.EntityKey;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.model.FeatureView;
import dev.fletch.core.window.TileLayout;
import dev.fletch.core.window.Windows;
import dev.fletch.core.yaml.RepoLoader;
import dev.fletch.online.EmbeddedOnlineStore;
import dev.fletch.online.OnlineStore;
import dev.fletch.online.StreamTiles;
import dev.fletch.online.TileEntries;
import dev.fletch.online.ValueCodec;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.data.TimeConversions;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Avro messages without a schema registry: binary records written with the repository's .avsc file,
 * with a nullable field, an enum and a timestamp-micros event time, consumed into an aggregated and
 * a plain view; a message that is not such a record is a dead letter.
 */
class AvroStreamIT {
  private static final Instant NOW = Instant.parse("2026-12-04T12:00:00Z");

  @TempDir Path dir;

  private static final String SCHEMA =
      """
      {"type": "record", "name": "Payment", "namespace": "shop",
       "fields": [
         {"name": "customer_id", "type": "long"},
         {"name": "ts", "type": {"type": "long", "logicalType": "timestamp-micros"}},
         {"name": "amount_cents", "type": "long"},
         {"name": "channel", "type": {"type": "enum", "name": "Channel", "symbols": ["WEB", "APP"]}},
         {"name": "note", "type": ["null", "string"], "default": null}
       ]}
      """;

  private static byte[] encode(Schema schema, GenericRecord r) throws Exception {
    GenericData data = new GenericData();
    data.addLogicalTypeConversion(new TimeConversions.TimestampMicrosConversion());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
    new GenericDatumWriter<GenericRecord>(schema, data).write(r, enc);
    enc.flush();
    return out.toByteArray();
  }

  @Test
  void avroRecordsAreConsumedByTheirSchema() throws Exception {
    try (KafkaBroker broker = KafkaBroker.start()) {
      broker.createTopic("payments-avro", 1);
      Files.createDirectories(dir.resolve("data"));
      Files.createDirectories(dir.resolve("schemas"));
      Files.writeString(dir.resolve("schemas/payment.avsc"), SCHEMA);
      Files.writeString(
          dir.resolve("data/payments.csv"),
          "customer_id,event_ts,amount_cents,channel,note\n1,2026-12-01T00:00:00Z,1,WEB,\n");
      Files.writeString(
          dir.resolve("repo.yaml"),
          """
          project: shop
          entities:
            - name: customer
              join_keys: [{name: customer_id, type: INT64}]
          sources:
            - name: payments
              type: csv
              path: data/payments.csv
              timestamp_field: event_ts
              stream:
                type: kafka
                bootstrap_servers: BOOTSTRAP
                topic: payments-avro
                format: avro
                schema: schemas/payment.avsc
                timestamp_field: ts
          feature_views:
            - name: spend
              entities: [customer]
              source: payments
              aggregations:
                - {column: amount_cents, type: INT64, function: sum, windows: [1h]}
                - {column: channel, type: STRING, function: count_distinct, windows: [1h]}
            - name: last_payment
              entities: [customer]
              source: payments
              features:
                - {name: channel, type: STRING}
                - {name: note, type: STRING}
          """
              .replace("BOOTSTRAP", broker.bootstrap()));
      Schema schema = new Schema.Parser().parse(SCHEMA);
      Schema channel = schema.getField("channel").schema();
      try (KafkaProducer<byte[], byte[]> producer =
          new KafkaProducer<>(
              Map.of("bootstrap.servers", broker.bootstrap()),
              new ByteArraySerializer(),
              new ByteArraySerializer())) {
        for (int i = 0; i < 10; i++) {
          GenericRecord r = new GenericData.Record(schema);
          r.put("customer_id", 4L);
          r.put("ts", NOW.minusSeconds(600 - i));
          r.put("amount_cents", 100L + i);
          r.put("channel", new GenericData.EnumSymbol(channel, i % 2 == 0 ? "WEB" : "APP"));
          r.put("note", i == 9 ? null : "n" + i);
          producer.send(new ProducerRecord<>("payments-avro", encode(schema, r)));
        }
        producer.send(new ProducerRecord<>("payments-avro", "{\"json\": true}".getBytes()));
        producer.flush();
      }
      FeatureRepo repo = RepoLoader.load(dir);
      Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
      try (OnlineStore store = EmbeddedOnlineStore.open(dir.resolve("online.db"));
          StreamIngestor ingestor =
              new StreamIngestor(
                  repo,
                  "payments",
                  store,
                  null,
                  new DeadLetters(dir.resolve("dead.jsonl"), clock),
                  clock,
                  new StreamIngestor.Options(Duration.ofMillis(200), 100, Map.of()))) {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (ingestor.stats().messages() < 11 && System.nanoTime() < until) {
          ingestor.pollOnce();
        }
        assertEquals(11, ingestor.stats().messages());
        String dead = Files.readString(dir.resolve("dead.jsonl"));
        assertEquals(1, ingestor.stats().deadLetters(), dead);
        assertTrue(dead.contains("not an Avro record of schema shop.Payment"), dead);

        FeatureView spend = repo.view("spend");
        byte[][] entries =
            store
                .readEntries(
                    "shop",
                    List.of(EntityKey.of("customer_id", 4L)),
                    List.of(spend.name(), StreamTiles.field(spend)))
                .join()
                .get(0);
        List<Object> values =
            TileEntries.values(
                spend,
                TileLayout.of(spend),
                null,
                Long.MIN_VALUE,
                (byte[])
                    ValueCodec.decode(StreamTiles.storageView(spend), entries[1]).values().get(0),
                Windows.micros(NOW));
        assertEquals(1045L, ((Number) values.get(0)).longValue(), "100 + 101 + ... + 109");
        assertEquals(2L, ((Number) values.get(1)).longValue(), "WEB and APP");
        OnlineStore.StoredValues last =
            store
                .read(
                    "shop",
                    List.of(
                        new OnlineStore.ReadRequest(
                            EntityKey.of("customer_id", 4L), repo.view("last_payment"))))
                .join()
                .get(0);
        assertEquals("APP", last.values().get(0));
        assertNull(last.values().get(1), "the nullable field of the latest record is null");
        assertEquals(NOW.minusSeconds(591), last.eventTime());
      }
    }
  }
}
