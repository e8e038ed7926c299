package dev.fletch.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Every command's help formats: picocli falls back to the raw text (and warns on stderr) when a
 * description is not a valid format string, e.g. a lone '%'.
 */
class HelpTextTest {
  @Test
  void everyCommandsHelpIsFormatted() {
    CommandLine cli =
        Fletch.commandLine(
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    PrintStream realErr = System.err;
    ByteArrayOutputStream warnings = new ByteArrayOutputStream();
    System.setErr(new PrintStream(warnings, true, StandardCharsets.UTF_8));
    try {
      for (Map.Entry<String, CommandLine> c : cli.getSubcommands().entrySet()) {
        String usage = c.getValue().getUsageMessage();
        assertFalse(usage.contains("%n"), c.getKey() + " help is not formatted:\n" + usage);
      }
      assertTrue(
          cli.getSubcommands().get("serve").getUsageMessage().contains("(+-10 %)"),
          "a literal percent sign in serve's help");
    } finally {
      System.setErr(realErr);
    }
    assertFalse(
        warnings.toString(StandardCharsets.UTF_8).contains("picocli WARN"), warnings.toString());
  }
}
