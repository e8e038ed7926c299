package dev.fletch.core;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * A thread-safe memo for values derived from a small, recurring set of keys (request plans, encoded
 * names), bounded so that a stream of distinct keys cannot grow it without limit: when it holds
 * {@code maxEntries}, it is emptied and starts over. Reads are one hash lookup; two threads that
 * miss the same key may both compute it, and either result is kept.
 */
public final class BoundedCache<K, V> {
  private final int maxEntries;
  private final ConcurrentHashMap<K, V> entries = new ConcurrentHashMap<>();

  public BoundedCache(int maxEntries) {
    if (maxEntries < 1) {
      throw new IllegalArgumentException("maxEntries must be at least 1, got " + maxEntries);
    }
    this.maxEntries = maxEntries;
  }

  /**
   * The value for {@code key}, computed (outside any lock) and kept on a miss. A computation that
   * throws keeps nothing.
   */
  public V get(K key, Function<? super K, ? extends V> compute) {
    V value = entries.get(key);
    if (value == null) {
      value = requireNonNull(compute.apply(key), "computed value is null");
      if (entries.size() >= maxEntries) {
        entries.clear();
      }
      entries.put(key, value);
    }
    return value;
  }

  /** How many values are kept now. */
  public int size() {
    return entries.size();
  }
}
