package dev.fletch.serving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.fletch.core.InvalidRequestException;
import dev.fletch.core.model.FeatureRef;
import dev.fletch.core.model.ValueType;
import dev.fletch.proto.serving.v1.GetFeaturesResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every value type survives the wire both ways (protobuf) and reads naturally as JSON. */
class MappingTest {
  private static final Instant T = Instant.parse("2026-02-03T04:05:06.123456Z");

  static Map<ValueType, Object> samples() {
    return Map.ofEntries(
        Map.entry(ValueType.BOOL, true),
        Map.entry(ValueType.INT32, -7),
        Map.entry(ValueType.INT64, 1L << 40),
        Map.entry(ValueType.FLOAT, 1.5f),
        Map.entry(ValueType.DOUBLE, 2.25),
        Map.entry(ValueType.STRING, "zürich"),
        Map.entry(ValueType.BYTES, new byte[] {0, 1, (byte) 0xff}),
        Map.entry(ValueType.TIMESTAMP, T),
        Map.entry(ValueType.BOOL_LIST, Arrays.asList(true, null, false)),
        Map.entry(ValueType.INT32_LIST, List.of(1, 2)),
        Map.entry(ValueType.INT64_LIST, Arrays.asList(3L, null)),
        Map.entry(ValueType.FLOAT_LIST, List.of(0.5f)),
        Map.entry(ValueType.DOUBLE_LIST, List.of()),
        Map.entry(ValueType.STRING_LIST, Arrays.asList("a", null, "c")));
  }

  @Test
  void everyValueTypeRoundTripsThroughProtobuf() {
    assertEquals(ValueType.values().length, samples().size(), "a sample per type");
    samples()
        .forEach(
            (type, value) -> {
              Object back = ProtoMapping.toJava(ProtoMapping.toValue(value));
              if (value instanceof byte[] b) {
                assertArrayEquals(b, (byte[]) back);
              } else {
                assertEquals(value, back, type.name());
              }
              assertEquals(type, ProtoMapping.fromProto(ProtoMapping.toProto(type)));
            });
    assertEquals(null, ProtoMapping.toJava(ProtoMapping.toValue(null)));
  }

  @Test
  void responseRoundTripsWithStatusesAndTimes() {
    OnlineResult result =
        new OnlineResult(
            List.of(
                new OnlineResult.Column(
                    "age",
                    new FeatureRef("profile", "age"),
                    ValueType.INT32,
                    Arrays.asList(31, null, 40, null),
                    List.of(
                        ValueStatus.PRESENT,
                        ValueStatus.NULL_VALUE,
                        ValueStatus.OUTSIDE_MAX_AGE,
                        ValueStatus.NOT_FOUND),
                    Arrays.asList(T, T, T.minusSeconds(86400), null))),
            4);
    GetFeaturesResponse proto = ProtoMapping.toResponse(result);
    assertEquals(List.of("age"), proto.getFeatureNamesList());
    assertEquals(result, ProtoMapping.toResult(proto));
  }

  @Test
  void jsonValuesArePlain() {
    assertEquals(T.toString(), JsonMapping.toJsonValue(T));
    assertEquals(
        Base64.getEncoder().encodeToString(new byte[] {1, 2}),
        JsonMapping.toJsonValue(new byte[] {1, 2}));
    assertEquals("NaN", JsonMapping.toJsonValue(Double.NaN));
    assertEquals(
        new JsonArray().add("a").addNull(), JsonMapping.toJsonValue(Arrays.asList("a", null)));
    assertEquals(5L, JsonMapping.toJsonValue(5L));
  }

  @Test
  void jsonRequestsParseAndBadShapesAreInvalid() {
    OnlineQuery q =
        JsonMapping.toQuery(
            new JsonObject(
                "{\"project\":\"p\",\"features\":[\"v:f\"],\"entities\":{\"id\":[1,\"x\"]},\"full_feature_names\":true}"));
    assertEquals("p", q.project());
    assertEquals(List.of("v:f"), q.features());
    assertEquals(Arrays.asList(1, "x"), q.entities().get("id"));
    assertEquals(true, q.fullNames());
    assertThrows(
        InvalidRequestException.class,
        () -> JsonMapping.toQuery(new JsonObject("{\"features\":[\"v:f\"]}")));
    assertThrows(
        InvalidRequestException.class,
        () ->
            JsonMapping.toQuery(
                new JsonObject("{\"features\":[\"v:f\"],\"entities\":{\"id\":1}}")));
    assertThrows(
        InvalidRequestException.class,
        () -> JsonMapping.toQuery(new JsonObject("{\"features\":[1],\"entities\":{\"id\":[1]}}")));
  }
}
