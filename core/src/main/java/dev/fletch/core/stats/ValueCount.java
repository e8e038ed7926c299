package dev.fletch.core.stats;

import static java.util.Objects.requireNonNull;

/** One value of a categorical column (as text) and how many rows hold it. */
public record ValueCount(String value, long count) {
  public ValueCount {
    requireNonNull(value, "value is null");
  }
}
