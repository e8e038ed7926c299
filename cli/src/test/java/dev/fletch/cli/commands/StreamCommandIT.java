package dev.fletch.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fletch.cli.CliRun;
import dev.fletch.cli.ExitCodes;
import dev.fletch.stream.KafkaBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fletch stream --once} and {@code --status} as a user runs them, against a real KRaft
 * broker: messages produced to the topic are counted by {@code fletch get-online} afterwards, a bad
 * one lands in the dead-letter file, the status shows lag 0.
 */
class StreamCommandIT {
  @TempDir Path tmp;

  @Test
  void streamsATopicIntoTheOnlineStoreAndReportsItsStatus() throws Exception {
    try (KafkaBroker broker = KafkaBroker.start()) {
      broker.createTopic("payments", 2);
      Path repo = tmp.resolve("shop");
      Files.createDirectories(repo.resolve("data"));
      Files.writeString(
          repo.resolve("repo.yaml"),
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
              push_log: data/pushed/payments
              stream: {type: kafka, bootstrap_servers: BOOTSTRAP, topic: payments}
          feature_views:
            - name: spend
              entities: [customer]
              source: payments
              aggregations:
                - {function: count, windows: [1h]}
                - {column: amount, function: sum, windows: [1h]}
          """
              .replace("BOOTSTRAP", broker.bootstrap()));
      Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
      Files.writeString(
          repo.resolve("data/payments.csv"),
          "customer_id,event_ts,amount\n7," + now.minusSeconds(7200) + ",1.0\n");
      assertEquals(
          ExitCodes.OK, CliRun.run("apply", "--repo", repo.toString(), "--yes").exitCode());
      try (KafkaProducer<String, String> producer =
          new KafkaProducer<>(
              Map.of("bootstrap.servers", broker.bootstrap()),
              new StringSerializer(),
              new StringSerializer())) {
        for (int i = 0; i < 12; i++) {
          producer.send(
              new ProducerRecord<>(
                  "payments",
                  "7",
                  "{\"customer_id\": 7, \"event_ts\": \""
                      + now.minusSeconds(60 - i)
                      + "\", \"amount\": 2.5}"));
        }
        producer.send(new ProducerRecord<>("payments", "7", "{\"customer_id\": \"seven\"}"));
        producer.flush();
      }
      CliRun stream = CliRun.run("stream", "--repo", repo.toString(), "--once");
      assertEquals(ExitCodes.OK, stream.exitCode(), stream.err());
      assertTrue(stream.out().contains("payments: 13 messages, 12 applied online"), stream.out());
      assertTrue(stream.out().contains("1 dead letters"), stream.out());
      assertTrue(stream.err().contains("streaming payments"), stream.err());
      String dead = Files.readString(repo.resolve(".fletch/dead-letters/payments.jsonl"));
      assertTrue(dead.contains("column 'customer_id' (INT64)"), dead);

      CliRun online =
          CliRun.run(
              "get-online", "--repo", repo.toString(), "-f", "spend:*", "-e", "customer_id=7");
      assertEquals(ExitCodes.OK, online.exitCode(), online.err());
      Matcher count = Pattern.compile("count_1h\\s+(\\d+)").matcher(online.out());
      assertTrue(count.find(), online.out());
      assertEquals(12, Long.parseLong(count.group(1)), online.out());

      CliRun status = CliRun.run("stream", "--repo", repo.toString(), "--status");
      assertEquals(ExitCodes.OK, status.exitCode(), status.err());
      assertTrue(status.out().contains("LAG"), status.out());
      Matcher lag =
          Pattern.compile("payments\\s+payments\\s+\\d+\\s+(\\d+|-)\\s+(\\d+)\\s+(\\d+)")
              .matcher(status.out());
      int partitions = 0;
      long committed = 0;
      while (lag.find()) {
        partitions++;
        // A partition no message went to has no committed offset yet ("-").
        committed += lag.group(1).equals("-") ? 0 : Long.parseLong(lag.group(1));
        assertEquals("0", lag.group(3), status.out());
      }
      assertEquals(2, partitions, status.out());
      assertEquals(13, committed, status.out());
      assertTrue(status.out().contains("dead letters of 'payments': 1"), status.out());
    }
  }
}
