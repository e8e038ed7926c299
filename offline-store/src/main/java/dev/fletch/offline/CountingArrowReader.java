package dev.fletch.offline;

import java.io.IOException;
import java.util.Map;
import java.util.Set;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.dictionary.Dictionary;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.Schema;

/** Hands a caller DuckDB's Arrow reader unchanged while counting the rows it yields. */
final class CountingArrowReader extends ArrowReader {
  private final ArrowReader delegate;
  private long rows;

  CountingArrowReader(BufferAllocator allocator, ArrowReader delegate) {
    super(allocator);
    this.delegate = delegate;
  }

  long rows() {
    return rows;
  }

  @Override
  public VectorSchemaRoot getVectorSchemaRoot() throws IOException {
    return delegate.getVectorSchemaRoot();
  }

  @Override
  public Map<Long, Dictionary> getDictionaryVectors() throws IOException {
    return delegate.getDictionaryVectors();
  }

  @Override
  public Dictionary lookup(long id) {
    return delegate.lookup(id);
  }

  @Override
  public Set<Long> getDictionaryIds() {
    return delegate.getDictionaryIds();
  }

  @Override
  public boolean loadNextBatch() throws IOException {
    boolean loaded = delegate.loadNextBatch();
    if (loaded) {
      rows += delegate.getVectorSchemaRoot().getRowCount();
    }
    return loaded;
  }

  @Override
  public long bytesRead() {
    return delegate.bytesRead();
  }

  @Override
  protected void closeReadSource() throws IOException {
    delegate.close();
  }

  @Override
  protected Schema readSchema() throws IOException {
    return delegate.getVectorSchemaRoot().getSchema();
  }
}
