package dev.fletch.stream;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.kafka.common.errors.WakeupException;

/**
 * Runs stream ingestors, one thread each, until closed or (with {@code once}) until each is caught
 * up. A failed batch is retried after a pause that grows to 30 s: a dead store or broker stops a
 * stream from advancing, never skips or corrupts it. Each ingestor's counters, lag and last error
 * are written to {@code <statusDir>/<source>.json} at most once a second (what {@code fletch stream
 * --status} shows of a running stream).
 */
public final class StreamRunner implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<StreamIngestor> ingestors;
  private final boolean once;
  private final Path statusDir;
  private final Consumer<String> warn;
  private final Clock clock;
  private final AtomicBoolean stop = new AtomicBoolean();
  private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
  private final CountDownLatch done;
  private final List<Thread> threads = new ArrayList<>();

  public StreamRunner(
      List<StreamIngestor> ingestors,
      boolean once,
      Path statusDir,
      Consumer<String> warn,
      Clock clock) {
    this.ingestors = List.copyOf(ingestors);
    this.once = once;
    this.statusDir = statusDir;
    this.warn = requireNonNull(warn, "warn is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.done = new CountDownLatch(this.ingestors.size());
  }

  public List<StreamIngestor> ingestors() {
    return ingestors;
  }

  /** Starts one thread per ingestor. */
  public void start() {
    for (StreamIngestor ingestor : ingestors) {
      Thread t =
          new Thread(
              () -> {
                try {
                  consume(ingestor);
                } catch (RuntimeException e) {
                  failure.compareAndSet(null, e);
                } finally {
                  writeStatus(ingestor, true);
                  done.countDown();
                }
              },
              "fletch-stream-" + ingestor.source().name());
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
  }

  /** Whether every ingestor has stopped (after {@code once}, or after {@link #close}). */
  public boolean awaitDone(Duration timeout) throws InterruptedException {
    return done.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** What stopped an ingestor for good (not a failed batch: those are retried), or null. */
  public RuntimeException failure() {
    return failure.get();
  }

  private void consume(StreamIngestor ingestor) {
    long backoff = 100;
    long statusAt = 0;
    while (!stop.get()) {
      try {
        int n = ingestor.pollOnce();
        backoff = 100;
        if (once && n == 0 && caughtUp(ingestor)) {
          return;
        }
      } catch (WakeupException e) {
        return;
      } catch (RuntimeException e) {
        warn.accept(
            "stream of '"
                + ingestor.source().name()
                + "': a batch failed and will be retried in "
                + backoff
                + " ms: "
                + oneLine(e.getMessage()));
        sleep(backoff);
        backoff = Math.min(30_000, backoff * 2);
      }
      long now = System.nanoTime();
      if (now - statusAt >= TimeUnit.SECONDS.toNanos(1)) {
        writeStatus(ingestor, false);
        statusAt = now;
      }
    }
  }

  private static boolean caughtUp(StreamIngestor ingestor) {
    Map<Integer, Long> lag = ingestor.stats().lag();
    return !lag.isEmpty() && lag.values().stream().allMatch(l -> l == 0);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static String oneLine(String message) {
    if (message == null) {
      return "";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }

  /** The status file of a source's stream. */
  public static Path statusFile(Path statusDir, String source) {
    return statusDir.resolve(source + ".json");
  }

  private void writeStatus(StreamIngestor ingestor, boolean stopped) {
    if (statusDir == null) {
      return;
    }
    StreamIngestor.Stats s = ingestor.stats();
    ObjectNode o = JSON.createObjectNode();
    o.put("source", ingestor.source().name());
    o.put("updated", clock.instant().toString());
    o.put("running", !stopped);
    o.put("messages", s.messages());
    o.put("applied_online", s.appliedOnline());
    o.put("late", s.late());
    o.put("already_applied", s.duplicates());
    o.put("logged_rows", s.loggedRows());
    o.put("dead_letters", s.deadLetters());
    o.put("freshness_ms", s.lastFreshness().toMillis());
    ObjectNode lag = o.putObject("lag");
    s.lag().forEach((p, l) -> lag.put(Integer.toString(p), l));
    if (s.lastError() != null) {
      o.put("last_error", s.lastError());
    }
    try {
      Files.createDirectories(statusDir);
      Path file = statusFile(statusDir, ingestor.source().name());
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.writeString(tmp, JSON.writeValueAsString(o), StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      warn.accept("cannot write the stream status of '" + ingestor.source().name() + "': " + e);
    }
  }

  /**
   * Stops every ingestor (a blocked poll is woken), waits for the threads, closes the consumers.
   */
  @Override
  public void close() {
    stop.set(true);
    ingestors.forEach(StreamIngestor::wakeup);
    for (Thread t : threads) {
      try {
        t.join(TimeUnit.SECONDS.toMillis(15));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (StreamIngestor i : ingestors) {
      try {
        i.close();
      } catch (RuntimeException e) {
        warn.accept(e.getMessage());
      }
    }
  }
}
