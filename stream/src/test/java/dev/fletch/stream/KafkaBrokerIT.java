package dev.fletch.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** The test broker itself: a message produced is consumed. */
class KafkaBrokerIT {
  @Test
  void aProducedMessageIsConsumed() throws Exception {
    try (KafkaBroker broker = KafkaBroker.start()) {
      broker.createTopic("smoke", 1);
      try (KafkaProducer<String, String> producer =
          new KafkaProducer<>(
              Map.of("bootstrap.servers", broker.bootstrap()),
              new StringSerializer(),
              new StringSerializer())) {
        producer.send(new ProducerRecord<>("smoke", "k", "hello")).get();
      }
      try (KafkaConsumer<String, String> consumer =
          new KafkaConsumer<>(
              Map.of(
                  "bootstrap.servers", broker.bootstrap(),
                  "group.id", "smoke",
                  "auto.offset.reset", "earliest"),
              new StringDeserializer(),
              new StringDeserializer())) {
        consumer.subscribe(List.of("smoke"));
        String got = null;
        long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (got == null && System.nanoTime() < until) {
          ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(200));
          if (!records.isEmpty()) {
            got = records.iterator().next().value();
          }
        }
        assertEquals("hello", got);
      }
    }
  }
}
