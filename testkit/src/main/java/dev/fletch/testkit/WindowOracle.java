package dev.fletch.testkit;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The semantics of window aggregations written out by brute force, for tests of every engine: the
 * value at {@code t} over window {@code w} with hop {@code h} aggregates the non-null inputs of the
 * events of the entity with event time in [floor(t - w, h), t]. With created times, events with the
 * same entity and event time are versions of one: the one created last counts (a null created time
 * loses; equal created times: the larger input). All times in microseconds.
 */
public final class WindowOracle {
  /** One source event: entity, event time, created time (may be null), input (may be null). */
  public record Event(long entity, long time, Long created, Double value) {}

  private static final Comparator<Event> VERSION =
      Comparator.comparing((Event e) -> e.created() == null ? Long.MIN_VALUE : e.created())
          .thenComparing(e -> e.value() == null ? Double.NEGATIVE_INFINITY : e.value());

  private final Map<Long, List<Event>> byEntity = new HashMap<>();

  public WindowOracle(List<Event> events, boolean hasCreated) {
    Map<List<Long>, Event> versions = new HashMap<>();
    List<Event> kept = new ArrayList<>();
    if (hasCreated) {
      for (Event e : events) {
        versions.merge(
            List.of(e.entity(), e.time()), e, (a, b) -> VERSION.compare(a, b) >= 0 ? a : b);
      }
      kept.addAll(versions.values());
    } else {
      kept.addAll(events);
    }
    for (Event e : kept) {
      byEntity.computeIfAbsent(e.entity(), k -> new ArrayList<>()).add(e);
    }
  }

  /**
   * A DuckDB query of the events with columns (customer_id, event_ts, created_ts, amount), to write
   * them to a test's source file with {@code COPY (...) TO}.
   */
  public static String select(List<Event> events) {
    StringBuilder values = new StringBuilder();
    for (Event e : events) {
      values
          .append(values.isEmpty() ? "" : ", ")
          .append('(')
          .append(e.entity())
          .append(", ")
          .append(timestamp(e.time()))
          .append(", ")
          .append(e.created() == null ? "NULL" : timestamp(e.created()))
          .append(", ")
          .append(e.value() == null ? "NULL" : e.value())
          .append(')');
    }
    return "SELECT * FROM (VALUES " + values + ") AS t(customer_id, event_ts, created_ts, amount)";
  }

  /**
   * Asserts that an engine's value is the oracle's: equal counts, doubles within 1e-9 relative
   * (sums and means of doubles may add up in another order), NULL where the oracle says NULL.
   */
  public static void assertValue(Object expected, Object actual, String where) {
    if (expected == null) {
      org.junit.jupiter.api.Assertions.assertNull(actual, where);
    } else if (expected instanceof Long n) {
      org.junit.jupiter.api.Assertions.assertNotNull(actual, where + ": expected " + n);
      org.junit.jupiter.api.Assertions.assertEquals(n, ((Number) actual).longValue(), where);
    } else {
      org.junit.jupiter.api.Assertions.assertNotNull(actual, where + ": expected " + expected);
      double e = (Double) expected;
      org.junit.jupiter.api.Assertions.assertEquals(
          e, ((Number) actual).doubleValue(), 1e-9 * Math.max(1, Math.abs(e)), where);
    }
  }

  /** A DuckDB TIMESTAMP of epoch microseconds. */
  public static String timestamp(long micros) {
    return "make_timestamp(CAST(" + micros + " AS BIGINT))";
  }

  public static long windowStart(long t, long w, long h) {
    return Math.floorDiv(t - w, h) * h;
  }

  /**
   * The value of {@code function} (count_all, count, sum, avg, min, max, stddev, last,
   * count_distinct) for {@code entity} at {@code t}: a Long for the counts, a Double otherwise,
   * null where the semantics say NULL.
   */
  public Object value(String function, long entity, long t, long w, long h) {
    long start = windowStart(t, w, h);
    List<Event> in = new ArrayList<>();
    for (Event e : byEntity.getOrDefault(entity, List.of())) {
      if (e.time() <= t && e.time() >= start) {
        in.add(e);
      }
    }
    if (function.equals("count_all")) {
      return (long) in.size();
    }
    List<Event> present = in.stream().filter(e -> e.value() != null).toList();
    if (function.equals("count")) {
      return (long) present.size();
    }
    if (function.equals("count_distinct")) {
      return present.stream().map(Event::value).distinct().count();
    }
    if (present.isEmpty()) {
      return null;
    }
    double sum = 0;
    for (Event e : present) {
      sum += e.value();
    }
    return switch (function) {
      case "sum" -> sum;
      case "avg" -> sum / present.size();
      case "min" -> present.stream().mapToDouble(Event::value).min().getAsDouble();
      case "max" -> present.stream().mapToDouble(Event::value).max().getAsDouble();
      case "stddev" -> {
        if (present.size() < 2) {
          yield null;
        }
        double mean = sum / present.size();
        double squares = 0;
        for (Event e : present) {
          squares += (e.value() - mean) * (e.value() - mean);
        }
        yield Math.sqrt(squares / (present.size() - 1));
      }
      case "last" ->
          present.stream()
              .max(Comparator.comparingLong(Event::time).thenComparing(VERSION))
              .orElseThrow()
              .value();
      default -> throw new IllegalArgumentException("unknown function " + function);
    };
  }
}
