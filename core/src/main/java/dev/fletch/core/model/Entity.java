package dev.fletch.core.model;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;

/** A thing features describe (a customer, a merchant), identified by one or more join keys. */
public record Entity(
    String name, List<JoinKey> joinKeys, String description, Map<String, String> tags) {
  public Entity {
    requireNonNull(name, "name is null");
    joinKeys = List.copyOf(requireNonNull(joinKeys, "joinKeys is null"));
    description = description == null ? "" : description;
    tags = tags == null ? Map.of() : Map.copyOf(tags);
  }
}
