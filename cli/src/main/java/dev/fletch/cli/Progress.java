package dev.fletch.cli;

import static java.util.Objects.requireNonNull;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Progress of long work (materialization, historical retrieval) on stderr: rows done, rows per
 * second and elapsed time. On a terminal the line is redrawn in place a few times a second;
 * otherwise (CI logs, redirected output) a new line is printed at most every two seconds so logs
 * stay short. {@link #close} prints the final summary line. Safe to call {@link #add}/{@link #set}
 * from several threads.
 *
 * <pre>{@code
 * try (Progress progress = Progress.start(ctx.err(), "materializing customer_profile")) {
 *   ... progress.add(batchRows);
 * }
 * }</pre>
 */
public final class Progress implements AutoCloseable {
  private static final long TTY_INTERVAL_NANOS = Duration.ofMillis(200).toNanos();
  private static final long LOG_INTERVAL_NANOS = Duration.ofSeconds(2).toNanos();

  private final PrintStream err;
  private final String label;
  private final boolean inPlace;
  private final LongSupplier nanoClock;
  private final long startNanos;
  private final AtomicLong rows = new AtomicLong();
  private long lastPrintNanos;
  private int lastLineLength;
  private boolean closed;

  Progress(PrintStream err, String label, boolean inPlace, LongSupplier nanoClock) {
    this.err = requireNonNull(err, "err is null");
    this.label = requireNonNull(label, "label is null");
    this.inPlace = inPlace;
    this.nanoClock = requireNonNull(nanoClock, "nanoClock is null");
    this.startNanos = nanoClock.getAsLong();
    this.lastPrintNanos = startNanos;
  }

  /** Starts reporting; redraws in place when stderr is a terminal. */
  public static Progress start(PrintStream err, String label) {
    return new Progress(err, label, System.console() != null, System::nanoTime);
  }

  /** Adds {@code n} rows done and prints an update if one is due. */
  public void add(long n) {
    rows.addAndGet(n);
    maybePrint();
  }

  /** Sets the total of rows done (for work that reports a running total) and prints if due. */
  public void set(long total) {
    rows.set(total);
    maybePrint();
  }

  public long rows() {
    return rows.get();
  }

  private synchronized void maybePrint() {
    if (closed) {
      return;
    }
    long now = nanoClock.getAsLong();
    if (now - lastPrintNanos < (inPlace ? TTY_INTERVAL_NANOS : LOG_INTERVAL_NANOS)) {
      return;
    }
    lastPrintNanos = now;
    String line = label + ": " + describe(rows.get(), now - startNanos);
    if (inPlace) {
      // Pad over the previous, possibly longer, line so no stale characters remain.
      int pad = Math.max(0, lastLineLength - line.length());
      err.print("\r" + line + " ".repeat(pad));
      lastLineLength = line.length();
    } else {
      err.println(line);
    }
    err.flush();
  }

  /** Prints the final summary line ({@code label: done, N rows in T (R rows/s)}); idempotent. */
  @Override
  public synchronized void close() {
    close(rows.get(), Duration.ofNanos(nanoClock.getAsLong() - startNanos));
  }

  /**
   * Prints the final summary line with figures measured by the work itself (its own clock), so that
   * every place that reports the work says the same; idempotent.
   */
  public synchronized void close(long rowsDone, Duration took) {
    if (closed) {
      return;
    }
    closed = true;
    long elapsed = took.toNanos();
    String line = label + ": done, " + describe(rowsDone, elapsed);
    if (inPlace) {
      err.print("\r" + line + " ".repeat(Math.max(0, lastLineLength - line.length())) + "\n");
    } else {
      err.println(line);
    }
    err.flush();
  }

  static String describe(long rows, long elapsedNanos) {
    double seconds = elapsedNanos / 1e9;
    long rate = seconds > 0 ? Math.round(rows / seconds) : 0;
    return String.format(
        Locale.ROOT, "%,d rows in %s (%,d rows/s)", rows, formatElapsed(elapsedNanos), rate);
  }

  static String formatElapsed(long nanos) {
    long millis = nanos / 1_000_000;
    if (millis < 1000) {
      return millis + "ms";
    }
    if (millis < 60_000) {
      return String.format(Locale.ROOT, "%.1fs", millis / 1000.0);
    }
    long totalSeconds = millis / 1000;
    long hours = totalSeconds / 3600;
    long minutes = (totalSeconds % 3600) / 60;
    long seconds = totalSeconds % 60;
    return hours > 0
        ? String.format(Locale.ROOT, "%dh%02dm%02ds", hours, minutes, seconds)
        : String.format(Locale.ROOT, "%dm%02ds", minutes, seconds);
  }
}
