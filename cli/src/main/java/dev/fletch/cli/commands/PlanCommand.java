package dev.fletch.cli.commands;

import dev.fletch.cli.CliContext;
import dev.fletch.cli.CommonOptions;
import dev.fletch.cli.ExitCodes;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.registry.Plan;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Shows what {@code fletch apply} would change in the registry, without changing anything. */
@Command(
    name = "plan",
    description = {
      "Compare the feature repository with the registry's latest version, object by object:",
      "added (+), changed (~, with the changed fields) and removed (-), and flag breaking changes."
    })
public final class PlanCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Option(names = "--json", description = "Print the plan as JSON.")
  boolean json;

  @Mixin DataCheckOption data;

  @Override
  public Integer call() {
    try (CliContext ctx = common.newContext()) {
      FeatureRepo repo = ctx.loadRepo(data.readData());
      Plan plan = ctx.registry().plan(repo);
      if (json) {
        ctx.out().println(ListCommand.prettyJson(plan));
      } else {
        ctx.out().print(plan.render());
        if (plan.hasChanges()) {
          ctx.out()
              .println(
                  "Run 'fletch apply"
                      + (plan.isBreaking() ? " --allow-breaking" : "")
                      + "' to apply it.");
        }
      }
    }
    return ExitCodes.OK;
  }
}
