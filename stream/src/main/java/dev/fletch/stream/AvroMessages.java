package dev.fletch.stream;

import dev.fletch.core.InvalidRequestException;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.model.Source;
import dev.fletch.core.settings.OfflineSettings;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.data.TimeConversions;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;

/**
 * Avro messages without a schema registry: each message is one record in Avro's binary encoding,
 * written with the schema in the stream's {@code schema} file. Fields become row values: strings,
 * numbers, booleans, enums (their symbol), bytes, arrays; {@code timestamp-millis} and {@code
 * timestamp-micros} longs become instants; a nested record is not a value.
 */
final class AvroMessages {
  private final Schema schema;
  private final GenericDatumReader<GenericRecord> reader;
  private BinaryDecoder decoder;

  private AvroMessages(Schema schema) {
    this.schema = schema;
    GenericData data = new GenericData();
    data.addLogicalTypeConversion(new TimeConversions.TimestampMillisConversion());
    data.addLogicalTypeConversion(new TimeConversions.TimestampMicrosConversion());
    this.reader = new GenericDatumReader<>(schema, schema, data);
  }

  /** The reader of {@code source}'s stream schema, a file inside the folders sources may use. */
  static AvroMessages of(FeatureRepo repo, Source source) {
    String written = source.stream().schema();
    Path root = repo.root() == null ? Path.of("").toAbsolutePath() : repo.root().toAbsolutePath();
    String refused = OfflineSettings.load(root).sourcePathProblem(root, written);
    if (refused != null) {
      throw new InvalidRequestException(
          "source '" + source.name() + "': stream schema: " + refused);
    }
    Path file = root.resolve(written).normalize();
    Schema schema;
    try {
      schema = new Schema.Parser().parse(Files.readString(file));
    } catch (IOException e) {
      throw new InvalidRequestException(
          "source '" + source.name() + "': cannot read the stream schema " + file + ": " + e);
    } catch (org.apache.avro.SchemaParseException e) {
      throw new InvalidRequestException(
          "source '"
              + source.name()
              + "': the stream schema "
              + file
              + " is not valid Avro: "
              + e.getMessage());
    }
    if (schema.getType() != Schema.Type.RECORD) {
      throw new InvalidRequestException(
          "source '"
              + source.name()
              + "': the stream schema "
              + file
              + " must be a record, not "
              + schema.getType());
    }
    return new AvroMessages(schema);
  }

  /** One message as a row of field values. */
  Map<String, Object> parse(byte[] value) {
    GenericRecord record;
    try {
      decoder = DecoderFactory.get().binaryDecoder(value, decoder);
      record = reader.read(null, decoder);
      if (!decoder.isEnd()) {
        throw new InvalidRequestException(
            "row 0: not an Avro record of schema "
                + schema.getFullName()
                + ": bytes are left after the record");
      }
    } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException e) {
      throw new InvalidRequestException(
          "row 0: not an Avro record of schema " + schema.getFullName() + ": " + e.getMessage());
    }
    Map<String, Object> row = new LinkedHashMap<>();
    for (Schema.Field f : schema.getFields()) {
      row.put(f.name(), plain(record.get(f.pos()), f.name()));
    }
    return row;
  }

  private static Object plain(Object v, String field) {
    if (v == null
        || v instanceof Long
        || v instanceof Integer
        || v instanceof Double
        || v instanceof Float
        || v instanceof Boolean
        || v instanceof java.time.Instant) {
      return v;
    }
    if (v instanceof CharSequence s) {
      return s.toString();
    }
    if (v instanceof GenericData.EnumSymbol e) {
      return e.toString();
    }
    if (v instanceof ByteBuffer b) {
      byte[] out = new byte[b.remaining()];
      b.duplicate().get(out);
      return out;
    }
    if (v instanceof GenericData.Fixed f) {
      return f.bytes().clone();
    }
    if (v instanceof Collection<?> c) {
      ArrayList<Object> out = new ArrayList<>(c.size());
      for (Object e : c) {
        out.add(plain(e, field));
      }
      return out;
    }
    throw new InvalidRequestException(
        "row 0, column '" + field + "': a " + v.getClass().getSimpleName() + " is not a value");
  }
}
