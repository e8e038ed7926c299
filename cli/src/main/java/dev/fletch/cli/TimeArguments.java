package dev.fletch.cli;

import dev.fletch.core.Durations;
import dev.fletch.core.InvalidRequestException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/** How every command reads a time argument (--start, --end): one rule, one error message. */
public final class TimeArguments {
  private TimeArguments() {}

  /** A date and a time written with a space between them, as SQL and logs write them. */
  private static final Pattern SPACED = Pattern.compile("(\\d{4}-\\d{2}-\\d{2}) +(\\d{2}:.*)");

  /** {@code -1d}, {@code +6h}, {@code now-1d12h}: now moved by a duration. */
  private static final Pattern RELATIVE = Pattern.compile("(?i)(?:now)? *([+-]) *(\\S.*)");

  /**
   * {@code now}, now moved by a duration ({@code -1d}, {@code now-6h}, {@code +30m}), an instant or
   * offset date-time, a date-time without offset (UTC; {@code T} or a space between date and time,
   * seconds optional), or a date (UTC midnight). Anything else is a usage error naming the option.
   */
  public static Instant parse(CommandSpec spec, String option, String text, Clock clock) {
    String t = text.trim();
    if (t.equalsIgnoreCase("now")) {
      return clock.instant();
    }
    Matcher relative = RELATIVE.matcher(t);
    if (relative.matches() && !t.matches("\\d{4}-.*")) {
      try {
        Duration d = Durations.parse(relative.group(2));
        return relative.group(1).equals("-") ? clock.instant().minus(d) : clock.instant().plus(d);
      } catch (InvalidRequestException e) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), option + ": '" + text + "': " + e.getMessage());
      }
    }
    Matcher spaced = SPACED.matcher(t);
    if (spaced.matches()) {
      t = spaced.group(1) + "T" + spaced.group(2).strip();
    }
    try {
      return OffsetDateTime.parse(t).toInstant();
    } catch (DateTimeParseException e) {
      // try the next form
    }
    try {
      return LocalDateTime.parse(t).toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      // try the next form
    }
    try {
      return LocalDate.parse(t).atStartOfDay(ZoneOffset.UTC).toInstant();
    } catch (DateTimeParseException e) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          option
              + ": '"
              + text
              + "' is not a time (use now, -1d, 2024-01-31, 2024-01-31 12:00, 2024-01-31T12:00:00"
              + " or 2024-01-31T12:00:00Z)");
    }
  }
}
