package dev.fletch.cli.commands;

import dev.fletch.cli.AppliedDefinitions;
import dev.fletch.cli.CliContext;
import dev.fletch.cli.CommonOptions;
import dev.fletch.cli.DataArguments;
import dev.fletch.cli.ExitCodes;
import dev.fletch.cli.StatsTable;
import dev.fletch.core.DefinitionJson;
import dev.fletch.core.FletchException;
import dev.fletch.core.InvalidRequestException;
import dev.fletch.core.JobHistory;
import dev.fletch.core.NotFoundException;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.stats.ColumnStats;
import dev.fletch.core.stats.Dataset;
import dev.fletch.core.stats.DatasetStats;
import dev.fletch.monitoring.DriftSource;
import dev.fletch.monitoring.TrainingSets;
import dev.fletch.offline.DataSlice;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code fletch stats}: the statistics of a training set, any file, a view's jobs or its range. */
@Command(
    name = "stats",
    description = {
      "Show feature statistics: rows, nulls, distinct values, range, mean, deviation, quantiles, a"
          + " histogram for numbers and the most frequent values for categories.",
      "TARGET is a Parquet/CSV file (a training set Fletch wrote shows what the registry recorded;"
          + " any other file is summarised now), a feature view (its newest materialization job's"
          + " statistics), or VIEW:START..END (the view's source over that range, summarised now)."
    },
    sortOptions = false)
public final class StatsCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Spec CommandSpec spec;

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "TARGET",
      description = "A file, a feature view, or VIEW:START..END.")
  String target;

  @Option(
      names = "--job",
      paramLabel = "ID",
      description = "The statistics recorded by this materialization job (see fletch jobs).")
  Long job;

  @Option(
      names = "--column",
      paramLabel = "NAME",
      description = "Show one column in detail: quantiles, histogram, top values.")
  String column;

  @Option(
      names = "--recompute",
      description = "Summarise a training set's file now instead of showing what was recorded.")
  boolean recompute;

  @Option(names = "--json", description = "Print JSON.")
  boolean json;

  @Option(
      names = "--project",
      paramLabel = "NAME",
      description = "Project (default: the repository's).")
  String project;

  /** Statistics and a line saying whose they are. */
  private record Shown(String title, DatasetStats stats, Object subject) {}

  @Override
  public Integer call() {
    if ((target == null) == (job == null)) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "give a TARGET (file, view or VIEW:START..END) or --job ID");
    }
    try (CliContext ctx = common.newContext()) {
      Shown shown = job != null ? ofJob(ctx, job) : ofTarget(ctx);
      if (json) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("of", shown.title());
        if (shown.subject() != null) {
          out.put(shown.subject() instanceof Dataset ? "dataset" : "job", shown.subject());
        }
        out.put("stats", shown.stats());
        ctx.out().println(pretty(out));
        return ExitCodes.OK;
      }
      ctx.out().println(shown.title());
      if (column != null) {
        ColumnStats c =
            shown
                .stats()
                .column(column)
                .orElseThrow(
                    () ->
                        new InvalidRequestException(
                            "no column '"
                                + column
                                + "' (columns: "
                                + shown.stats().columns().stream().map(ColumnStats::name).toList()
                                + ")"));
        StatsTable.printColumn(ctx.out(), shown.stats(), c);
      } else {
        StatsTable.print(ctx.out(), shown.stats());
      }
    }
    return ExitCodes.OK;
  }

  private Shown ofJob(CliContext ctx, long id) {
    JobHistory.JobStats s =
        ctx.registry()
            .jobHistory()
            .stats(id)
            .orElseThrow(
                () ->
                    new NotFoundException(
                        "statistics of job",
                        Long.toString(id),
                        "jobs of aggregated views and jobs that failed record none"));
    return new Shown(jobTitle(s), s.stats(), s.job());
  }

  private static String jobTitle(JobHistory.JobStats s) {
    JobHistory.JobRecord j = s.job();
    return String.format(
        Locale.ROOT,
        "feature view %s, materialization job %d (%s, [%s, %s], %s): %,d rows",
        j.view(),
        j.id(),
        j.status(),
        j.rangeStart() == null ? "-" : j.rangeStart(),
        j.rangeEnd(),
        j.finishedAt() == null ? "running" : "finished " + j.finishedAt(),
        s.stats().rows());
  }

  private Shown ofTarget(CliContext ctx) {
    if (DataArguments.isName(target)) {
      String p = projectName(ctx);
      Optional<JobHistory.JobStats> s = ctx.registry().jobHistory().latestStats(p, target);
      if (s.isPresent()) {
        return new Shown(jobTitle(s.get()), s.get().stats(), s.get().job());
      }
      boolean aggregated = false;
      try {
        aggregated = ctx.registry().load(p).findView(target).map(v -> v.aggregated()).orElse(false);
      } catch (FletchException e) {
        // nothing applied: the message below says what to do
      }
      throw new NotFoundException(
          "statistics of feature view",
          target,
          aggregated
              ? "it is aggregated: its jobs write tiles, not values, and record no statistics;"
                  + " give "
                  + target
                  + ":START..END (e.g. "
                  + target
                  + ":-7d..now) for its window values over a range"
              : "in project '"
                  + p
                  + "': no materialization job recorded any yet (run fletch materialize), or"
                  + " give "
                  + target
                  + ":START..END to summarise its source over a range");
    }
    DriftSource source = DataArguments.parse(spec, "TARGET", target, Clock.systemUTC());
    if (source instanceof DriftSource.TrainingSet t) {
      Path file = t.file().toAbsolutePath().normalize();
      if (!recompute && !DataArguments.isGlob(target)) {
        Optional<Dataset> recorded = recorded(ctx, file);
        if (recorded.isPresent() && recorded.get().stats() != null) {
          Dataset d = recorded.get();
          return new Shown(
              String.format(
                  Locale.ROOT,
                  "%s: %,d rows, a training set written %s from applied version %d of project '%s'"
                      + " (statistics recorded then; --recompute to summarise the file now)",
                  target,
                  d.rows(),
                  d.createdAt(),
                  d.registryVersion(),
                  d.project()),
              d.stats(),
              d.withoutStats());
        }
      }
      DatasetStats stats = ctx.offlineStore().stats(null, new DataSlice.Files(file));
      return new Shown(
          String.format(Locale.ROOT, "%s: %,d rows (summarised now)", target, stats.rows()),
          stats,
          null);
    }
    if (source instanceof DriftSource.ViewRange v) {
      FeatureRepo repo = AppliedDefinitions.load(ctx, project);
      DatasetStats stats =
          ctx.offlineStore().stats(repo, new DataSlice.ViewRange(v.view(), v.start(), v.end()));
      return new Shown(
          String.format(
              Locale.ROOT,
              "feature view %s, its source's rows with event time in [%s, %s]: %,d rows"
                  + " (summarised now)",
              v.view(),
              v.start(),
              v.end(),
              stats.rows()),
          stats,
          null);
    }
    throw new InvalidRequestException(
        "statistics of logged serving values: serving does not log the values it answers with"
            + " yet");
  }

  /** The registry's record of a training set at {@code file}, if unchanged since it was written. */
  private Optional<Dataset> recorded(CliContext ctx, Path file) {
    String p;
    try {
      p = projectName(ctx);
      return TrainingSets.unchanged(ctx.registry().datasets(), p, file);
    } catch (FletchException e) {
      // No project here (a file from elsewhere) or no registry: summarise the file itself.
      return Optional.empty();
    }
  }

  private String projectName(CliContext ctx) {
    if (project != null && !project.isBlank()) {
      return project;
    }
    try {
      return ctx.loadRepo().project();
    } catch (FletchException e) {
      throw new InvalidRequestException(
          "cannot tell which project (give --project NAME): " + e.getMessage(), e);
    }
  }

  static String pretty(Object value) {
    try {
      return DefinitionJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(value);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new FletchException("cannot write JSON: " + e.getOriginalMessage(), e);
    }
  }
}
