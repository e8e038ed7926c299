package dev.fletch.online;

import static java.util.Objects.requireNonNull;

import dev.fletch.core.FletchException;
import dev.fletch.core.InvalidRequestException;
import dev.fletch.core.model.Feature;
import dev.fletch.core.model.FeatureView;
import dev.fletch.core.model.ValueType;
import java.lang.reflect.Array;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * The binary encoding of one view's values for one entity (format version 1), shared by the Redis
 * and the embedded store so that a client in any language can read them. All integers are
 * big-endian.
 *
 * <pre>
 * entry   := version:u8 (=1)  event_time:i64 (microseconds since 1970-01-01T00:00Z)
 *            count:u16  count * (name_len:u16  name:UTF-8  value)
 * value   := tag:u8 payload
 *   0x00 NULL       (no payload)
 *   0x01 BOOL       u8 0|1
 *   0x02 INT32      i32
 *   0x03 INT64      i64
 *   0x04 FLOAT      IEEE 754 binary32
 *   0x05 DOUBLE     IEEE 754 binary64
 *   0x06 STRING     len:u32 UTF-8 bytes
 *   0x07 BYTES      len:u32 bytes
 *   0x08 TIMESTAMP  i64 microseconds since the epoch, UTC
 *   0x80|elem LIST  count:u32 count * value   (each element carries its own tag; 0x00 = null element)
 * </pre>
 *
 * <p>Values carry their feature names, so an entry decodes to the view's <em>current</em> feature
 * order: a removed feature is skipped, INT32 widens to INT64 and FLOAT to DOUBLE, and a feature the
 * entry holds no value of, by its current name and as a type it reads as, is <em>not
 * materialized</em>: it was added (or changed type incompatibly) after the entry was written. It
 * reads as null, but {@link EntryValues#materialized} tells it apart from a stored null, so serving
 * answers NOT_MATERIALIZED instead of NULL_VALUE. This is a decode rule, not a stored mark: any
 * entry format that names its values keeps it.
 */
public final class ValueCodec {
  public static final byte VERSION = 1;

  static final int NULL = 0x00;
  static final int BOOL = 0x01;
  static final int INT32 = 0x02;
  static final int INT64 = 0x03;
  static final int FLOAT = 0x04;
  static final int DOUBLE = 0x05;
  static final int STRING = 0x06;
  static final int BYTES = 0x07;
  static final int TIMESTAMP = 0x08;
  static final int LIST = 0x80;

  private ValueCodec() {}

  /**
   * A decoded entry: event time and values in the view's current feature order ({@code values} is
   * an {@link EntryValues}: it tells a feature the entry was written without from a stored null).
   */
  public record Decoded(Instant eventTime, EntryValues values) {
    /** Whether the entry holds a value (maybe null) of feature {@code index} as defined now. */
    public boolean materialized(int index) {
      return values.materialized(index);
    }
  }

  /**
   * In the array {@link #values} returns: a feature the entry holds no value of as the view now
   * defines it (see the class comment). Never leaves this package: {@link EntryValues} reads it as
   * null.
   */
  static final Object NOT_MATERIALIZED = new Object();

  /** Encodes one row of {@code view}: {@code values} in the view's feature order. */
  public static byte[] encode(FeatureView view, Instant eventTime, List<Object> values) {
    requireNonNull(view, "view is null");
    requireNonNull(eventTime, "eventTime is null");
    requireNonNull(values, "values is null");
    List<Feature> features = view.features();
    if (values.size() != features.size()) {
      throw new InvalidRequestException(
          "view '"
              + view.name()
              + "' has "
              + features.size()
              + " features but the row has "
              + values.size()
              + " values");
    }
    byte[][] names = featureNames(view);
    Out out = new Out(16 + features.size() * 16);
    out.u8(VERSION);
    out.i64(toMicros(eventTime));
    out.u16(features.size());
    for (int i = 0; i < features.size(); i++) {
      Feature f = features.get(i);
      byte[] name = names[i];
      out.u16(name.length);
      out.bytes(name);
      try {
        writeValue(out, f.type(), values.get(i));
      } catch (RuntimeException e) {
        throw new InvalidRequestException(
            "feature '"
                + f.name()
                + "' of view '"
                + view.name()
                + "' ("
                + f.type()
                + "): "
                + e.getMessage(),
            e);
      }
    }
    return out.toByteArray();
  }

  /** Where an entry's feature count, then its features, start: after version and event time. */
  private static final int BODY_AT = 1 + Long.BYTES;

  /** The event time of an encoded entry without decoding its values. */
  public static Instant eventTime(byte[] entry) {
    return fromMicros(eventTimeMicros(entry));
  }

  /** The event time of an encoded entry, in microseconds since the epoch. */
  public static long eventTimeMicros(byte[] entry) {
    checkVersion(entry);
    return ByteBuffer.wrap(entry, 1, Long.BYTES).getLong();
  }

  /** Decodes an entry to {@code view}'s current feature order (see the class comment). */
  public static Decoded decode(FeatureView view, byte[] entry) {
    Object[] values = values(view, entry); // checks the view and the entry's version
    return new Decoded(eventTime(entry), new EntryValues(view, values));
  }

  /**
   * An entry's values in the view's current feature order, as a new array (the serving path reads
   * them by index, without a list around them); {@link #NOT_MATERIALIZED} where the entry holds no
   * value of a feature as it is defined now.
   */
  static Object[] values(FeatureView view, byte[] entry) {
    requireNonNull(view, "view is null");
    checkVersion(entry);
    ByteBuffer in = ByteBuffer.wrap(entry);
    in.position(BODY_AT);
    List<Feature> features = view.features();
    byte[][] names = featureNames(view);
    Object[] values = new Object[features.size()];
    Arrays.fill(values, NOT_MATERIALIZED);
    int count = Short.toUnsignedInt(in.getShort());
    try {
      for (int i = 0; i < count; i++) {
        int nameLength = Short.toUnsignedInt(in.getShort());
        int nameStart = in.position();
        in.position(nameStart + nameLength);
        Object value = readValue(in);
        // Entries are written in the view's feature order, so the i-th name almost always is the
        // i-th feature: compare the bytes in place (no String, no map) and search only on a miss.
        int at = featureIndex(names, i, entry, nameStart, nameLength);
        if (at >= 0) {
          values[at] = conform(features.get(at).type(), value);
        }
      }
    } catch (RuntimeException e) {
      throw new FletchException("corrupt online entry of view '" + view.name() + "': " + e, e);
    }
    return values;
  }

  /** The index of the feature whose name is the UTF-8 bytes at {@code entry[start, start+len)}. */
  private static int featureIndex(byte[][] names, int guess, byte[] entry, int start, int length) {
    if (guess < names.length && sameBytes(names[guess], entry, start, length)) {
      return guess;
    }
    for (int i = 0; i < names.length; i++) {
      if (i != guess && sameBytes(names[i], entry, start, length)) {
        return i;
      }
    }
    return -1;
  }

  private static boolean sameBytes(byte[] name, byte[] entry, int start, int length) {
    return name.length == length && Arrays.equals(name, 0, length, entry, start, start + length);
  }

  /**
   * The UTF-8 names of a view's features, cached per view instance. Views are immutable and a
   * server holds the same instances until definitions change, so a small direct-mapped table by
   * identity hits almost always; a collision only costs re-encoding. Bounded: at most {@link
   * #NAME_SLOTS} views are referenced.
   */
  private static byte[][] featureNames(FeatureView view) {
    int slot = System.identityHashCode(view) & (NAME_SLOTS - 1);
    NameSlot cached = NAMES[slot];
    if (cached != null && cached.view == view) {
      return cached.names;
    }
    List<Feature> features = view.features();
    byte[][] names = new byte[features.size()][];
    for (int i = 0; i < names.length; i++) {
      names[i] = features.get(i).name().getBytes(StandardCharsets.UTF_8);
    }
    NAMES[slot] = new NameSlot(view, names); // a racing writer just replaces it: both are right
    return names;
  }

  private static final int NAME_SLOTS = 256;
  private static final NameSlot[] NAMES = new NameSlot[NAME_SLOTS];

  private record NameSlot(FeatureView view, byte[][] names) {}

  public static long toMicros(Instant t) {
    return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000);
  }

  public static Instant fromMicros(long micros) {
    return Instant.ofEpochSecond(
        Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
  }

  private static void checkVersion(byte[] entry) {
    requireNonNull(entry, "entry is null");
    if (entry.length < BODY_AT + Short.BYTES || entry[0] != VERSION) {
      throw new FletchException(
          "unsupported online entry: "
              + (entry.length == 0 ? "empty" : "format version " + entry[0])
              + " (this Fletch reads version "
              + VERSION
              + ")");
    }
  }

  // ---- writing

  private static void writeValue(Out out, ValueType type, Object v) {
    if (v == null) {
      out.u8(NULL);
      return;
    }
    if (type.isList()) {
      List<?> list = asList(v);
      out.u8(LIST | tag(type.elementType()));
      out.i32(list.size());
      for (Object element : list) {
        writeValue(out, type.elementType(), element);
      }
      return;
    }
    switch (type) {
      case BOOL -> {
        out.u8(BOOL);
        out.u8(asBoolean(v) ? 1 : 0);
      }
      case INT32 -> {
        out.u8(INT32);
        out.i32(asInt(v));
      }
      case INT64 -> {
        out.u8(INT64);
        out.i64(asNumber(v).longValue());
      }
      case FLOAT -> {
        out.u8(FLOAT);
        out.i32(Float.floatToIntBits(asNumber(v).floatValue()));
      }
      case DOUBLE -> {
        out.u8(DOUBLE);
        out.i64(Double.doubleToLongBits(asNumber(v).doubleValue()));
      }
      case STRING -> {
        byte[] b = asString(v).getBytes(StandardCharsets.UTF_8);
        out.u8(STRING);
        out.i32(b.length);
        out.bytes(b);
      }
      case BYTES -> {
        byte[] b = asBytes(v);
        out.u8(BYTES);
        out.i32(b.length);
        out.bytes(b);
      }
      case TIMESTAMP -> {
        out.u8(TIMESTAMP);
        out.i64(toMicros(asInstant(v)));
      }
      default -> throw new IllegalStateException("unhandled type " + type);
    }
  }

  private static int tag(ValueType scalar) {
    return switch (scalar) {
      case BOOL -> BOOL;
      case INT32 -> INT32;
      case INT64 -> INT64;
      case FLOAT -> FLOAT;
      case DOUBLE -> DOUBLE;
      case STRING -> STRING;
      case BYTES -> BYTES;
      case TIMESTAMP -> TIMESTAMP;
      default -> throw new IllegalArgumentException("not a scalar type: " + scalar);
    };
  }

  private static List<?> asList(Object v) {
    if (v instanceof List<?> l) {
      return l;
    }
    if (v.getClass().isArray() && !(v instanceof byte[])) {
      int n = Array.getLength(v);
      List<Object> out = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        out.add(Array.get(v, i));
      }
      return out;
    }
    throw mismatch("a list", v);
  }

  private static boolean asBoolean(Object v) {
    if (v instanceof Boolean b) {
      return b;
    }
    throw mismatch("a boolean", v);
  }

  private static Number asNumber(Object v) {
    if (v instanceof Number n) {
      return n;
    }
    throw mismatch("a number", v);
  }

  private static int asInt(Object v) {
    Number n = asNumber(v);
    long l = n.longValue();
    if (l < Integer.MIN_VALUE || l > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("value " + l + " does not fit in INT32");
    }
    return (int) l;
  }

  private static String asString(Object v) {
    if (v instanceof CharSequence s) {
      return s.toString();
    }
    throw mismatch("a string", v);
  }

  private static byte[] asBytes(Object v) {
    if (v instanceof byte[] b) {
      return b;
    }
    if (v instanceof ByteBuffer bb) {
      byte[] b = new byte[bb.remaining()];
      bb.duplicate().get(b);
      return b;
    }
    throw mismatch("bytes", v);
  }

  private static Instant asInstant(Object v) {
    if (v instanceof Instant i) {
      return i;
    }
    if (v instanceof java.sql.Timestamp t) {
      return t.toInstant();
    }
    if (v instanceof OffsetDateTime o) {
      return o.toInstant();
    }
    if (v instanceof ZonedDateTime z) {
      return z.toInstant();
    }
    if (v instanceof LocalDateTime l) {
      return l.toInstant(ZoneOffset.UTC);
    }
    if (v instanceof java.util.Date d) {
      return d.toInstant();
    }
    throw mismatch("a timestamp", v);
  }

  private static IllegalArgumentException mismatch(String expected, Object v) {
    return new IllegalArgumentException(
        "expected " + expected + ", got " + v.getClass().getSimpleName() + " " + v);
  }

  // ---- reading

  private static Object readValue(ByteBuffer in) {
    int tag = Byte.toUnsignedInt(in.get());
    if ((tag & LIST) != 0) {
      int n = in.getInt();
      List<Object> list = new ArrayList<>(Math.min(n, 1024));
      for (int i = 0; i < n; i++) {
        list.add(readValue(in));
      }
      return new TaggedList(tag & ~LIST, Collections.unmodifiableList(list));
    }
    return switch (tag) {
      case NULL -> null;
      case BOOL -> in.get() != 0;
      case INT32 -> in.getInt();
      case INT64 -> in.getLong();
      case FLOAT -> in.getFloat();
      case DOUBLE -> in.getDouble();
      case STRING -> new String(readBytes(in), StandardCharsets.UTF_8);
      case BYTES -> readBytes(in);
      case TIMESTAMP -> fromMicros(in.getLong());
      default ->
          throw new IllegalArgumentException("unknown value tag 0x" + Integer.toHexString(tag));
    };
  }

  private static byte[] readBytes(ByteBuffer in) {
    byte[] b = new byte[in.getInt()];
    in.get(b);
    return b;
  }

  /**
   * A decoded list with the element tag it was written with (so an empty list still has a type).
   */
  private record TaggedList(int elementTag, List<Object> values) {}

  /**
   * The stored value as the current type's Java type; {@link #NOT_MATERIALIZED} when the type
   * changed incompatibly (a stored null reads as null whatever the type).
   */
  private static Object conform(ValueType type, Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof TaggedList list) {
      if (!type.isList()) {
        return NOT_MATERIALIZED;
      }
      List<Object> out = new ArrayList<>(list.values().size());
      for (Object element : list.values()) {
        Object c = conformScalar(type.elementType(), element);
        if (element != null && c == null) {
          return NOT_MATERIALIZED;
        }
        out.add(c);
      }
      return Collections.unmodifiableList(out);
    }
    if (type.isList()) {
      return NOT_MATERIALIZED;
    }
    Object c = conformScalar(type, value);
    return c == null ? NOT_MATERIALIZED : c;
  }

  private static Object conformScalar(ValueType type, Object v) {
    if (v == null) {
      return null;
    }
    return switch (type) {
      case BOOL -> v instanceof Boolean ? v : null;
      case INT32 -> v instanceof Integer ? v : null;
      case INT64 -> v instanceof Long ? v : v instanceof Integer i ? Long.valueOf(i) : null;
      case FLOAT -> v instanceof Float ? v : null;
      case DOUBLE -> v instanceof Double ? v : v instanceof Float f ? Double.valueOf(f) : null;
      case STRING -> v instanceof String ? v : null;
      case BYTES -> v instanceof byte[] ? v : null;
      case TIMESTAMP -> v instanceof Instant ? v : null;
      default -> null;
    };
  }

  /** A growable big-endian buffer (ByteArrayOutputStream without the synchronisation). */
  private static final class Out {
    private byte[] buf;
    private int size;

    Out(int capacity) {
      buf = new byte[capacity];
    }

    private void ensure(int extra) {
      if (size + extra > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + extra));
      }
    }

    void u8(int v) {
      ensure(1);
      buf[size++] = (byte) v;
    }

    void u16(int v) {
      if (v > 0xFFFF) {
        throw new IllegalArgumentException("too long for u16: " + v);
      }
      ensure(2);
      buf[size++] = (byte) (v >>> 8);
      buf[size++] = (byte) v;
    }

    void i32(int v) {
      ensure(4);
      for (int s = 24; s >= 0; s -= 8) {
        buf[size++] = (byte) (v >>> s);
      }
    }

    void i64(long v) {
      ensure(8);
      for (int s = 56; s >= 0; s -= 8) {
        buf[size++] = (byte) (v >>> s);
      }
    }

    void bytes(byte[] b) {
      ensure(b.length);
      System.arraycopy(b, 0, buf, size, b.length);
      size += b.length;
    }

    byte[] toByteArray() {
      return Arrays.copyOf(buf, size);
    }
  }
}
