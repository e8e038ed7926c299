package dev.fletch.core.model;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;

/**
 * Where in the definitions something is, by name, e.g. {@code
 * feature_views[trips].features[fare].type} or {@code sources[trips].timestamp_field}: how checks
 * made outside the YAML loader (reading a source's files) name what they are about, so that a
 * loader can put the problem at its file, line and column, and a JSON client can read the path.
 * Segments are kept apart, so names holding dots or brackets do not confuse {@link #parent()}.
 */
public record DefinitionPath(List<String> segments) {
  public DefinitionPath {
    segments = List.copyOf(requireNonNull(segments, "segments is null"));
    if (segments.isEmpty()) {
      throw new IllegalArgumentException("a definition path has at least one segment");
    }
  }

  public static DefinitionPath source(String name) {
    return new DefinitionPath(List.of("sources[" + name + "]"));
  }

  public static DefinitionPath view(String name) {
    return new DefinitionPath(List.of("feature_views[" + name + "]"));
  }

  /** A feature of a view (for an aggregated view: the aggregation that computes it). */
  public static DefinitionPath feature(String view, String feature) {
    return view(view).item("features", feature);
  }

  /** This path's key {@code key}, e.g. {@code .timestamp_field}. */
  public DefinitionPath key(String key) {
    List<String> s = new ArrayList<>(segments);
    s.add(key);
    return new DefinitionPath(s);
  }

  /** An entry {@code name} of this path's list or map {@code key}, e.g. {@code .features[fare]}. */
  public DefinitionPath item(String key, String name) {
    List<String> s = new ArrayList<>(segments);
    s.add(key + "[" + name + "]");
    return new DefinitionPath(s);
  }

  /** The path one segment up; null at the top (a whole object). */
  public DefinitionPath parent() {
    return segments.size() == 1
        ? null
        : new DefinitionPath(segments.subList(0, segments.size() - 1));
  }

  @Override
  public String toString() {
    return String.join(".", segments);
  }
}
