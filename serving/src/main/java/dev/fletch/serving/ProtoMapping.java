package dev.fletch.serving;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import dev.fletch.core.InvalidRequestException;
import dev.fletch.core.model.FeatureRef;
import dev.fletch.core.model.ValueType;
import dev.fletch.proto.serving.v1.FeatureColumn;
import dev.fletch.proto.serving.v1.FeatureStatus;
import dev.fletch.proto.serving.v1.GetFeaturesRequest;
import dev.fletch.proto.serving.v1.GetFeaturesResponse;
import dev.fletch.proto.serving.v1.RepeatedValue;
import dev.fletch.proto.serving.v1.Value;
import dev.fletch.proto.serving.v1.ValueList;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The wire edge: protobuf messages to and from plain Java (core types never see protobuf). */
public final class ProtoMapping {
  private static final Value NULL = Value.getDefaultInstance();
  private static final Timestamp NO_TIME = Timestamp.getDefaultInstance();

  private ProtoMapping() {}

  // ---- requests

  public static OnlineQuery toQuery(GetFeaturesRequest request) {
    Map<String, List<Object>> entities = new LinkedHashMap<>();
    for (Map.Entry<String, RepeatedValue> e : request.getEntitiesMap().entrySet()) {
      List<Value> values = e.getValue().getValuesList();
      List<Object> column = new ArrayList<>(values.size());
      for (Value v : values) {
        column.add(toJava(v));
      }
      entities.put(e.getKey(), column);
    }
    return new OnlineQuery(
        request.getProject(),
        request.getFeaturesList(),
        request.getFeatureService(),
        entities,
        request.getFullFeatureNames());
  }

  public static GetFeaturesRequest toRequest(OnlineQuery query) {
    GetFeaturesRequest.Builder b =
        GetFeaturesRequest.newBuilder()
            .addAllFeatures(query.features())
            .setFullFeatureNames(query.fullNames());
    if (query.project() != null) {
      b.setProject(query.project());
    }
    if (query.service() != null) {
      b.setFeatureService(query.service());
    }
    for (Map.Entry<String, List<Object>> e : query.entities().entrySet()) {
      RepeatedValue.Builder column = RepeatedValue.newBuilder();
      for (Object v : e.getValue()) {
        column.addValues(toValue(v));
      }
      b.putEntities(e.getKey(), column.build());
    }
    return b.build();
  }

  // ---- responses

  public static GetFeaturesResponse toResponse(OnlineResult result) {
    GetFeaturesResponse.Builder b =
        GetFeaturesResponse.newBuilder()
            .setEntityRows(result.entityRows())
            .setRegistryVersion(result.registryVersion());
    // The columns of one view share each row's event time (the same Instant): convert each once.
    Map<Instant, Timestamp> times = new IdentityHashMap<>();
    for (OnlineResult.Column c : result.columns()) {
      b.addFeatureNames(c.name());
      FeatureColumn.Builder col =
          FeatureColumn.newBuilder()
              .setName(c.name())
              .setFeatureRef(c.ref().toString())
              .setType(toProto(c.type()));
      for (int r = 0; r < result.entityRows(); r++) {
        col.addValues(toValue(c.values().get(r)));
        col.addStatuses(toProto(c.statuses().get(r)));
        Instant t = c.eventTimes().get(r);
        col.addEventTimes(
            t == null ? NO_TIME : times.computeIfAbsent(t, ProtoMapping::toTimestamp));
      }
      b.addFeatures(col.build());
    }
    return b.build();
  }

  public static OnlineResult toResult(GetFeaturesResponse response) {
    int rows = response.getEntityRows();
    List<OnlineResult.Column> columns = new ArrayList<>(response.getFeaturesCount());
    for (FeatureColumn c : response.getFeaturesList()) {
      Object[] values = new Object[rows];
      ValueStatus[] statuses = new ValueStatus[rows];
      Instant[] times = new Instant[rows];
      for (int r = 0; r < rows; r++) {
        values[r] = toJava(c.getValues(r));
        statuses[r] = fromProto(c.getStatuses(r));
        Timestamp t = c.getEventTimes(r);
        // The zero Timestamp is "no event time": NOT_FOUND, and on-demand features.
        times[r] =
            statuses[r] == ValueStatus.NOT_FOUND || t.equals(NO_TIME)
                ? null
                : Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
      }
      columns.add(
          new OnlineResult.Column(
              c.getName(),
              FeatureRef.parse(c.getFeatureRef()),
              fromProto(c.getType()),
              Collections.unmodifiableList(Arrays.asList(values)),
              List.of(statuses),
              Collections.unmodifiableList(Arrays.asList(times))));
    }
    return new OnlineResult(columns, rows, response.getRegistryVersion());
  }

  // ---- values

  /**
   * A Java value (types of {@link ValueType}) as a protobuf Value; null becomes the empty Value.
   */
  public static Value toValue(Object v) {
    if (v == null) {
      return NULL;
    }
    Value.Builder b = Value.newBuilder();
    if (v instanceof Boolean x) {
      b.setBoolValue(x);
    } else if (v instanceof Integer x) {
      b.setInt32Value(x);
    } else if (v instanceof Long x) {
      b.setInt64Value(x);
    } else if (v instanceof Short || v instanceof Byte) {
      b.setInt32Value(((Number) v).intValue());
    } else if (v instanceof Float x) {
      b.setFloatValue(x);
    } else if (v instanceof Double x) {
      b.setDoubleValue(x);
    } else if (v instanceof String x) {
      b.setStringValue(x);
    } else if (v instanceof byte[] x) {
      b.setBytesValue(ByteString.copyFrom(x));
    } else if (v instanceof Instant x) {
      b.setTimestampValue(toTimestamp(x));
    } else if (v instanceof List<?> list) {
      ValueList.Builder lb = ValueList.newBuilder();
      for (Object e : list) {
        lb.addValues(toValue(e));
      }
      b.setListValue(lb);
    } else {
      throw new IllegalArgumentException("cannot send a value of type " + v.getClass().getName());
    }
    // Value has no required fields: skip build()'s initialization check (measurable at 5,000
    // values).
    return b.buildPartial();
  }

  /** A protobuf Value as Java (null for an empty Value). */
  /** A Push request as rows of column values; columns of different lengths are refused. */
  static PushService.Request toPush(dev.fletch.proto.serving.v1.PushRequest request) {
    int rows = -1;
    String first = null;
    for (Map.Entry<String, dev.fletch.proto.serving.v1.RepeatedValue> c :
        request.getColumnsMap().entrySet()) {
      int n = c.getValue().getValuesCount();
      if (rows < 0) {
        rows = n;
        first = c.getKey();
      } else if (n != rows) {
        throw new InvalidRequestException(
            "columns have different lengths: '"
                + first
                + "' has "
                + rows
                + " values, '"
                + c.getKey()
                + "' has "
                + n);
      }
    }
    if (rows > PushService.MAX_ROWS) {
      throw new InvalidRequestException(
          rows + " rows in one push; at most " + PushService.MAX_ROWS + " are allowed: split it");
    }
    List<Map<String, Object>> out = new ArrayList<>(Math.max(rows, 0));
    for (int r = 0; r < rows; r++) {
      Map<String, Object> row = new LinkedHashMap<>();
      for (Map.Entry<String, dev.fletch.proto.serving.v1.RepeatedValue> c :
          request.getColumnsMap().entrySet()) {
        row.put(c.getKey(), toJava(c.getValue().getValues(r)));
      }
      out.add(row);
    }
    PushService.Target to =
        switch (request.getTo()) {
          case OFFLINE -> PushService.Target.OFFLINE;
          case BOTH -> PushService.Target.BOTH;
          case ONLINE, PUSH_TARGET_UNSPECIFIED -> PushService.Target.ONLINE;
          default ->
              throw new InvalidRequestException("unknown push target " + request.getToValue());
        };
    return new PushService.Request(request.getProject(), request.getFeatureView(), to, out);
  }

  public static Object toJava(Value v) {
    return switch (v.getKindCase()) {
      case BOOL_VALUE -> v.getBoolValue();
      case INT32_VALUE -> v.getInt32Value();
      case INT64_VALUE -> v.getInt64Value();
      case FLOAT_VALUE -> v.getFloatValue();
      case DOUBLE_VALUE -> v.getDoubleValue();
      case STRING_VALUE -> v.getStringValue();
      case BYTES_VALUE -> v.getBytesValue().toByteArray();
      case TIMESTAMP_VALUE ->
          Instant.ofEpochSecond(
              v.getTimestampValue().getSeconds(), v.getTimestampValue().getNanos());
      case LIST_VALUE -> {
        List<Object> out = new ArrayList<>(v.getListValue().getValuesCount());
        for (Value e : v.getListValue().getValuesList()) {
          out.add(toJava(e));
        }
        yield Collections.unmodifiableList(out);
      }
      case KIND_NOT_SET -> null;
    };
  }

  public static Timestamp toTimestamp(Instant t) {
    return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
  }

  public static dev.fletch.proto.serving.v1.ValueType toProto(ValueType type) {
    return PROTO_TYPES[type.ordinal()];
  }

  /** The proto enum per core type, by ordinal: valueOf(name) per column was measurable. */
  private static final dev.fletch.proto.serving.v1.ValueType[] PROTO_TYPES =
      java.util.Arrays.stream(ValueType.values())
          .map(t -> dev.fletch.proto.serving.v1.ValueType.valueOf(t.name()))
          .toArray(dev.fletch.proto.serving.v1.ValueType[]::new);

  public static ValueType fromProto(dev.fletch.proto.serving.v1.ValueType type) {
    if (type == dev.fletch.proto.serving.v1.ValueType.VALUE_TYPE_UNSPECIFIED
        || type == dev.fletch.proto.serving.v1.ValueType.UNRECOGNIZED) {
      throw new InvalidRequestException("unknown value type " + type);
    }
    return ValueType.valueOf(type.name());
  }

  public static FeatureStatus toProto(ValueStatus status) {
    return switch (status) {
      case PRESENT -> FeatureStatus.PRESENT;
      case NULL_VALUE -> FeatureStatus.NULL_VALUE;
      case NOT_FOUND -> FeatureStatus.NOT_FOUND;
      case OUTSIDE_MAX_AGE -> FeatureStatus.OUTSIDE_MAX_AGE;
      case NOT_MATERIALIZED -> FeatureStatus.NOT_MATERIALIZED;
    };
  }

  public static ValueStatus fromProto(FeatureStatus status) {
    return switch (status) {
      case PRESENT -> ValueStatus.PRESENT;
      case NULL_VALUE -> ValueStatus.NULL_VALUE;
      case NOT_FOUND -> ValueStatus.NOT_FOUND;
      case OUTSIDE_MAX_AGE -> ValueStatus.OUTSIDE_MAX_AGE;
      case NOT_MATERIALIZED -> ValueStatus.NOT_MATERIALIZED;
      default -> throw new InvalidRequestException("unknown feature status " + status);
    };
  }
}
