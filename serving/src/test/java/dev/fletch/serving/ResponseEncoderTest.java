package dev.fletch.serving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fletch.core.model.FeatureRef;
import dev.fletch.core.model.ValueType;
import dev.fletch.proto.serving.v1.GetFeaturesResponse;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The direct encoder must produce exactly what the generated messages produce. */
class ResponseEncoderTest {
  private static final Instant T = Instant.parse("2026-02-03T04:05:06.123456Z");

  private static OnlineResult.Column column(String name, ValueType type, Object... values) {
    int rows = values.length;
    List<ValueStatus> statuses = new ArrayList<>();
    List<Instant> times = new ArrayList<>();
    ValueStatus[] cycle = ValueStatus.values();
    Instant[] timeCycle = {T, null, Instant.EPOCH, Instant.ofEpochSecond(-5, 7), T.plusNanos(1)};
    for (int r = 0; r < rows; r++) {
      statuses.add(cycle[r % cycle.length]);
      times.add(timeCycle[r % timeCycle.length]);
    }
    return new OnlineResult.Column(
        name, new FeatureRef("view_é", name), type, Arrays.asList(values), statuses, times);
  }

  private static void assertSameBytes(OnlineResult result) throws Exception {
    byte[] expected = ProtoMapping.toResponse(result).toByteArray();
    byte[] direct = ResponseEncoder.encode(result).bytes();
    assertArrayEquals(expected, direct);
    // And what gRPC reads from the marshaller's stream.
    try (InputStream in = ResponseEncoder.MARSHALLER.stream(new ResponseEncoder.Encoded(direct))) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ((io.grpc.Drainable) in).drainTo(out);
      assertArrayEquals(expected, out.toByteArray());
      assertEquals(
          ProtoMapping.toResponse(result), GetFeaturesResponse.parseFrom(out.toByteArray()));
    }
  }

  @Test
  void everyValueTypeEncodesAsTheGeneratedMessagesDo() throws Exception {
    assertSameBytes(
        new OnlineResult(
            List.of(
                column("b", ValueType.BOOL, true, false, null, true, false),
                column("i", ValueType.INT32, 0, -1, Integer.MAX_VALUE, null, 300),
                column("l", ValueType.INT64, 0L, -1L, Long.MIN_VALUE, 1L << 40, null),
                column("f", ValueType.FLOAT, 0f, -0f, 1.5f, Float.NaN, null),
                column("d", ValueType.DOUBLE, 0d, -2.25d, null, Double.MAX_VALUE, 1e-300),
                column(
                    "d2",
                    ValueType.DOUBLE,
                    Double.NaN,
                    -0d,
                    Double.NEGATIVE_INFINITY,
                    Double.MIN_VALUE,
                    1.0),
                column("s", ValueType.STRING, "", "héllo 日本", null, "x".repeat(300), "a"),
                column("by", ValueType.BYTES, new byte[0], new byte[] {0, -1}, null, null, null),
                column(
                    "t",
                    ValueType.TIMESTAMP,
                    T,
                    Instant.EPOCH,
                    Instant.ofEpochSecond(-1, 5),
                    null,
                    T),
                column(
                    "li",
                    ValueType.INT64_LIST,
                    List.of(1L, 2L),
                    List.of(),
                    Arrays.asList(3L, null),
                    null,
                    List.of(Long.MAX_VALUE))),
            5));
  }

  @Test
  void manyRowsAndEmptyAnswers() throws Exception {
    Object[] doubles = new Object[1000];
    for (int i = 0; i < doubles.length; i++) {
      doubles[i] = i % 7 == 0 ? null : i * 0.5;
    }
    assertSameBytes(new OnlineResult(List.of(column("d", ValueType.DOUBLE, doubles)), 1000));
    assertSameBytes(new OnlineResult(List.of(), 3));
    // the registry version that answered, small and large
    assertSameBytes(new OnlineResult(List.of(column("d", ValueType.DOUBLE, 1.0)), 1, 7));
    assertSameBytes(new OnlineResult(List.of(), 2, Long.MAX_VALUE));
    assertSameBytes(new OnlineResult(List.of(column("d", ValueType.DOUBLE)), 0));
  }
}
