package dev.fletch.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class DeadlinesTest {

  @Test
  void failsAnUnfinishedFutureWithTimeoutAfterItsDeadline() {
    long start = System.nanoTime();
    CompletableFuture<String> f =
        Deadlines.orTimeout(new CompletableFuture<>(), TimeUnit.MILLISECONDS.toNanos(50));
    ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(5, TimeUnit.SECONDS));
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertInstanceOf(TimeoutException.class, e.getCause());
    assertTrue(tookMillis >= 50, "fired early: " + tookMillis + " ms");
    assertTrue(tookMillis < 2000, "fired late: " + tookMillis + " ms");
  }

  @Test
  void leavesFuturesThatFinishInTimeAlone() throws Exception {
    CompletableFuture<String> f =
        Deadlines.orTimeout(new CompletableFuture<>(), TimeUnit.MILLISECONDS.toNanos(30));
    f.complete("ok");
    Thread.sleep(100);
    assertEquals("ok", f.get());
    CompletableFuture<String> done = Deadlines.orTimeout(CompletableFuture.completedFuture("x"), 0);
    assertEquals("x", done.get());
  }

  @Test
  void manyPendingDeadlinesEachFire() {
    CompletableFuture<?>[] all = new CompletableFuture<?>[1000];
    for (int i = 0; i < all.length; i++) {
      all[i] =
          Deadlines.orTimeout(new CompletableFuture<>(), TimeUnit.MILLISECONDS.toNanos(i % 40));
    }
    for (CompletableFuture<?> f : all) {
      ExecutionException e =
          assertThrows(ExecutionException.class, () -> f.get(5, TimeUnit.SECONDS));
      assertInstanceOf(TimeoutException.class, e.getCause());
    }
  }
}
