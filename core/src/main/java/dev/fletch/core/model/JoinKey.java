package dev.fletch.core.model;

import static java.util.Objects.requireNonNull;

/** One column that identifies an entity, with its type (INT32, INT64 or STRING). */
public record JoinKey(String name, ValueType type) {
  public JoinKey {
    requireNonNull(name, "name is null");
    requireNonNull(type, "type is null");
  }
}
