package dev.fletch.serving;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A coarse timeout for store reads: like {@link CompletableFuture#orTimeout}, but registering is
 * one lock-free queue insert. {@code orTimeout} schedules (and on completion cancels) a task in a
 * shared ScheduledThreadPoolExecutor per call, which takes a lock twice and wakes its thread; at
 * thousands of calls per second on two cores that showed up in the latency tail. Here one daemon
 * thread checks the pending futures every {@link #TICK_MILLIS} ms, so a timeout fires up to a tick
 * late; deadlines are hundreds of milliseconds or more, so that is noise.
 */
final class Deadlines {
  private static final Logger LOG = LoggerFactory.getLogger(Deadlines.class);
  static final long TICK_MILLIS = 5;

  private static final ConcurrentLinkedQueue<Entry> INCOMING = new ConcurrentLinkedQueue<>();

  private record Entry(CompletableFuture<?> future, long deadline) {}

  static {
    Thread t = new Thread(Deadlines::run, "fletch-deadlines");
    t.setDaemon(true);
    t.start();
  }

  private Deadlines() {}

  /**
   * Completes {@code future} exceptionally with a {@link TimeoutException} if it is not done within
   * {@code nanos} (give or take a tick); returns it.
   */
  static <T> CompletableFuture<T> orTimeout(CompletableFuture<T> future, long nanos) {
    if (!future.isDone()) {
      INCOMING.add(new Entry(future, System.nanoTime() + nanos));
    }
    return future;
  }

  private static void run() {
    List<Entry> pending = new ArrayList<>();
    while (true) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS));
      for (Entry e; (e = INCOMING.poll()) != null; ) {
        pending.add(e);
      }
      long now = System.nanoTime();
      int kept = 0;
      for (int i = 0; i < pending.size(); i++) {
        Entry e = pending.get(i);
        if (e.future().isDone()) {
          continue;
        }
        if (now - e.deadline() >= 0) {
          try {
            e.future().completeExceptionally(new TimeoutException());
          } catch (Throwable t) {
            // A dependent stage failed on this thread: log it, and keep ticking for the others.
            LOG.warn("a timed-out store read's follow-up failed", t);
          }
          continue;
        }
        pending.set(kept++, e);
      }
      pending.subList(kept, pending.size()).clear();
    }
  }
}
