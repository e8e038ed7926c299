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

  /** The fields of a GetFeatures body. */
  static final String ONLINE_FIELDS =
      "project, features, feature_service, entities, full_feature_names";

  /**
   * Parses a GetFeatures body: {@code {project?, features?|feature_service?, entities,
   * full_feature_names?}}. Entities come as columns ({@code {"customer_id": [1, 2]}}, as in the
   * proto) or as rows ({@code [{"customer_id": 1}, {"customer_id": 2}]}, as historical retrieval
   * takes them). A field of the wrong JSON type is refused naming the field and what it must be.
   */
  public static OnlineQuery toQuery(JsonObject body) {
    if (body == null) {
      throw new InvalidRequestException(
          "the request body must be a JSON object: {\"features\": [...], \"entities\": {...}}");
    }
    String project = null;
    String service = null;
    List<String> features = List.of();
    boolean fullNames = false;
    Object entities = null;
    for (String field : body.fieldNames()) {
      Object value = body.getValue(field);
      switch (field) {
        case "project" -> project = optionalText(value, field);
        case "feature_service" -> service = optionalText(value, field);
        case "features" -> features = strings(value, field);
        case "full_feature_names" -> fullNames = flag(value, field);
        case "entities" -> entities = value;
        default ->
            throw new InvalidRequestException(
                "unknown field '"
                    + field
                    + "' in a GetFeatures request; the fields are "
                    + ONLINE_FIELDS);
      }
    }
    return new OnlineQuery(project, features, service, entityColumns(entities), fullNames);
  }

  /** {@code entities} as columns, from either shape. */
  static Map<String, List<Object>> entityColumns(Object entities) {
    if (entities == null) {
      throw new InvalidRequestException(
          "missing 'entities': give the entity rows as columns, {\"customer_id\": [1, 2]}, or as"
              + " rows, [{\"customer_id\": 1}, {\"customer_id\": 2}]");
    }
    Map<String, List<Object>> columns = new LinkedHashMap<>();
    if (entities instanceof JsonObject byColumn) {
      for (String key : byColumn.fieldNames()) {
        Object column = byColumn.getValue(key);
        if (!(column instanceof JsonArray array)) {
          throw new InvalidRequestException(
              "entities."
                  + key
                  + " must be an array of values, one per entity row, e.g. [1, 2]; got "
                  + describe(column));
        }
        List<Object> values = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
          values.add(scalar(array.getValue(i), "entities." + key + "[" + i + "]"));
        }
        columns.put(key, values);
      }
      return columns;
    }
    if (entities instanceof JsonArray byRow) {
      for (int r = 0; r < byRow.size(); r++) {
        if (!(byRow.getValue(r) instanceof JsonObject row)) {
          throw new InvalidRequestException(
              "entities["
                  + r
                  + "] must be an object of join key values, e.g. {\"customer_id\": 1}; got "
                  + describe(byRow.getValue(r)));
        }
        for (String key : row.fieldNames()) {
          if (r > 0 && !columns.containsKey(key)) {
            throw new InvalidRequestException(
                "entities["
                    + r
                    + "] has '"
                    + key
                    + "', which entities[0] has not: every row"
                    + " needs the same keys");
          }
          columns
              .computeIfAbsent(key, k -> new ArrayList<>(byRow.size()))
              .add(scalar(row.getValue(key), "entities[" + r + "]." + key));
        }
        for (Map.Entry<String, List<Object>> c : columns.entrySet()) {
          if (c.getValue().size() != r + 1) {
            throw new InvalidRequestException(
                "entities["
                    + r
                    + "] has no '"
                    + c.getKey()
                    + "', which entities[0] has: every"
                    + " row needs the same keys");
          }
        }
      }
      return columns;
    }
    throw new InvalidRequestException(
        "'entities' must be an object of columns, {\"customer_id\": [1, 2]}, or an array of rows,"
            + " [{\"customer_id\": 1}, {\"customer_id\": 2}]; got "
            + describe(entities));
  }

  /** A join key's value: a number, a string, a boolean or null, never an array or object. */
  private static Object scalar(Object v, String where) {
    if (v instanceof JsonArray || v instanceof JsonObject) {
      throw new InvalidRequestException(
          where + " must be a number or a string; got " + describe(v));
    }
    return v;
  }

  private static String optionalText(Object v, String field) {
    if (v == null || v instanceof String) {
      return (String) v;
    }
    throw new InvalidRequestException("'" + field + "' must be a string; got " + describe(v));
  }

  private static boolean flag(Object v, String field) {
    if (v == null || v instanceof Boolean) {
      return Boolean.TRUE.equals(v);
    }
    throw new InvalidRequestException("'" + field + "' must be true or false; got " + describe(v));
  }

  /** An array of strings (null: empty). */
  static List<String> strings(Object v, String field) {
    if (v == null) {
      return List.of();
    }
    if (!(v instanceof JsonArray array)) {
      throw new InvalidRequestException(
          "'"
              + field
              + "' must be an array of strings, e.g. [\"customer_profile:age\","
              + " \"customer_profile:*\"]; got "
              + describe(v));
    }
    List<String> out = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      if (!(array.getValue(i) instanceof String s)) {
        throw new InvalidRequestException(
            field + "[" + i + "] must be a string; got " + describe(array.getValue(i)));
      }
      out.add(s);
    }
    return out;
  }

  /** A JSON value's type in words, with short values shown: {@code a string ("x:y")}. */
  static String describe(Object v) {
    if (v == null) {
      return "null";
    }
    if (v instanceof JsonObject) {
      return "an object";
    }
    if (v instanceof JsonArray) {
      return "an array";
    }
    if (v instanceof Boolean b) {
      return "a boolean (" + b + ")";
    }
    if (v instanceof Number n) {
      return "a number (" + n + ")";
    }
    String text = v.toString();
    return "a string (\"" + (text.length() > 40 ? text.substring(0, 37) + "..." : text) + "\")";
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
