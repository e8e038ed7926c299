package dev.fletch.core.yaml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.fletch.core.DefinitionJson;
import dev.fletch.core.model.Source;
import dev.fletch.core.model.StreamSpec;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A source's push_log and stream: read, stored, and each mistake located. */
class StreamYamlTest {
  @TempDir Path dir;

  private static final String SOURCE_END = "    description: card transactions\n";

  private RepoFiles repo(String extra) {
    return RepoFiles.valid(dir).edit("a_entities.yaml", SOURCE_END, SOURCE_END + extra);
  }

  @Test
  void aStreamAndAPushLogAreReadAndStored() {
    repo(
        "    push_log: data/pushed/transactions\n"
            + "    stream:\n"
            + "      type: kafka\n"
            + "      bootstrap_servers: broker-1:9092,broker-2:9092\n"
            + "      topic: payments.transactions\n"
            + "      field_mapping: {amt_cents: amount}\n"
            + "      group_id: fraud-online\n");
    Source s = RepoLoader.load(dir).source("transactions");
    assertEquals("data/pushed/transactions", s.pushLog());
    StreamSpec st = s.stream();
    assertEquals("broker-1:9092,broker-2:9092", st.bootstrapServers());
    assertEquals("payments.transactions", st.topic());
    assertEquals("json", st.format());
    assertEquals(Map.of("amt_cents", "amount"), st.fieldMapping());
    assertEquals("fraud-online", st.groupId());
    assertNull(st.timestampField());
    assertEquals(s, DefinitionJson.read(DefinitionJson.write(s), Source.class));
  }

  @Test
  void mistakesAreLocated() {
    RepoFiles f =
        repo(
            "    push_log: \"data/pushed/*\"\n"
                + "    stream:\n"
                + "      type: pulsar\n"
                + "      bootstrap_servers: nowhere\n"
                + "      topic: \"bad topic\"\n"
                + "      format: protobuf\n"
                + "      partitions: 3\n");
    f.expectProblem("a_entities.yaml", "\"data/pushed/*\"", "'push_log' is a local folder");
    f.expectProblem("a_entities.yaml", "pulsar", "stream type must be kafka, not 'pulsar'");
    f.expectProblem("a_entities.yaml", "nowhere", "'bootstrap_servers' is host:port");
    f.expectProblem("a_entities.yaml", "\"bad topic\"", "'topic' may hold letters, digits");
    f.expectProblem("a_entities.yaml", "protobuf", "protobuf is not read yet");
    f.expectProblem("a_entities.yaml", "partitions", "unknown key 'partitions'");
  }

  @Test
  void anAvroStreamNeedsItsSchemaFile() {
    RepoFiles f =
        repo("    stream: {type: kafka, bootstrap_servers: b:9092, topic: t, format: avro}\n");
    f.expectProblem("a_entities.yaml", "format", "an avro stream needs 'schema'");
    f.edit("a_entities.yaml", "format: avro}", "format: avro, schema: schemas/p.avsc}");
    StreamSpec st = RepoLoader.load(dir).source("transactions").stream();
    assertEquals("avro", st.format());
    assertEquals("schemas/p.avsc", st.schema());
  }
}
