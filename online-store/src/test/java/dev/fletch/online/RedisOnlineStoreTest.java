package dev.fletch.online;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fletch.core.model.EntityKey;
import dev.fletch.core.model.FeatureRow;
import dev.fletch.core.model.FeatureView;
import dev.fletch.core.model.ValueType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** How writes are cut into script calls and flushes (the Redis behaviour itself is in the ITs). */
class RedisOnlineStoreTest {
  /** Records calls; slot = last byte of the key mod 3 when clustered. */
  static final class RecordingAdapter implements RedisAdapter {
    @Override
    public CompletableFuture<byte[]> replace(
        byte[][] keys, byte[] field, byte[][] expected, byte[][] entries, long ttlMillis) {
      throw new UnsupportedOperationException("not recorded");
    }

    final boolean cluster;
    final List<byte[][]> upserts = new ArrayList<>();
    int flushes;
    int pendingAtLastFlush;
    int pending;

    @Override
    public CompletableFuture<Void> ping() {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<java.util.Map<String, String>> clusterStates() {
      return CompletableFuture.completedFuture(java.util.Map.of());
    }

    RecordingAdapter(boolean cluster) {
      this.cluster = cluster;
    }

    @Override
    public CompletableFuture<List<byte[]>> hmget(byte[] key, byte[][] fields) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<Long> upsert(byte[][] keys, byte[] field, byte[][] entries, long ttl) {
      upserts.add(keys);
      pending += keys.length;
      return CompletableFuture.completedFuture((long) keys.length);
    }

    @Override
    public boolean cluster() {
      return cluster;
    }

    @Override
    public int slotOf(byte[] key) {
      return cluster ? key[key.length - 1] % 3 : 0;
    }

    @Override
    public CompletableFuture<Long> hdel(byte[] key, byte[] field) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<byte[]> setIfAbsent(byte[] key, byte[] field, byte[] value) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<ScanPage> scan(ScanPage previous, String pattern, int count) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void flush() {
      flushes++;
      pendingAtLastFlush = pending;
    }

    @Override
    public String describe() {
      return "recording";
    }

    @Override
    public void close() {}
  }

  static List<FeatureRow> rows(int n) {
    List<FeatureRow> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      rows.add(new FeatureRow(EntityKey.of("id", i), Instant.EPOCH, List.of((long) i)));
    }
    return rows;
  }

  static final FeatureView VIEW =
      TestViews.view("v", Duration.ZERO, List.of(TestViews.feature("n", ValueType.INT64)));

  @Test
  void standaloneWritesGoOutInScriptsOfAHundredRowsAndAreAllFlushed() {
    RecordingAdapter redis = new RecordingAdapter(false);
    new RedisOnlineStore(redis).write("p", VIEW, rows(2_550)).join();
    assertEquals(26, redis.upserts.size());
    assertTrue(redis.upserts.stream().allMatch(k -> k.length <= 100));
    assertEquals(2_550, redis.pendingAtLastFlush, "everything flushed by the end");
    assertTrue(redis.flushes >= 3, "flushed along the way, not only at the end");
  }

  @Test
  void clusterScriptsOnlyTouchKeysOfOneSlot() {
    RecordingAdapter redis = new RecordingAdapter(true);
    new RedisOnlineStore(redis).write("p", VIEW, rows(500)).join();
    int total = 0;
    for (byte[][] keys : redis.upserts) {
      Set<Integer> slots = new HashSet<>();
      for (byte[] k : keys) {
        slots.add(redis.slotOf(k));
      }
      assertEquals(1, slots.size());
      assertTrue(keys.length <= 100);
      total += keys.length;
    }
    assertEquals(500, total);
  }
}
