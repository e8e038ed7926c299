package dev.fletch.cli.commands;

import dev.fletch.cli.CliContext;
import dev.fletch.cli.CommonOptions;
import dev.fletch.cli.ExitCodes;
import dev.fletch.core.InvalidRequestException;
import dev.fletch.registry.ObjectKind;
import dev.fletch.registry.ObjectVersion;
import dev.fletch.registry.VersionInfo;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The applied versions of the project, or the versions at which one object changed. */
@Command(
    name = "history",
    description = {
      "List the registry versions of the project, newest first, with what each added, changed and removed.",
      "With KIND NAME: the versions at which that object was added, changed or removed."
    })
public final class HistoryCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Parameters(
      arity = "0..2",
      paramLabel = "KIND NAME",
      description = "An object, e.g. feature-view customer_profile.")
  List<String> object = new ArrayList<>();

  @Mixin ProjectOption project;

  @Option(names = "--json", description = "Print JSON.")
  boolean json;

  @Override
  public Integer call() {
    if (object.size() == 1) {
      throw new InvalidRequestException(
          "give both KIND and NAME (e.g. 'fletch history feature-view customer_profile')");
    }
    try (CliContext ctx = common.newContext()) {
      String p = project.resolve(ctx);
      if (object.isEmpty()) {
        List<VersionInfo> versions = ctx.registry().history(p);
        if (json) {
          ctx.out().println(ListCommand.prettyJson(versions));
        } else if (versions.isEmpty()) {
          ctx.out()
              .println("Project '" + p + "' has no applied versions yet (run 'fletch apply').");
        } else {
          List<List<String>> rows = new ArrayList<>();
          for (VersionInfo v : versions) {
            rows.add(
                List.of(
                    Long.toString(v.version()),
                    v.appliedAt().truncatedTo(ChronoUnit.SECONDS).toString(),
                    v.appliedBy(),
                    v.deleted()
                        ? "project deleted (-" + v.removed() + ")"
                        : "+" + v.added() + " ~" + v.changed() + " -" + v.removed(),
                    v.message()));
          }
          ListCommand.table(
              ctx.out(), List.of("VERSION", "APPLIED AT", "BY", "CHANGES", "MESSAGE"), rows);
        }
      } else {
        ObjectKind k = ObjectKind.parse(object.get(0));
        List<ObjectVersion> steps = ctx.registry().objectHistory(p, k, object.get(1));
        if (json) {
          ctx.out().println(ListCommand.prettyJson(steps));
        } else {
          List<List<String>> rows = new ArrayList<>();
          for (ObjectVersion s : steps) {
            rows.add(
                List.of(
                    Long.toString(s.version()),
                    s.action().name(),
                    s.appliedAt().truncatedTo(ChronoUnit.SECONDS).toString(),
                    s.appliedBy(),
                    s.contentHash() == null ? "" : s.contentHash().substring(0, 12)));
          }
          ListCommand.table(
              ctx.out(), List.of("VERSION", "ACTION", "APPLIED AT", "BY", "HASH"), rows);
        }
      }
    }
    return ExitCodes.OK;
  }
}
