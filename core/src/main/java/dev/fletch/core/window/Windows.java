package dev.fletch.core.window;

import java.time.Duration;

/**
 * The window and tile arithmetic of aggregated views, in microseconds since the epoch (UTC): the
 * one place the semantics live, used by every engine and by serving.
 *
 * <p>Tiles: tile {@code k} of hop {@code h} holds the events with event time in [k*h, (k+1)*h). The
 * value at time {@code t} over window {@code w} aggregates the events with event time {@code e} in
 * [{@link #windowStart}(t, w, h), t]: the end is exact (an event at {@code t} counts, one a
 * microsecond later does not), the start is rounded down to the hop (a "sawtooth" window: between w
 * and w + h long), so that whole tiles answer it.
 */
public final class Windows {
  private Windows() {}

  /** Microseconds since the epoch of an instant. */
  public static long micros(java.time.Instant t) {
    return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000);
  }

  /** The instant of epoch microseconds. */
  public static java.time.Instant instant(long micros) {
    return java.time.Instant.ofEpochSecond(
        Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
  }

  /** Microseconds of a duration; ArithmeticException beyond a long. */
  public static long micros(Duration d) {
    return Math.addExact(Math.multiplyExact(d.getSeconds(), 1_000_000L), d.getNano() / 1_000);
  }

  /** The first event time inside the window of length {@code w} that ends at {@code t}. */
  public static long windowStart(long t, long w, long h) {
    return Math.floorDiv(t - w, h) * h;
  }

  /** The tile holding event time {@code e}. */
  public static long tile(long e, long h) {
    return Math.floorDiv(e, h);
  }

  /** The first tile of the window of length {@code w} that ends at {@code t}. */
  public static long firstTile(long t, long w, long h) {
    return Math.floorDiv(t - w, h);
  }
}
