package dev.fletch.core;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/** Background schedulers of one daemon thread, named so that thread dumps say what they are. */
public final class DaemonScheduler {
  private DaemonScheduler() {}

  /** A scheduled executor whose one thread is a daemon called {@code threadName}. */
  public static ScheduledExecutorService named(String threadName) {
    requireNonNull(threadName, "threadName is null");
    return Executors.newSingleThreadScheduledExecutor(
        r -> {
          Thread t = new Thread(r, threadName);
          t.setDaemon(true);
          return t;
        });
  }
}
