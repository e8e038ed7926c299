package dev.fletch.cli.commands;

import dev.fletch.cli.CliContext;
import dev.fletch.cli.CommonOptions;
import dev.fletch.cli.ExitCodes;
import dev.fletch.core.model.FeatureRepo;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Loads and validates the repository's definitions without touching any store. */
@Command(name = "validate", description = "Check the feature repository's YAML and list every problem.")
public final class ValidateCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Override
  public Integer call() {
    try (CliContext ctx = common.newContext()) {
      FeatureRepo repo = ctx.loadRepo();
      ctx.out().printf(
          "project %s is valid: %d entities, %d sources, %d feature views, %d feature services%n",
          repo.project(),
          repo.entities().size(),
          repo.sources().size(),
          repo.featureViews().size(),
          repo.featureServices().size());
    }
    return ExitCodes.OK;
  }
}
