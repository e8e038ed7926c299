package dev.fletch.cli;

import dev.fletch.core.settings.Settings;
import java.io.PrintStream;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Options every command takes. Add it to a command with {@code @Mixin CommonOptions common;} and
 * open what the command works with through {@link #newContext()}:
 *
 * <pre>{@code
 * try (CliContext ctx = common.newContext()) {
 *   FeatureRepo repo = ctx.loadRepo();
 *   ctx.out().println(...);
 * }
 * }</pre>
 */
public final class CommonOptions {
  @Spec(Spec.Target.MIXEE)
  private CommandSpec mixee;

  @Option(
      names = "--repo",
      paramLabel = "DIR",
      description = "Feature repository folder (default: the current folder).")
  Path repo;

  @Option(
      names = "--registry",
      paramLabel = "URL",
      description =
          "Registry JDBC URL (jdbc:sqlite:FILE or jdbc:postgresql://...); overrides the settings file and"
              + " FLETCH_REGISTRY_URL.")
  String registryUrl;

  @Option(names = "--verbose", description = "Print stack traces of errors.")
  boolean verbose;

  // Every command that takes the common options answers --help (the usage-error hint points there).
  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help message and exit.")
  boolean help;

  /** The repository folder, absolute. */
  public Path repoRoot() {
    return (repo == null ? Path.of("") : repo).toAbsolutePath().normalize();
  }

  /** The {@code --registry} value, or null when not given. */
  public String registryUrl() {
    return registryUrl;
  }

  public boolean verbose() {
    return verbose;
  }

  /**
   * A context for the repository: settings from {@code fletch_settings.yaml} and the environment,
   * with {@code --registry} applied last. Stores open on first use; close the context when done.
   */
  public CliContext newContext() {
    Path root = repoRoot();
    String override = registryUrl;
    return new CliContext(
        root,
        () -> {
          Settings settings = Settings.load(root, System.getenv());
          return override == null ? settings : settings.withRegistryUrl(override);
        },
        out(),
        err());
  }

  /** Where the command's normal output goes (the top-level command's stream, else System.out). */
  public PrintStream out() {
    Fletch root = rootCommand();
    return root == null ? System.out : root.out();
  }

  /** Where messages and progress go (the top-level command's stream, else System.err). */
  public PrintStream err() {
    Fletch root = rootCommand();
    return root == null ? System.err : root.err();
  }

  // The streams belong to the top-level command so tests can capture a whole run's output.
  private Fletch rootCommand() {
    if (mixee == null) {
      return null;
    }
    Object top = mixee.root().userObject();
    return top instanceof Fletch f ? f : null;
  }
}
