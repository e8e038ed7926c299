package dev.fletch.core.model;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A group of features computed from one source for one or more entities.
 *
 * <p>{@code ttl} zero means values never expire. {@code schedule} (may be null) is how often {@code
 * fletch serve} runs incremental materialization for this view.
 */
public record FeatureView(
    String name,
    List<String> entities,
    String source,
    Duration ttl,
    boolean online,
    List<Feature> features,
    String description,
    String owner,
    Map<String, String> tags,
    Duration schedule) {
  public FeatureView {
    requireNonNull(name, "name is null");
    entities = List.copyOf(requireNonNull(entities, "entities is null"));
    requireNonNull(source, "source is null");
    ttl = ttl == null ? Duration.ZERO : ttl;
    features = List.copyOf(requireNonNull(features, "features is null"));
    description = description == null ? "" : description;
    owner = owner == null ? "" : owner;
    tags = tags == null ? Map.of() : Map.copyOf(tags);
  }

  public boolean hasTtl() {
    return !ttl.isZero();
  }

  public Optional<Feature> feature(String featureName) {
    return features.stream().filter(f -> f.name().equals(featureName)).findFirst();
  }
}
