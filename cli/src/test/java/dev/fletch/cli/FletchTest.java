package dev.fletch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fletch.core.ConflictException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

class FletchTest {
  @Test
  void helpListsEveryRegisteredCommand() {
    CliRun run = CliRun.run("--help");
    assertEquals(ExitCodes.OK, run.exitCode());
    assertTrue(run.out().contains("Usage: fletch"), run.out());
    CommandLine cli = Fletch.commandLine(new PrintStream(new ByteArrayOutputStream()), System.err);
    assertTrue(cli.getSubcommands().containsKey("init"));
    assertTrue(cli.getSubcommands().containsKey("validate"));
    for (String name : cli.getSubcommands().keySet()) {
      assertTrue(
          run.out().contains("  " + name), () -> name + " missing from --help:\n" + run.out());
    }
  }

  @Test
  void everyCommandAnswersHelp() {
    CommandLine cli = Fletch.commandLine(new PrintStream(new ByteArrayOutputStream()), System.err);
    for (String name : cli.getSubcommands().keySet()) {
      CliRun run = CliRun.run(name, "--help");
      assertEquals(ExitCodes.OK, run.exitCode(), () -> name + " --help: " + run.err());
      assertTrue(
          run.out().contains("Usage: fletch " + name), () -> name + " --help:\n" + run.out());
    }
  }

  @Test
  void versionPrintsTheProjectVersion() {
    CliRun run = CliRun.run("--version");
    assertEquals(ExitCodes.OK, run.exitCode());
    assertTrue(run.out().startsWith("fletch "), run.out());
    assertTrue(!run.out().contains("${"), "version resource not filtered: " + run.out());
  }

  @Test
  void usageErrorsExitWithTwoAndOneErrorLine() {
    CliRun run = CliRun.run("validate", "--no-such-option");
    assertEquals(ExitCodes.USAGE, run.exitCode());
    assertTrue(
        run.errLines()[0].startsWith("error: Unknown option: '--no-such-option'"), run.err());

    CliRun unknown = CliRun.run("frobnicate");
    assertEquals(ExitCodes.USAGE, unknown.exitCode());
    assertTrue(unknown.err().startsWith("error: "), unknown.err());
  }

  @Command(name = "boom")
  static final class Boom implements Callable<Integer> {
    @Mixin CommonOptions common;

    @CommandLine.Option(names = "--kind")
    String kind = "fletch";

    @Override
    public Integer call() {
      switch (kind) {
        case "fletch" -> throw new ConflictException("registry moved on from version 3 to 4");
        case "wrapped" -> throw new CompletionException(new ConflictException("lost a race"));
        case "oom" -> throw new OutOfMemoryError("Java heap space");
        default -> throw new IllegalStateException("bug here");
      }
    }
  }

  @Test
  void aFletchErrorIsOneLineAndExitsWithOne() {
    CliRun run = CliRun.run(new Boom(), "boom");
    assertEquals(ExitCodes.FAILURE, run.exitCode());
    assertEquals(1, run.errLines().length, run.err());
    assertEquals("error: registry moved on from version 3 to 4", run.errLines()[0]);

    CliRun wrapped = CliRun.run(new Boom(), "boom", "--kind", "wrapped");
    assertEquals("error: lost a race", wrapped.errLines()[0]);
  }

  @Test
  void anUnexpectedErrorIsOneLineWithAHint() {
    CliRun run = CliRun.run(new Boom(), "boom", "--kind", "bug");
    assertEquals(ExitCodes.FAILURE, run.exitCode());
    assertEquals(1, run.errLines().length, run.err());
    assertTrue(run.err().contains("IllegalStateException: bug here"), run.err());
    assertTrue(run.err().contains("--verbose"), run.err());
  }

  @Test
  void runningOutOfMemoryIsOneLineNamingTheRemedy() {
    CliRun run = CliRun.run(new Boom(), "boom", "--kind", "oom");
    assertEquals(ExitCodes.FAILURE, run.exitCode());
    assertEquals(1, run.errLines().length, run.err());
    assertTrue(run.err().startsWith("error: out of memory"), run.err());
    assertTrue(run.err().contains("FLETCH_JAVA_OPTS=-Xmx"), run.err());
  }

  @Test
  void verboseAddsTheStackTrace() {
    CliRun run = CliRun.run(new Boom(), "boom", "--verbose");
    assertEquals(ExitCodes.FAILURE, run.exitCode());
    assertEquals("error: registry moved on from version 3 to 4", run.errLines()[0]);
    assertTrue(run.err().contains("at dev.fletch.cli.FletchTest$Boom.call"), run.err());

    CliRun top = CliRun.run(new Boom(), "--verbose", "boom");
    assertTrue(top.err().contains("at dev.fletch.cli.FletchTest$Boom.call"), top.err());
  }
}
