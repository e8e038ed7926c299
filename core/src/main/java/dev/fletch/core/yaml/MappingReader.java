package dev.fletch.core.yaml;

import dev.fletch.core.Durations;
import dev.fletch.core.InvalidRequestException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Typed, located access to one YAML mapping. Every accessor reports what is wrong (unknown or
 * duplicate keys, missing required keys, wrong kinds of values) to {@link Problems} and returns
 * null instead of throwing, so that one load finds every problem.
 */
final class MappingReader {
  private final Problems problems;
  private final String file;
  private final Node node;
  private final Map<String, NodeTuple> entries = new LinkedHashMap<>();
  private final String what;

  private MappingReader(Problems problems, String file, Node node, String what) {
    this.problems = problems;
    this.file = file;
    this.node = node;
    this.what = what;
  }

  /**
   * A reader over {@code node}, or null (after reporting) when it is not a mapping. {@code what}
   * names the object in messages ("entity 'customer'").
   */
  static MappingReader of(
      Problems problems, String file, Node node, String what, Collection<String> allowedKeys) {
    if (!(node instanceof MappingNode mapping)) {
      problems.add(
          Loc.of(file, node), what + ": expected a mapping (key: value), found " + kind(node));
      return null;
    }
    MappingReader r = new MappingReader(problems, file, node, what);
    for (NodeTuple t : mapping.getValue()) {
      if (!(t.getKeyNode() instanceof ScalarNode keyNode)) {
        problems.add(Loc.of(file, t.getKeyNode()), what + ": keys must be plain names");
        continue;
      }
      String key = keyNode.getValue();
      NodeTuple first = r.entries.get(key);
      if (first != null) {
        problems.add(
            Loc.of(file, keyNode),
            what
                + ": duplicate key '"
                + key
                + "' (first at "
                + Loc.of(file, first.getKeyNode())
                + ")");
      } else if (!allowedKeys.contains(key)) {
        problems.add(
            Loc.of(file, keyNode),
            what + ": unknown key '" + key + "'" + Names.suggestion(key, allowedKeys));
      } else {
        r.entries.put(key, t);
      }
    }
    return r;
  }

  /**
   * Like {@link #of}, but names the object by its {@code name} value when it has one ("feature view
   * 'x'"), so that even problems found while reading its keys say which object they are in.
   */
  static MappingReader ofNamed(
      Problems problems,
      String file,
      Node node,
      String kind,
      String fallbackWhat,
      Collection<String> allowedKeys) {
    String what = fallbackWhat;
    if (node instanceof MappingNode mapping) {
      for (NodeTuple t : mapping.getValue()) {
        if (t.getKeyNode() instanceof ScalarNode k
            && k.getValue().equals("name")
            && t.getValueNode() instanceof ScalarNode v
            && !isNull(v)
            && !v.getValue().isBlank()) {
          what = kind + " '" + v.getValue() + "'";
          break;
        }
      }
    }
    return of(problems, file, node, what, allowedKeys);
  }

  String what() {
    return what;
  }

  String file() {
    return file;
  }

  /** Where the mapping starts. */
  Loc at() {
    return Loc.of(file, node);
  }

  boolean has(String key) {
    return value(key) != null;
  }

  /** Where the key's value is written, or where the key is, or where the mapping starts. */
  Loc valueAt(String key) {
    NodeTuple t = entries.get(key);
    return t == null ? at() : Loc.of(file, t.getValueNode());
  }

  /**
   * Where character {@code offset} of a scalar value is written: exact for a value on one line
   * (plain or quoted, without escapes before it), else the start of the value.
   */
  Loc valueAt(String key, int offset) {
    Node v = value(key);
    if (!(v instanceof ScalarNode s)
        || s.getStartMark() == null
        || s.getEndMark() == null
        || s.getStartMark().getLine() != s.getEndMark().getLine()) {
      return valueAt(key);
    }
    Loc start = Loc.of(file, s);
    boolean quoted = s.getScalarStyle() != org.yaml.snakeyaml.DumperOptions.ScalarStyle.PLAIN;
    return new Loc(file, start.line(), start.column() + offset + (quoted ? 1 : 0));
  }

  Loc keyAt(String key) {
    NodeTuple t = entries.get(key);
    return t == null ? at() : Loc.of(file, t.getKeyNode());
  }

  /** The value node, or null when the key is absent or its value is YAML null. */
  Node value(String key) {
    NodeTuple t = entries.get(key);
    if (t == null || isNull(t.getValueNode())) {
      return null;
    }
    return t.getValueNode();
  }

  void problem(Loc at, String message) {
    problems.add(at, what + ": " + message);
  }

  String string(String key, boolean required) {
    Node v = value(key);
    if (v == null) {
      if (required) {
        missing(key);
      }
      return null;
    }
    if (!(v instanceof ScalarNode s)) {
      problem(Loc.of(file, v), "'" + key + "' must be a single value, found " + kind(v));
      return null;
    }
    if (required && s.getValue().isBlank()) {
      problem(Loc.of(file, v), "'" + key + "' is empty");
      return null;
    }
    return s.getValue();
  }

  /**
   * A required name that must be an identifier; returned even when invalid so references still
   * match.
   */
  String name(String key, String label) {
    String n = string(key, true);
    if (n != null) {
      checkIdentifier(valueAt(key), label, n);
    }
    return n;
  }

  /** An optional identifier-valued key (a column name). */
  String optionalName(String key, String label) {
    String n = string(key, false);
    if (n != null) {
      checkIdentifier(valueAt(key), label, n);
    }
    return n;
  }

  void checkIdentifier(Loc at, String label, String value) {
    String why = Names.identifierProblem(value);
    if (why != null) {
      problem(at, label + " " + why);
    }
  }

  boolean bool(String key, boolean defaultValue) {
    String s = string(key, false);
    if (s == null) {
      return defaultValue;
    }
    switch (s.toLowerCase(Locale.ROOT)) {
      case "true", "yes", "on":
        return true;
      case "false", "no", "off":
        return false;
      default:
        problem(valueAt(key), "'" + key + "' must be true or false, not '" + s + "'");
        return defaultValue;
    }
  }

  Integer integer(String key, int min, int max) {
    String s = string(key, false);
    if (s == null) {
      return null;
    }
    try {
      int n = Integer.parseInt(s.trim());
      if (n < min || n > max) {
        problem(
            valueAt(key), "'" + key + "' must be between " + min + " and " + max + ", not " + n);
        return null;
      }
      return n;
    } catch (NumberFormatException e) {
      problem(valueAt(key), "'" + key + "' must be a whole number, not '" + s + "'");
      return null;
    }
  }

  /** An optional duration; {@code null} when absent or invalid (reported). */
  Duration duration(String key) {
    String s = string(key, false);
    if (s == null) {
      return null;
    }
    try {
      return Durations.parse(s);
    } catch (InvalidRequestException e) {
      problem(valueAt(key), "'" + key + "': " + e.getMessage());
      return null;
    }
  }

  /** The items of a list value; empty when absent (reported when required) or not a list. */
  List<Node> list(String key, boolean required) {
    Node v = value(key);
    if (v == null) {
      if (required) {
        missing(key);
      }
      return List.of();
    }
    if (!(v instanceof SequenceNode seq)) {
      problem(Loc.of(file, v), "'" + key + "' must be a list, found " + kind(v));
      return List.of();
    }
    return seq.getValue();
  }

  /** A list of plain values, each with where it is written. */
  List<Located> scalarList(String key, boolean required) {
    List<Located> out = new ArrayList<>();
    for (Node item : list(key, required)) {
      if (item instanceof ScalarNode s && !isNull(s) && !s.getValue().isBlank()) {
        out.add(new Located(s.getValue(), Loc.of(file, s)));
      } else {
        problem(
            Loc.of(file, item), "items of '" + key + "' must be plain names, found " + kind(item));
      }
    }
    return out;
  }

  /** A mapping of plain values ({@code tags}, {@code field_mapping}); empty when absent. */
  Map<String, Located> stringMap(String key) {
    Map<String, Located> out = new LinkedHashMap<>();
    Node v = value(key);
    if (v == null) {
      return out;
    }
    if (!(v instanceof MappingNode m)) {
      problem(Loc.of(file, v), "'" + key + "' must be a mapping (key: value), found " + kind(v));
      return out;
    }
    for (NodeTuple t : m.getValue()) {
      if (!(t.getKeyNode() instanceof ScalarNode k)
          || !(t.getValueNode() instanceof ScalarNode val)) {
        problem(
            Loc.of(file, t.getKeyNode()), "'" + key + "' entries must be plain key: value pairs");
        continue;
      }
      if (out.containsKey(k.getValue())) {
        problem(Loc.of(file, k), "'" + key + "' has duplicate key '" + k.getValue() + "'");
        continue;
      }
      out.put(k.getValue(), new Located(isNull(val) ? "" : val.getValue(), Loc.of(file, val)));
    }
    return out;
  }

  static Map<String, String> values(Map<String, Located> map) {
    Map<String, String> out = new LinkedHashMap<>();
    map.forEach((k, v) -> out.put(k, v.value()));
    return out;
  }

  private void missing(String key) {
    problem(at(), "missing required key '" + key + "'");
  }

  static boolean isNull(Node n) {
    return n instanceof ScalarNode s && Tag.NULL.equals(s.getTag());
  }

  static String kind(Node n) {
    if (n instanceof MappingNode) {
      return "a mapping";
    }
    if (n instanceof SequenceNode) {
      return "a list";
    }
    if (isNull(n)) {
      return "nothing";
    }
    return n instanceof ScalarNode s ? "'" + s.getValue() + "'" : "something else";
  }

  /** A plain value and where it is written. */
  record Located(String value, Loc at) {}
}
