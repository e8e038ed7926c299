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
  }

  @Test
  void anythingElseIsAUsageErrorNamingTheOption() {
    CommandLine.ParameterException e =
        assertThrows(CommandLine.ParameterException.class, () -> parse("yesterday"));
    assertTrue(e.getMessage().startsWith("--end: 'yesterday' is not a time"), e.getMessage());
  }
}
