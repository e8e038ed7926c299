package dev.fletch.online;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fletch.core.FletchException;
import dev.fletch.core.InvalidRequestException;
import dev.fletch.core.model.FeatureView;
import dev.fletch.core.model.ValueType;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ValueCodecTest {
  static final Instant T = Instant.parse("2026-03-01T12:34:56.789123Z");

  static List<Object> sampleValues() {
    return Arrays.asList(
        true,
        -7,
        1L << 40,
        1.5f,
        -2.25d,
        "héllo, wörld",
        new byte[] {0, 1, (byte) 0xFF},
        Instant.parse("2025-12-31T23:59:59.000001Z"),
        Arrays.asList(true, null, false),
        List.of(1, 2, 3),
        List.of(),
        Arrays.asList(0.5f, null),
        List.of(1.0, 2.0),
        Arrays.asList("a", null, ""));
  }

  @Test
  void roundTripsEveryTypeWithListsAndNulls() {
    FeatureView view = TestViews.everyType("v");
    byte[] entry = ValueCodec.encode(view, T, sampleValues());
    ValueCodec.Decoded d = ValueCodec.decode(view, entry);
    assertEquals(T, d.eventTime());
    List<Object> expected = sampleValues();
    for (int i = 0; i < expected.size(); i++) {
      if (expected.get(i) instanceof byte[] b) {
        assertArrayEquals(b, (byte[]) d.values().get(i));
      } else {
        assertEquals(expected.get(i), d.values().get(i), "feature " + i);
      }
    }
    Object[] nulls = new Object[ValueType.values().length];
    assertEquals(
        Arrays.asList(nulls),
        ValueCodec.decode(view, ValueCodec.encode(view, T, Arrays.asList(nulls))).values());
  }

  @Test
  void headerIsVersionThenBigEndianMicros() {
    FeatureView view =
        TestViews.view("v", Duration.ZERO, List.of(TestViews.feature("x", ValueType.INT32)));
    byte[] entry = ValueCodec.encode(view, Instant.ofEpochSecond(1), List.of(258));
    // version, micros=1_000_000, count=1, name "x", INT32 tag, 258
    assertArrayEquals(
        new byte[] {1, 0, 0, 0, 0, 0, 0x0F, 0x42, 0x40, 0, 1, 0, 1, 'x', 2, 0, 0, 1, 2}, entry);
    assertEquals(1_000_000L, ValueCodec.eventTimeMicros(entry));
  }

  @Test
  void decodesToTheCurrentFeatureOrderByName() {
    FeatureView old =
        TestViews.view(
            "v",
            Duration.ZERO,
            List.of(
                TestViews.feature("a", ValueType.INT32),
                TestViews.feature("b", ValueType.STRING),
                TestViews.feature("c", ValueType.FLOAT)));
    byte[] entry = ValueCodec.encode(old, T, List.of(1, "x", 2.5f));
    FeatureView now =
        TestViews.view(
            "v",
            Duration.ZERO,
            List.of(
                TestViews.feature("new", ValueType.BOOL),
                TestViews.feature("c", ValueType.DOUBLE),
                TestViews.feature("a", ValueType.INT64),
                TestViews.feature("b", ValueType.INT32)));
    // new: absent -> null; c widened; a widened; b changed type incompatibly -> null
    ValueCodec.Decoded d = ValueCodec.decode(now, entry);
    assertEquals(Arrays.asList(null, 2.5d, 1L, null), d.values());
    // ... and the two nulls are "never materialized", not stored nulls
    assertEquals(List.of(false, true, true, false), materialized(d));
  }

  private static List<Boolean> materialized(ValueCodec.Decoded d) {
    List<Boolean> out = new java.util.ArrayList<>();
    for (int i = 0; i < d.values().size(); i++) {
      out.add(d.materialized(i));
    }
    return out;
  }

  /**
   * The decode rule serving's NOT_MATERIALIZED status rests on: a feature added after an entry was
   * written reads as not materialized; a stored null, under any later type, is materialized.
   */
  @Test
  void aFeatureAddedAfterTheWriteIsNotMaterializedButAStoredNullIs() {
    FeatureView old =
        TestViews.view(
            "v",
            Duration.ZERO,
            List.of(
                TestViews.feature("a", ValueType.INT32),
                TestViews.feature("b", ValueType.STRING),
                TestViews.feature("l", ValueType.parse("list<int32>").orElseThrow())));
    byte[] entry = ValueCodec.encode(old, T, Arrays.asList(null, null, List.of(1, 2)));
    FeatureView now =
        TestViews.view(
            "v",
            Duration.ZERO,
            List.of(
                TestViews.feature("a", ValueType.INT32),
                TestViews.feature("b", ValueType.BOOL),
                TestViews.feature("l", ValueType.parse("list<string>").orElseThrow()),
                TestViews.feature("added", ValueType.INT64)));
    ValueCodec.Decoded d = ValueCodec.decode(now, entry);
    assertEquals(Arrays.asList(null, null, null, null), d.values());
    // a: stored null; b: stored null, read as any type; l: list of ints is not one of strings
    assertEquals(List.of(true, true, false, false), materialized(d));
    // the stores hand out the same rule through StoredValues
    OnlineStore.StoredValues stored = new OnlineStore.StoredValues(T, d.values());
    assertTrue(stored.materialized(0));
    assertTrue(!stored.materialized(3));
    assertTrue(new OnlineStore.StoredValues(T, Arrays.asList(1, null)).materialized(1));
  }

  @Test
  void matchesNamesByExactUtf8BytesNotByPrefixOrPosition() {
    FeatureView old =
        TestViews.view(
            "v",
            Duration.ZERO,
            List.of(
                TestViews.feature("größe", ValueType.INT32),
                TestViews.feature("amt", ValueType.INT32),
                TestViews.feature("amt_7d", ValueType.INT32),
                TestViews.feature("日本", ValueType.INT32)));
    byte[] entry = ValueCodec.encode(old, T, List.of(1, 2, 3, 4));
    FeatureView now =
        TestViews.view(
            "v",
            Duration.ZERO,
            List.of(
                TestViews.feature("amt_7d", ValueType.INT32),
                TestViews.feature("am", ValueType.INT32),
                TestViews.feature("日本", ValueType.INT32),
                TestViews.feature("größe", ValueType.INT32),
                TestViews.feature("grösse", ValueType.INT32),
                TestViews.feature("amt", ValueType.INT32)));
    assertEquals(Arrays.asList(3, null, 4, 1, null, 2), ValueCodec.decode(now, entry).values());
  }

  @Test
  void negativeEventTimesRoundTrip() {
    FeatureView view = TestViews.view("v", Duration.ZERO, List.of());
    Instant before = Instant.parse("1969-12-31T23:59:59.5Z");
    assertEquals(
        before, ValueCodec.decode(view, ValueCodec.encode(view, before, List.of())).eventTime());
  }

  @Test
  void rejectsWrongTypesNamingTheFeature() {
    FeatureView view =
        TestViews.view("v", Duration.ZERO, List.of(TestViews.feature("age", ValueType.INT32)));
    InvalidRequestException e =
        assertThrows(
            InvalidRequestException.class, () -> ValueCodec.encode(view, T, List.of("old")));
    assertTrue(
        e.getMessage().contains("'age'") && e.getMessage().contains("view 'v'"), e.getMessage());
    assertThrows(
        InvalidRequestException.class, () -> ValueCodec.encode(view, T, List.of(1L << 40)));
    assertThrows(InvalidRequestException.class, () -> ValueCodec.encode(view, T, List.of(1, 2)));
  }

  @Test
  void rejectsUnknownFormatVersion() {
    FeatureView view = TestViews.view("v", Duration.ZERO, List.of());
    byte[] entry = ValueCodec.encode(view, T, List.of());
    entry[0] = 9;
    assertThrows(FletchException.class, () -> ValueCodec.decode(view, entry));
  }

  @Test
  void acceptsCommonJavaRepresentations() {
    FeatureView view =
        TestViews.view(
            "v",
            Duration.ZERO,
            List.of(
                TestViews.feature("i", ValueType.INT32),
                TestViews.feature("t", ValueType.TIMESTAMP),
                TestViews.feature("l", ValueType.INT64_LIST)));
    byte[] entry =
        ValueCodec.encode(view, T, List.of(5L, java.sql.Timestamp.from(T), new long[] {1, 2}));
    assertEquals(List.of(5, T, List.of(1L, 2L)), ValueCodec.decode(view, entry).values());
  }
}
