package dev.fletch.serving;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One online lookup in plain Java: the features (refs or a service), and the entity rows as columns
 * (join key name -> one value per row; integers as Long/Integer, strings as String).
 *
 * @param project the project, or null for the one the server serves
 * @param features {@code view:feature} / {@code view:*} refs; empty when {@code service} is given
 * @param service a feature service name, or null
 * @param entities join key name -> values, every column of the same length
 * @param fullNames name every output {@code view__feature}
 */
public record OnlineQuery(
    String project,
    List<String> features,
    String service,
    Map<String, List<Object>> entities,
    boolean fullNames) {
  public OnlineQuery {
    features = features == null ? List.of() : List.copyOf(features);
    service = service == null || service.isBlank() ? null : service;
    project = project == null || project.isBlank() ? null : project;
    requireNonNull(entities, "entities is null");
    // Values may be null here (rejected later with the row named), so List.copyOf is not used.
    Map<String, List<Object>> copy = new LinkedHashMap<>();
    entities.forEach(
        (k, v) ->
            copy.put(
                requireNonNull(k, "entity column name is null"),
                Collections.unmodifiableList(
                    requireNonNull(v, "entity column '" + k + "' is null"))));
    entities = Collections.unmodifiableMap(copy);
  }

  /** A lookup of feature refs. */
  public static OnlineQuery ofFeatures(
      List<String> features, Map<String, ? extends List<?>> entities) {
    return new OnlineQuery(
        null, requireNonNull(features, "features is null"), null, cast(entities), false);
  }

  /** A lookup of a feature service's features. */
  public static OnlineQuery ofService(String service, Map<String, ? extends List<?>> entities) {
    return new OnlineQuery(
        null, List.of(), requireNonNull(service, "service is null"), cast(entities), false);
  }

  public OnlineQuery withFullNames(boolean value) {
    return new OnlineQuery(project, features, service, entities, value);
  }

  public OnlineQuery withProject(String value) {
    return new OnlineQuery(value, features, service, entities, fullNames);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, List<Object>> cast(Map<String, ? extends List<?>> entities) {
    return (Map<String, List<Object>>)
        (Map<String, ?>) requireNonNull(entities, "entities is null");
  }
}
