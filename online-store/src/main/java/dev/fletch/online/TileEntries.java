package dev.fletch.online;

import dev.fletch.core.FletchException;
import dev.fletch.core.model.Aggregation;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * How the online store keeps an aggregated view: per entity, one entry holding the tiles (partial
 * aggregates per hop, see {@link TileLayout}) that the view's longest window needs, stored like a
 * view with one BYTES value whose event time is the instant the tiles are complete up to. Writes
 * follow the store's never-older rule on that instant: re-running a materialization replaces an
 * entry with an equal one, never adds to it, so nothing is counted twice.
 *
 * <p>Entry (format version 1): version byte, layout fingerprint (int), tile count (int), then per
 * tile in ascending order its index (long) and each part's {@link Partial} state.
 *
 * <p>Serving combines, for each aggregation, the tiles inside its window at the request's time.
 */
public final class TileEntries {
  /** The one value of a stored entry. */
  public static final String FEATURE = "__tiles";

  private static final byte VERSION = 1;

  private TileEntries() {}

  /**
   * The view the store keeps {@code view}'s entries as: same name and entities, one BYTES value,
   * expiring after the longest window plus one hop (its tiles are then outside every window).
   */
  public static FeatureView storageView(FeatureView view) {
    Duration keep = view.longestWindow().plus(view.hop());
    return new FeatureView(
        view.name(),
        view.entities(),
        view.source(),
        keep,
        true,
        List.of(new Feature(FEATURE, ValueType.BYTES, null, null, null)),
        view.description(),
        view.owner(),
        view.tags(),
        null);
  }

  /** Encodes one entity's tiles (tile index -> one partial per part of {@code layout}). */
  public static byte[] encode(TileLayout layout, SortedMap<Long, Partial[]> tiles) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + tiles.size() * 32);
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeByte(VERSION);
      out.writeInt(layout.fingerprint());
      writeTiles(out, tiles);
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new FletchException("cannot encode tiles: " + e.getMessage(), e);
    }
  }

  static void writeTiles(DataOutputStream out, SortedMap<Long, Partial[]> tiles)
      throws IOException {
    out.writeInt(tiles.size());
    for (Map.Entry<Long, Partial[]> t : tiles.entrySet()) {
      out.writeLong(t.getKey());
      for (Partial p : t.getValue()) {
        p.write(out);
      }
    }
  }

  static TreeMap<Long, Partial[]> readTiles(DataInputStream in, TileLayout layout)
      throws IOException {
    TreeMap<Long, Partial[]> tiles = new TreeMap<>();
    int count = in.readInt();
    for (int t = 0; t < count; t++) {
      long index = in.readLong();
      Partial[] tile = layout.emptyTile();
      for (Partial p : tile) {
        p.read(in);
      }
      tiles.put(index, tile);
    }
    return tiles;
  }

  /**
   * The tiles of a stored entry's value, or null when it was written under another layout (the view
   * changed and has not been materialized since).
   */
  static TreeMap<Long, Partial[]> decode(TileLayout layout, byte[] entry) {
    try {
      DataInputStream in = new DataInputStream(new ByteArrayInputStream(entry));
      int version = in.readByte();
      if (version != VERSION) {
        throw new FletchException("unknown tile entry format version " + version);
      }
      if (in.readInt() != layout.fingerprint()) {
        return null;
      }
      return readTiles(in, layout);
    } catch (IOException e) {
      throw new FletchException("cannot decode a tile entry: " + e.getMessage(), e);
    }
  }

  /**
   * The values of {@code view}'s features (in order, typed as each feature) at {@code nowMicros},
   * from a stored batch entry; with no entry (null), what no events give: count 0, the others null.
   *
   * @return the values, or null when the entry was written under another layout (the view changed
   *     and has not been materialized since)
   */
  public static List<Object> values(
      FeatureView view, TileLayout layout, byte[] entry, long nowMicros) {
    return values(view, layout, entry, Long.MIN_VALUE, null, nowMicros);
  }

  /**
   * The values of {@code view}'s features at {@code nowMicros} from its batch entry (tiles complete
   * up to {@code batchEndMicros}) and its streamed tiles ({@link StreamTiles}): tiles before the
   * cut from the batch entry, from the cut on from the stream (see {@link StreamTiles#cut}).
   * Without a stream entry every tile comes from the batch entry; without either, what no events
   * give.
   *
   * @return the values, or null when neither entry can be read under the view's layout
   */
  public static List<Object> values(
      FeatureView view,
      TileLayout layout,
      byte[] batchEntry,
      long batchEndMicros,
      byte[] streamEntry,
      long nowMicros) {
    TreeMap<Long, Partial[]> batch =
        batchEntry == null ? new TreeMap<>() : decode(layout, batchEntry);
    StreamTiles.State stream =
        streamEntry == null ? null : StreamTiles.State.decode(layout, streamEntry);
    if (batch == null && stream == null) {
      return null;
    }
    long cut = Long.MAX_VALUE;
    if (stream != null) {
      cut =
          StreamTiles.cut(
              batch == null || batchEntry == null ? null : batchEndMicros,
              stream.floor(),
              layout.hopMicros());
    }
    long h = layout.hopMicros();
    long last = Windows.tile(nowMicros, h);
    List<Object> values = new ArrayList<>(view.aggregations().size());
    for (int a = 0; a < view.aggregations().size(); a++) {
      Aggregation agg = view.aggregations().get(a);
      int part = layout.partOf()[a];
      long first = Windows.firstTile(nowMicros, Windows.micros(agg.window()), h);
      Partial combined = layout.parts().get(part).empty();
      if (batch != null && first < cut) {
        for (Partial[] tile : batch.subMap(first, true, Math.min(last, cut - 1), true).values()) {
          combined.merge(tile[part]);
        }
      }
      if (stream != null && last >= cut) {
        for (Partial[] tile :
            stream.tiles().subMap(Math.max(first, cut), true, last, true).values()) {
          combined.merge(tile[part]);
        }
      }
      values.add(Partial.typed(combined.value(), agg.outputType()));
    }
    return values;
  }
}
