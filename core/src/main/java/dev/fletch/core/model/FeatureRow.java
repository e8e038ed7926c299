package dev.fletch.core.model;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Collections;
import java.util.List;

/**
 * The values of one feature view for one entity at one event time; {@code values} follow the view's
 * feature order and use the Java types documented on {@link ValueType} (null = missing).
 */
public record FeatureRow(EntityKey key, Instant eventTime, List<Object> values) {
  public FeatureRow {
    requireNonNull(key, "key is null");
    requireNonNull(eventTime, "eventTime is null");
    requireNonNull(values, "values is null");
    values = Collections.unmodifiableList(values);
  }
}
