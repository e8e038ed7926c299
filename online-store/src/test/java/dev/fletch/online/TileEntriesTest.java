package dev.fletch.online;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.fletch.core.model.Aggregation;
import dev.fletch.core.model.AggregationFunction;
import dev.fletch.core.model.FeatureView;
import dev.fletch.core.model.ValueType;
import dev.fletch.core.window.Partial;
import dev.fletch.core.window.TileLayout;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The tile entry: what serving reads from it, with no entry, and after the view changed. */
class TileEntriesTest {
  private static final long HOUR = 3_600_000_000L;

  private static FeatureView view(Duration hop) {
    return new FeatureView(
        "txn",
        List.of("customer"),
        "tx",
        null,
        true,
        List.of(),
        null,
        null,
        null,
        null,
        List.of(
            new Aggregation(
                "n_2h", AggregationFunction.COUNT, null, null, null, Duration.ofHours(2)),
            new Aggregation(
                "spend_2h",
                AggregationFunction.SUM,
                "amount",
                null,
                ValueType.INT64,
                Duration.ofHours(2)),
            new Aggregation(
                "top_2h",
                AggregationFunction.MAX,
                "merchant",
                null,
                ValueType.STRING,
                Duration.ofHours(2))),
        hop);
  }

  @Test
  void entriesAnswerAtTheirTimeAndNothingElse() {
    FeatureView view = view(Duration.ofHours(1));
    TileLayout layout = TileLayout.of(view);
    TreeMap<Long, Partial[]> tiles = new TreeMap<>();
    long[] times = {10 * HOUR + 5, 11 * HOUR, 12 * HOUR + 7};
    Object[][] inputs = {{4L, "b"}, {6L, "a"}, {1L, null}};
    for (int i = 0; i < times.length; i++) {
      Partial[] tile = tiles.computeIfAbsent(times[i] / HOUR, k -> layout.emptyTile());
      layout.add(tile, inputs[i], times[i], null);
    }
    byte[] entry = TileEntries.encode(layout, tiles);
    // At 12:30 the 2h window starts at 10:00: all three events.
    assertEquals(
        Arrays.asList(3L, 11L, "b"), TileEntries.values(view, layout, entry, 12 * HOUR + HOUR / 2));
    // At 13:00 it starts at 11:00.
    assertEquals(Arrays.asList(2L, 7L, "a"), TileEntries.values(view, layout, entry, 13 * HOUR));
    // Long after: nothing left in the window.
    assertEquals(Arrays.asList(0L, null, null), TileEntries.values(view, layout, entry, 20 * HOUR));
    // No entry: what no events give.
    assertEquals(Arrays.asList(0L, null, null), TileEntries.values(view, layout, null, 13 * HOUR));
    // Written under another hop: not read as this layout.
    FeatureView changed = view(Duration.ofMinutes(30));
    assertNull(TileEntries.values(changed, TileLayout.of(changed), entry, 13 * HOUR));
    // Stored as one BYTES value that lives the longest window plus a hop.
    FeatureView stored = TileEntries.storageView(view);
    assertEquals(Duration.ofHours(3), stored.ttl());
    assertEquals(
        List.of(TileEntries.FEATURE), stored.features().stream().map(f -> f.name()).toList());
    assertArrayEquals(entry, TileEntries.encode(layout, tiles), "deterministic");
  }
}
