package dev.fletch.core;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as users write them: {@code 30d}, {@code 12h}, {@code 15m}, {@code 90s}, {@code 500ms},
 * {@code 2w}, combinations such as {@code 1d12h}, {@code 0}, or ISO-8601 ({@code PT1H}, {@code
 * P2D}). Negative durations are rejected: a negative ttl or interval has no meaning here.
 */
public final class Durations {
  private static final Pattern PART = Pattern.compile("(\\d+)\\s*(ms|w|d|h|m|s)");

  /**
   * The longest ttl or schedule a definition may have (100 years): long enough for "never" in
   * practice, short enough that adding it to any time stays inside every engine's range.
   */
  public static final Duration MAX = Duration.ofDays(36_500);

  private Durations() {}

  /** Parses a duration; {@link InvalidRequestException} says what is wrong with the text. */
  public static Duration parse(String text) {
    requireNonNull(text, "text is null");
    String t = text.trim();
    if (t.isEmpty()) {
      throw new InvalidRequestException("empty duration");
    }
    if (t.startsWith("-")) {
      throw new InvalidRequestException("negative duration '" + text + "'");
    }
    if (t.equals("0")) {
      return Duration.ZERO;
    }
    if (t.charAt(0) == 'P' || t.charAt(0) == 'p') {
      return parseIso(text, t);
    }
    if (t.chars().allMatch(Character::isDigit)) {
      throw new InvalidRequestException(
          "duration '" + text + "' has no unit (write e.g. 90s, 15m, 12h, 30d)");
    }
    Matcher m = PART.matcher(t);
    Duration total = Duration.ZERO;
    int pos = 0;
    while (pos < t.length()) {
      if (!m.find(pos) || m.start() != pos) {
        throw new InvalidRequestException(
            "bad duration '"
                + text
                + "': expected a number and a unit (ms, s, m, h, d, w),"
                + " e.g. 30d, 1d12h, 500ms, or ISO-8601 like PT1H");
      }
      long n;
      try {
        n = Long.parseLong(m.group(1));
      } catch (NumberFormatException e) {
        throw new InvalidRequestException(
            "duration '" + text + "' is too long: at most " + format(MAX), e);
      }
      total = total.plus(unit(n, m.group(2)));
      if (total.compareTo(MAX) > 0) {
        throw new InvalidRequestException(
            "duration '" + text + "' is too long: at most " + format(MAX));
      }
      pos = m.end();
      while (pos < t.length() && Character.isWhitespace(t.charAt(pos))) {
        pos++;
      }
    }
    return total;
  }

  private static Duration parseIso(String text, String t) {
    try {
      Duration d = Duration.parse(t.toUpperCase(Locale.ROOT));
      if (d.isNegative()) {
        throw new InvalidRequestException("negative duration '" + text + "'");
      }
      if (d.compareTo(MAX) > 0) {
        throw new InvalidRequestException(
            "duration '" + text + "' is too long: at most " + format(MAX));
      }
      return d;
    } catch (DateTimeParseException e) {
      throw new InvalidRequestException("bad ISO-8601 duration '" + text + "'", e);
    }
  }

  private static Duration unit(long n, String unit) {
    try {
      return switch (unit) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        case "d" -> Duration.ofDays(n);
        case "w" -> Duration.ofDays(Math.multiplyExact(n, 7));
        default -> throw new IllegalStateException("unit " + unit);
      };
    } catch (ArithmeticException e) {
      throw new InvalidRequestException(
          "duration too large: " + n + unit + " (at most " + format(MAX) + ")", e);
    }
  }

  /**
   * Formats a duration the short way ({@code 1d12h}, {@code 500ms}, {@code 0}); parse inverts it.
   */
  public static String format(Duration d) {
    requireNonNull(d, "d is null");
    if (d.isZero()) {
      return "0";
    }
    StringBuilder b = new StringBuilder();
    long days = d.toDays();
    if (days > 0) {
      b.append(days).append('d');
    }
    if (d.toHoursPart() > 0) {
      b.append(d.toHoursPart()).append('h');
    }
    if (d.toMinutesPart() > 0) {
      b.append(d.toMinutesPart()).append('m');
    }
    if (d.toSecondsPart() > 0) {
      b.append(d.toSecondsPart()).append('s');
    }
    if (d.toMillisPart() > 0) {
      b.append(d.toMillisPart()).append("ms");
    }
    // Sub-millisecond remainders are not expressible in the short form.
    return b.length() == 0 || d.getNano() % 1_000_000 != 0 ? d.toString() : b.toString();
  }
}
