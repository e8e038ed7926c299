package dev.fletch.cli.commands;

import dev.fletch.cli.CommonOptions;
import dev.fletch.cli.TimeArguments;
import java.time.Clock;
import java.time.Instant;
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

  @Mixin MaterializeCommand.ViewSelection selection;

  @Override
  public Integer call() {
    Instant to = TimeArguments.parse(spec, "--end", end, Clock.systemUTC());
    return MaterializeCommand.run(
        common,
        selection,
        (materializer, repo, views, progress) ->
            materializer.materializeIncrementalEach(repo, to, views, progress),
        (materializer, repo, views) -> materializer.dryRunIncremental(repo, to, views));
  }
}
