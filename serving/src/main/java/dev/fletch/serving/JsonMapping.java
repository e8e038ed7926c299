package dev.fletch.serving;

import dev.fletch.core.ErrorBody;
import dev.fletch.core.InvalidRequestException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The HTTP twin's JSON, mirroring the proto's field names. Values are plain JSON: numbers, strings,
 * booleans, arrays for lists, base64 text for BYTES, ISO-8601 text for TIMESTAMP, null for missing;
 * NaN and infinities as the strings "NaN", "Infinity", "-Infinity".
 */
public final class JsonMapping {
  private JsonMapping() {}

  /**
   * Parses a GetFeatures body: {@code {project?, features?|feature_service?, entities,
   * full_feature_names?}}.
   */
  public static OnlineQuery toQuery(JsonObject body) {
    if (body == null) {
      throw new InvalidRequestException("the request body must be a JSON object");
    }
    try {
      Map<String, List<Object>> entities = new LinkedHashMap<>();
      JsonObject ents = body.getJsonObject("entities");
      if (ents == null) {
        throw new InvalidRequestException(
            "missing 'entities': give join key name -> array of values, e.g. {\"customer_id\": [1, 2]}");
      }
      for (String key : ents.fieldNames()) {
        Object column = ents.getValue(key);
        if (!(column instanceof JsonArray array)) {
          throw new InvalidRequestException("entities['" + key + "'] must be an array of values");
        }
        List<Object> values = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
          values.add(array.getValue(i));
        }
        entities.put(key, values);
      }
      return new OnlineQuery(
          body.getString("project"),
          strings(body.getJsonArray("features"), "features"),
          body.getString("feature_service"),
          entities,
          Boolean.TRUE.equals(body.getBoolean("full_feature_names")));
    } catch (ClassCastException e) {
      throw new InvalidRequestException("malformed request body: " + e.getMessage(), e);
    }
  }

  static List<String> strings(JsonArray array, String field) {
    if (array == null) {
      return List.of();
    }
    List<String> out = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      if (!(array.getValue(i) instanceof String s)) {
        throw new InvalidRequestException("'" + field + "' must be an array of strings");
      }
      out.add(s);
    }
    return out;
  }

  /**
   * Writes a GetFeatures answer: {@code {feature_names, entity_rows, features: [{name, feature_ref,
   * type, values, statuses, event_times}]}}.
   */
  public static JsonObject toJson(OnlineResult result) {
    JsonArray names = new JsonArray();
    JsonArray features = new JsonArray();
    for (OnlineResult.Column c : result.columns()) {
      names.add(c.name());
      JsonArray values = new JsonArray(new ArrayList<>(result.entityRows()));
      JsonArray statuses = new JsonArray(new ArrayList<>(result.entityRows()));
      JsonArray times = new JsonArray(new ArrayList<>(result.entityRows()));
      for (int r = 0; r < result.entityRows(); r++) {
        values.add(toJsonValue(c.values().get(r)));
        statuses.add(c.statuses().get(r).name());
        Instant t = c.eventTimes().get(r);
        times.add(t == null ? null : t.toString());
      }
      features.add(
          new JsonObject()
              .put("name", c.name())
              .put("feature_ref", c.ref().toString())
              .put("type", c.type().name())
              .put("values", values)
              .put("statuses", statuses)
              .put("event_times", times));
    }
    return new JsonObject()
        .put("feature_names", names)
        .put("entity_rows", result.entityRows())
        .put("features", features);
  }

  /**
   * One served value as the JSON answer shows it: numbers, booleans and strings as they are, BYTES
   * base64, TIMESTAMP ISO-8601, lists as arrays.
   */
  public static Object toJsonValue(Object v) {
    if (v == null
        || v instanceof Boolean
        || v instanceof String
        || v instanceof Integer
        || v instanceof Long) {
      return v;
    }
    if (v instanceof Double d) {
      return Double.isFinite(d) ? d : d.toString();
    }
    if (v instanceof Float f) {
      return Float.isFinite(f) ? f : f.toString();
    }
    if (v instanceof byte[] b) {
      return Base64.getEncoder().encodeToString(b);
    }
    if (v instanceof Instant t) {
      return t.toString();
    }
    if (v instanceof List<?> list) {
      JsonArray out = new JsonArray(new ArrayList<>(list.size()));
      for (Object e : list) {
        out.add(toJsonValue(e));
      }
      return out;
    }
    return v.toString();
  }

  /**
   * The error body of every failed call, the shape of every HTTP route ({@link ErrorBody}): {@code
   * {"error": {"code": "NOT_FOUND", "message": "...", "problems": []}}}.
   */
  public static JsonObject error(Throwable error) {
    return new JsonObject(ErrorBody.of(ErrorCodes.cause(error)));
  }
}
