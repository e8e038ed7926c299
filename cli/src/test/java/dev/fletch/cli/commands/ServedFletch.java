package dev.fletch.cli.commands;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.fletch.cli.Fletch;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine;

/** A `fletch serve` run on a thread of its own, started and stopped as a user would. */
final class ServedFletch {
  final ByteArrayOutputStream out = new ByteArrayOutputStream();
  final ByteArrayOutputStream err = new ByteArrayOutputStream();
  final CommandLine cli =
      Fletch.commandLine(
          new PrintStream(out, true, StandardCharsets.UTF_8),
          new PrintStream(err, true, StandardCharsets.UTF_8));
  final ServeCommand serve = cli.getSubcommands().get("serve").getCommand();
  final AtomicInteger exit = new AtomicInteger(-1);
  private Thread running;

  /** Starts `fletch serve` with these arguments and waits until it listens. */
  ServedFletch start(String... args) throws InterruptedException {
    running = new Thread(() -> exit.set(cli.execute(args)));
    running.start();
    long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (serve.server() == null && running.isAlive() && System.nanoTime() < until) {
      Thread.sleep(20);
    }
    assertNotNull(serve.server(), "serve started; stderr: " + errors());
    return this;
  }

  /** Stops it as Ctrl-C would; returns its exit code. */
  int stop() throws InterruptedException {
    serve.requestStop();
    running.join(30_000);
    return exit.get();
  }

  String errors() {
    return err.toString(StandardCharsets.UTF_8);
  }
}
