package dev.fletch.cli.commands;

import dev.fletch.cli.CliContext;
import dev.fletch.cli.CommonOptions;
import dev.fletch.cli.ExitCodes;
import dev.fletch.core.InvalidRequestException;
import dev.fletch.core.NotFoundException;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.model.FeatureView;
import dev.fletch.materializer.Materializer;
import dev.fletch.registry.ApplyResult;
import dev.fletch.registry.BreakingChangeException;
import dev.fletch.registry.Plan;
import dev.fletch.registry.Registry;
import java.io.Console;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
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
      "breaking changes and --allow-breaking is not given.",
      "Views the apply removes or turns offline lose their online data afterwards; if the online",
      "store cannot be reached the apply stands and a warning names the clean-up command."
    })
public final class ApplyCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Option(names = "--allow-breaking", description = "Apply even if the plan has breaking changes.")
  boolean allowBreaking;

  @Mixin DataCheckOption data;

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

  @Option(
      names = "--delete-online",
      split = ",",
      paramLabel = "VIEWS",
      description =
          "Also delete the online data of these views (comma-separated), which must not be online in"
              + " the applied version: the clean-up to re-run when an apply could not reach the"
              + " online store.")
  List<String> deleteOnline;

  @Override
  public Integer call() {
    try (CliContext ctx = common.newContext()) {
      FeatureRepo repo = ctx.loadRepo(data.readData());
      Plan plan = ctx.registry().plan(repo);
      ctx.out().print(plan.render());
      if (!plan.hasChanges()) {
        return deleteRequested(ctx, repo.project(), List.of());
      }
      if (plan.isBreaking() && !allowBreaking) {
        throw new BreakingChangeException(plan);
      }
      Console console = System.console();
      if (!yes && console != null && !confirm(console)) {
        ctx.out().println("Apply cancelled; nothing changed.");
        return ExitCodes.FAILURE;
      }
      // The online views of the version being replaced: the ones this apply retires lose their
      // online data once the apply stands (serving no longer reads it; it would only linger).
      FeatureRepo previous =
          plan.baseVersion() == 0 ? null : ctx.registry().load(repo.project(), plan.baseVersion());
      List<FeatureView> before = previous == null ? List.of() : previous.featureViews();
      ApplyResult result =
          ctx.registry()
              .apply(
                  repo,
                  plan.baseVersion(),
                  allowBreaking,
                  System.getProperty("user.name", "unknown"),
                  message);
      ctx.out().println(result.summary());
      if (result.applied()) {
        printFullRuns(ctx, previous, repo);
      }
      List<FeatureView> retired = result.applied() ? retired(before, repo) : List.of();
      // A failed clean-up only warns: the apply itself succeeded (exit 0); --delete-online, which
      // asks for nothing but the clean-up, fails the command when it cannot be done.
      deleteOnlineData(ctx, repo.project(), retired, true);
      return deleteRequested(ctx, repo.project(), retired);
    }
  }

  /**
   * Says, per online view the apply made new or changed in what its stored values depend on, that
   * its next incremental job is a full one and why, and what serving answers until it ran.
   */
  static void printFullRuns(CliContext ctx, FeatureRepo before, FeatureRepo after) {
    List<String> lines = new ArrayList<>();
    for (FeatureView view : after.featureViews()) {
      String why = Materializer.fullRunReason(before, after, view);
      if (why == null) {
        continue;
      }
      boolean fresh = why.equals("it is new") || why.equals("it was offline only");
      lines.add(
          "  "
              + view.name()
              + ": "
              + why
              + (fresh
                  ? " (GetFeatures answers NOT_FOUND until it is materialized)"
                  : " (until then, features it has not stored answer NOT_MATERIALIZED)"));
    }
    if (lines.isEmpty()) {
      return;
    }
    ctx.out()
        .println(
            "The next 'fletch materialize-incremental' (and the schedule of 'fletch serve') runs"
                + " these views in full, from end - ttl:");
    lines.forEach(ctx.out()::println);
  }

  /** Views online in {@code before} that {@code after} removes or makes offline only. */
  static List<FeatureView> retired(List<FeatureView> before, FeatureRepo after) {
    List<FeatureView> out = new ArrayList<>();
    for (FeatureView old : before) {
      if (old.online() && after.findView(old.name()).map(v -> !v.online()).orElse(true)) {
        out.add(old);
      }
    }
    return out;
  }

  /**
   * Deletes the online data of the given views. A store that cannot be reached leaves the apply
   * standing: the data is orphaned (serving never reads a view the registry does not list as
   * online) and a warning names the clean-up command. Returns false if any deletion failed.
   */
  private static boolean deleteOnlineData(
      CliContext ctx, String project, List<FeatureView> views, boolean afterApply) {
    return deleteOnlineData(
        ctx,
        project,
        views,
        afterApply ? "the apply stands, but " : "",
        v -> "fletch apply --delete-online " + v.name());
  }

  /**
   * {@link #deleteOnlineData(CliContext, String, List, boolean)} with the warning's opening ({@code
   * stands}) and the clean-up command it names ({@code rerun}).
   */
  static boolean deleteOnlineData(
      CliContext ctx,
      String project,
      List<FeatureView> views,
      String stands,
      java.util.function.Function<FeatureView, String> rerun) {
    boolean ok = true;
    for (FeatureView view : views) {
      try {
        long removed = ctx.onlineStore().deleteView(project, view).join();
        // The data is gone: an incremental run must not resume from the old watermark.
        ctx.registry().jobHistory().resetWatermark(project, view.name());
        ctx.out()
            .println(
                "Deleted "
                    + removed
                    + (removed == 1 ? " online entry" : " online entries")
                    + " of feature view '"
                    + view.name()
                    + "' from "
                    + ctx.onlineStore().describe()
                    + ".");
      } catch (RuntimeException e) {
        ok = false;
        ctx.err()
            .println(
                "warning: "
                    + stands
                    + "the online data of feature view '"
                    + view.name()
                    + "' was not deleted ("
                    + oneLine(failureMessage(e))
                    + "); when the online store is reachable, run: "
                    + rerun.apply(view));
      }
    }
    return ok;
  }

  /** The {@code --delete-online} views not already handled by the apply itself. */
  private int deleteRequested(CliContext ctx, String project, List<FeatureView> alreadyDone) {
    if (deleteOnline == null || deleteOnline.isEmpty()) {
      return ExitCodes.OK;
    }
    Registry registry = ctx.registry();
    long current = registry.currentVersion(project);
    if (current == 0) {
      throw new InvalidRequestException(
          "--delete-online: nothing applied for project '" + project + "' yet");
    }
    FeatureRepo applied = registry.load(project, current);
    List<FeatureView> views = new ArrayList<>();
    for (String raw : new LinkedHashSet<>(deleteOnline)) {
      String name = raw.trim();
      if (name.isEmpty() || alreadyDone.stream().anyMatch(v -> v.name().equals(name))) {
        continue;
      }
      if (applied.findView(name).map(FeatureView::online).orElse(false)) {
        throw new InvalidRequestException(
            "--delete-online: feature view '"
                + name
                + "' is online in applied version "
                + current
                + " (serving reads its data); nothing deleted");
      }
      views.add(lastApplied(registry, project, name, current));
    }
    return deleteOnlineData(ctx, project, views, false) ? ExitCodes.OK : ExitCodes.FAILURE;
  }

  // The online store only needs the view's name, but takes its definition: use the newest applied.
  private static FeatureView lastApplied(
      Registry registry, String project, String name, long current) {
    for (long v = current; v >= 1; v--) {
      var found = registry.load(project, v).findView(name);
      if (found.isPresent()) {
        return found.get();
      }
    }
    throw new NotFoundException("feature view", name, "never applied to project '" + project + "'");
  }

  private static String failureMessage(Throwable e) {
    Throwable t = e;
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return String.valueOf(t.getMessage());
  }

  private static String oneLine(String message) {
    return message.strip().replaceAll("\\s*\\R\\s*", " ");
  }

  private static boolean confirm(Console console) {
    String answer = console.readLine("Apply these changes? [y/N] ");
    return answer != null && answer.trim().toLowerCase(Locale.ROOT).matches("y|yes");
  }
}
