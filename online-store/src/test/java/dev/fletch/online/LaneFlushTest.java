package dev.fletch.online;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.api.StatefulConnection;
import java.lang.reflect.Proxy;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A flush that meets Lettuce's cluster race (a NullPointerException while a node connection is
 * being opened, lettuce#1301; it failed a write in RedisClusterReplicaReadsIT once) is tried again
 * until the commands go out, instead of failing the caller.
 */
class LaneFlushTest {
  @SuppressWarnings("unchecked")
  private static StatefulConnection<byte[], byte[]> connection(
      int failures, AtomicInteger calls, CountDownLatch flushed) {
    return (StatefulConnection<byte[], byte[]>)
        Proxy.newProxyInstance(
            LaneFlushTest.class.getClassLoader(),
            new Class<?>[] {StatefulConnection.class},
            (proxy, method, args) -> {
              if (method.getName().equals("flushCommands")) {
                if (calls.incrementAndGet() <= failures) {
                  throw new NullPointerException("pending node connection");
                }
                flushed.countDown();
              }
              return null;
            });
  }

  @Test
  void aFlushThatRacesWithANewNodeConnectionIsRetried() throws Exception {
    ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor();
    try {
      AtomicInteger calls = new AtomicInteger();
      CountDownLatch flushed = new CountDownLatch(1);
      LettuceRedisAdapter.Lane lane =
          new LettuceRedisAdapter.Lane(connection(3, calls, flushed), null, loop);
      lane.flushNow(); // does not throw
      assertTrue(flushed.await(5, TimeUnit.SECONDS), "flushed after the race");
      assertEquals(4, calls.get(), "three failed attempts, then one that went out");

      AtomicInteger forever = new AtomicInteger();
      LettuceRedisAdapter.Lane broken =
          new LettuceRedisAdapter.Lane(
              connection(Integer.MAX_VALUE, forever, new CountDownLatch(1)), null, loop);
      broken.flushNow();
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (forever.get() < LettuceRedisAdapter.Lane.FLUSH_RETRIES + 1
          && System.nanoTime() < until) {
        Thread.sleep(10);
      }
      Thread.sleep(50);
      assertEquals(
          LettuceRedisAdapter.Lane.FLUSH_RETRIES + 1, forever.get(), "bounded: then it gives up");
    } finally {
      loop.shutdownNow();
    }
  }
}
