package dev.fletch.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BoundedCacheTest {
  @Test
  void computesOncePerKeyAndKeepsTheValue() {
    BoundedCache<String, StringBuilder> cache = new BoundedCache<>(10);
    AtomicInteger computed = new AtomicInteger();
    StringBuilder first =
        cache.get(
            "a",
            k -> {
              computed.incrementAndGet();
              return new StringBuilder(k);
            });
    StringBuilder again = cache.get("a", k -> new StringBuilder("other"));
    assertSame(first, again);
    assertEquals(1, computed.get());
  }

  @Test
  void startsOverWhenFullSoDistinctKeysCannotGrowIt() {
    BoundedCache<Integer, Integer> cache = new BoundedCache<>(3);
    for (int i = 0; i < 100; i++) {
      assertEquals(i * 2, cache.get(i, k -> k * 2));
      assertTrue(cache.size() <= 3, "size " + cache.size());
    }
  }

  @Test
  void aFailedComputationKeepsNothing() {
    BoundedCache<String, String> cache = new BoundedCache<>(3);
    assertThrows(
        IllegalStateException.class,
        () ->
            cache.get(
                "bad",
                k -> {
                  throw new IllegalStateException("no");
                }));
    assertEquals(0, cache.size());
    assertEquals("ok", cache.get("bad", k -> "ok"));
  }
}
