package dev.fletch.core.model;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * Where a source's events also arrive as they happen: a Kafka topic of JSON messages, each one row
 * of the source (its columns, renamed by {@code fieldMapping}: message field -> source column),
 * consumed by {@code fletch stream} into the online store and the source's push log. The source's
 * files stay its history; the stream is its present.
 *
 * @param bootstrapServers {@code host:port[,host:port...]}
 * @param topic the topic
 * @param format {@code json} (one object per message) or {@code avro} (one binary-encoded record
 *     per message, written with {@code schema}; no schema registry)
 * @param timestampField the message field holding the event time (null: the source's
 *     timestamp_field)
 * @param groupId the consumer group (null: {@code fletch-<project>-<source>})
 * @param schema for avro: the writer schema file (.avsc), relative to the repository (else null)
 */
public record StreamSpec(
    String bootstrapServers,
    String topic,
    String format,
    @JsonInclude(JsonInclude.Include.NON_NULL) String timestampField,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> fieldMapping,
    @JsonInclude(JsonInclude.Include.NON_NULL) String groupId,
    @JsonInclude(JsonInclude.Include.NON_NULL) String schema) {
  public StreamSpec {
    requireNonNull(bootstrapServers, "bootstrapServers is null");
    requireNonNull(topic, "topic is null");
    format = format == null ? "json" : format;
    fieldMapping = fieldMapping == null ? Map.of() : Map.copyOf(fieldMapping);
  }

  /** A JSON stream without an explicit schema. */
  public StreamSpec(
      String bootstrapServers,
      String topic,
      String format,
      String timestampField,
      Map<String, String> fieldMapping,
      String groupId) {
    this(bootstrapServers, topic, format, timestampField, fieldMapping, groupId, null);
  }
}
