package dev.fletch.cli.commands;

import dev.fletch.cli.AppliedDefinitions;
import dev.fletch.cli.CliContext;
import dev.fletch.cli.CommonOptions;
import dev.fletch.cli.TimeArguments;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.materializer.Materializer;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code fletch materialize-incremental}: from each view's watermark to --end. */
@Command(
    name = "materialize-incremental",
    description = {
      "Materialize every online feature view (or --views) from where its last successful job ended"
          + " (its watermark) to --end. The first time, a view starts at --end minus its ttl (or at"
          + " the beginning of time when its ttl is 0)."
    },
    sortOptions = false)
public final class MaterializeIncrementalCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Spec CommandSpec spec;

  @Option(
      names = "--end",
      required = true,
      paramLabel = "TIME",
      description = "Range end (inclusive): ISO-8601 instant, date-time (UTC), date, or 'now'.")
  String end;

  @Option(
      names = "--views",
      split = ",",
      paramLabel = "VIEWS",
      description = "Comma-separated feature views (default: every online view).")
  List<String> views;

  @Option(
      names = "--project",
      paramLabel = "NAME",
      description = "Project whose applied definitions to use (default: the local YAML's project).")
  String project;

  @Override
  public Integer call() {
    Instant to = TimeArguments.parse(spec, "--end", end, Clock.systemUTC());
    try (CliContext ctx = common.newContext()) {
      FeatureRepo repo = AppliedDefinitions.load(ctx, project);
      Materializer materializer =
          new Materializer(ctx.offlineStore(), ctx.onlineStore(), ctx.registry().jobHistory());
      ctx.err().println("materializing into " + ctx.onlineStore().describe());
      Materializer.Outcome outcome;
      try (MaterializeCommand.ViewProgress progress =
          new MaterializeCommand.ViewProgress(ctx.err())) {
        try {
          outcome =
              materializer.materializeIncrementalEach(
                  repo, to, MaterializeCommand.names(views), progress);
        } catch (RuntimeException e) {
          progress.abandon();
          throw e;
        }
      }
      return MaterializeCommand.report(ctx, outcome);
    }
  }
}
