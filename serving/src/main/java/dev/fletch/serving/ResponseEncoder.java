package dev.fletch.serving;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import dev.fletch.core.BoundedCache;
import dev.fletch.core.FletchException;
import dev.fletch.core.model.FeatureRef;
import dev.fletch.core.model.ValueType;
import dev.fletch.proto.serving.v1.GetFeaturesResponse;
import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Instant;
import java.util.List;

/**
 * Writes an {@link OnlineResult} straight into the wire form of {@code GetFeaturesResponse}, the
 * same bytes as {@code ProtoMapping.toResponse(result).toByteArray()} but without building a
 * message per value (100 x 50 answers have 5,000 values and 5,000 event times): sizes are computed
 * in a first pass, then everything is written into one exactly sized array.
 */
final class ResponseEncoder {
  // Field numbers of serving.proto.
  private static final int RESPONSE_FEATURE_NAMES = 1;
  private static final int RESPONSE_FEATURES = 2;
  private static final int RESPONSE_ENTITY_ROWS = 3;
  private static final int RESPONSE_REGISTRY_VERSION = 4;
  private static final int COLUMN_NAME = 1;
  private static final int COLUMN_REF = 2;
  private static final int COLUMN_TYPE = 3;
  private static final int COLUMN_VALUES = 4;
  private static final int COLUMN_STATUSES = 5;
  private static final int COLUMN_EVENT_TIMES = 6;

  /**
   * A DOUBLE value, the commonest, has a fixed form: the column's values tag, the Value's length
   * (9), the double_value tag; then the 8 bytes of the double. Written and sized without the
   * general path's type tests.
   */
  private static final byte[] DOUBLE_VALUE_PREFIX = {
    (byte) ((COLUMN_VALUES << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED),
    9,
    (byte) ((5 << 3) | WireFormat.WIRETYPE_FIXED64)
  };

  private static final int DOUBLE_VALUE_SIZE = DOUBLE_VALUE_PREFIX.length + 8;
  private static final int TIMESTAMP_SECONDS = 1;
  private static final int TIMESTAMP_NANOS = 2;
  private static final int LIST_VALUES = 1;

  private ResponseEncoder() {}

  /**
   * The parts of an answer that depend only on the requested column, not on the values: its entry
   * in the answer's feature_names and the name, ref and type fields of its FeatureColumn. Columns
   * come from cached plans, so the same few recur on every call; encoding their strings each time
   * was the largest share of encoding a one-entity answer.
   */
  private record ColumnKey(String name, FeatureRef ref, ValueType type) {}

  private record ColumnWire(byte[] responseName, byte[] header) {}

  private static final BoundedCache<ColumnKey, ColumnWire> COLUMNS = new BoundedCache<>(10_000);

  private static ColumnWire wire(OnlineResult.Column c) {
    return COLUMNS.get(new ColumnKey(c.name(), c.ref(), c.type()), k -> encodeWire(c));
  }

  private static ColumnWire encodeWire(OnlineResult.Column c) {
    try {
      byte[] name = new byte[CodedOutputStream.computeStringSize(RESPONSE_FEATURE_NAMES, c.name())];
      CodedOutputStream o = CodedOutputStream.newInstance(name);
      o.writeString(RESPONSE_FEATURE_NAMES, c.name());
      o.checkNoSpaceLeft();
      String ref = c.ref().toString();
      int size = CodedOutputStream.computeEnumSize(COLUMN_TYPE, typeNumber(c));
      if (!c.name().isEmpty()) {
        size += CodedOutputStream.computeStringSize(COLUMN_NAME, c.name());
      }
      if (!ref.isEmpty()) {
        size += CodedOutputStream.computeStringSize(COLUMN_REF, ref);
      }
      byte[] header = new byte[size];
      o = CodedOutputStream.newInstance(header);
      if (!c.name().isEmpty()) {
        o.writeString(COLUMN_NAME, c.name());
      }
      if (!ref.isEmpty()) {
        o.writeString(COLUMN_REF, ref);
      }
      o.writeEnum(COLUMN_TYPE, typeNumber(c));
      o.checkNoSpaceLeft();
      return new ColumnWire(name, header);
    } catch (IOException e) {
      throw new IllegalStateException("column header size miscomputed", e);
    }
  }

  /** An encoded GetFeaturesResponse, ready for the wire. */
  record Encoded(byte[] bytes) {}

  /** Sends {@link Encoded} as is; the server never parses responses. */
  static final MethodDescriptor.Marshaller<Encoded> MARSHALLER =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(Encoded value) {
          return new EncodedStream(value.bytes());
        }

        @Override
        public Encoded parse(InputStream stream) {
          try (stream) {
            byte[] bytes = stream.readAllBytes();
            GetFeaturesResponse.parseFrom(bytes); // only well-formed answers pass
            return new Encoded(bytes);
          } catch (IOException e) {
            throw new FletchException("cannot read a GetFeaturesResponse: " + e.getMessage(), e);
          }
        }
      };

  static Encoded encode(OnlineResult result) {
    int rows = result.entityRows();
    List<OnlineResult.Column> columns = result.columns();
    int[] columnSizes = new int[columns.size()];
    EventTimes times = new EventTimes(rows);
    ColumnWire[] wires = new ColumnWire[columns.size()];
    int total = 0;
    for (int i = 0; i < wires.length; i++) {
      wires[i] = wire(columns.get(i));
      total += wires[i].responseName().length;
    }
    for (int i = 0; i < columnSizes.length; i++) {
      columnSizes[i] = wires[i].header().length + columnSize(columns.get(i), rows, times);
      total += lengthDelimitedSize(RESPONSE_FEATURES, columnSizes[i]);
    }
    if (rows != 0) {
      total += CodedOutputStream.computeInt32Size(RESPONSE_ENTITY_ROWS, rows);
    }
    long version = result.registryVersion();
    if (version != 0) {
      total += CodedOutputStream.computeInt64Size(RESPONSE_REGISTRY_VERSION, version);
    }
    byte[] out = new byte[total];
    CodedOutputStream o = CodedOutputStream.newInstance(out);
    try {
      for (ColumnWire w : wires) {
        o.writeRawBytes(w.responseName());
      }
      for (int i = 0; i < columnSizes.length; i++) {
        o.writeTag(RESPONSE_FEATURES, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        o.writeUInt32NoTag(columnSizes[i]);
        o.writeRawBytes(wires[i].header());
        writeColumn(o, columns.get(i), rows, times);
      }
      if (rows != 0) {
        o.writeInt32(RESPONSE_ENTITY_ROWS, rows);
      }
      if (version != 0) {
        o.writeInt64(RESPONSE_REGISTRY_VERSION, version);
      }
      o.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new IllegalStateException("response size miscomputed", e);
    }
    return new Encoded(out);
  }

  /**
   * The encoded event_times entry (tag, length, Timestamp) per row, reused while consecutive
   * columns carry the same Instant for that row: the columns of one view share their row's event
   * time, so a 100 x 50 answer encodes 500 timestamps instead of 5,000 (twice: size, then bytes).
   */
  private static final class EventTimes {
    private final Instant[] times;
    private final byte[][] encoded;

    EventTimes(int rows) {
      times = new Instant[rows];
      encoded = new byte[rows][];
    }

    byte[] encoded(int row, Instant t) {
      byte[] bytes = encoded[row];
      if (bytes != null && times[row] == t) {
        return bytes;
      }
      int size = timestampSize(t);
      bytes = new byte[lengthDelimitedSize(COLUMN_EVENT_TIMES, size)];
      CodedOutputStream o = CodedOutputStream.newInstance(bytes);
      try {
        o.writeTag(COLUMN_EVENT_TIMES, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        o.writeUInt32NoTag(size);
        writeTimestamp(o, t);
        o.checkNoSpaceLeft();
      } catch (IOException e) {
        throw new IllegalStateException("timestamp size miscomputed", e);
      }
      times[row] = t;
      encoded[row] = bytes;
      return bytes;
    }
  }

  // ---- sizes

  private static int lengthDelimitedSize(int field, int size) {
    return CodedOutputStream.computeTagSize(field)
        + CodedOutputStream.computeUInt32SizeNoTag(size)
        + size;
  }

  /** The size of a FeatureColumn's per-row fields (the header comes from {@link #wire}). */
  private static int columnSize(OnlineResult.Column c, int rows, EventTimes eventTimes) {
    int size = 0;
    Object[] values = ArrayBackedList.array(c.values());
    Object[] statuses = ArrayBackedList.array(c.statuses());
    Object[] times = ArrayBackedList.array(c.eventTimes());
    int statusBytes = 0;
    for (int r = 0; r < rows; r++) {
      Object v = values[r];
      size +=
          v instanceof Double
              ? DOUBLE_VALUE_SIZE
              : lengthDelimitedSize(COLUMN_VALUES, valueSize(v));
      statusBytes +=
          CodedOutputStream.computeEnumSizeNoTag(statusNumber((ValueStatus) statuses[r]));
      size += eventTimes.encoded(r, (Instant) times[r]).length;
    }
    if (rows > 0) {
      size += lengthDelimitedSize(COLUMN_STATUSES, statusBytes);
    }
    return size;
  }

  private static int timestampSize(Instant t) {
    if (t == null) {
      return 0;
    }
    int size = 0;
    if (t.getEpochSecond() != 0) {
      size += CodedOutputStream.computeInt64Size(TIMESTAMP_SECONDS, t.getEpochSecond());
    }
    if (t.getNano() != 0) {
      size += CodedOutputStream.computeInt32Size(TIMESTAMP_NANOS, t.getNano());
    }
    return size;
  }

  /** The size of a Value message's body (ProtoMapping.toValue's mapping). */
  private static int valueSize(Object v) {
    if (v == null) {
      return 0;
    }
    if (v instanceof Double) {
      return CodedOutputStream.computeDoubleSize(5, 0);
    }
    if (v instanceof Long x) {
      return CodedOutputStream.computeInt64Size(3, x);
    }
    if (v instanceof Integer x) {
      return CodedOutputStream.computeInt32Size(2, x);
    }
    if (v instanceof Short || v instanceof Byte) {
      return CodedOutputStream.computeInt32Size(2, ((Number) v).intValue());
    }
    if (v instanceof Float) {
      return CodedOutputStream.computeFloatSize(4, 0);
    }
    if (v instanceof Boolean) {
      return CodedOutputStream.computeBoolSize(1, false);
    }
    if (v instanceof String x) {
      return CodedOutputStream.computeStringSize(6, x);
    }
    if (v instanceof byte[] x) {
      return CodedOutputStream.computeByteArraySize(7, x);
    }
    if (v instanceof Instant x) {
      return lengthDelimitedSize(8, timestampSize(x));
    }
    if (v instanceof List<?> list) {
      return lengthDelimitedSize(9, listSize(list));
    }
    throw new IllegalArgumentException("cannot send a value of type " + v.getClass().getName());
  }

  private static int listSize(List<?> list) {
    int size = 0;
    for (Object e : list) {
      size += lengthDelimitedSize(LIST_VALUES, valueSize(e));
    }
    return size;
  }

  // ---- writing

  /** Writes a FeatureColumn's per-row fields (after its header). */
  private static void writeColumn(
      CodedOutputStream o, OnlineResult.Column c, int rows, EventTimes eventTimes)
      throws IOException {
    Object[] values = ArrayBackedList.array(c.values());
    Object[] statuses = ArrayBackedList.array(c.statuses());
    Object[] times = ArrayBackedList.array(c.eventTimes());
    for (int r = 0; r < rows; r++) {
      Object v = values[r];
      if (v instanceof Double d) {
        o.writeRawBytes(DOUBLE_VALUE_PREFIX);
        o.writeFixed64NoTag(Double.doubleToRawLongBits(d));
        continue;
      }
      o.writeTag(COLUMN_VALUES, WireFormat.WIRETYPE_LENGTH_DELIMITED);
      o.writeUInt32NoTag(valueSize(v));
      writeValue(o, v);
    }
    if (rows > 0) {
      int statusBytes = 0;
      for (int r = 0; r < rows; r++) {
        statusBytes +=
            CodedOutputStream.computeEnumSizeNoTag(statusNumber((ValueStatus) statuses[r]));
      }
      o.writeTag(COLUMN_STATUSES, WireFormat.WIRETYPE_LENGTH_DELIMITED);
      o.writeUInt32NoTag(statusBytes);
      for (int r = 0; r < rows; r++) {
        o.writeEnumNoTag(statusNumber((ValueStatus) statuses[r]));
      }
    }
    for (int r = 0; r < rows; r++) {
      o.writeRawBytes(eventTimes.encoded(r, (Instant) times[r]));
    }
  }

  private static void writeTimestamp(CodedOutputStream o, Instant t) throws IOException {
    if (t == null) {
      return;
    }
    if (t.getEpochSecond() != 0) {
      o.writeInt64(TIMESTAMP_SECONDS, t.getEpochSecond());
    }
    if (t.getNano() != 0) {
      o.writeInt32(TIMESTAMP_NANOS, t.getNano());
    }
  }

  /** Writes a Value message's body; a oneof member is written even when it holds its default. */
  private static void writeValue(CodedOutputStream o, Object v) throws IOException {
    if (v == null) {
      return;
    }
    if (v instanceof Double x) {
      o.writeDouble(5, x);
    } else if (v instanceof Long x) {
      o.writeInt64(3, x);
    } else if (v instanceof Integer x) {
      o.writeInt32(2, x);
    } else if (v instanceof Short || v instanceof Byte) {
      o.writeInt32(2, ((Number) v).intValue());
    } else if (v instanceof Float x) {
      o.writeFloat(4, x);
    } else if (v instanceof Boolean x) {
      o.writeBool(1, x);
    } else if (v instanceof String x) {
      o.writeString(6, x);
    } else if (v instanceof byte[] x) {
      o.writeByteArray(7, x);
    } else if (v instanceof Instant x) {
      o.writeTag(8, WireFormat.WIRETYPE_LENGTH_DELIMITED);
      o.writeUInt32NoTag(timestampSize(x));
      writeTimestamp(o, x);
    } else if (v instanceof List<?> list) {
      o.writeTag(9, WireFormat.WIRETYPE_LENGTH_DELIMITED);
      o.writeUInt32NoTag(listSize(list));
      for (Object e : list) {
        o.writeTag(LIST_VALUES, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        o.writeUInt32NoTag(valueSize(e));
        writeValue(o, e);
      }
    } else {
      throw new IllegalArgumentException("cannot send a value of type " + v.getClass().getName());
    }
  }

  private static int typeNumber(OnlineResult.Column c) {
    return ProtoMapping.toProto(c.type()).getNumber();
  }

  /** FeatureStatus numbers by ValueStatus ordinal (looked up twice per value). */
  private static final int[] STATUS_NUMBERS =
      java.util.Arrays.stream(ValueStatus.values())
          .mapToInt(s -> ProtoMapping.toProto(s).getNumber())
          .toArray();

  private static int statusNumber(ValueStatus s) {
    return STATUS_NUMBERS[s.ordinal()];
  }

  /** The array as a stream gRPC can size up front and copy in one go. */
  private static final class EncodedStream extends InputStream implements KnownLength, Drainable {
    private final byte[] bytes;
    private int position;

    EncodedStream(byte[] bytes) {
      this.bytes = bytes;
    }

    @Override
    public int drainTo(OutputStream target) throws IOException {
      int n = bytes.length - position;
      target.write(bytes, position, n);
      position = bytes.length;
      return n;
    }

    @Override
    public int available() {
      return bytes.length - position;
    }

    @Override
    public int read() {
      return position < bytes.length ? bytes[position++] & 0xFF : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (position >= bytes.length) {
        return -1;
      }
      int n = Math.min(len, bytes.length - position);
      System.arraycopy(bytes, position, b, off, n);
      position += n;
      return n;
    }
  }
}
