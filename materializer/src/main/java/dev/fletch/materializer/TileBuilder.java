package dev.fletch.materializer;

import dev.fletch.core.model.EntityKey;
import dev.fletch.core.model.FeatureRow;
import dev.fletch.core.model.FeatureView;
import dev.fletch.core.window.Partial;
import dev.fletch.core.window.TileLayout;
import dev.fletch.core.window.Windows;
import dev.fletch.offline.OfflineStore;
import dev.fletch.online.TileEntries;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Folds an aggregated view's events (ordered by entity, as {@link OfflineStore#scanEvents} gives
 * them) into one tile entry per entity, complete up to {@code end}, handed on in batches. Only one
 * entity's tiles are in memory at a time.
 */
final class TileBuilder implements OfflineStore.EventSink {
  private final TileLayout layout;
  private final Instant end;
  private final int batchSize;
  private final Consumer<List<FeatureRow>> out;
  private final TreeMap<Long, Partial[]> tiles = new TreeMap<>();
  private EntityKey current;
  private List<FeatureRow> batch = new ArrayList<>();

  TileBuilder(FeatureView view, Instant end, int batchSize, Consumer<List<FeatureRow>> out) {
    this.layout = TileLayout.of(view);
    this.end = end;
    this.batchSize = batchSize;
    this.out = out;
  }

  @Override
  public void accept(EntityKey key, long eventMicros, Long createdMicros, Object[] inputs) {
    if (!key.equals(current)) {
      emit();
      current = key;
    }
    Partial[] tile =
        tiles.computeIfAbsent(
            Windows.tile(eventMicros, layout.hopMicros()), k -> layout.emptyTile());
    layout.add(tile, inputs, eventMicros, createdMicros);
  }

  private void emit() {
    if (current == null) {
      return;
    }
    batch.add(new FeatureRow(current, end, List.of(TileEntries.encode(layout, tiles))));
    tiles.clear();
    current = null;
    if (batch.size() >= batchSize) {
      out.accept(batch);
      batch = new ArrayList<>();
    }
  }

  /** Hands on the last entity's entry and the last batch. */
  void finish() {
    emit();
    if (!batch.isEmpty()) {
      out.accept(batch);
      batch = new ArrayList<>();
    }
  }
}
