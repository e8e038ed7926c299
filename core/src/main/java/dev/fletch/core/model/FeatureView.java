package dev.fletch.core.model;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A group of features computed from one source for one or more entities.
 *
 * <p>{@code ttl} zero means values never expire. {@code schedule} (may be null) is how often {@code
 * fletch serve} runs incremental materialization for this view.
 *
 * <p>An aggregated view ({@code aggregations} not empty) computes each feature over time windows of
 * its source's events, in tiles of {@code hop}; its {@code features} are the aggregations' outputs
 * (derived, in order). A plain view has no aggregations and a null hop.
 *
 * <p>{@code monitoring} (may be null) holds the view's drift thresholds; a view without them is
 * stored exactly as before they existed, so its content hash does not move.
 *
 * <p>{@code lateness} (may be null: the default, {@link #lateness(boolean)}) is how far before its
 * watermark an incremental materialization re-reads the source, for rows that land in the files
 * after their event time was materialized.
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
    Duration schedule,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Aggregation> aggregations,
    @JsonInclude(JsonInclude.Include.NON_NULL) Duration hop,
    @JsonInclude(JsonInclude.Include.NON_NULL) Monitoring monitoring,
    @JsonInclude(JsonInclude.Include.NON_NULL) Duration lateness) {
  /**
   * The re-read window of a source without a created-time column when the view sets none: rows may
   * land up to an hour after their event time was materialized and still reach the online store.
   */
  public static final Duration DEFAULT_LATENESS = Duration.ofHours(1);

  /** A view without an explicit lateness. */
  public FeatureView(
      String name,
      List<String> entities,
      String source,
      Duration ttl,
      boolean online,
      List<Feature> features,
      String description,
      String owner,
      Map<String, String> tags,
      Duration schedule,
      List<Aggregation> aggregations,
      Duration hop,
      Monitoring monitoring) {
    this(
        name,
        entities,
        source,
        ttl,
        online,
        features,
        description,
        owner,
        tags,
        schedule,
        aggregations,
        hop,
        monitoring,
        null);
  }

  /** A view without drift thresholds of its own or an explicit lateness. */
  public FeatureView(
      String name,
      List<String> entities,
      String source,
      Duration ttl,
      boolean online,
      List<Feature> features,
      String description,
      String owner,
      Map<String, String> tags,
      Duration schedule,
      List<Aggregation> aggregations,
      Duration hop) {
    this(
        name,
        entities,
        source,
        ttl,
        online,
        features,
        description,
        owner,
        tags,
        schedule,
        aggregations,
        hop,
        null);
  }

  /** A plain view (no aggregations). */
  public FeatureView(
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
    this(
        name,
        entities,
        source,
        ttl,
        online,
        features,
        description,
        owner,
        tags,
        schedule,
        null,
        null,
        null);
  }

  public FeatureView {
    requireNonNull(name, "name is null");
    entities = List.copyOf(requireNonNull(entities, "entities is null"));
    requireNonNull(source, "source is null");
    ttl = ttl == null ? Duration.ZERO : ttl;
    aggregations = aggregations == null ? List.of() : List.copyOf(aggregations);
    if (!aggregations.isEmpty()) {
      requireNonNull(hop, "an aggregated view needs a hop");
      features = aggregations.stream().map(Aggregation::feature).toList();
    } else {
      hop = null;
    }
    features = List.copyOf(requireNonNull(features, "features is null"));
    description = description == null ? "" : description;
    owner = owner == null ? "" : owner;
    tags = tags == null ? Map.of() : Map.copyOf(tags);
  }

  /** This view with {@code monitoring} as its drift thresholds (null: the defaults). */
  public FeatureView withMonitoring(Monitoring monitoring) {
    return new FeatureView(
        name,
        entities,
        source,
        ttl,
        online,
        features,
        description,
        owner,
        tags,
        schedule,
        aggregations,
        hop,
        monitoring,
        lateness);
  }

  /** The view's drift thresholds, the defaults where it sets none. */
  public Monitoring thresholds() {
    return monitoring == null ? Monitoring.DEFAULTS : monitoring.withDefaults();
  }

  /** Whether the view computes window aggregations (its features are their outputs). */
  public boolean aggregated() {
    return !aggregations.isEmpty();
  }

  /** The longest window of an aggregated view (zero for a plain view). */
  public Duration longestWindow() {
    return aggregations.stream()
        .map(Aggregation::window)
        .max(Duration::compareTo)
        .orElse(Duration.ZERO);
  }

  public Optional<Aggregation> aggregation(String featureName) {
    return aggregations.stream().filter(a -> a.name().equals(featureName)).findFirst();
  }

  /**
   * How far before its watermark an incremental job re-reads the source: {@code lateness} when set;
   * else none when the source has a created-time column (late rows are then found by it) and {@link
   * #DEFAULT_LATENESS} when it has not.
   */
  public Duration lateness(boolean sourceHasCreatedTime) {
    if (lateness != null) {
      return lateness;
    }
    return sourceHasCreatedTime ? Duration.ZERO : DEFAULT_LATENESS;
  }

  /** This view with {@code features} (a plain view) and everything else kept. */
  public FeatureView withFeatures(List<Feature> newFeatures) {
    return new FeatureView(
        name,
        entities,
        source,
        ttl,
        online,
        newFeatures,
        description,
        owner,
        tags,
        schedule,
        List.of(),
        null,
        monitoring,
        lateness);
  }

  /** This aggregated view with {@code newAggregations} and everything else kept. */
  public FeatureView withAggregations(List<Aggregation> newAggregations) {
    return new FeatureView(
        name,
        entities,
        source,
        ttl,
        online,
        List.of(),
        description,
        owner,
        tags,
        schedule,
        newAggregations,
        hop,
        monitoring,
        lateness);
  }

  public boolean hasTtl() {
    return !ttl.isZero();
  }

  public Optional<Feature> feature(String featureName) {
    return features.stream().filter(f -> f.name().equals(featureName)).findFirst();
  }
}
