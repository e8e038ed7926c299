package dev.fletch.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/** One captured run of the fletch command line. */
public record CliRun(int exitCode, String out, String err) {
  public static CliRun run(String... args) {
    return run(null, args);
  }

  /** Runs with an extra subcommand registered (to exercise error handling with a known failure). */
  static CliRun run(Object extraCommand, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
    PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
    CommandLine cli = Fletch.commandLine(o, e);
    if (extraCommand != null) {
      cli.addSubcommand(extraCommand);
    }
    int code = cli.execute(args);
    o.flush();
    e.flush();
    return new CliRun(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  public String[] errLines() {
    return err.isEmpty() ? new String[0] : err.split("\\R");
  }
}
