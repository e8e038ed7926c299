package dev.fletch.core.expr;

/**
 * A DuckDB INTERVAL: months, days and microseconds, kept apart as DuckDB keeps them ({@code 1
 * month} is not a number of days until it is added to a date). Two intervals compare as DuckDB
 * compares them: normalized to months of 30 days and days of 24 hours.
 */
public record Interval(int months, int days, long micros) implements Comparable<Interval> {
  static final long MICROS_PER_DAY = 86_400_000_000L;
  static final long DAYS_PER_MONTH = 30;

  @Override
  public int compareTo(Interval o) {
    long[] a = normalized();
    long[] b = o.normalized();
    for (int i = 0; i < 3; i++) {
      int c = Long.compare(a[i], b[i]);
      if (c != 0) {
        return c;
      }
    }
    return 0;
  }

  /** Equal as DuckDB's {@code =} sees it (1 day = 24 hours, 1 month = 30 days). */
  boolean sqlEquals(Interval o) {
    return compareTo(o) == 0;
  }

  private long[] normalized() {
    long extraDays = micros / MICROS_PER_DAY;
    long restMicros = micros % MICROS_PER_DAY;
    long totalDays = days + extraDays;
    long extraMonths = totalDays / DAYS_PER_MONTH;
    long restDays = totalDays % DAYS_PER_MONTH;
    return new long[] {months + extraMonths, restDays, restMicros};
  }
}
