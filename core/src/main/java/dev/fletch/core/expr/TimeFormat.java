package dev.fletch.core.expr;

import java.time.LocalDate;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * strftime and strptime with the format specifiers Fletch evaluates as DuckDB does (in UTC): {@code
 * %Y %m %d %H %M %S %f %g %y %j %b %B %a %A %p %I %w %u %%} and the {@code %-x} forms without
 * padding. Other specifiers are refused for online use ({@link #check}).
 */
final class TimeFormat {
  private TimeFormat() {}

  private static final String SUPPORTED = "YmdHMSfgyjbBaApIwu%";
  private static final String UNPADDED = "mdHMSjyI";

  /** Null when Fletch evaluates the format as DuckDB does, else why not. */
  static String check(String format, boolean parsing) {
    for (int i = 0; i < format.length(); i++) {
      if (format.charAt(i) != '%') {
        continue;
      }
      if (i + 1 >= format.length()) {
        return "the format ends with a lone %";
      }
      char c = format.charAt(++i);
      if (c == '-') {
        if (i + 1 >= format.length() || UNPADDED.indexOf(format.charAt(i + 1)) < 0) {
          return "the specifier %-" + (i + 1 < format.length() ? format.charAt(i + 1) : "");
        }
        i++;
        continue;
      }
      if (SUPPORTED.indexOf(c) < 0) {
        return "the specifier %" + c;
      }
      if (parsing && "aAwu".indexOf(c) >= 0) {
        return "the specifier %" + c + " when parsing";
      }
    }
    return null;
  }

  private static final String[] MONTHS = new String[12];
  private static final String[] DAYS = new String[7];

  static {
    for (int m = 1; m <= 12; m++) {
      MONTHS[m - 1] = java.time.Month.of(m).getDisplayName(TextStyle.FULL, Locale.ENGLISH);
    }
    for (int d = 1; d <= 7; d++) {
      DAYS[d - 1] = java.time.DayOfWeek.of(d).getDisplayName(TextStyle.FULL, Locale.ENGLISH);
    }
  }

  static String format(long micros, String format) {
    LocalDate d = Temporal.dateOf(micros);
    long t = Temporal.timeOfDay(micros);
    int hour = (int) (t / Temporal.MICROS_PER_HOUR);
    int minute = (int) (t / Temporal.MICROS_PER_MINUTE % 60);
    int second = (int) (t / Temporal.MICROS_PER_SECOND % 60);
    int fraction = (int) (t % Temporal.MICROS_PER_SECOND);
    int year = d.getYear();
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < format.length(); i++) {
      char c = format.charAt(i);
      if (c != '%' || i + 1 >= format.length()) {
        b.append(c);
        continue;
      }
      c = format.charAt(++i);
      boolean pad = true;
      if (c == '-' && i + 1 < format.length()) {
        pad = false;
        c = format.charAt(++i);
      }
      int hour12 = hour % 12 == 0 ? 12 : hour % 12;
      switch (c) {
        case 'Y' -> b.append(year < 0 ? "-" + Temporal.pad(-year, 4) : Temporal.pad(year, 4));
        case 'm' -> b.append(num(d.getMonthValue(), 2, pad));
        case 'd' -> b.append(num(d.getDayOfMonth(), 2, pad));
        case 'H' -> b.append(num(hour, 2, pad));
        case 'M' -> b.append(num(minute, 2, pad));
        case 'S' -> b.append(num(second, 2, pad));
        case 'f' -> b.append(Temporal.pad(fraction, 6));
        case 'g' -> b.append(Temporal.pad(fraction / 1000, 3));
        case 'y' -> b.append(num(Math.floorMod(year, 100), 2, pad));
        case 'j' -> b.append(num(d.getDayOfYear(), 3, pad));
        case 'b' -> b.append(MONTHS[d.getMonthValue() - 1], 0, 3);
        case 'B' -> b.append(MONTHS[d.getMonthValue() - 1]);
        case 'a' -> b.append(DAYS[d.getDayOfWeek().getValue() - 1], 0, 3);
        case 'A' -> b.append(DAYS[d.getDayOfWeek().getValue() - 1]);
        case 'p' -> b.append(hour < 12 ? "AM" : "PM");
        case 'I' -> b.append(num(hour12, 2, pad));
        case 'w' -> b.append(d.getDayOfWeek().getValue() % 7);
        case 'u' -> b.append(d.getDayOfWeek().getValue());
        case '%' -> b.append('%');
        default -> b.append('%').append(c);
      }
    }
    return b.toString();
  }

  private static String num(int v, int width, boolean pad) {
    return pad ? Temporal.pad(v, width) : Integer.toString(v);
  }

  /** A specifier or a literal run of a format. */
  private record Piece(char spec, String literal) {}

  private static List<Piece> pieces(String format) {
    List<Piece> out = new ArrayList<>();
    StringBuilder lit = new StringBuilder();
    for (int i = 0; i < format.length(); i++) {
      char c = format.charAt(i);
      if (c == '%' && i + 1 < format.length()) {
        char s = format.charAt(++i);
        if (s == '%') {
          lit.append('%');
          continue;
        }
        if (s == '-' && i + 1 < format.length()) {
          s = format.charAt(++i);
        }
        if (lit.length() > 0) {
          out.add(new Piece((char) 0, lit.toString()));
          lit.setLength(0);
        }
        out.add(new Piece(s, null));
      } else {
        lit.append(c);
      }
    }
    if (lit.length() > 0) {
      out.add(new Piece((char) 0, lit.toString()));
    }
    return out;
  }

  /** strptime: the timestamp {@code text} spells in {@code format}, or an error naming both. */
  static long parse(String text, String format) {
    String l = text.strip().toLowerCase(Locale.ROOT);
    if (l.equals("infinity") || l.equals("-infinity")) {
      throw new UnsupportedValueException(
          "'" + text + "' is an infinite timestamp, which Fletch does not evaluate");
    }
    int year = 1900;
    int month = 1;
    int day = 1;
    int hour = 0;
    int minute = 0;
    int second = 0;
    int micros = 0;
    int dayOfYear = -1;
    boolean pm = false;
    boolean twelve = false;
    int at = 0;
    for (Piece p : pieces(format)) {
      if (p.spec == 0) {
        for (int k = 0; k < p.literal.length(); k++) {
          char lc = p.literal.charAt(k);
          if (Character.isWhitespace(lc)) {
            while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
              at++;
            }
            continue;
          }
          if (at >= text.length() || text.charAt(at) != lc) {
            throw cannot(text, format);
          }
          at++;
        }
        continue;
      }
      switch (p.spec) {
        case 'b', 'B' -> {
          int found = -1;
          for (int m = 0; m < 12 && found < 0; m++) {
            String full = MONTHS[m];
            if (text.regionMatches(true, at, full, 0, full.length())) {
              found = m;
              at += full.length();
            } else if (text.regionMatches(true, at, full, 0, 3)) {
              found = m;
              at += 3;
            }
          }
          if (found < 0) {
            throw cannot(text, format);
          }
          month = found + 1;
        }
        case 'p' -> {
          if (text.regionMatches(true, at, "AM", 0, 2)) {
            pm = false;
          } else if (text.regionMatches(true, at, "PM", 0, 2)) {
            pm = true;
          } else {
            throw cannot(text, format);
          }
          at += 2;
        }
        default -> {
          int max =
              switch (p.spec) {
                case 'Y' -> 9;
                case 'j' -> 3;
                case 'f' -> 6;
                case 'g' -> 3;
                default -> 2;
              };
          boolean negative = false;
          if (p.spec == 'Y'
              && at < text.length()
              && (text.charAt(at) == '-' || text.charAt(at) == '+')) {
            negative = text.charAt(at) == '-';
            at++;
          }
          int start = at;
          long v = 0;
          while (at < text.length() && at - start < max && Character.isDigit(text.charAt(at))) {
            v = v * 10 + (text.charAt(at) - '0');
            at++;
          }
          if (at == start) {
            throw cannot(text, format);
          }
          int digits = at - start;
          switch (p.spec) {
            case 'Y' -> year = (int) (negative ? -v : v);
            case 'y' -> year = (int) (v < 69 ? 2000 + v : 1900 + v);
            case 'm' -> month = (int) v;
            case 'd' -> day = (int) v;
            case 'H' -> hour = (int) v;
            case 'I' -> {
              hour = (int) v;
              twelve = true;
            }
            case 'M' -> minute = (int) v;
            case 'S' -> second = (int) v;
            case 'f' -> micros = (int) (v * (long) Math.pow(10, 6 - digits));
            case 'g' -> micros = (int) (v * (long) Math.pow(10, 3 - digits)) * 1000;
            case 'j' -> dayOfYear = (int) v;
            default -> throw cannot(text, format);
          }
        }
      }
    }
    if (at != text.length()) {
      throw cannot(text, format);
    }
    if (twelve) {
      if (hour < 1 || hour > 12) {
        throw cannot(text, format);
      }
      hour = hour % 12 + (pm ? 12 : 0);
    } else if (pm && hour < 12) {
      hour += 12;
    }
    if (hour > 23 || minute > 59 || second > 59) {
      throw cannot(text, format);
    }
    LocalDate d;
    try {
      d = dayOfYear >= 0 ? LocalDate.ofYearDay(year, dayOfYear) : LocalDate.of(year, month, day);
    } catch (java.time.DateTimeException e) {
      throw cannot(text, format);
    }
    return d.toEpochDay() * Temporal.MICROS_PER_DAY
        + hour * Temporal.MICROS_PER_HOUR
        + minute * Temporal.MICROS_PER_MINUTE
        + second * Temporal.MICROS_PER_SECOND
        + micros;
  }

  private static EvaluationException cannot(String text, String format) {
    return new EvaluationException(
        "Could not parse string \"" + text + "\" according to format specifier \"" + format + "\"");
  }
}
