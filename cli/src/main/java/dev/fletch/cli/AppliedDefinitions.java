package dev.fletch.cli;

import static java.util.Objects.requireNonNull;

import dev.fletch.core.DefinitionException;
import dev.fletch.core.FletchException;
import dev.fletch.core.InvalidRequestException;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.registry.Plan;
import dev.fletch.registry.Registry;

/**
 * The definitions that training and offline-to-online jobs use: the latest version applied to the
 * registry, the same one serving reads, with source paths resolved against the repository folder.
 * The local YAML only names the project (unless {@code --project} does) and is compared with the
 * applied version, so that an edit that was not applied yet is pointed out instead of silently
 * producing features serving does not know.
 */
public final class AppliedDefinitions {
  private AppliedDefinitions() {}

  /**
   * The applied definitions of {@code project} (or of the local YAML's project when null). Prints a
   * one-line warning to {@code ctx.err()} when the local YAML differs from the applied version.
   *
   * @throws InvalidRequestException when nothing was applied for the project yet
   */
  public static FeatureRepo load(CliContext ctx, String project) {
    return loadVersioned(ctx, project).repo();
  }

  /** Applied definitions and the registry version they are. */
  public record Applied(FeatureRepo repo, long version) {}

  /** As {@link #load}, with the registry version of the definitions returned. */
  public static Applied loadVersioned(CliContext ctx, String project) {
    requireNonNull(ctx, "ctx is null");
    FeatureRepo local = null;
    String localProblem = null;
    try {
      local = ctx.loadRepo();
    } catch (FletchException e) {
      if (project == null) {
        // Without the YAML there is no project name: the definition errors are the real news.
        throw e;
      }
      localProblem = describe(e);
    }
    String name = project != null ? project : local.project();
    Registry registry = ctx.registry();
    long version = registry.currentVersion(name);
    if (version == 0) {
      throw new InvalidRequestException(
          "nothing applied for project '" + name + "' yet: run fletch apply");
    }
    if (registry.version(name, version).deleted()) {
      throw new InvalidRequestException(
          "project '"
              + name
              + "' was deleted at version "
              + version
              + ": fletch apply re-creates it (its history: fletch history --project "
              + name
              + ")");
    }
    if (localProblem != null) {
      ctx.err()
          .println(
              "warning: the local definitions cannot be read ("
                  + localProblem
                  + "); using applied version "
                  + version
                  + " of project '"
                  + name
                  + "'");
    } else if (local.project().equals(name)) {
      version = warnIfDifferent(ctx, registry, local, version);
    }
    return new Applied(registry.load(name, version).withRoot(ctx.repoRoot()), version);
  }

  // Returns the version the comparison was made against, so the warning and the load agree even
  // if someone applies in between.
  private static long warnIfDifferent(
      CliContext ctx, Registry registry, FeatureRepo local, long version) {
    Plan plan;
    try {
      plan = registry.plan(local);
    } catch (DefinitionException e) {
      ctx.err()
          .println(
              "warning: the local definitions are not consistent ("
                  + describe(e)
                  + "); using applied version "
                  + version
                  + " of project '"
                  + local.project()
                  + "'");
      return version;
    }
    int differing = plan.effectiveChanges().size();
    if (differing > 0) {
      ctx.err()
          .println(
              "warning: "
                  + differing
                  + (differing == 1 ? " object differs" : " objects differ")
                  + " between the local definitions and applied version "
                  + plan.baseVersion()
                  + " of project '"
                  + local.project()
                  + "'; using the applied version (run fletch plan to see the changes, fletch"
                  + " apply to use them)");
    }
    return plan.baseVersion() > 0 ? plan.baseVersion() : version;
  }

  private static String describe(FletchException e) {
    if (e instanceof DefinitionException d && !d.problems().isEmpty()) {
      int n = d.problems().size();
      return n + (n == 1 ? " problem, first: " : " problems, first: ") + d.problems().get(0);
    }
    return String.valueOf(e.getMessage()).replaceAll("\\s+", " ");
  }
}
