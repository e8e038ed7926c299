package dev.fletch.core.expr;

import dev.fletch.core.expr.Expr.BinaryOp;
import dev.fletch.core.expr.SqlType.Kind;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.time.temporal.IsoFields;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Dates, timestamps and intervals as DuckDB computes them, in UTC: DATE is days since 1970-01-01,
 * TIMESTAMP and TIMESTAMPTZ microseconds since 1970-01-01 00:00 UTC (the proleptic Gregorian
 * calendar, as java.time and DuckDB both use).
 */
final class Temporal {
  private Temporal() {}

  static final long MICROS_PER_SECOND = 1_000_000L;
  static final long MICROS_PER_MINUTE = 60 * MICROS_PER_SECOND;
  static final long MICROS_PER_HOUR = 60 * MICROS_PER_MINUTE;
  static final long MICROS_PER_DAY = 24 * MICROS_PER_HOUR;

  /** DuckDB's last and first valid timestamps (294247-01-10 04:00:54.775806 and its mirror). */
  static final long MAX_MICROS = Long.MAX_VALUE - 1;

  static final long MIN_MICROS = -9223372022400000000L;

  static long dateToMicros(int days) {
    long m;
    try {
      m = Math.multiplyExact((long) days, MICROS_PER_DAY);
    } catch (ArithmeticException e) {
      throw new EvaluationException("Date out of range in timestamp conversion");
    }
    if (m < MIN_MICROS || m > MAX_MICROS) {
      throw new EvaluationException("Date out of range in timestamp conversion");
    }
    return m;
  }

  static int microsToDate(long micros) {
    return Math.toIntExact(Math.floorDiv(micros, MICROS_PER_DAY));
  }

  static LocalDate date(int days) {
    return LocalDate.ofEpochDay(days);
  }

  static LocalDate dateOf(long micros) {
    return LocalDate.ofEpochDay(Math.floorDiv(micros, MICROS_PER_DAY));
  }

  static long timeOfDay(long micros) {
    return Math.floorMod(micros, MICROS_PER_DAY);
  }

  // ---- text ------------------------------------------------------------------------------------

  static String dateText(int days) {
    LocalDate d = date(days);
    int y = d.getYear();
    String year = y > 0 ? pad(y, 4) : pad(1 - y, 4);
    return year
        + "-"
        + pad(d.getMonthValue(), 2)
        + "-"
        + pad(d.getDayOfMonth(), 2)
        + (y > 0 ? "" : " (BC)");
  }

  static String timestampText(long micros) {
    LocalDate d = dateOf(micros);
    int y = d.getYear();
    String date =
        (y > 0 ? pad(y, 4) : pad(1 - y, 4))
            + "-"
            + pad(d.getMonthValue(), 2)
            + "-"
            + pad(d.getDayOfMonth(), 2);
    return date + (y > 0 ? "" : " (BC)") + " " + timeText(timeOfDay(micros));
  }

  /** HH:MM:SS[.ffffff] with trailing zeros of the fraction dropped. */
  static String timeText(long micros) {
    long h = micros / MICROS_PER_HOUR;
    long m = micros / MICROS_PER_MINUTE % 60;
    long s = micros / MICROS_PER_SECOND % 60;
    long f = micros % MICROS_PER_SECOND;
    String t = pad(h, 2) + ":" + pad(m, 2) + ":" + pad(s, 2);
    if (f != 0) {
      String frac = pad(f, 6);
      int end = frac.length();
      while (frac.charAt(end - 1) == '0') {
        end--;
      }
      t += "." + frac.substring(0, end);
    }
    return t;
  }

  static String intervalText(Interval i) {
    StringBuilder b = new StringBuilder();
    int years = i.months() / 12;
    int months = i.months() % 12;
    if (years != 0) {
      b.append(years).append(years == 1 || years == -1 ? " year" : " years");
    }
    if (months != 0) {
      if (b.length() > 0) {
        b.append(' ');
      }
      b.append(months).append(months == 1 || months == -1 ? " month" : " months");
    }
    if (i.days() != 0) {
      if (b.length() > 0) {
        b.append(' ');
      }
      b.append(i.days()).append(i.days() == 1 || i.days() == -1 ? " day" : " days");
    }
    if (i.micros() != 0 || b.length() == 0) {
      if (b.length() > 0) {
        b.append(' ');
      }
      long m = i.micros();
      if (m < 0) {
        b.append('-');
        m = -m;
      }
      b.append(timeText(m));
    }
    return b.toString();
  }

  static String pad(long v, int width) {
    String s = Long.toString(v);
    StringBuilder b = new StringBuilder();
    for (int i = s.length(); i < width; i++) {
      b.append('0');
    }
    return b.append(s).toString();
  }

  // ---- parsing ---------------------------------------------------------------------------------

  private static final Pattern DATE =
      Pattern.compile("(\\d{1,7})-(\\d{1,2})-(\\d{1,2})( \\(BC\\))?");
  private static final Pattern TIMESTAMP =
      Pattern.compile(
          "(\\d{1,7})-(\\d{1,2})-(\\d{1,2})(?:[T ](\\d{1,2}):(\\d{1,2})(?::(\\d{1,2})(?:\\.(\\d+))?)?)?"
              + " ?(Z|[+-]\\d{1,2}(?::?\\d{2})?)?( \\(BC\\))?");

  static int parseDate(String s) {
    String t = s.strip();
    if (t.equalsIgnoreCase("epoch")) {
      return 0;
    }
    infinite(t);
    Matcher m = DATE.matcher(t);
    if (!m.matches()) {
      // a timestamp's text is a date too (its time and offset ignored)
      return Math.toIntExact(Math.floorDiv(parseTimestamp(s, SqlType.TIMESTAMP), MICROS_PER_DAY));
    }
    int y = Integer.parseInt(m.group(1));
    if (m.group(4) != null) {
      y = 1 - y;
    }
    try {
      return Math.toIntExact(
          LocalDate.of(y, Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3))).toEpochDay());
    } catch (DateTimeException e) {
      throw new EvaluationException(
          "date field value out of range: \"" + s + "\", expected format is (YYYY-MM-DD)");
    }
  }

  /**
   * DuckDB reads 'infinity' as an infinite date or timestamp; Fletch has no such value (an Instant
   * cannot hold it), so evaluation fails there instead.
   */
  private static void infinite(String t) {
    String l = t.toLowerCase(Locale.ROOT);
    if (l.equals("infinity")
        || l.equals("-infinity")
        || l.equals("inf")
        || l.equals("-inf")
        || l.equals("+infinity")
        || l.equals("+inf")) {
      throw new UnsupportedValueException(
          "'" + t + "' is an infinite date or timestamp, which Fletch does not evaluate");
    }
  }

  static long parseTimestamp(String s, SqlType to) {
    String t = s.strip();
    if (t.equalsIgnoreCase("epoch")) {
      return 0;
    }
    infinite(t);
    Matcher m = TIMESTAMP.matcher(t);
    if (!m.matches()) {
      throw Parse.fail(s, to);
    }
    int y = Integer.parseInt(m.group(1));
    if (m.group(9) != null) {
      y = 1 - y;
    }
    long days;
    try {
      days =
          LocalDate.of(y, Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3))).toEpochDay();
    } catch (DateTimeException e) {
      throw Parse.fail(s, to);
    }
    long micros = 0;
    if (m.group(4) != null) {
      int h = Integer.parseInt(m.group(4));
      int mi = Integer.parseInt(m.group(5));
      int se = m.group(6) == null ? 0 : Integer.parseInt(m.group(6));
      if (h > 24 || mi > 59 || se > 59 || (h == 24 && (mi != 0 || se != 0))) {
        throw Parse.fail(s, to);
      }
      long frac = 0;
      if (m.group(7) != null) {
        String f = m.group(7);
        f = f.length() > 6 ? f.substring(0, 6) : f;
        frac = Long.parseLong(f) * (long) Math.pow(10, 6 - f.length());
        if (h == 24 && frac != 0) {
          throw Parse.fail(s, to);
        }
      }
      micros = h * MICROS_PER_HOUR + mi * MICROS_PER_MINUTE + se * MICROS_PER_SECOND + frac;
    }
    // a naive TIMESTAMP ignores a written offset; TIMESTAMPTZ converts to UTC
    if (to.kind() == Kind.TIMESTAMPTZ && m.group(8) != null && !m.group(8).equals("Z")) {
      String o = m.group(8).replace(":", "");
      int sign = o.charAt(0) == '-' ? -1 : 1;
      int oh =
          Integer.parseInt(
              o.substring(1, Math.min(o.length(), o.length() > 3 ? o.length() - 2 : o.length())));
      int om = o.length() > 3 ? Integer.parseInt(o.substring(o.length() - 2)) : 0;
      micros -= sign * (oh * MICROS_PER_HOUR + om * MICROS_PER_MINUTE);
    }
    try {
      long r = Math.addExact(Math.multiplyExact(days, MICROS_PER_DAY), micros);
      if (r < MIN_MICROS || r > MAX_MICROS) {
        throw Parse.fail(s, to);
      }
      return r;
    } catch (ArithmeticException e) {
      throw Parse.fail(s, to);
    }
  }

  // ---- arithmetic -----------------------------------------------------------------------------

  static Compiled.Binary arithmetic(BinaryOp op, SqlType a, SqlType b, SqlType result) {
    Kind x = a.kind();
    Kind y = b.kind();
    if (result.kind() == Kind.DATE) {
      boolean dateLeft = x == Kind.DATE;
      int sign = op == BinaryOp.SUBTRACT ? -1 : 1;
      return (p, q) -> {
        int days = dateLeft ? (Integer) p : (Integer) q;
        long n = dateLeft ? (Long) q : (Long) p;
        long r = days + sign * n;
        // DuckDB: 32-bit arithmetic, and the result may not be one of the two infinities
        if (r < Integer.MIN_VALUE || r >= Integer.MAX_VALUE || r == -Integer.MAX_VALUE) {
          throw new EvaluationException("Date out of range");
        }
        return (int) r;
      };
    }
    if (x == Kind.DATE && y == Kind.DATE) {
      return (p, q) -> (long) (Integer) p - (Integer) q;
    }
    if (result.isTimestamp()) {
      boolean intervalLeft = x == Kind.INTERVAL;
      boolean subtract = op == BinaryOp.SUBTRACT;
      return (p, q) -> {
        long ts = intervalLeft ? (Long) q : (Long) p;
        Interval i = (Interval) (intervalLeft ? p : q);
        if (subtract) {
          i = negate(i);
        }
        return add(ts, i);
      };
    }
    if (result.kind() == Kind.INTERVAL && a.isTimestamp()) {
      return (p, q) -> {
        long d;
        try {
          d = Math.subtractExact((Long) p, (Long) q);
        } catch (ArithmeticException e) {
          throw new EvaluationException("Overflow in timestamp subtraction");
        }
        return new Interval(0, (int) (d / MICROS_PER_DAY), d % MICROS_PER_DAY);
      };
    }
    if (x == Kind.INTERVAL && y == Kind.INTERVAL) {
      boolean subtract = op == BinaryOp.SUBTRACT;
      return (p, q) -> {
        Interval i = (Interval) p;
        Interval j = (Interval) q;
        try {
          return subtract
              ? new Interval(
                  Math.subtractExact(i.months(), j.months()),
                  Math.subtractExact(i.days(), j.days()),
                  Math.subtractExact(i.micros(), j.micros()))
              : new Interval(
                  Math.addExact(i.months(), j.months()),
                  Math.addExact(i.days(), j.days()),
                  Math.addExact(i.micros(), j.micros()));
        } catch (ArithmeticException e) {
          throw new EvaluationException("Interval value is out of range");
        }
      };
    }
    if (op == BinaryOp.MULTIPLY && (x == Kind.BIGINT || y == Kind.BIGINT)) {
      boolean intervalLeft = x == Kind.INTERVAL;
      return (p, q) -> {
        Interval i = (Interval) (intervalLeft ? p : q);
        long n = (Long) (intervalLeft ? q : p);
        if (n < Integer.MIN_VALUE || n > Integer.MAX_VALUE) {
          // DuckDB converts the factor to a 32-bit integer first
          throw new EvaluationException("Type INT64 with value " + n + " can't be cast to INT32");
        }
        try {
          return new Interval(
              Math.toIntExact(Math.multiplyExact((long) i.months(), n)),
              Math.toIntExact(Math.multiplyExact((long) i.days(), n)),
              Math.multiplyExact(i.micros(), n));
        } catch (ArithmeticException e) {
          throw new EvaluationException("Interval value is out of range");
        }
      };
    }
    throw new IllegalStateException(a + " " + op.sql() + " " + b + " is not evaluated");
  }

  static Interval negate(Interval i) {
    try {
      return new Interval(
          Math.negateExact(i.months()), Math.negateExact(i.days()), Math.negateExact(i.micros()));
    } catch (ArithmeticException e) {
      throw new EvaluationException("Interval value is out of range");
    }
  }

  /** A timestamp plus an interval: months (the day clamped to the month's end), days, time. */
  static long add(long ts, Interval i) {
    try {
      LocalDate d = dateOf(ts);
      long time = timeOfDay(ts);
      if (i.months() != 0) {
        d = d.plusMonths(i.months());
      }
      if (i.days() != 0) {
        d = d.plusDays(i.days());
      }
      long r =
          Math.addExact(
              Math.addExact(Math.multiplyExact(d.toEpochDay(), MICROS_PER_DAY), time), i.micros());
      if (r < MIN_MICROS || r > MAX_MICROS) {
        throw new EvaluationException("Timestamp out of range");
      }
      return r;
    } catch (ArithmeticException | DateTimeException e) {
      throw new EvaluationException("Timestamp out of range");
    }
  }

  // ---- parts -----------------------------------------------------------------------------------

  /** The parts date_part and its shorthands (year(), hour(), ...) take, by DuckDB's names. */
  static String partName(String written) {
    String p = written.toLowerCase(Locale.ROOT).strip();
    return switch (p) {
      case "year", "years", "y", "yr", "yrs" -> "year";
      case "month", "months", "mon", "mons" -> "month";
      case "day", "days", "d", "dayofmonth" -> "day";
      case "hour", "hours", "h", "hr", "hrs" -> "hour";
      case "minute", "minutes", "m", "min", "mins" -> "minute";
      case "second", "seconds", "s", "sec", "secs" -> "second";
      case "millisecond", "milliseconds", "ms", "msec", "msecs", "millis" -> "millisecond";
      case "microsecond", "microseconds", "us", "usec", "usecs", "micros" -> "microsecond";
      case "dow", "dayofweek", "weekday" -> "dow";
      case "isodow" -> "isodow";
      case "doy", "dayofyear" -> "doy";
      case "week", "weeks", "w", "weekofyear" -> "week";
      case "quarter", "quarters" -> "quarter";
      case "epoch" -> "epoch";
      case "decade", "decades" -> "decade";
      case "century", "centuries" -> "century";
      case "millennium", "millennia", "millenium" -> "millennium";
      case "isoyear" -> "isoyear";
      default -> null;
    };
  }

  /** A part of a timestamp (microseconds) as BIGINT. */
  static long part(String part, long ts) {
    LocalDate d = dateOf(ts);
    long time = timeOfDay(ts);
    return switch (part) {
      case "year" -> d.getYear();
      case "month" -> d.getMonthValue();
      case "day" -> d.getDayOfMonth();
      case "hour" -> time / MICROS_PER_HOUR;
      case "minute" -> time / MICROS_PER_MINUTE % 60;
      case "second" -> time / MICROS_PER_SECOND % 60;
      case "millisecond" -> time % MICROS_PER_MINUTE / 1000;
      case "microsecond" -> time % MICROS_PER_MINUTE;
      case "dow" -> d.getDayOfWeek().getValue() % 7;
      case "isodow" -> d.getDayOfWeek().getValue();
      case "doy" -> d.getDayOfYear();
      case "week" -> d.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR);
      case "isoyear" -> d.get(IsoFields.WEEK_BASED_YEAR);
      case "quarter" -> (d.getMonthValue() - 1) / 3 + 1;
      case "decade" -> Math.floorDiv(yearOf(d), 10);
      case "century" -> yearOf(d) > 0 ? (yearOf(d) - 1) / 100 + 1 : -((-yearOf(d)) / 100 + 1);
      case "millennium" -> yearOf(d) > 0 ? (yearOf(d) - 1) / 1000 + 1 : -((-yearOf(d)) / 1000 + 1);
      default -> throw new IllegalStateException(part);
    };
  }

  private static long yearOf(LocalDate d) {
    return d.getYear();
  }

  /** date_trunc: the timestamp at the start of its {@code part}. */
  static long trunc(String part, long ts) {
    LocalDate d = dateOf(ts);
    long time = timeOfDay(ts);
    long day = Math.floorDiv(ts, MICROS_PER_DAY) * MICROS_PER_DAY;
    return switch (part) {
      case "millennium" -> startOfYear(d.getYear() / 1000 * 1000);
      case "century" -> startOfYear(d.getYear() / 100 * 100);
      case "decade" -> startOfYear(Math.floorDiv(d.getYear(), 10) * 10);
      case "year" -> startOfYear(d.getYear());
      case "quarter" -> days(LocalDate.of(d.getYear(), (d.getMonthValue() - 1) / 3 * 3 + 1, 1));
      case "month" -> days(d.withDayOfMonth(1));
      case "week" -> days(d.minusDays(d.getDayOfWeek().getValue() - 1));
      case "isoyear" ->
          days(
              d.with(IsoFields.WEEK_OF_WEEK_BASED_YEAR, 1)
                  .minusDays(
                      d.with(IsoFields.WEEK_OF_WEEK_BASED_YEAR, 1).getDayOfWeek().getValue() - 1));
      case "day", "dow", "isodow", "doy" -> day;
      case "hour" -> day + time / MICROS_PER_HOUR * MICROS_PER_HOUR;
      case "minute" -> day + time / MICROS_PER_MINUTE * MICROS_PER_MINUTE;
      case "second" -> day + time / MICROS_PER_SECOND * MICROS_PER_SECOND;
      case "millisecond" -> day + time / 1000 * 1000;
      case "microsecond" -> ts;
      default -> throw new IllegalStateException(part);
    };
  }

  private static long startOfYear(int year) {
    return days(LocalDate.of(year, 1, 1));
  }

  private static long days(LocalDate d) {
    return d.toEpochDay() * MICROS_PER_DAY;
  }

  /** date_diff: how many {@code part} boundaries lie between {@code a} and {@code b}. */
  static long diff(String part, long a, long b) {
    LocalDate da = dateOf(a);
    LocalDate db = dateOf(b);
    return switch (part) {
      case "year" -> db.getYear() - da.getYear();
      // months since year 0 over 3, truncated as C truncates (shifted before year 0)
      case "quarter" ->
          (db.getYear() * 12L + db.getMonthValue() - 1) / 3
              - (da.getYear() * 12L + da.getMonthValue() - 1) / 3;
      case "month" ->
          (db.getYear() * 12L + db.getMonthValue()) - (da.getYear() * 12L + da.getMonthValue());
      case "decade" -> db.getYear() / 10 - da.getYear() / 10;
      case "century" -> db.getYear() / 100 - da.getYear() / 100;
      case "millennium" -> db.getYear() / 1000 - da.getYear() / 1000;
      case "week" -> ChronoUnit.DAYS.between(da, db) / 7;
      case "day", "dow", "isodow", "doy" -> db.toEpochDay() - da.toEpochDay();
      case "hour" -> Math.floorDiv(b, MICROS_PER_HOUR) - Math.floorDiv(a, MICROS_PER_HOUR);
      case "minute" -> Math.floorDiv(b, MICROS_PER_MINUTE) - Math.floorDiv(a, MICROS_PER_MINUTE);
      case "second" -> Math.floorDiv(b, MICROS_PER_SECOND) - Math.floorDiv(a, MICROS_PER_SECOND);
      case "millisecond" -> Math.floorDiv(b, 1000L) - Math.floorDiv(a, 1000L);
      case "microsecond" -> b - a;
      default -> throw new IllegalStateException(part);
    };
  }
}
