package dev.fletch.core.model;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * One feature of a view. {@code expression} is a SQL expression over the source's columns (after
 * field mapping); null means the source column with the feature's name.
 */
public record Feature(
    String name, ValueType type, String expression, String description, Map<String, String> tags) {
  public Feature {
    requireNonNull(name, "name is null");
    requireNonNull(type, "type is null");
    description = description == null ? "" : description;
    tags = tags == null ? Map.of() : Map.copyOf(tags);
  }

  /** The SQL that computes this feature from a source row: the expression, or the column itself. */
  public boolean hasExpression() {
    return expression != null && !expression.isBlank();
  }
}
