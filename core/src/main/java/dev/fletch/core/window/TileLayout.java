package dev.fletch.core.window;

import dev.fletch.core.model.Aggregation;
import dev.fletch.core.model.AggregationFunction;
import dev.fletch.core.model.FeatureView;
import dev.fletch.core.model.ValueType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the tiles of an aggregated view hold: its distinct inputs (a column or expression with its
 * declared type, in order of first use), and its distinct parts (one {@link Partial} per function
 * and input: windows of one function over one input share it). Every engine that reads the inputs
 * and every store that keeps tiles uses this one order.
 *
 * @param inputs the distinct inputs; each is represented by the first aggregation that reads it
 * @param parts the distinct partial aggregates of a tile
 * @param partOf for each of the view's aggregations (in order), the index of its part
 * @param hopMicros the tile size
 */
public record TileLayout(List<Aggregation> inputs, List<Part> parts, int[] partOf, long hopMicros) {

  /** One partial aggregate: a function over input {@code input} ({@code -1}: every event). */
  public record Part(AggregationFunction function, int input, ValueType inputType) {
    /** A fresh, empty partial for this part. */
    public Partial empty() {
      return new Partial(function, inputType);
    }
  }

  /** The key that tells inputs apart: what is aggregated and as which type. */
  public static String inputKey(Aggregation a) {
    return a.inputKey() + "|" + a.inputType();
  }

  /**
   * The distinct inputs of {@code aggregations}, in order of first use (COUNT of events has none).
   */
  public static List<Aggregation> inputs(List<Aggregation> aggregations) {
    Map<String, Aggregation> inputs = new LinkedHashMap<>();
    for (Aggregation a : aggregations) {
      if (!a.countsEvents()) {
        inputs.putIfAbsent(inputKey(a), a);
      }
    }
    return List.copyOf(inputs.values());
  }

  public static TileLayout of(FeatureView view) {
    List<Aggregation> inputs = inputs(view.aggregations());
    Map<String, Integer> inputIndex = new LinkedHashMap<>();
    for (int i = 0; i < inputs.size(); i++) {
      inputIndex.put(inputKey(inputs.get(i)), i);
    }
    List<Part> parts = new ArrayList<>();
    Map<Part, Integer> partIndex = new LinkedHashMap<>();
    int[] partOf = new int[view.aggregations().size()];
    for (int i = 0; i < partOf.length; i++) {
      Aggregation a = view.aggregations().get(i);
      Part p =
          new Part(
              a.function(),
              a.countsEvents() ? -1 : inputIndex.get(inputKey(a)),
              a.countsEvents() ? ValueType.INT64 : a.inputType());
      Integer at = partIndex.get(p);
      if (at == null) {
        at = parts.size();
        parts.add(p);
        partIndex.put(p, at);
      }
      partOf[i] = at;
    }
    return new TileLayout(inputs, List.copyOf(parts), partOf, Windows.micros(view.hop()));
  }

  /**
   * A fingerprint of the layout (hop, parts and their inputs): a stored tile written under another
   * layout is not read as this one's.
   */
  public int fingerprint() {
    StringBuilder b = new StringBuilder().append(hopMicros);
    for (Part p : parts) {
      b.append('|').append(p.function()).append(':').append(p.inputType()).append(':');
      b.append(p.input() < 0 ? "*" : inputKey(inputs.get(p.input())));
    }
    return b.toString().hashCode();
  }

  /** A fresh tile: one empty partial per part. */
  public Partial[] emptyTile() {
    Partial[] tile = new Partial[parts.size()];
    for (int i = 0; i < tile.length; i++) {
      tile[i] = parts.get(i).empty();
    }
    return tile;
  }

  /**
   * Adds one event to a tile: {@code inputs} are the event's input values in {@link #inputs()}
   * order, canonical (see {@link Partial}); null inputs are skipped by every part but COUNT of
   * events.
   */
  public void add(Partial[] tile, Object[] inputs, long time, Long created) {
    for (int i = 0; i < tile.length; i++) {
      Part p = parts.get(i);
      Object v = p.input() < 0 ? Boolean.TRUE : inputs[p.input()];
      if (v != null) {
        tile[i].add(v, time, created);
      }
    }
  }
}
