package dev.fletch.online;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.fletch.core.model.Aggregation;
import dev.fletch.core.model.AggregationFunction;
import dev.fletch.core.model.EntityKey;
import dev.fletch.core.model.FeatureRow;
import dev.fletch.core.model.FeatureView;
import dev.fletch.core.model.ValueType;
import dev.fletch.core.window.Partial;
import dev.fletch.core.window.TileLayout;
import dev.fletch.core.window.Windows;
import dev.fletch.testkit.RedisServer;
import dev.fletch.testkit.WindowOracle;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Streamed events and batch jobs together give what the window semantics give over all events
 * ({@link WindowOracle}), on the embedded store and a real Redis: a batch job, then streamed events
 * (ties, tile boundaries, one late event), a replay of already applied positions, a second batch
 * job ending mid-tile over everything that reached the offline data, more streamed events, and two
 * writers racing on one entity.
 */
class StreamTilesIT {
  private static final long MINUTE = 60_000_000L;
  private static final long HOUR = 60 * MINUTE;
  private static final long BASE = 1_709_251_200_000_000L; // 2024-03-01T00:00Z
  private static final String[] FUNCTIONS = {
    "count", "sum", "avg", "min", "max", "stddev", "last", "count_distinct"
  };
  private static final long[] WINDOWS = {1, 6, 24};

  @TempDir Path dir;

  static FeatureView view() {
    List<Aggregation> aggregations = new ArrayList<>();
    for (long w : WINDOWS) {
      for (String f : FUNCTIONS) {
        AggregationFunction fn = AggregationFunction.of(f);
        boolean integral = fn == AggregationFunction.COUNT_DISTINCT;
        aggregations.add(
            new Aggregation(
                f + "_" + w + "h",
                fn,
                integral ? "units" : "amount",
                null,
                integral ? ValueType.INT64 : ValueType.DOUBLE,
                Duration.ofHours(w)));
      }
      aggregations.add(
          new Aggregation(
              "events_" + w + "h",
              AggregationFunction.COUNT,
              null,
              null,
              null,
              Duration.ofHours(w)));
    }
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
        aggregations,
        Duration.ofHours(1));
  }

  private static EntityKey key(long entity) {
    return EntityKey.of("customer_id", entity);
  }

  private static Object[] inputs(WindowOracle.Event e) {
    return new Object[] {e.value(), e.value() == null ? null : e.value().longValue()};
  }

  /** A batch job's entries: every event at or before {@code end}, tiles of the whole history. */
  private static void batch(
      OnlineStore store, FeatureView view, List<WindowOracle.Event> events, long end) {
    TileLayout layout = TileLayout.of(view);
    List<FeatureRow> rows = new ArrayList<>();
    for (long entity = 1; entity <= 4; entity++) {
      TreeMap<Long, Partial[]> tiles = new TreeMap<>();
      for (WindowOracle.Event e : events) {
        if (e.entity() == entity && e.time() <= end) {
          layout.add(
              tiles.computeIfAbsent(Windows.tile(e.time(), HOUR), k -> layout.emptyTile()),
              inputs(e),
              e.time(),
              null);
        }
      }
      rows.add(
          new FeatureRow(
              key(entity), Windows.instant(end), List.of(TileEntries.encode(layout, tiles))));
    }
    store.write("p", TileEntries.storageView(view), rows).join();
  }

  private static StreamTiles.Result stream(
      OnlineStore store, FeatureView view, List<WindowOracle.Event> events, int firstOffset) {
    List<StreamTiles.Event> out = new ArrayList<>();
    for (int i = 0; i < events.size(); i++) {
      WindowOracle.Event e = events.get(i);
      out.add(
          new StreamTiles.Event(
              key(e.entity()), e.time(), null, inputs(e), "tx-0", firstOffset + i));
    }
    return StreamTiles.add(store, "p", view, out).join();
  }

  private static List<WindowOracle.Event> randomEvents(Random rnd, long from, long to, int n) {
    List<WindowOracle.Event> events = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      long t = from + (long) (rnd.nextDouble() * (to - from));
      if (i % 7 == 0 && (t / HOUR + 1) * HOUR < to) {
        t = (t / HOUR + 1) * HOUR; // exactly at a tile boundary
      }
      Double v = rnd.nextInt(9) == 0 ? null : (double) (rnd.nextInt(40) - 10);
      events.add(new WindowOracle.Event(1 + rnd.nextInt(4), t, null, v));
      if (i % 11 == 0) {
        events.add(new WindowOracle.Event(1 + rnd.nextInt(4), t, null, 3.0)); // a tie
      }
    }
    events.sort((a, b) -> Long.compare(a.time(), b.time()));
    return events;
  }

  /** Online values at {@code now} equal the oracle's over {@code counted}, entity by entity. */
  private static int check(
      OnlineStore store, FeatureView view, List<WindowOracle.Event> counted, long now, String at) {
    WindowOracle oracle = new WindowOracle(counted, false);
    TileLayout layout = TileLayout.of(view);
    List<EntityKey> keys = List.of(key(1), key(2), key(3), key(4), key(5));
    List<byte[][]> entries =
        store.readEntries("p", keys, List.of(view.name(), StreamTiles.field(view))).join();
    int checked = 0;
    for (int r = 0; r < keys.size(); r++) {
      byte[] batch = entries.get(r)[0];
      byte[] streamed = entries.get(r)[1];
      FeatureView batchView = TileEntries.storageView(view);
      FeatureView streamView = StreamTiles.storageView(view);
      List<Object> values =
          TileEntries.values(
              view,
              layout,
              batch == null ? null : (byte[]) ValueCodec.decode(batchView, batch).values().get(0),
              batch == null ? Long.MIN_VALUE : ValueCodec.eventTimeMicros(batch),
              streamed == null
                  ? null
                  : (byte[]) ValueCodec.decode(streamView, streamed).values().get(0),
              now);
      for (int a = 0; a < view.aggregations().size(); a++) {
        Aggregation agg = view.aggregations().get(a);
        String fn = agg.name().substring(0, agg.name().lastIndexOf('_'));
        Object expected =
            oracle.value(
                fn.equals("events") ? "count_all" : fn,
                r + 1,
                now,
                Windows.micros(agg.window()),
                HOUR);
        String where = agg.name() + " of entity " + (r + 1) + " at " + at;
        if (expected == null) {
          assertNull(values.get(a), where);
        } else {
          WindowOracle.assertValue(expected, values.get(a), where);
        }
        checked++;
      }
    }
    return checked;
  }

  @ParameterizedTest
  @ValueSource(strings = {"embedded", "redis"})
  void batchAndStreamTogetherMatchTheSemanticsAndReplaysChangeNothing(String kind) {
    RedisServer redis = kind.equals("redis") ? RedisServer.dedicated() : null;
    try (OnlineStore store =
        redis == null
            ? EmbeddedOnlineStore.open(dir.resolve("online.db"))
            : RedisOnlineStore.open(redis.url())) {
      FeatureView view = view();
      Random rnd = new Random(20241204);
      long e1 = BASE + 30 * HOUR + 17 * MINUTE;
      List<WindowOracle.Event> history = randomEvents(rnd, BASE, e1, 300);
      // An event exactly at the batch's end: the batch has it; the stream must not add it again.
      history.add(new WindowOracle.Event(2, e1, null, 5.0));
      batch(store, view, history, e1);
      List<WindowOracle.Event> all = new ArrayList<>(history);
      int checked = check(store, view, all, e1, "the first batch's end");

      // Streamed after the batch: the same instant as its end (skipped: already counted) and after.
      List<WindowOracle.Event> live = randomEvents(rnd, e1 + 1, e1 + 5 * HOUR, 200);
      List<WindowOracle.Event> first = new ArrayList<>();
      first.add(new WindowOracle.Event(2, e1, null, 5.0));
      first.addAll(live.subList(0, 120));
      StreamTiles.Result r1 = stream(store, view, first, 0);
      assertEquals(120, r1.applied());
      assertEquals(1, r1.late());
      all.addAll(live.subList(0, 120));
      long now1 = live.get(119).time();
      checked += check(store, view, all, now1, "after 120 streamed events");
      checked += check(store, view, all, now1 + 40 * MINUTE, "40 minutes later");

      // A late event (a tile the batch owns): not applied online, counted as late.
      WindowOracle.Event late = new WindowOracle.Event(3, BASE + 20 * HOUR, null, 9.0);
      StreamTiles.Result r2 = stream(store, view, List.of(late), 1000);
      assertEquals(1, r2.late());
      checked += check(store, view, all, now1, "after a late event");

      // A replay from an earlier offset: already applied positions are skipped.
      List<WindowOracle.Event> replay = new ArrayList<>(first.subList(50, first.size()));
      replay.addAll(live.subList(120, 200));
      // Offsets: the replay starts at offset 50 of the first run, the new events follow on.
      List<StreamTiles.Event> replayed = new ArrayList<>();
      for (int i = 0; i < replay.size(); i++) {
        WindowOracle.Event e = replay.get(i);
        replayed.add(
            new StreamTiles.Event(
                key(e.entity()), e.time(), null, inputs(e), "tx-0", i < 71 ? 50 + i : 1001 + i));
      }
      StreamTiles.Result r3 = StreamTiles.add(store, "p", view, replayed).join();
      assertEquals(80, r3.applied(), r3.toString());
      all.addAll(live.subList(120, 200));
      long now2 = live.get(199).time();
      checked += check(store, view, all, now2, "after a replay");

      // A second batch job, mid-tile, over everything that reached the offline data (the late
      // event included): tiles before its last one now come from it, the rest from the stream.
      List<WindowOracle.Event> offline = new ArrayList<>(all);
      offline.add(late);
      // An event that reached only the offline data, in a tile the second batch now owns.
      WindowOracle.Event offlineOnly = new WindowOracle.Event(4, e1 + HOUR, null, 11.0);
      offline.add(offlineOnly);
      long e2 = live.get(150).time() + 1;
      batch(store, view, offline, e2);
      all.add(late);
      all.add(offlineOnly);
      checked += check(store, view, all, now2, "after the second batch");
      checked += check(store, view, all, now2 + 3 * HOUR, "three hours later");

      // More streamed events, from two writers at once on the same entities.
      List<WindowOracle.Event> more = randomEvents(rnd, now2 + 1, now2 + 2 * HOUR, 100);
      AtomicInteger offset = new AtomicInteger(5000);
      List<CompletableFuture<StreamTiles.Result>> racing = new ArrayList<>();
      for (int half = 0; half < 2; half++) {
        List<StreamTiles.Event> part = new ArrayList<>();
        for (int i = half; i < more.size(); i += 2) {
          WindowOracle.Event e = more.get(i);
          part.add(
              new StreamTiles.Event(
                  key(e.entity()), e.time(), null, inputs(e), null, offset.getAndIncrement()));
        }
        racing.add(StreamTiles.add(store, "p", view, part));
      }
      long applied = racing.stream().mapToLong(f -> f.join().applied()).sum();
      assertEquals(more.size(), applied);
      all.addAll(more);
      checked += check(store, view, all, more.get(more.size() - 1).time(), "after racing writers");
      assertEquals(8 * 5 * 27, checked);
    } finally {
      if (redis != null) {
        redis.close();
      }
    }
  }
}
