package dev.fletch.core.model;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;

/** A named set of feature references ({@code view:feature} or {@code view:*}) that a model uses. */
public record FeatureService(
    String name,
    List<String> features,
    String description,
    String owner,
    Map<String, String> tags) {
  public FeatureService {
    requireNonNull(name, "name is null");
    features = List.copyOf(requireNonNull(features, "features is null"));
    description = description == null ? "" : description;
    owner = owner == null ? "" : owner;
    tags = tags == null ? Map.of() : Map.copyOf(tags);
  }
}
