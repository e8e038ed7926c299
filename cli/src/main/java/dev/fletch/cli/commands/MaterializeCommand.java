package dev.fletch.cli.commands;

import dev.fletch.cli.AppliedDefinitions;
import dev.fletch.cli.CliContext;
import dev.fletch.cli.CommonOptions;
import dev.fletch.cli.ExitCodes;
import dev.fletch.cli.Progress;
import dev.fletch.cli.TimeArguments;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.materializer.Materializer;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code fletch materialize}: loads the latest values of a time range into the online store. */
@Command(
    name = "materialize",
    description = {
      "Write the latest values per entity with event time in [--start, --end] of every online feature"
          + " view (or of --views) to the online store, and record the jobs in the registry.",
      "Writes never replace newer values, so running again is harmless."
    },
    sortOptions = false)
public final class MaterializeCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Spec CommandSpec spec;

  @Option(
      names = "--start",
      required = true,
      paramLabel = "TIME",
      description = "Range start (inclusive): ISO-8601 instant, date-time (UTC), date, or 'now'.")
  String start;

  @Option(
      names = "--end",
      required = true,
      paramLabel = "TIME",
      description = "Range end (inclusive), as --start.")
  String end;

  @Mixin ViewSelection selection;

  @Override
  public Integer call() {
    Instant from = TimeArguments.parse(spec, "--start", start, Clock.systemUTC());
    Instant to = TimeArguments.parse(spec, "--end", end, Clock.systemUTC());
    return run(
        common,
        selection,
        (materializer, repo, views, progress) ->
            materializer.materializeEach(repo, from, to, views, progress),
        (materializer, repo, views) -> materializer.dryRun(repo, from, to, views));
  }

  /** --views and --project, shared by the materialize commands. */
  static final class ViewSelection {
    @Option(
        names = "--views",
        split = ",",
        paramLabel = "VIEWS",
        description = "Comma-separated feature views (default: every online view).")
    List<String> views;

    @Option(
        names = "--project",
        paramLabel = "NAME",
        description =
            "Project whose applied definitions to use (default: the local YAML's project).")
    String project;

    @Option(
        names = "--dry-run",
        description =
            "Show per view the range it would read, whether it would run in full or incrementally"
                + " and why, and the rows it would write; write nothing, record no job.")
    boolean dryRun;
  }

  /** What a run would do, found without doing it. */
  @FunctionalInterface
  interface DryRun {
    List<Materializer.PlannedJob> plan(
        Materializer materializer, FeatureRepo repo, List<String> views);
  }

  /** One materialization run over the selected views of the applied definitions. */
  @FunctionalInterface
  interface Job {
    Materializer.Outcome run(
        Materializer materializer, FeatureRepo repo, List<String> views, ViewProgress progress);
  }

  /**
   * Runs a job against the applied definitions with progress on stderr, then reports every view
   * (see {@link #report}).
   */
  static int run(CommonOptions common, ViewSelection selection, Job job, DryRun dryRun) {
    try (CliContext ctx = common.newContext()) {
      FeatureRepo repo = AppliedDefinitions.load(ctx, selection.project);
      Materializer materializer =
          new Materializer(ctx.offlineStore(), ctx.onlineStore(), ctx.registry().jobHistory());
      if (selection.dryRun) {
        ctx.err()
            .println(
                "dry run against "
                    + ctx.onlineStore().describe()
                    + ": counting rows, writing nothing");
        printPlan(ctx.out(), dryRun.plan(materializer, repo, names(selection.views)));
        return ExitCodes.OK;
      }
      ctx.err().println("materializing into " + ctx.onlineStore().describe());
      Materializer.Outcome outcome;
      try (ViewProgress progress = new ViewProgress(ctx.err())) {
        try {
          outcome = job.run(materializer, repo, names(selection.views), progress);
        } catch (RuntimeException e) {
          progress.abandon();
          throw e;
        }
      }
      return report(ctx, outcome);
    }
  }

  /**
   * Prints the views that succeeded, then one error line per failed view; the exit status fails if
   * any view failed (the others' jobs and watermark moves stand).
   */
  static int report(CliContext ctx, Materializer.Outcome outcome) {
    if (!outcome.results().isEmpty() || !outcome.failed()) {
      printSummary(ctx.out(), outcome.results());
    }
    for (Materializer.ViewFailure f : outcome.failures()) {
      ctx.err().println("error: " + oneLine(f.error().getMessage()));
    }
    if (outcome.failed()) {
      int n = outcome.failures().size();
      int total = n + outcome.results().size();
      ctx.err()
          .println(
              "error: "
                  + n
                  + " of "
                  + total
                  + (total == 1 ? " view" : " views")
                  + " failed (the other views' jobs stand; re-run to complete, writes are"
                  + " idempotent)");
      return ExitCodes.FAILURE;
    }
    return ExitCodes.OK;
  }

  static String oneLine(String message) {
    return String.valueOf(message).strip().replaceAll("\\s*\\R\\s*", " ");
  }

  static List<String> names(List<String> views) {
    if (views == null) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (String v : views) {
      if (!v.isBlank()) {
        out.add(v.trim());
      }
    }
    return out;
  }

  /** One progress line per view, opened when the view's first update arrives. */
  static final class ViewProgress implements Materializer.Progress, AutoCloseable {
    private final PrintStream err;
    private String view;
    private Progress current;

    ViewProgress(PrintStream err) {
      this.err = err;
    }

    @Override
    public synchronized void update(String viewName, long rows, double rowsPerSecond) {
      if (!viewName.equals(view)) {
        close();
        view = viewName;
        current = Progress.start(err, "materializing " + viewName);
      }
      current.set(rows);
    }

    @Override
    public synchronized void finished(String viewName, long rows, java.time.Duration took) {
      if (!viewName.equals(view)) {
        close();
        view = viewName;
        current = Progress.start(err, "materializing " + viewName);
      }
      // The job's own figures, as its summary row and fletch jobs show them.
      current.close(rows, took);
      current = null;
    }

    @Override
    public synchronized void failed(String viewName) {
      if (viewName.equals(view)) {
        abandon();
      }
    }

    /** After a failure: ends the progress line without claiming the view is done. */
    synchronized void abandon() {
      if (current != null) {
        err.println();
        current = null;
      }
    }

    @Override
    public synchronized void close() {
      if (current != null) {
        current.close();
        current = null;
      }
    }
  }

  /** A dry run's answer: per view the range, full or incremental, the rows, then why. */
  static void printPlan(PrintStream out, List<Materializer.PlannedJob> jobs) {
    out.printf(
        Locale.ROOT, "%-32s %-27s %-27s %-11s %12s%n", "VIEW", "START", "END", "RUN", "ROWS");
    for (Materializer.PlannedJob j : jobs) {
      out.printf(
          Locale.ROOT,
          "%-32s %-27s %-27s %-11s %12s%n",
          j.view(),
          j.start().truncatedTo(java.time.temporal.ChronoUnit.MICROS),
          j.end().truncatedTo(java.time.temporal.ChronoUnit.MICROS),
          j.rows() < 0 ? "none" : j.full() ? "full" : "incremental",
          j.rows() < 0 ? "-" : Long.toString(j.rows()));
    }
    for (Materializer.PlannedJob j : jobs) {
      out.println(j.view() + ": " + j.why());
    }
    out.println("Dry run: nothing was written and no job was recorded.");
  }

  static void printSummary(PrintStream out, List<Materializer.ViewResult> results) {
    out.printf(
        Locale.ROOT,
        "%-32s %-24s %-24s %12s %9s %6s%n",
        "VIEW",
        "START",
        "END",
        "ROWS",
        "SECONDS",
        "JOB");
    for (Materializer.ViewResult r : results) {
      out.printf(
          Locale.ROOT,
          "%-32s %-24s %-24s %12d %9.2f %6s%n",
          r.view(),
          // Microseconds, as stored: never more digits than the online store and job history hold.
          r.start().truncatedTo(java.time.temporal.ChronoUnit.MICROS),
          r.end().truncatedTo(java.time.temporal.ChronoUnit.MICROS),
          r.rows(),
          r.took().toMillis() / 1000.0,
          r.jobId() < 0 ? "-" : Long.toString(r.jobId()));
    }
    for (Materializer.ViewResult r : results) {
      if (r.note() != null) {
        out.println(r.view() + ": " + r.note());
      }
    }
  }
}
