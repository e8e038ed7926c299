package dev.fletch.core.model;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;

/**
 * The identity of one entity row for one feature view: the view's join-key names, in the view's
 * order (entities in declared order, each entity's keys in declared order), and their values.
 * Integer values are normalised to Long so that keys from DuckDB, JSON and protobuf compare equal.
 */
public record EntityKey(List<String> names, List<Object> values) {
  public EntityKey {
    requireNonNull(names, "names is null");
    requireNonNull(values, "values is null");
    if (names.size() != values.size()) {
      throw new IllegalArgumentException(
          "names and values differ in size: " + names + " / " + values);
    }
    names = List.copyOf(names);
    List<Object> normalised = new ArrayList<>(values.size());
    for (Object v : values) {
      requireNonNull(v, "join key value is null");
      if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
        normalised.add(((Number) v).longValue());
      } else if (v instanceof Long || v instanceof String) {
        normalised.add(v);
      } else {
        throw new IllegalArgumentException(
            "join key values must be integers or strings, got " + v.getClass().getSimpleName());
      }
    }
    values = List.copyOf(normalised);
  }

  public static EntityKey of(String name, Object value) {
    return new EntityKey(List.of(name), List.of(value));
  }
}
