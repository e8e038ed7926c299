package dev.fletch.cli;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/** How every command reads a time argument (--start, --end): one rule, one error message. */
public final class TimeArguments {
  private TimeArguments() {}

  /**
   * {@code now}, an instant or offset date-time, a date-time without offset (UTC), or a date (UTC
   * midnight). Anything else is a usage error naming the option.
   */
  public static Instant parse(CommandSpec spec, String option, String text, Clock clock) {
    String t = text.trim();
    if (t.equalsIgnoreCase("now")) {
      return clock.instant();
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
              + "' is not a time (use now, 2024-01-31, 2024-01-31T12:00:00 or 2024-01-31T12:00:00Z)");
    }
  }
}
