package dev.fletch.offline;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.dictionary.Dictionary;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Hands a caller DuckDB's Arrow batches while counting the rows, under a schema that carries the
 * training set's lineage: {@link TrainingSetMetadata} as schema metadata, and each feature column's
 * {@code view:feature} as that field's metadata. The vectors are DuckDB's own, unchanged.
 */
final class CountingArrowReader extends ArrowReader {
  private final ArrowReader delegate;
  private final Map<String, String> schemaMetadata;
  private final Map<String, String> fieldRefs;
  private VectorSchemaRoot root;
  private long rows;

  CountingArrowReader(
      BufferAllocator allocator,
      ArrowReader delegate,
      Map<String, String> schemaMetadata,
      Map<String, String> fieldRefs) {
    super(allocator);
    this.delegate = delegate;
    this.schemaMetadata = Map.copyOf(schemaMetadata);
    this.fieldRefs = Map.copyOf(fieldRefs);
  }

  long rows() {
    return rows;
  }

  @Override
  public VectorSchemaRoot getVectorSchemaRoot() throws IOException {
    if (root == null) {
      VectorSchemaRoot inner = delegate.getVectorSchemaRoot();
      root = new LineageRoot(withLineage(inner.getSchema()), inner);
    }
    return root;
  }

  private Schema withLineage(Schema schema) {
    List<Field> fields = new ArrayList<>(schema.getFields().size());
    for (Field f : schema.getFields()) {
      String ref = fieldRefs.get(f.getName());
      if (ref == null) {
        fields.add(f);
        continue;
      }
      Map<String, String> metadata = new LinkedHashMap<>();
      if (f.getMetadata() != null) {
        metadata.putAll(f.getMetadata());
      }
      metadata.put(TrainingSetMetadata.FEATURE_REF, ref);
      FieldType t = f.getFieldType();
      fields.add(
          new Field(
              f.getName(),
              new FieldType(t.isNullable(), t.getType(), t.getDictionary(), metadata),
              f.getChildren()));
    }
    Map<String, String> metadata = new LinkedHashMap<>();
    if (schema.getCustomMetadata() != null) {
      metadata.putAll(schema.getCustomMetadata());
    }
    metadata.putAll(schemaMetadata);
    return new Schema(fields, metadata);
  }

  /**
   * DuckDB's vectors under the lineage schema; the row count is always the loaded batch's (the
   * vectors are loaded in place, batch after batch).
   */
  private static final class LineageRoot extends VectorSchemaRoot {
    private final VectorSchemaRoot inner;

    LineageRoot(Schema schema, VectorSchemaRoot inner) {
      super(schema, inner.getFieldVectors(), inner.getRowCount());
      this.inner = inner;
    }

    @Override
    public int getRowCount() {
      return inner.getRowCount();
    }

    @Override
    public void close() {
      // DuckDB's reader owns the vectors and closes them.
    }
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
    return getVectorSchemaRoot().getSchema();
  }
}
