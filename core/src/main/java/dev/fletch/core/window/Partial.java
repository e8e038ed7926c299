package dev.fletch.core.window;

import dev.fletch.core.model.AggregationFunction;

/**
 * The partial state of one aggregation over some events (one tile, or several tiles merged): what
 * an online tile stores so that serving can combine tiles at request time and give exactly what the
 * aggregation over all their events gives. Events are added in any order; merging is associative
 * and commutative, so tiles can be combined in any grouping, and a streamed event can be added to
 * the newest tile.
 *
 * <p>Inputs are numbers (as doubles or longs) for the numeric functions; {@link #LAST} keeps the
 * input of the greatest (event time, created time, input). NULL inputs are never added.
 */
public final class Partial {
  private final AggregationFunction function;
  private long count;
  private double sum;
  private long longSum;
  private final boolean integral;
  private double mean;
  private double m2;
  private Double min;
  private Double max;
  private long lastTime = Long.MIN_VALUE;
  private long lastCreated = Long.MIN_VALUE;
  private Double last;

  /**
   * @param integral whether the input is an integer type (sums stay exact longs)
   */
  public Partial(AggregationFunction function, boolean integral) {
    this.function = function;
    this.integral = integral;
  }

  public AggregationFunction function() {
    return function;
  }

  /** Adds one event's non-null input (for COUNT of events, any value). */
  public void add(double value, long time, Long created) {
    count++;
    switch (function) {
      case COUNT -> {}
      case SUM, AVG -> {
        if (integral) {
          longSum = Math.addExact(longSum, (long) value);
        } else {
          sum += value;
        }
      }
      case MIN -> min = min == null ? value : Math.min(min, value);
      case MAX -> max = max == null ? value : Math.max(max, value);
      case STDDEV -> {
        // Welford: numerically stable running mean and sum of squared differences.
        double delta = value - mean;
        mean += delta / count;
        m2 += delta * (value - mean);
      }
      case LAST -> {
        long c = created == null ? Long.MIN_VALUE : created;
        if (last == null || later(time, c, value, lastTime, lastCreated, last)) {
          lastTime = time;
          lastCreated = c;
          last = value;
        }
      }
    }
  }

  private static boolean later(long t, long c, double v, long t0, long c0, double v0) {
    if (t != t0) {
      return t > t0;
    }
    if (c != c0) {
      return c > c0;
    }
    return v > v0;
  }

  /** Adds another partial of the same function (of other events) into this one. */
  public void merge(Partial other) {
    if (other.function != function) {
      throw new IllegalArgumentException("cannot merge " + other.function + " into " + function);
    }
    if (other.count == 0) {
      return;
    }
    switch (function) {
      case COUNT -> {}
      case SUM, AVG -> {
        longSum = Math.addExact(longSum, other.longSum);
        sum += other.sum;
      }
      case MIN -> min = min == null ? other.min : Math.min(min, other.min);
      case MAX -> max = max == null ? other.max : Math.max(max, other.max);
      case STDDEV -> {
        // Chan et al.: combine two (count, mean, M2) triples.
        long n = count + other.count;
        double delta = other.mean - mean;
        m2 += other.m2 + delta * delta * ((double) count * other.count / n);
        mean += delta * other.count / n;
      }
      case LAST -> {
        if (last == null
            || later(other.lastTime, other.lastCreated, other.last, lastTime, lastCreated, last)) {
          lastTime = other.lastTime;
          lastCreated = other.lastCreated;
          last = other.last;
        }
      }
    }
    count += other.count;
  }

  /** Inputs added (events, for COUNT of events). */
  public long count() {
    return count;
  }

  /**
   * The aggregation's value: a Long for COUNT and integral SUM, a Double otherwise (MIN, MAX and
   * LAST as the input's double); null where the semantics say NULL (no inputs; STDDEV below two).
   */
  public Object value() {
    if (function == AggregationFunction.COUNT) {
      return count;
    }
    if (count == 0) {
      return null;
    }
    return switch (function) {
      case COUNT -> count;
      case SUM -> integral ? (Object) longSum : (Object) sum;
      case AVG -> (integral ? (double) longSum : sum) / count;
      case MIN -> min;
      case MAX -> max;
      case STDDEV -> count < 2 ? null : Math.sqrt(m2 / (count - 1));
      case LAST -> last;
    };
  }
}
