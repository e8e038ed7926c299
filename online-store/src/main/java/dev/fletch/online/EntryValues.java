package dev.fletch.online;

import dev.fletch.core.model.FeatureView;
import java.util.AbstractList;
import java.util.RandomAccess;

/**
 * One stored entry's values in its view's current feature order, decoded on first access (a corrupt
 * entry fails that access with the decoder's FletchException). A feature the entry holds no value
 * of as the view now defines it (added, or changed type incompatibly, after the entry was written:
 * see {@link ValueCodec}) reads as null, and {@link #materialized} says so, which a stored null
 * does not.
 *
 * <p>Racing first accesses may both decode; each publishes its own array, never changed afterwards,
 * so either result is fine.
 */
public final class EntryValues extends AbstractList<Object> implements RandomAccess {
  private final FeatureView view;
  private final byte[] entry;
  private volatile Object[] decoded; // volatile: the array's elements are published with it

  /** The values of {@code entry}, decoded when first read. */
  EntryValues(FeatureView view, byte[] entry) {
    this.view = view;
    this.entry = entry;
  }

  /** Values decoded already by {@link ValueCodec#values}. */
  EntryValues(FeatureView view, Object[] decoded) {
    this.view = view;
    this.entry = null;
    this.decoded = decoded;
  }

  private Object[] decoded() {
    Object[] d = decoded;
    if (d == null) {
      d = ValueCodec.values(view, entry);
      decoded = d;
    }
    return d;
  }

  @Override
  public Object get(int index) {
    Object v = decoded()[index];
    return v == ValueCodec.NOT_MATERIALIZED ? null : v;
  }

  /**
   * Whether the entry holds a value, possibly null, of feature {@code index} as the view defines it
   * now; false when the feature was added or changed type incompatibly since the entry was written
   * (it has never been materialized into this entry).
   */
  public boolean materialized(int index) {
    return decoded()[index] != ValueCodec.NOT_MATERIALIZED;
  }

  @Override
  public int size() {
    return view.features().size();
  }
}
