package dev.fletch.cli.commands;

import dev.fletch.cli.CliContext;
import dev.fletch.cli.CommonOptions;
import dev.fletch.cli.ExitCodes;
import dev.fletch.core.DefinitionException;
import dev.fletch.core.Problem;
import dev.fletch.core.Secrets;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.model.FeatureView;
import dev.fletch.core.settings.OfflineSettings;
import dev.fletch.core.settings.Settings;
import dev.fletch.core.yaml.RepoLoader;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * Loads and validates the repository's definitions and its settings file, and reads the sources'
 * schemas (DuckDB, confined like any job, no rows read) to check the definitions against them; it
 * touches no registry or online store, so it is safe in CI and pre-commit hooks ({@code
 * --no-data-check} where the data is not reachable).
 */
@Command(
    name = "validate",
    description = {
      "Check the feature repository's YAML and settings, and the definitions against the sources'",
      "files (their schemas: columns and types); list every problem with file:line:column.",
      "Exit code 0 when valid, 1 when there are problems."
    })
public final class ValidateCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Mixin DataCheckOption data;

  @Override
  public Integer call() {
    try (CliContext ctx = common.newContext()) {
      // Collect the problems of both the definitions and the settings so one run shows them all.
      List<Problem> problems = new ArrayList<>();
      FeatureRepo repo = null;
      Settings settings = null;
      try {
        var loaded =
            RepoLoader.loadLocated(
                ctx.repoRoot(), data.readData(), OfflineSettings.load(ctx.repoRoot()));
        repo = loaded.repo();
        if (data.readData()) {
          problems.addAll(ctx.dataProblems(loaded));
        }
      } catch (DefinitionException e) {
        problems.addAll(e.problems());
      }
      try {
        settings = ctx.settings();
      } catch (DefinitionException e) {
        problems.addAll(e.problems());
      }
      if (!problems.isEmpty()) {
        throw new DefinitionException(problems);
      }
      print(ctx.out(), repo, settings);
      ctx.out()
          .println(
              data.readData()
                  ? "  data:             "
                      + repo.sources().size()
                      + (repo.sources().size() == 1 ? " source" : " sources")
                      + " read (schemas only): columns and types match the definitions"
                  : "  data:             not read (--no-data-check)");
    }
    return ExitCodes.OK;
  }

  private static void print(PrintStream out, FeatureRepo repo, Settings settings) {
    int features = repo.featureViews().stream().mapToInt(v -> v.features().size()).sum();
    long online = repo.featureViews().stream().filter(FeatureView::online).count();
    out.println("Feature repository " + repo.root() + " is valid.");
    out.println("  project:          " + repo.project());
    out.println("  entities:         " + repo.entities().size());
    out.println("  sources:          " + repo.sources().size());
    out.println(
        "  feature views:    "
            + repo.featureViews().size()
            + " ("
            + features
            + " features, "
            + online
            + " online)");
    if (!repo.onDemandFeatureViews().isEmpty()) {
      out.println(
          "  on-demand views:  "
              + repo.onDemandFeatureViews().size()
              + " ("
              + repo.onDemandFeatureViews().stream().mapToInt(v -> v.features().size()).sum()
              + " features, computed at request time)");
    }
    out.println("  feature services: " + repo.featureServices().size());
    out.println("  registry:         " + Secrets.url(settings.registryUrl()));
    out.println(
        "  online store:     "
            + settings.onlineStore()
            + (Settings.ONLINE_REDIS.equals(settings.onlineStore())
                ? " " + Secrets.url(settings.redisUrl())
                : " " + settings.embeddedOnlinePath()));
  }
}
