package dev.fletch.cli.commands;

import dev.fletch.cli.CliContext;
import dev.fletch.core.FletchException;
import dev.fletch.core.InvalidRequestException;
import picocli.CommandLine.Option;

/**
 * {@code --project NAME} of the commands that read one project (list, describe, history, jobs,
 * get-online): the named project, else the one the repository's YAML names. Add it with
 * {@code @Mixin ProjectOption project;}.
 */
final class ProjectOption {
  @Option(
      names = "--project",
      paramLabel = "NAME",
      description = "Project (default: the repository's).")
  String name;

  /** The project to show: {@code --project}, else the one the repository's YAML names. */
  String resolve(CliContext ctx) {
    if (name != null && !name.isBlank()) {
      return name;
    }
    try {
      return ctx.loadRepo().project();
    } catch (FletchException e) {
      throw new InvalidRequestException(
          "cannot tell which project to show (give --project NAME): " + e.getMessage(), e);
    }
  }
}
