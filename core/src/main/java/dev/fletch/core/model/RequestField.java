package dev.fletch.core.model;

import static java.util.Objects.requireNonNull;

/**
 * A value the caller sends with each entity row for on-demand features: a column of the entity rows
 * in training sets, a column of {@code entities} beside the join keys in serving requests.
 */
public record RequestField(String name, ValueType type, String description) {
  public RequestField {
    requireNonNull(name, "name is null");
    requireNonNull(type, "type is null");
    description = description == null ? "" : description;
  }
}
