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
      out.writeInt(tiles.size());
      for (Map.Entry<Long, Partial[]> t : tiles.entrySet()) {
        out.writeLong(t.getKey());
        for (Partial p : t.getValue()) {
          p.write(out);
        }
      }
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new FletchException("cannot encode tiles: " + e.getMessage(), e);
    }
  }

  /**
   * The values of {@code view}'s features (in order, typed as each feature) at {@code nowMicros},
   * from a stored entry; with no entry (null), what no events give: count 0, the others null.
   *
   * @return the values, or null when the entry was written under another layout (the view changed
   *     and has not been materialized since)
   */
  public static List<Object> values(
      FeatureView view, TileLayout layout, byte[] entry, long nowMicros) {
    List<Long> indexes = new ArrayList<>();
    List<Partial[]> tiles = new ArrayList<>();
    if (entry != null && !decode(layout, entry, indexes, tiles)) {
      return null;
    }
    long h = layout.hopMicros();
    long last = Windows.tile(nowMicros, h);
    List<Object> values = new ArrayList<>(view.aggregations().size());
    for (int a = 0; a < view.aggregations().size(); a++) {
      Aggregation agg = view.aggregations().get(a);
      int part = layout.partOf()[a];
      long first = Windows.firstTile(nowMicros, Windows.micros(agg.window()), h);
      Partial combined = layout.parts().get(part).empty();
      for (int t = 0; t < indexes.size(); t++) {
        long index = indexes.get(t);
        if (index >= first && index <= last) {
          combined.merge(tiles.get(t)[part]);
        }
      }
      values.add(Partial.typed(combined.value(), agg.outputType()));
    }
    return values;
  }

  private static boolean decode(
      TileLayout layout, byte[] entry, List<Long> indexes, List<Partial[]> tiles) {
    try {
      DataInputStream in = new DataInputStream(new ByteArrayInputStream(entry));
      int version = in.readByte();
      if (version != VERSION) {
        throw new FletchException("unknown tile entry format version " + version);
      }
      if (in.readInt() != layout.fingerprint()) {
        return false;
      }
      int count = in.readInt();
      for (int t = 0; t < count; t++) {
        indexes.add(in.readLong());
        Partial[] tile = layout.emptyTile();
        for (Partial p : tile) {
          p.read(in);
        }
        tiles.add(tile);
      }
      return true;
    } catch (IOException e) {
      throw new FletchException("cannot decode a tile entry: " + e.getMessage(), e);
    }
  }
}
