package dev.fletch.online;

import static java.util.Objects.requireNonNull;

import dev.fletch.core.FletchException;
import dev.fletch.core.UnavailableException;
import dev.fletch.core.model.EntityKey;
import dev.fletch.core.model.Feature;
import dev.fletch.core.model.FeatureView;
import dev.fletch.core.model.ValueType;
import dev.fletch.core.window.Partial;
import dev.fletch.core.window.TileLayout;
import dev.fletch.core.window.Windows;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * Streamed events of an aggregated view: per entity, a second entry beside the batch one (field
 * {@code <view>#stream}) holding tiles of the events that arrived by push or stream, so that a
 * batch job never overwrites or doubles them and they never double a batch job's.
 *
 * <p>The rule that keeps both exact: tiles before the <em>cut</em> come from the batch entry, tiles
 * from the cut on from the stream entry. The cut is the later of the batch entry's last tile (the
 * tile holding its end instant) and the stream entry's first tile. A stream entry starts at the
 * batch entry's end {@code F} (its <em>floor</em>; no batch entry: from the beginning of time),
 * seeded with a copy of the batch's last tile, and takes only events after {@code F}; so the
 * stream's first tile holds every event of that tile, and each later tile every streamed one. When
 * a later batch job ends in a later tile, the cut moves there and the stream's tiles before it are
 * ignored (and pruned on the next add): those events are in the batch entry, read from the offline
 * data that the pushed and streamed rows also go to.
 *
 * <p>Replays never double count where events carry a position (a Kafka partition and offset): the
 * entry keeps the last applied offset per partition, updated in the same compare-and-set as the
 * tiles, and an event at or before it is skipped. Events without a position (the push API) are
 * applied each time they are sent.
 *
 * <p>What is not exact: events of the current tiles (from the cut on) that reach only the offline
 * data are not served until a batch job ends in a later tile; a streamed correction (same event
 * time, later created time) counts as one more event there until then.
 */
public final class StreamTiles {
  /** The suffix of the stream entry's field: {@code customer_activity#stream}. */
  public static final String SUFFIX = "#stream";

  /** The one value of a stored stream entry. */
  public static final String FEATURE = "__stream";

  private static final byte VERSION = 1;

  /** Compare-and-set rounds before giving up on entities that keep changing under us. */
  static final int MAX_ROUNDS = 50;

  private StreamTiles() {}

  /** The hash field of {@code view}'s stream entries. */
  public static String field(FeatureView view) {
    return view.name() + SUFFIX;
  }

  /** What the store keeps {@code view}'s stream entries as (named {@link #field}). */
  public static FeatureView storageView(FeatureView view) {
    FeatureView batch = TileEntries.storageView(view);
    return new FeatureView(
        field(view),
        batch.entities(),
        batch.source(),
        batch.ttl(),
        true,
        List.of(new Feature(FEATURE, ValueType.BYTES, null, null, null)),
        null,
        null,
        null,
        null);
  }

  /**
   * The first tile that comes from the stream entry: the later of the batch entry's last tile (null
   * when there is none) and the stream's first tile ({@code floor}: {@link Long#MIN_VALUE} when it
   * started without a batch entry).
   */
  static long cut(Long batchEndMicros, long floor, long hopMicros) {
    long fromBatch =
        batchEndMicros == null ? Long.MIN_VALUE : Windows.tile(batchEndMicros, hopMicros);
    long fromStream = floor == Long.MIN_VALUE ? Long.MIN_VALUE : Windows.tile(floor, hopMicros);
    return Math.max(fromBatch, fromStream);
  }

  /**
   * One streamed event: the entity, its event and created times (microseconds; created may be
   * null), its inputs in {@link TileLayout#inputs()} order, canonical (see {@link Partial}), and
   * its position (partition and offset) or a null partition.
   */
  public record Event(
      EntityKey key,
      long timeMicros,
      Long createdMicros,
      Object[] inputs,
      String partition,
      long offset) {
    public Event {
      requireNonNull(key, "key is null");
      requireNonNull(inputs, "inputs is null");
    }
  }

  /**
   * What an add did: events added to tiles, events too late (at or before the floor, or before the
   * cut), events skipped as already applied (a replayed position).
   */
  public record Result(long applied, long late, long duplicates) {
    Result plus(Result o) {
      return new Result(applied + o.applied, late + o.late, duplicates + o.duplicates);
    }
  }

  /** A decoded stream entry. */
  record State(
      int fingerprint, long floor, Map<String, Long> positions, TreeMap<Long, Partial[]> tiles) {

    /** The state of a stored entry's value, or null when it was written under another layout. */
    static State decode(TileLayout layout, byte[] value) {
      try {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(value));
        int version = in.readByte();
        if (version != VERSION) {
          throw new FletchException("unknown stream entry format version " + version);
        }
        int fingerprint = in.readInt();
        if (fingerprint != layout.fingerprint()) {
          return null;
        }
        long floor = in.readLong();
        int n = in.readInt();
        Map<String, Long> positions = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
          positions.put(in.readUTF(), in.readLong());
        }
        return new State(fingerprint, floor, positions, TileEntries.readTiles(in, layout));
      } catch (IOException e) {
        throw new FletchException("cannot decode a stream entry: " + e.getMessage(), e);
      }
    }

    byte[] encode() {
      try {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + tiles.size() * 32);
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeByte(VERSION);
        out.writeInt(fingerprint);
        out.writeLong(floor);
        out.writeInt(positions.size());
        for (Map.Entry<String, Long> p : positions.entrySet()) {
          out.writeUTF(p.getKey());
          out.writeLong(p.getValue());
        }
        TileEntries.writeTiles(out, tiles);
        out.flush();
        return bytes.toByteArray();
      } catch (IOException e) {
        throw new FletchException("cannot encode a stream entry: " + e.getMessage(), e);
      }
    }
  }

  /**
   * Adds events to {@code view}'s stream entries: per entity one read of both entries and one
   * compare-and-set, repeated for the entities another writer changed meanwhile. Each entity's
   * events are applied together or not at all.
   */
  public static CompletableFuture<Result> add(
      OnlineStore store, String project, FeatureView view, List<Event> events) {
    requireNonNull(store, "store is null");
    requireNonNull(view, "view is null");
    TileLayout layout = TileLayout.of(view);
    long longest = Windows.micros(view.longestWindow());
    FeatureView batchView = TileEntries.storageView(view);
    FeatureView streamView = storageView(view);
    Map<String, List<Event>> byEntity = new LinkedHashMap<>();
    Map<String, EntityKey> keys = new LinkedHashMap<>();
    for (Event e : events) {
      String k = EntityKeyCodec.entity(e.key());
      byEntity.computeIfAbsent(k, x -> new ArrayList<>()).add(e);
      keys.putIfAbsent(k, e.key());
    }
    return new Target(store, project, layout, longest, batchView, streamView)
        .round(byEntity, keys, 0, new Result(0, 0, 0));
  }

  /** Where one add writes: the store, the view's layout and its two stored forms. */
  private record Target(
      OnlineStore store,
      String project,
      TileLayout layout,
      long longest,
      FeatureView batchView,
      FeatureView streamView) {

    CompletableFuture<Result> round(
        Map<String, List<Event>> byEntity, Map<String, EntityKey> keys, int attempt, Result sofar) {
      if (byEntity.isEmpty()) {
        return CompletableFuture.completedFuture(sofar);
      }
      if (attempt >= MAX_ROUNDS) {
        return CompletableFuture.failedFuture(
            new UnavailableException(
                byEntity.size()
                    + " entities of '"
                    + streamView.name()
                    + "' kept changing under "
                    + MAX_ROUNDS
                    + " compare-and-set rounds; nothing was applied to them",
                null));
      }
      List<String> names = new ArrayList<>(byEntity.keySet());
      List<EntityKey> entityKeys = names.stream().map(keys::get).toList();
      return store
          .readEntries(project, entityKeys, List.of(batchView.name(), streamView.name()))
          .thenCompose(
              stored -> {
                List<byte[]> expected = new ArrayList<>(names.size());
                List<byte[]> updated = new ArrayList<>(names.size());
                List<Result> results = new ArrayList<>(names.size());
                for (int i = 0; i < names.size(); i++) {
                  byte[] batch = stored.get(i)[0];
                  byte[] stream = stored.get(i)[1];
                  Applied a =
                      apply(
                          layout,
                          longest,
                          batchView,
                          streamView,
                          batch,
                          stream,
                          byEntity.get(names.get(i)));
                  expected.add(stream);
                  updated.add(a.entry());
                  results.add(a.result());
                }
                return store
                    .replaceEntries(
                        project, streamView.name(), streamView.ttl(), entityKeys, expected, updated)
                    .thenCompose(
                        done -> {
                          Result total = sofar;
                          Map<String, List<Event>> again = new LinkedHashMap<>();
                          for (int i = 0; i < names.size(); i++) {
                            if (done[i]) {
                              total = total.plus(results.get(i));
                            } else {
                              again.put(names.get(i), byEntity.get(names.get(i)));
                            }
                          }
                          return round(again, keys, attempt + 1, total);
                        });
              });
    }
  }

  private record Applied(byte[] entry, Result result) {}

  /** One entity's new stream entry from what is stored and its events. */
  private static Applied apply(
      TileLayout layout,
      long longest,
      FeatureView batchView,
      FeatureView streamView,
      byte[] batchEntry,
      byte[] streamEntry,
      List<Event> events) {
    long h = layout.hopMicros();
    Long batchEnd = null;
    TreeMap<Long, Partial[]> batchTiles = null;
    if (batchEntry != null) {
      ValueCodec.Decoded d = ValueCodec.decode(batchView, batchEntry);
      batchTiles = TileEntries.decode(layout, (byte[]) d.values().get(0));
      if (batchTiles != null) {
        batchEnd = ValueCodec.eventTimeMicros(batchEntry);
      }
    }
    State state = null;
    long newest = Long.MIN_VALUE;
    if (streamEntry != null) {
      ValueCodec.Decoded d = ValueCodec.decode(streamView, streamEntry);
      state = State.decode(layout, (byte[]) d.values().get(0));
      newest = ValueCodec.eventTimeMicros(streamEntry);
    }
    if (state == null) {
      // A new stream entry: from the batch entry's end, seeded with the batch's last tile.
      long floor = batchEnd == null ? Long.MIN_VALUE : batchEnd;
      TreeMap<Long, Partial[]> tiles = new TreeMap<>();
      if (batchEnd != null) {
        Partial[] last = batchTiles.get(Windows.tile(batchEnd, h));
        if (last != null) {
          tiles.put(Windows.tile(batchEnd, h), last);
        }
      }
      state = new State(layout.fingerprint(), floor, new LinkedHashMap<>(), tiles);
      newest = Long.MIN_VALUE;
    }
    long cut = cut(batchEnd, state.floor(), h);
    long applied = 0;
    long late = 0;
    long duplicates = 0;
    for (Event e : events) {
      if (e.partition() != null) {
        Long at = state.positions().get(e.partition());
        if (at != null && e.offset() <= at) {
          duplicates++;
          continue;
        }
        state.positions().put(e.partition(), e.offset());
      }
      long tile = Windows.tile(e.timeMicros(), h);
      if (e.timeMicros() <= state.floor() || tile < cut) {
        late++;
        continue;
      }
      layout.add(
          state.tiles().computeIfAbsent(tile, k -> layout.emptyTile()),
          e.inputs(),
          e.timeMicros(),
          e.createdMicros());
      newest = Math.max(newest, e.timeMicros());
      applied++;
    }
    // Tiles before the cut are the batch entry's; tiles no window can reach any more are gone.
    state.tiles().headMap(cut).clear();
    if (newest != Long.MIN_VALUE) {
      state.tiles().headMap(Windows.firstTile(newest, longest, h)).clear();
    }
    long eventTime = newest == Long.MIN_VALUE ? (batchEnd == null ? 0 : batchEnd) : newest;
    byte[] entry =
        ValueCodec.encode(streamView, Windows.instant(eventTime), List.of(state.encode()));
    return new Applied(entry, new Result(applied, late, duplicates));
  }
}
