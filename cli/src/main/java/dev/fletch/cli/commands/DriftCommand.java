package dev.fletch.cli.commands;

import dev.fletch.cli.AppliedDefinitions;
import dev.fletch.cli.CliContext;
import dev.fletch.cli.CommonOptions;
import dev.fletch.cli.DataArguments;
import dev.fletch.cli.ExitCodes;
import dev.fletch.cli.StatsTable;
import dev.fletch.core.FletchException;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.model.Monitoring;
import dev.fletch.core.stats.ColumnKind;
import dev.fletch.core.stats.Dataset;
import dev.fletch.monitoring.DriftCheck;
import dev.fletch.monitoring.DriftReport;
import dev.fletch.monitoring.DriftSource;
import dev.fletch.monitoring.FeatureDrift;
import dev.fletch.monitoring.LoggedValues;
import dev.fletch.monitoring.TrainingSets;
import java.io.PrintStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code fletch drift}: how far features drifted between a reference and a current side. */
@Command(
    name = "drift",
    description = {
      "Compare features between a reference and a current side: PSI and a Kolmogorov-Smirnov test"
          + " for numbers, a chi-square test and the Jensen-Shannon distance for categories, and the"
          + " change of the null fraction, each held against its view's monitoring thresholds.",
      "Each side is a training-set (or any Parquet/CSV) file, VIEW:START..END (the view's source"
          + " over that range, e.g. customer_activity:-7d..now), or logged:NAME:START..END (values"
          + " serving logged).",
      "Exit status 3 when a feature crossed a threshold (for cron and CI), 0 when none did."
    },
    sortOptions = false)
public final class DriftCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Spec CommandSpec spec;

  @Option(
      names = "--reference",
      required = true,
      paramLabel = "REF",
      description = "What the features should look like (e.g. the training set).")
  String reference;

  @Option(
      names = "--current",
      required = true,
      paramLabel = "CUR",
      description = "What they look like now.")
  String current;

  @Option(
      names = "--features",
      paramLabel = "NAMES",
      split = ",",
      description =
          "Only these features (view:feature or column names, comma-separated; default: every"
              + " column both sides have, except times and join keys).")
  List<String> features;

  @Option(names = "--json", description = "Print the report as JSON.")
  boolean json;

  @Option(
      names = "--project",
      paramLabel = "NAME",
      description = "Project whose applied definitions to use (default: the local YAML's project).")
  String project;

  @Override
  public Integer call() {
    Clock clock = Clock.systemUTC();
    DriftSource ref = DataArguments.parse(spec, "--reference", reference, clock);
    DriftSource cur = DataArguments.parse(spec, "--current", current, clock);
    try (CliContext ctx = common.newContext()) {
      boolean needsDefinitions =
          !(ref instanceof DriftSource.TrainingSet) || !(cur instanceof DriftSource.TrainingSet);
      FeatureRepo repo = definitions(ctx, needsDefinitions);
      ref = withRecordedFeatures(ctx, repo, ref);
      cur = withRecordedFeatures(ctx, repo, cur);
      PrintStream err = ctx.err();
      long started = System.nanoTime();
      DriftReport report =
          new DriftCheck(ctx.offlineStore(), LoggedValues.NONE)
              .run(
                  new DriftCheck.Request(repo, ref, cur, features == null ? List.of() : features),
                  message -> {
                    if (!json) {
                      err.println("drift: " + message);
                    }
                  });
      if (json) {
        ctx.out().println(StatsCommand.pretty(report));
      } else {
        print(ctx.out(), report, repo);
        err.printf(Locale.ROOT, "drift: done in %.1f s%n", (System.nanoTime() - started) / 1e9);
      }
      return report.anyDrifted() ? ExitCodes.THRESHOLD_CROSSED : ExitCodes.OK;
    }
  }

  /**
   * The applied definitions: required for a view's range; otherwise used when there are some (for
   * thresholds and recorded training sets), and left out when the folder has no project or the
   * registry has nothing applied (two files compare with the default thresholds).
   */
  private FeatureRepo definitions(CliContext ctx, boolean required) {
    if (required) {
      return AppliedDefinitions.load(ctx, project);
    }
    try {
      return AppliedDefinitions.load(ctx, project);
    } catch (FletchException e) {
      return null;
    }
  }

  /** A training set Fletch wrote, with what the registry recorded of its columns. */
  private static DriftSource withRecordedFeatures(
      CliContext ctx, FeatureRepo repo, DriftSource source) {
    if (repo == null
        || !(source instanceof DriftSource.TrainingSet t)
        || DataArguments.isGlob(t.file().toString())) {
      return source;
    }
    try {
      Optional<Dataset> d =
          TrainingSets.unchanged(ctx.registry().datasets(), repo.project(), t.file());
      return d.<DriftSource>map(x -> new DriftSource.TrainingSet(t.file(), x.features()))
          .orElse(source);
    } catch (FletchException e) {
      return source;
    }
  }

  static void print(PrintStream out, DriftReport r, FeatureRepo repo) {
    out.printf(Locale.ROOT, "reference: %s (%,d rows)%n", r.reference(), r.referenceRows());
    out.printf(Locale.ROOT, "current:   %s (%,d rows)%n", r.current(), r.currentRows());
    out.println();
    List<List<String>> rows = new ArrayList<>();
    for (FeatureDrift f : r.features()) {
      boolean number = f.kind() == ColumnKind.NUMERIC;
      rows.add(
          List.of(
              f.feature(),
              number ? "number" : "category",
              number ? StatsTable.num(round(f.psi())) : "-",
              number ? StatsTable.num(round(f.ksStatistic())) : "-",
              number ? pValue(f.ksPvalue()) : "-",
              number ? "-" : pValue(f.chi2Pvalue()),
              number ? "-" : StatsTable.num(round(f.jsDistance())),
              String.format(Locale.ROOT, "%+.3f", f.nullFractionDelta()),
              f.drifted() ? "DRIFT" : f.note() != null ? "(" + f.note() + ")" : "ok"));
    }
    StatsTable.table(
        out,
        List.of("FEATURE", "KIND", "PSI", "KS D", "KS P", "CHI2 P", "JS", "NULLS Δ", "RESULT"),
        rows);
    out.println();
    for (FeatureDrift f : r.drifted()) {
      out.println("  " + f.feature() + ": " + String.join("; ", f.crossed()));
    }
    int drifted = r.drifted().size();
    out.printf(
        Locale.ROOT,
        "%d of %d %s drifted%n",
        drifted,
        r.features().size(),
        r.features().size() == 1 ? "feature" : "features");
    out.println("thresholds: " + thresholds(r, repo));
    if (!r.skipped().isEmpty()) {
      java.util.Map<String, List<String>> byReason = new java.util.LinkedHashMap<>();
      r.skipped()
          .forEach(
              s -> byReason.computeIfAbsent(s.reason(), k -> new ArrayList<>()).add(s.column()));
      List<String> parts = new ArrayList<>();
      byReason.forEach(
          (reason, columns) ->
              parts.add(
                  reason
                      + ": "
                      + String.join(", ", columns.subList(0, Math.min(6, columns.size())))
                      + (columns.size() > 6 ? " and " + (columns.size() - 6) + " more" : "")));
      out.println("left out: " + String.join("; ", parts));
    }
  }

  private static String thresholds(DriftReport r, FeatureRepo repo) {
    List<String> views = new ArrayList<>();
    boolean defaults = false;
    for (FeatureDrift f : r.features()) {
      if (f.view() != null
          && repo != null
          && repo.findView(f.view()).map(v -> v.monitoring() != null).orElse(false)) {
        if (!views.contains(f.view())) {
          views.add(f.view());
        }
      } else {
        defaults = true;
      }
    }
    Monitoring d = Monitoring.DEFAULTS;
    String defaultText =
        String.format(
            Locale.ROOT,
            "psi > %s, ks_pvalue < %s, chi2_pvalue < %s, js_distance > %s, |null_fraction_delta| >"
                + " %s",
            StatsTable.num(d.psi()),
            StatsTable.num(d.ksPvalue()),
            StatsTable.num(d.chi2Pvalue()),
            StatsTable.num(d.jsDistance()),
            StatsTable.num(d.nullFractionDelta()));
    List<String> parts = new ArrayList<>();
    if (!views.isEmpty()) {
      parts.add(
          "monitoring: of view" + (views.size() == 1 ? " " : "s ") + String.join(", ", views));
    }
    if (defaults) {
      parts.add((views.isEmpty() ? "" : "elsewhere ") + "the defaults (" + defaultText + ")");
    }
    return String.join("; ", parts);
  }

  private static Double round(Double v) {
    return v == null ? null : Math.round(v * 1000) / 1000.0;
  }

  private static String pValue(Double p) {
    if (p == null) {
      return "";
    }
    if (p == 0) {
      return "<1e-300";
    }
    return p < 0.001
        ? String.format(Locale.ROOT, "%.1e", p)
        : String.format(Locale.ROOT, "%.3f", p);
  }
}
