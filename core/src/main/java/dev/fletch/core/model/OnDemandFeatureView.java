package dev.fletch.core.model;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Features computed at request time from fields the caller sends ({@code requestFields}) and the
 * features of other views ({@code views}: plain, aggregated or other on-demand views), each by a
 * checked expression. Training sets compute them in the same query as the point-in-time join;
 * serving evaluates the same expressions after its store reads. Every feature has an expression; a
 * request field is read by its plain name, another view's feature as {@code view.feature}.
 */
public record OnDemandFeatureView(
    String name,
    List<RequestField> requestFields,
    List<String> views,
    List<Feature> features,
    String description,
    String owner,
    Map<String, String> tags) {
  public OnDemandFeatureView {
    requireNonNull(name, "name is null");
    requestFields = List.copyOf(requireNonNull(requestFields, "requestFields is null"));
    views = List.copyOf(requireNonNull(views, "views is null"));
    features = List.copyOf(requireNonNull(features, "features is null"));
    description = description == null ? "" : description;
    owner = owner == null ? "" : owner;
    tags = tags == null ? Map.of() : Map.copyOf(tags);
  }

  public Optional<Feature> feature(String featureName) {
    return features.stream().filter(f -> f.name().equals(featureName)).findFirst();
  }

  public Optional<RequestField> requestField(String fieldName) {
    return requestFields.stream().filter(f -> f.name().equals(fieldName)).findFirst();
  }
}
