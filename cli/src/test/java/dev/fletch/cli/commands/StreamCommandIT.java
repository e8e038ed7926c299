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

  @Test
  void serveWithStreamServesProducedEventsWithinASecondAndShowsStreamMetrics() throws Exception {
    try (KafkaBroker broker = KafkaBroker.start()) {
      broker.createTopic("clicks", 1);
      Path repo = tmp.resolve("live");
      Files.createDirectories(repo.resolve("data"));
      Files.writeString(
          repo.resolve("repo.yaml"),
          """
          project: live
          entities:
            - name: customer
              join_keys: [{name: customer_id, type: INT64}]
          sources:
            - name: clicks
              type: csv
              path: data/clicks.csv
              timestamp_field: event_ts
              stream: {type: kafka, bootstrap_servers: BOOTSTRAP, topic: clicks}
          feature_views:
            - name: activity
              entities: [customer]
              source: clicks
              aggregations:
                - {function: count, windows: [1h]}
          """
              .replace("BOOTSTRAP", broker.bootstrap()));
      Files.writeString(
          repo.resolve("data/clicks.csv"),
          "customer_id,event_ts\n1," + Instant.now().minusSeconds(7200) + "\n");
      assertEquals(
          ExitCodes.OK, CliRun.run("apply", "--repo", repo.toString(), "--yes").exitCode());
      int grpc = dev.fletch.serving.FletchServer.freePort();
      int http = dev.fletch.serving.FletchServer.freePort();
      java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
      picocli.CommandLine cli =
          dev.fletch.cli.Fletch.commandLine(
              new java.io.PrintStream(new java.io.ByteArrayOutputStream(), true),
              new java.io.PrintStream(err, true));
      ServeCommand serve = cli.getSubcommands().get("serve").getCommand();
      Thread running =
          new Thread(
              () ->
                  cli.execute(
                      "serve",
                      "--repo",
                      repo.toString(),
                      "--grpc-port",
                      String.valueOf(grpc),
                      "--http-port",
                      String.valueOf(http),
                      "--no-schedule",
                      "--warm-up",
                      "0",
                      "--stream"));
      running.start();
      try (dev.fletch.serving.client.FletchClient client =
          dev.fletch.serving.client.FletchClient.builder()
              .target("127.0.0.1", grpc)
              .deadline(java.time.Duration.ofSeconds(5))
              .build()) {
        long until = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
        while (serve.server() == null && System.nanoTime() < until) {
          Thread.sleep(20);
        }
        assertTrue(serve.server() != null, err.toString());
        // Produce once the consumer holds its partition (its status file shows the lag of it).
        Path status = repo.resolve(".fletch/stream-status/clicks.json");
        while (System.nanoTime() < until
            && !(Files.isRegularFile(status)
                && Files.readString(status).contains("\"lag\":{\"0\""))) {
          Thread.sleep(20);
        }
        try (KafkaProducer<String, String> producer =
            new KafkaProducer<>(
                Map.of("bootstrap.servers", broker.bootstrap()),
                new StringSerializer(),
                new StringSerializer())) {
          for (int i = 0; i < 5; i++) {
            producer.send(
                new ProducerRecord<>(
                    "clicks",
                    "9",
                    "{\"customer_id\": 9, \"event_ts\": \"" + Instant.now() + "\"}"));
          }
          producer.flush();
        }
        long produced = System.nanoTime();
        long count = 0;
        long seen = 0;
        while (count < 5
            && System.nanoTime() - produced < java.time.Duration.ofSeconds(20).toNanos()) {
          count =
              ((Number)
                      client
                          .getFeatures(
                              java.util.List.of("activity:count_1h"),
                              Map.of("customer_id", java.util.List.of(9L)))
                          .value("count_1h", 0))
                  .longValue();
          seen = System.nanoTime();
          Thread.sleep(10);
        }
        assertEquals(5, count, err.toString());
        // The consumer had joined before the events were produced: they are served at once.
        assertTrue(
            seen - produced < java.time.Duration.ofSeconds(1).toNanos(),
            "served " + (seen - produced) / 1_000_000 + " ms after they were produced");
        String metrics =
            java.net.http.HttpClient.newHttpClient()
                .send(
                    java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create("http://127.0.0.1:" + http + "/metrics"))
                        .build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString())
                .body();
        assertTrue(
            metrics.contains("fletch_stream_messages_total{source=\"clicks\"} 5.0"), metrics);
        assertTrue(metrics.contains("fletch_stream_lag{source=\"clicks\"} 0.0"), metrics);
        assertTrue(
            metrics.contains("fletch_stream_partition_lag{partition=\"0\",source=\"clicks\"} 0.0"),
            metrics);
        String streams =
            java.net.http.HttpClient.newHttpClient()
                .send(
                    java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create("http://127.0.0.1:" + http + "/api/v1/streams"))
                        .build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString())
                .body();
        io.vertx.core.json.JsonObject first =
            new io.vertx.core.json.JsonObject(streams).getJsonArray("streams").getJsonObject(0);
        assertEquals("clicks", first.getString("source"), streams);
        assertEquals(5L, first.getLong("messages"), streams);
        assertEquals(0L, first.getJsonObject("lag").getLong("0"), streams);
      } finally {
        serve.requestStop();
        running.join(30_000);
      }
    }
  }
}
