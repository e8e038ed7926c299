package dev.fletch.core.model;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * One aggregated feature of a view: {@code function} over {@code window} of the view's source
 * events, of the input {@code column} or {@code expression} (both null: every event, for COUNT).
 * {@code inputType} is the input's type as declared (default DOUBLE); the feature's type is {@link
 * #outputType()}. The value at time t aggregates the events with event time in [floor_hop(t -
 * window), t], see {@link dev.fletch.core.window.Windows}.
 */
public record Aggregation(
    String name,
    AggregationFunction function,
    String column,
    String expression,
    ValueType inputType,
    Duration window) {
  public Aggregation {
    requireNonNull(name, "name is null");
    requireNonNull(function, "function is null");
    requireNonNull(window, "window is null");
    inputType = inputType == null ? ValueType.DOUBLE : inputType;
    if (column != null && expression != null) {
      throw new IllegalArgumentException("an aggregation has a column or an expression, not both");
    }
  }

  /** The type of the aggregated value. */
  public ValueType outputType() {
    return function.outputType(inputType);
  }

  /** Whether the input is every event (a COUNT without a column). */
  public boolean countsEvents() {
    return column == null && expression == null;
  }

  /**
   * What the input is, for grouping aggregations that share their partial values: the column, the
   * expression in its canonical form, or {@code *}.
   */
  public String inputKey() {
    return column != null ? "c:" + column : expression != null ? "e:" + expression : "*";
  }

  /** The feature this aggregation serves as. */
  public Feature feature() {
    return new Feature(name, outputType(), null, null, null);
  }
}
