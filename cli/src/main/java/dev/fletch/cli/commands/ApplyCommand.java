package dev.fletch.cli.commands;

import dev.fletch.cli.CliContext;
import dev.fletch.cli.CommonOptions;
import dev.fletch.cli.ExitCodes;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.registry.ApplyResult;
import dev.fletch.registry.BreakingChangeException;
import dev.fletch.registry.Plan;
import java.io.Console;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Plans, shows the plan, and applies exactly that plan: the apply names the version it was planned
 * against, so a concurrent apply by someone else makes this one fail instead of overwriting theirs.
 */
@Command(
    name = "apply",
    description = {
      "Record the feature repository as the next registry version (one transaction).",
      "Fails without changing anything if the registry moved on since the plan, or if the plan has",
      "breaking changes and --allow-breaking is not given."
    })
public final class ApplyCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Option(names = "--allow-breaking", description = "Apply even if the plan has breaking changes.")
  boolean allowBreaking;

  @Option(
      names = {"--yes", "-y"},
      description =
          "Do not ask for confirmation (there is no prompt when stdin is not a terminal).")
  boolean yes;

  @Option(
      names = {"--message", "-m"},
      paramLabel = "TEXT",
      description = "A note kept with the version.")
  String message;

  @Override
  public Integer call() {
    try (CliContext ctx = common.newContext()) {
      FeatureRepo repo = ctx.loadRepo();
      Plan plan = ctx.registry().plan(repo);
      ctx.out().print(plan.render());
      if (!plan.hasChanges()) {
        return ExitCodes.OK;
      }
      if (plan.isBreaking() && !allowBreaking) {
        throw new BreakingChangeException(plan);
      }
      Console console = System.console();
      if (!yes && console != null && !confirm(console)) {
        ctx.out().println("Apply cancelled; nothing changed.");
        return ExitCodes.FAILURE;
      }
      ApplyResult result =
          ctx.registry()
              .apply(
                  repo,
                  plan.baseVersion(),
                  allowBreaking,
                  System.getProperty("user.name", "unknown"),
                  message);
      ctx.out().println(result.summary());
    }
    return ExitCodes.OK;
  }

  private static boolean confirm(Console console) {
    String answer = console.readLine("Apply these changes? [y/N] ");
    return answer != null && answer.trim().toLowerCase(Locale.ROOT).matches("y|yes");
  }
}
