package dev.fletch.cli;

import dev.fletch.monitoring.DriftSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * How {@code fletch stats} and {@code fletch drift} read a side of data: a file (Parquet, CSV,
 * JSON-lines; a folder of part files or a glob), {@code VIEW:START..END} (a view's source over a
 * range), or {@code logged:NAME:START..END} (the values serving logged for a feature service or
 * view). An existing file always wins, so a file whose name looks like a range is still a file.
 */
public final class DataArguments {
  private DataArguments() {}

  private static final Pattern RANGE =
      Pattern.compile("(?:(logged):)?([A-Za-z_][A-Za-z0-9_]*):(.+?)\\.\\.(.+)");

  /** A view name alone (for the statistics of its latest job). */
  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  /** Whether {@code text} names an existing file or folder, or a glob. */
  public static boolean isFile(String text) {
    try {
      Path p = Path.of(text);
      return Files.exists(p) || text.contains("*") || text.contains("?");
    } catch (java.nio.file.InvalidPathException e) {
      return false;
    }
  }

  /** Whether {@code text} is a glob of files. */
  public static boolean isGlob(String text) {
    return text.contains("*") || text.contains("?") || text.contains("[");
  }

  /** Whether {@code text} is a bare name (a view), not a file nor a range. */
  public static boolean isName(String text) {
    return !isFile(text) && NAME.matcher(text).matches();
  }

  /** The side {@code text} names; a usage error naming {@code option} when it names none. */
  public static DriftSource parse(CommandSpec spec, String option, String text, Clock clock) {
    String t = text.trim();
    if (isFile(t)) {
      return new DriftSource.TrainingSet(Path.of(t));
    }
    Matcher m = RANGE.matcher(t);
    if (m.matches()) {
      // Whole seconds: "now" and "-7d" read as times to the second, as a person means them.
      Instant start =
          TimeArguments.parse(spec, option, m.group(3), clock).truncatedTo(ChronoUnit.SECONDS);
      Instant end =
          TimeArguments.parse(spec, option, m.group(4), clock).truncatedTo(ChronoUnit.SECONDS);
      if (end.isBefore(start)) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), option + ": '" + text + "' ends before it starts");
      }
      return m.group(1) != null
          ? new DriftSource.Logged(m.group(2), start, end)
          : new DriftSource.ViewRange(m.group(2), start, end);
    }
    if (t.endsWith(".parquet") || t.endsWith(".csv") || t.contains("/")) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), option + ": file " + Path.of(t).toAbsolutePath() + " does not exist");
    }
    throw new CommandLine.ParameterException(
        spec.commandLine(),
        option
            + ": '"
            + text
            + "' is neither a file nor VIEW:START..END (e.g. customer_activity:-7d..now or"
            + " customer_activity:2026-01-01..2026-01-31) nor logged:NAME:START..END");
  }
}
