package dev.fletch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;

class TimeArgumentsTest {
  @Command(name = "t")
  static class Dummy {}

  private final CommandSpec spec = new CommandLine(new Dummy()).getCommandSpec();
  private final Clock clock = Clock.fixed(Instant.parse("2026-11-24T12:00:00Z"), ZoneOffset.UTC);

  private Instant parse(String text) {
    return TimeArguments.parse(spec, "--end", text, clock);
  }

  @Test
  void everyDocumentedFormIsUtc() {
    assertEquals(Instant.parse("2026-11-24T12:00:00Z"), parse("now"));
    assertEquals(Instant.parse("2026-11-24T12:00:00Z"), parse(" NOW "));
    assertEquals(Instant.parse("2024-01-31T00:00:00Z"), parse("2024-01-31"));
    assertEquals(Instant.parse("2024-01-31T12:00:00Z"), parse("2024-01-31T12:00:00"));
    assertEquals(Instant.parse("2024-01-31T10:00:00Z"), parse("2024-01-31T12:00:00+02:00"));
    assertEquals(Instant.parse("2024-01-31T12:00:00.5Z"), parse("2024-01-31T12:00:00.5Z"));
    // As SQL and logs write it, seconds optional.
    assertEquals(Instant.parse("2026-12-01T10:00:00Z"), parse("2026-12-01 10:00"));
    assertEquals(Instant.parse("2026-12-01T10:00:30Z"), parse("2026-12-01  10:00:30"));
    // Relative to now.
    assertEquals(Instant.parse("2026-11-23T12:00:00Z"), parse("-1d"));
    assertEquals(Instant.parse("2026-11-24T06:00:00Z"), parse("now-6h"));
    assertEquals(Instant.parse("2026-11-24T12:30:00Z"), parse("+30m"));
    assertEquals(Instant.parse("2026-11-23T00:00:00Z"), parse("NOW - 1d12h"));
  }

  @Test
  void anythingElseIsAUsageErrorNamingTheOption() {
    CommandLine.ParameterException e =
        assertThrows(CommandLine.ParameterException.class, () -> parse("yesterday"));
    assertTrue(e.getMessage().startsWith("--end: 'yesterday' is not a time"), e.getMessage());
    CommandLine.ParameterException relative =
        assertThrows(CommandLine.ParameterException.class, () -> parse("-1 fortnight"));
    assertTrue(relative.getMessage().startsWith("--end: '-1 fortnight': "), relative.getMessage());
  }
}
