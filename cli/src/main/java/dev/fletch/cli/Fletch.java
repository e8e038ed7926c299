package dev.fletch.cli;

import static java.util.Objects.requireNonNull;

import dev.fletch.cli.commands.InitCommand;
import dev.fletch.cli.commands.ValidateCommand;
import dev.fletch.core.DefinitionException;
import dev.fletch.core.FletchException;
import dev.fletch.core.Problem;
import dev.fletch.core.Secrets;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;

/**
 * The {@code fletch} command. Each subcommand is a class with {@code @Command(name = ...)}, a
 * {@code @Mixin CommonOptions common;} field and a {@code call()} returning an {@link ExitCodes}
 * value; errors are thrown as {@link FletchException} and reported here, in one place.
 */
@Command(
    name = "fletch",
    mixinStandardHelpOptions = true,
    versionProvider = Fletch.Version.class,
    description = "Fletch: a feature store for the JVM.",
    synopsisSubcommandLabel = "COMMAND",
    subcommands = {
      CommandLine.HelpCommand.class,
      InitCommand.class,
      ValidateCommand.class,
      dev.fletch.cli.commands.PlanCommand.class,
      dev.fletch.cli.commands.ApplyCommand.class,
      dev.fletch.cli.commands.ListCommand.class,
      dev.fletch.cli.commands.DescribeCommand.class,
      dev.fletch.cli.commands.HistoryCommand.class,
      dev.fletch.cli.commands.DeleteProjectCommand.class,
      dev.fletch.cli.commands.HistoricalCommand.class,
      dev.fletch.cli.commands.MaterializeCommand.class,
      dev.fletch.cli.commands.MaterializeIncrementalCommand.class,
      dev.fletch.cli.commands.JobsCommand.class,
      dev.fletch.cli.commands.StatsCommand.class,
      dev.fletch.cli.commands.DriftCommand.class,
      dev.fletch.cli.commands.GetOnlineCommand.class,
      dev.fletch.cli.commands.ServeCommand.class,
      dev.fletch.cli.commands.StreamCommand.class,
      dev.fletch.cli.commands.QuickstartCommand.class,
    })
public final class Fletch implements Runnable {
  private final PrintStream out;
  private final PrintStream err;

  @Option(names = "--verbose", description = "Print stack traces of errors.")
  boolean verbose;

  public Fletch(PrintStream out, PrintStream err) {
    this.out = requireNonNull(out, "out is null");
    this.err = requireNonNull(err, "err is null");
  }

  public PrintStream out() {
    return out;
  }

  public PrintStream err() {
    return err;
  }

  @Override
  public void run() {
    // `fletch` alone: show what there is to do rather than nothing.
    new CommandLine(this).usage(out);
  }

  public static void main(String[] args) {
    // Log lines (slf4j-simple writes to System.err) and anything a library prints go through the
    // same masking as the commands' own output: no URL credential reaches the terminal or a log.
    System.setOut(Secrets.maskingStream(new FileOutputStream(FileDescriptor.out)));
    System.setErr(Secrets.maskingStream(new FileOutputStream(FileDescriptor.err)));
    System.exit(run(args, System.out, System.err));
  }

  /** Runs one command line and returns its exit code; the streams receive all output. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    requireNonNull(args, "args is null");
    CommandLine cli = commandLine(out, err);
    int code = cli.execute(args);
    out.flush();
    err.flush();
    return code;
  }

  /**
   * The configured command line (exposed so tests of other commands can inspect the command tree).
   */
  public static CommandLine commandLine(PrintStream rawOut, PrintStream rawErr) {
    // Everything a command prints, errors and stack traces included, has URL credentials masked.
    PrintStream out = Secrets.maskingStream(rawOut);
    PrintStream err = Secrets.maskingStream(rawErr);
    CommandLine cli = new CommandLine(new Fletch(out, err));
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    cli.setExecutionExceptionHandler(Fletch::handleError);
    // An Error is not handled by picocli: an out-of-memory still gets one readable line.
    cli.setExecutionStrategy(
        parsed -> {
          try {
            return new CommandLine.RunLast().execute(parsed);
          } catch (OutOfMemoryError e) {
            PrintWriter w = rootErr(parsed.commandSpec().commandLine());
            w.println(
                "error: out of memory (the JVM may use "
                    + (Runtime.getRuntime().maxMemory() >> 20)
                    + " MB): give it more with FLETCH_JAVA_OPTS=-Xmx2g, or split the input");
            if (verboseRequested(parsed)) {
              e.printStackTrace(w);
            }
            w.flush();
            return ExitCodes.FAILURE;
          } finally {
            // A last line without its newline (a prompt, say) is held by the masking streams.
            out.flush();
            err.flush();
          }
        });
    cli.setParameterExceptionHandler(
        (e, args) -> {
          PrintWriter w = rootErr(e.getCommandLine());
          // picocli words some of its messages "Error: ..." already.
          w.println("error: " + e.getMessage().replaceFirst("^Error: ", ""));
          w.println("(see '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
          w.flush();
          return ExitCodes.USAGE;
        });
    return cli;
  }

  private static int handleError(Exception e, CommandLine cmd, ParseResult parsed) {
    PrintWriter w = rootErr(cmd);
    boolean verbose = verboseRequested(parsed);
    FletchException fletch = findFletchException(e);
    if (fletch instanceof DefinitionException d) {
      w.println(
          "error: "
              + d.problems().size()
              + (d.problems().size() == 1 ? " problem" : " problems")
              + " in the feature repository");
      for (Problem p : d.problems()) {
        w.println(p);
      }
    } else if (fletch != null) {
      w.println("error: " + fletch.getMessage());
    } else {
      String message = e.getMessage() == null ? "" : ": " + e.getMessage();
      w.println(
          "error: unexpected "
              + e.getClass().getSimpleName()
              + message
              + (verbose ? "" : " (run with --verbose for details)"));
    }
    if (verbose) {
      e.printStackTrace(w);
    }
    w.flush();
    return ExitCodes.FAILURE;
  }

  // Subcommands added after configuration keep their own default streams; report on the root's.
  private static PrintWriter rootErr(CommandLine cmd) {
    return cmd.getCommandSpec().root().commandLine().getErr();
  }

  // Async code wraps failures (CompletionException, ExecutionException); report the Fletch one
  // inside.
  private static FletchException findFletchException(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof FletchException f) {
        return f;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }

  private static boolean verboseRequested(ParseResult parsed) {
    for (ParseResult p = parsed; p != null; p = p.subcommand()) {
      if (p.hasMatchedOption("--verbose")) {
        return true;
      }
    }
    return false;
  }

  /** Reads the version Maven wrote into the jar. */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      Properties props = new Properties();
      try (InputStream in = Fletch.class.getResourceAsStream("/fletch-version.properties")) {
        if (in != null) {
          props.load(in);
        }
      } catch (IOException e) {
        // fall through to "unknown": a version string is not worth failing for
      }
      return new String[] {
        "fletch " + props.getProperty("version", "unknown"),
        "Java " + System.getProperty("java.version")
      };
    }
  }
}
