package dev.fletch.core.model;

import java.util.Locale;

/**
 * What a window aggregation computes over the non-null inputs of the events in its window. No
 * events (or only null inputs): {@link #COUNT} is 0, every other function NULL.
 */
public enum AggregationFunction {
  /** Non-null inputs (every event when the aggregation has no input); INT64. */
  COUNT,
  /** Sum; INT64 for integer inputs, DOUBLE for floating ones. */
  SUM,
  /** Mean; DOUBLE. */
  AVG,
  /** Smallest input; the input's type. */
  MIN,
  /** Largest input; the input's type. */
  MAX,
  /** Sample standard deviation (n - 1); DOUBLE, NULL for fewer than two inputs. */
  STDDEV,
  /**
   * The input of the latest event by event time (then created time; equal times: the largest
   * input); the input's type.
   */
  LAST,
  /**
   * Distinct non-null inputs; INT64, 0 without events like {@link #COUNT}. Exact on both sides
   * (tiles hold the set of values), so an online entry grows with the distinct values per hop.
   * Integers, STRING, BOOL and TIMESTAMP only: two floating values that print alike can differ in
   * their bits.
   */
  COUNT_DISTINCT;

  /** The name used in YAML and in output names ({@code sum}, {@code stddev}). */
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The function named {@code key} in YAML, or null. */
  public static AggregationFunction of(String key) {
    for (AggregationFunction f : values()) {
      if (f.key().equals(key)) {
        return f;
      }
    }
    return null;
  }

  /** Whether an input of this type can be aggregated by this function. */
  public boolean accepts(ValueType input) {
    return switch (this) {
      case COUNT -> !input.isList();
      case SUM, AVG, STDDEV -> isNumeric(input);
      case MIN, MAX ->
          isNumeric(input) || input == ValueType.STRING || input == ValueType.TIMESTAMP;
      case LAST -> !input.isList() && input != ValueType.BYTES;
      case COUNT_DISTINCT ->
          input == ValueType.INT32
              || input == ValueType.INT64
              || input == ValueType.STRING
              || input == ValueType.BOOL
              || input == ValueType.TIMESTAMP;
    };
  }

  /** What {@link #accepts} allows, for messages ("numbers, STRING or TIMESTAMP"). */
  public String inputs() {
    return switch (this) {
      case COUNT -> "any scalar type";
      case SUM, AVG, STDDEV -> "numbers";
      case MIN, MAX -> "numbers, STRING or TIMESTAMP";
      case LAST -> "any scalar type but BYTES";
      case COUNT_DISTINCT -> "integers, STRING, BOOL or TIMESTAMP (not floating numbers)";
    };
  }

  /** The output type for an input of type {@code input} (which {@link #accepts} must allow). */
  public ValueType outputType(ValueType input) {
    return switch (this) {
      case COUNT, COUNT_DISTINCT -> ValueType.INT64;
      case SUM ->
          input == ValueType.INT32 || input == ValueType.INT64 ? ValueType.INT64 : ValueType.DOUBLE;
      case AVG, STDDEV -> ValueType.DOUBLE;
      case MIN, MAX, LAST -> input;
    };
  }

  /** Whether the value over no events is 0 (the counts) rather than NULL. */
  public boolean zeroWhenEmpty() {
    return this == COUNT || this == COUNT_DISTINCT;
  }

  static boolean isNumeric(ValueType t) {
    return t == ValueType.INT32
        || t == ValueType.INT64
        || t == ValueType.FLOAT
        || t == ValueType.DOUBLE;
  }
}
