package dev.fletch.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Field-level differences between two versions of one definition, as {@code path: old -> new}.
 * Lists of named things (features, join keys) are matched by name so that a reordering or an
 * insertion reports what changed, not every index after it.
 */
final class JsonDiff {
  private JsonDiff() {}

  static List<String> diff(JsonNode before, JsonNode after) {
    List<String> out = new ArrayList<>();
    walk("", before, after, out);
    return out;
  }

  private static void walk(String path, JsonNode a, JsonNode b, List<String> out) {
    if (a.equals(b)) {
      return;
    }
    // An object added or removed as a whole (a view's monitoring thresholds) is shown field by
    // field, as a change of it would be.
    if ((a.isObject() || a.isMissingNode()) && (b.isObject() || b.isMissingNode())) {
      TreeSet<String> fields = new TreeSet<>();
      a.fieldNames().forEachRemaining(fields::add);
      b.fieldNames().forEachRemaining(fields::add);
      for (String f : fields) {
        walk(path.isEmpty() ? f : path + "." + f, a.path(f), b.path(f), out);
      }
    } else if (a.isArray() && b.isArray() && named(a) && named(b)) {
      Map<String, JsonNode> before = byName(a);
      Map<String, JsonNode> after = byName(b);
      int reported = out.size();
      for (Map.Entry<String, JsonNode> e : before.entrySet()) {
        String p = path + "[" + e.getKey() + "]";
        JsonNode other = after.get(e.getKey());
        if (other == null) {
          out.add(p + ": removed");
        } else {
          walk(p, e.getValue(), other, out);
        }
      }
      for (String name : after.keySet()) {
        if (!before.containsKey(name)) {
          out.add(path + "[" + name + "]: added");
        }
      }
      if (out.size() == reported) {
        out.add(path + ": order " + before.keySet() + " -> " + after.keySet());
      }
    } else {
      String key = path.substring(path.lastIndexOf('.') + 1);
      out.add(yamlPath(path) + ": " + show(key, a) + " -> " + show(key, b));
    }
  }

  /**
   * A path in the YAML's words: {@code createdTimestampField} -> {@code created_timestamp_field}.
   */
  static String yamlPath(String path) {
    StringBuilder sb = new StringBuilder(path.length() + 8);
    for (String segment : path.split("\\.", -1)) {
      if (sb.length() > 0) {
        sb.append('.');
      }
      int bracket = segment.indexOf('[');
      String field = bracket < 0 ? segment : segment.substring(0, bracket);
      sb.append(dev.fletch.core.DefinitionJson.yamlKey(field));
      if (bracket >= 0) {
        sb.append(segment.substring(bracket));
      }
    }
    return sb.toString();
  }

  /** A value as the YAML writes it: durations as {@code 7d}, not {@code PT168H}. */
  private static String show(String key, JsonNode n) {
    if (n != null
        && n.isTextual()
        && dev.fletch.core.DefinitionJson.DURATION_FIELDS.contains(key)) {
      try {
        java.time.Duration d = java.time.Duration.parse(n.asText());
        return d.isZero() ? "0" : dev.fletch.core.Durations.format(d);
      } catch (java.time.format.DateTimeParseException e) {
        return n.asText();
      }
    }
    return show(n);
  }

  /** Whether every element is an object with a distinct text {@code name}. */
  private static boolean named(JsonNode array) {
    if (array.isEmpty()) {
      return true;
    }
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (JsonNode n : array) {
      if (!n.isObject() || !n.path("name").isTextual() || !seen.add(n.get("name").asText())) {
        return false;
      }
    }
    return true;
  }

  private static Map<String, JsonNode> byName(JsonNode array) {
    Map<String, JsonNode> map = new LinkedHashMap<>();
    array.forEach(n -> map.put(n.get("name").asText(), n));
    return map;
  }

  private static String show(JsonNode n) {
    if (n == null || n instanceof MissingNode) {
      return "(none)";
    }
    return n.isTextual() ? n.asText() : n.toString();
  }
}
