package dev.fletch.cli.commands;

import dev.fletch.cli.CliContext;
import dev.fletch.cli.CommonOptions;
import dev.fletch.cli.ExitCodes;
import dev.fletch.core.JobHistory.JobRecord;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code fletch jobs}: the materialization job history, newest first. */
@Command(
    name = "jobs",
    description =
        "List materialization jobs (newest first): view, range, status, rows, duration, error.",
    sortOptions = false)
public final class JobsCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Spec CommandSpec spec;

  @Option(names = "--view", paramLabel = "VIEW", description = "Only this feature view's jobs.")
  String view;

  @Option(
      names = "--limit",
      paramLabel = "N",
      defaultValue = "20",
      description = "How many jobs to show (default: ${DEFAULT-VALUE}).")
  int limit;

  @Mixin ProjectOption project;

  @Override
  public Integer call() {
    if (limit <= 0) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--limit must be positive, got " + limit);
    }
    try (CliContext ctx = common.newContext()) {
      String p = project.resolve(ctx);
      List<JobRecord> jobs = ctx.registry().jobHistory().recent(p, view, limit);
      if (jobs.isEmpty()) {
        ctx.out()
            .println("no materialization jobs" + (view == null ? "" : " for view '" + view + "'"));
        return ExitCodes.OK;
      }
      ctx.out()
          .printf(
              Locale.ROOT,
              "%6s %-24s %-9s %-24s %-24s %10s %8s  %s%n",
              "JOB",
              "VIEW",
              "STATUS",
              "START",
              "END",
              "ROWS",
              "SECONDS",
              "ERROR");
      for (JobRecord j : jobs) {
        String seconds =
            j.finishedAt() == null
                ? "-"
                : String.format(
                    Locale.ROOT,
                    "%.2f",
                    Duration.between(j.startedAt(), j.finishedAt()).toMillis() / 1000.0);
        ctx.out()
            .printf(
                Locale.ROOT,
                "%6d %-24s %-9s %-24s %-24s %10d %8s  %s%n",
                j.id(),
                j.view(),
                j.status(),
                j.rangeStart(),
                j.rangeEnd(),
                j.rows(),
                seconds,
                j.error() == null ? "" : j.error());
      }
    }
    return ExitCodes.OK;
  }
}
