package dev.fletch.cli.commands;

import dev.fletch.cli.CliContext;
import dev.fletch.cli.CommonOptions;
import dev.fletch.cli.ExitCodes;
import dev.fletch.core.InvalidRequestException;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.model.FeatureView;
import dev.fletch.registry.Registry;
import dev.fletch.registry.VersionInfo;
import java.io.Console;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Deletes a project from the registry the way an apply changes it: a new version, here one with no
 * objects that says the project was deleted. Its history stays; the online data of its views goes.
 */
@Command(
    name = "delete-project",
    description = {
      "Delete a project: record a version with no objects that deletes it (one transaction), so it",
      "leaves 'fletch list projects' and serving, then delete its views' online data. Its versions",
      "and job history stay readable (fletch history --project NAME); applying its definitions",
      "again re-creates it. Asks for the project's name on a terminal; elsewhere give --yes."
    })
public final class DeleteProjectCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Parameters(index = "0", paramLabel = "PROJECT", description = "The project to delete.")
  String project;

  @Option(
      names = {"--yes", "-y"},
      description = "Do not ask (needed when stdin is not a terminal).")
  boolean yes;

  @Option(
      names = {"--message", "-m"},
      paramLabel = "TEXT",
      description = "A note kept with the deleting version.")
  String message;

  @Option(
      names = "--keep-online",
      description =
          "Leave the views' online data in the online store (serving stops reading it anyway).")
  boolean keepOnline;

  @Override
  public Integer call() {
    try (CliContext ctx = common.newContext()) {
      Registry registry = ctx.registry();
      long current = registry.currentVersion(project);
      if (current == 0) {
        throw new InvalidRequestException(
            "project '" + project + "' has nothing applied: nothing to delete");
      }
      VersionInfo last = registry.version(project, current);
      if (last.deleted()) {
        // A re-run finishes what a first run could not: the online data, when the store was away.
        ctx.out()
            .println(
                "Project '"
                    + project
                    + "' was deleted at version "
                    + current
                    + " (its history: fletch history --project "
                    + project
                    + ").");
        if (keepOnline || current == 1) {
          return ExitCodes.OK;
        }
        List<FeatureView> before =
            registry.load(project, current - 1).featureViews().stream()
                .filter(FeatureView::online)
                .toList();
        return deleteOnline(ctx, before) ? ExitCodes.OK : ExitCodes.FAILURE;
      }
      FeatureRepo applied = registry.load(project, current);
      List<FeatureView> online =
          applied.featureViews().stream().filter(FeatureView::online).toList();
      ctx.out()
          .println(
              "Project '"
                  + project
                  + "' at version "
                  + current
                  + ": "
                  + count(applied.entities().size(), "entity", "entities")
                  + ", "
                  + count(applied.sources().size(), "source", "sources")
                  + ", "
                  + count(applied.featureViews().size(), "feature view", "feature views")
                  + " ("
                  + online.size()
                  + " online), "
                  + count(applied.featureServices().size(), "feature service", "feature services")
                  + ".");
      ctx.out()
          .println(
              "Deleting records version "
                  + (current + 1)
                  + " with no objects: the project leaves the listings and serving (a running"
                  + " 'fletch serve' stops answering for it within its registry refresh); versions"
                  + " 1.."
                  + current
                  + " and its job history stay readable.");
      ctx.out()
          .println(
              keepOnline || online.isEmpty()
                  ? "Its online data is left in place."
                  : "Then the online data of "
                      + online.stream().map(FeatureView::name).toList()
                      + " is deleted from "
                      + ctx.onlineStore().describe()
                      + " and their watermarks reset.");
      if (!yes) {
        Console console = System.console();
        if (console == null) {
          throw new InvalidRequestException(
              "deleting a project needs confirmation: run on a terminal, or give --yes");
        }
        String answer = console.readLine("Type the project's name to delete it: ");
        if (answer == null || !answer.trim().equals(project)) {
          ctx.out().println("Not deleted; nothing changed.");
          return ExitCodes.FAILURE;
        }
      }
      VersionInfo deleted =
          registry.deleteProject(
              project, current, System.getProperty("user.name", "unknown"), message);
      ctx.out().println("Deleted project '" + project + "' (version " + deleted.version() + ").");
      if (keepOnline) {
        return ExitCodes.OK;
      }
      // A store that cannot be reached leaves the deletion standing (serving no longer reads the
      // data, exit 0); the warning names the clean-up.
      deleteOnline(ctx, online);
      return ExitCodes.OK;
    }
  }

  private static String count(int n, String one, String many) {
    return n + " " + (n == 1 ? one : many);
  }

  private boolean deleteOnline(CliContext ctx, List<FeatureView> views) {
    return ApplyCommand.deleteOnlineData(
        ctx,
        project,
        views,
        "the project is deleted, but ",
        v -> "fletch delete-project " + project);
  }
}
