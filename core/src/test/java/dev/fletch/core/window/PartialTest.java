package dev.fletch.core.window;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.fletch.core.model.AggregationFunction;
import dev.fletch.core.model.ValueType;
import dev.fletch.testkit.WindowOracle;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Tiles of partial aggregates, combined at a query time, give what the aggregation over the
 * window's events gives ({@link WindowOracle}), whatever order events arrive in and however tiles
 * are grouped when merged: what online serving and streamed updates will rely on.
 */
class PartialTest {
  private static final long MINUTE = 60_000_000L;
  private static final long HOUR = 60 * MINUTE;

  @ParameterizedTest
  @ValueSource(longs = {1, 7, 99, 2024})
  void combinedTilesMatchTheWindowSemantics(long seed) {
    Random rnd = new Random(seed);
    List<WindowOracle.Event> events = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      long time = rnd.nextInt(48 * 60) * MINUTE;
      Double value = rnd.nextInt(8) == 0 ? null : (double) (rnd.nextInt(200) - 50);
      events.add(new WindowOracle.Event(1, time, null, value));
    }
    WindowOracle oracle = new WindowOracle(events, false);
    Map<String, AggregationFunction> functions =
        Map.of(
            "count", AggregationFunction.COUNT,
            "sum", AggregationFunction.SUM,
            "avg", AggregationFunction.AVG,
            "min", AggregationFunction.MIN,
            "max", AggregationFunction.MAX,
            "stddev", AggregationFunction.STDDEV,
            "last", AggregationFunction.LAST,
            "count_distinct", AggregationFunction.COUNT_DISTINCT);
    int checked = 0;
    for (Map.Entry<String, AggregationFunction> f : functions.entrySet()) {
      for (boolean integral : new boolean[] {false, true}) {
        boolean integralOnly = f.getValue() == AggregationFunction.COUNT_DISTINCT;
        if (integral
            && !integralOnly
            && f.getValue() != AggregationFunction.SUM
            && f.getValue() != AggregationFunction.AVG) {
          continue;
        }
        if (!integral && integralOnly) {
          continue;
        }
        ValueType type = integral ? ValueType.INT64 : ValueType.DOUBLE;
        // Events arrive shuffled, into tiles of one hop.
        List<WindowOracle.Event> shuffled = new ArrayList<>(events);
        Collections.shuffle(shuffled, rnd);
        TreeMap<Long, Partial> tiles = new TreeMap<>();
        for (WindowOracle.Event e : shuffled) {
          if (e.value() == null) {
            continue;
          }
          tiles
              .computeIfAbsent(Windows.tile(e.time(), HOUR), k -> new Partial(f.getValue(), type))
              .add(
                  integral ? (Object) e.value().longValue() : (Object) e.value(),
                  e.time(),
                  e.created());
        }
        for (int q = 0; q < 100; q++) {
          // At a tile's end (serving just after the last materialized event), windows of 1-6h.
          long t = (rnd.nextInt(50) + 1) * HOUR - 1;
          long w = (1 + rnd.nextInt(6)) * HOUR;
          List<Partial> inWindow =
              new ArrayList<>(
                  tiles
                      .subMap(Windows.firstTile(t, w, HOUR), true, Windows.tile(t, HOUR), true)
                      .values());
          // Merged in a random grouping: pairs first, then into the total.
          Collections.shuffle(inWindow, rnd);
          Partial combined = new Partial(f.getValue(), type);
          // As a store would keep them: written and read back.
          inWindow.replaceAll(tile -> roundTrip(tile, f.getValue(), type));
          for (int i = 0; i < inWindow.size(); i += 2) {
            Partial pair = new Partial(f.getValue(), type);
            pair.merge(inWindow.get(i));
            if (i + 1 < inWindow.size()) {
              pair.merge(inWindow.get(i + 1));
            }
            combined.merge(pair);
          }
          Object expected = oracle.value(f.getKey(), 1, t, w, HOUR);
          Object actual = combined.value();
          String where = f.getKey() + (integral ? " (integral)" : "") + " at " + t + " over " + w;
          if (expected == null) {
            assertNull(actual, where);
          } else if (expected instanceof Long n) {
            assertEquals(n, actual, where);
          } else {
            double e = (Double) expected;
            assertEquals(
                e, ((Number) actual).doubleValue(), 1e-9 * Math.max(1, Math.abs(e)), where);
          }
          checked++;
        }
      }
    }
    assertEquals(1000, checked);
  }

  private static Partial roundTrip(Partial p, AggregationFunction f, ValueType type) {
    try {
      java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
      p.write(new java.io.DataOutputStream(bytes));
      Partial back = new Partial(f, type);
      back.read(new java.io.DataInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray())));
      return back;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
