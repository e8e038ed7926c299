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

  /** A 1 ms deadline leaves the store about 0.75 ms: the message says so, not "within 0 ms". */
  @Test
  void timeoutMessagesShowTheStoresShareToTheMicrosecond() {
    // A clock that stands still: the deadline has exactly 1 ms left when the share is computed.
    io.grpc.Deadline.Ticker still =
        new io.grpc.Deadline.Ticker() {
          @Override
          public long nanoTime() {
            return 0;
          }
        };
    java.time.Duration share =
        GrpcFeatureService.storeTimeout(
            io.grpc.Deadline.after(1, TimeUnit.MILLISECONDS, still),
            java.time.Duration.ofSeconds(2));
    assertEquals(java.time.Duration.ofNanos(750_000), share);
    String message = OnlineFeatures.timeoutMessage("redis://127.0.0.1:6379", share);
    assertTrue(
        message.matches(
            "online store redis://127\\.0\\.0\\.1:6379 did not answer within 0\\.75 ms"),
        message);
    assertEquals(
        "online store s did not answer within 0.75 ms",
        OnlineFeatures.timeoutMessage("s", java.time.Duration.ofNanos(750_000)));
    assertEquals(
        "online store s did not answer within 200 ms",
        OnlineFeatures.timeoutMessage("s", java.time.Duration.ofMillis(200)));
    assertEquals(
        "online store s did not answer within 2.5 ms",
        OnlineFeatures.timeoutMessage("s", java.time.Duration.ofNanos(2_500_000)));
    assertTrue(
        OnlineFeatures.timeoutMessage("s", java.time.Duration.ZERO).contains("no time left"));
  }
}
