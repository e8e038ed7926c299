package dev.fletch.offline;

import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.model.FeatureRow;
import dev.fletch.core.model.FeatureView;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.arrow.memory.BufferAllocator;

/** STUB: the historical-retrieval issue replaces this. DuckDB over Parquet/CSV. */
public final class DuckDbOfflineStore implements OfflineStore {
  public DuckDbOfflineStore() {}

  @Override
  public long historicalToFile(FeatureRepo repo, HistoricalRequest request) {
    throw new UnsupportedOperationException("not implemented yet");
  }

  @Override
  public long historicalToArrow(
      FeatureRepo repo, HistoricalRequest request, BufferAllocator allocator, ArrowSink sink) {
    throw new UnsupportedOperationException("not implemented yet");
  }

  @Override
  public List<Map<String, Object>> preview(Path file, int limit) {
    throw new UnsupportedOperationException("not implemented yet");
  }

  @Override
  public long scanLatest(
      FeatureRepo repo,
      FeatureView view,
      Instant start,
      Instant end,
      int batchSize,
      Consumer<List<FeatureRow>> consumer) {
    throw new UnsupportedOperationException("not implemented yet");
  }

  @Override
  public void close() {}
}
