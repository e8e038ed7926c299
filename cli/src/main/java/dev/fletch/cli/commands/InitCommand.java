package dev.fletch.cli.commands;

import dev.fletch.cli.CommonOptions;
import dev.fletch.cli.ExitCodes;
import dev.fletch.core.FletchException;
import dev.fletch.core.InvalidRequestException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Scaffolds a small working feature repository: definitions, a CSV of sample data, a .gitignore.
 */
@Command(
    name = "init",
    description = "Create a new feature repository with a small working example.")
public final class InitCommand implements Callable<Integer> {
  private static final String TEMPLATES = "/dev/fletch/cli/init/";

  /** Template resource -> file written (relative to the new repository). */
  private static final List<String[]> FILES =
      List.of(
          new String[] {"entities.yaml", "entities.yaml"},
          new String[] {"features.yaml", "features.yaml"},
          new String[] {"customer_stats.csv", "data/customer_stats.csv"},
          new String[] {"gitignore", ".gitignore"});

  @Mixin CommonOptions common;

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "DIR",
      description = "Folder to create (default: --repo, else the current folder).")
  Path dir;

  @Option(
      names = "--project",
      paramLabel = "NAME",
      description = "Project name (default: derived from the folder name).")
  String project;

  @Option(names = "--force", description = "Write into a folder that is not empty.")
  boolean force;

  @Override
  public Integer call() {
    Path target = (dir != null ? dir : common.repoRoot()).toAbsolutePath().normalize();
    String name = project != null ? project : projectName(target);
    if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
      throw new InvalidRequestException(
          "project name '" + name + "' is not valid: use letters, digits and _ (see --project)");
    }
    if (Files.exists(target) && !Files.isDirectory(target)) {
      throw new InvalidRequestException(target + " exists and is not a folder");
    }
    if (!force && !isEmptyOrMissing(target)) {
      throw new InvalidRequestException(
          target + " is not empty; choose another folder or pass --force to add the example files");
    }
    for (String[] file : FILES) {
      write(target.resolve(file[1]), template(file[0]).replace("{{project}}", name));
    }
    printNextSteps(common.out(), target, name);
    return ExitCodes.OK;
  }

  private static void printNextSteps(PrintStream out, Path target, String name) {
    Path cwd = Path.of("").toAbsolutePath();
    String shown =
        target.startsWith(cwd) && !target.equals(cwd)
            ? cwd.relativize(target).toString()
            : target.toString();
    out.println("Created feature repository '" + name + "' in " + target);
    for (String[] file : FILES) {
      out.println("  " + file[1]);
    }
    out.println();
    out.println("Next steps:");
    if (!target.equals(cwd)) {
      out.println("  cd " + shown);
    }
    out.println("  fletch validate   # check the definitions");
    out.println("  fletch plan       # see what apply would register");
    out.println("  fletch apply      # register the definitions");
    out.flush();
  }

  /** The folder name made into an identifier: {@code my-features} becomes {@code my_features}. */
  static String projectName(Path target) {
    Path fileName = target.getFileName();
    String raw = fileName == null ? "" : fileName.toString();
    String cleaned = raw.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    if (cleaned.isEmpty() || Character.isDigit(cleaned.charAt(0))) {
      cleaned = "project_" + cleaned;
    }
    return cleaned.replaceAll("_+$", "").isEmpty() ? "project" : cleaned;
  }

  private static boolean isEmptyOrMissing(Path target) {
    if (!Files.exists(target)) {
      return true;
    }
    try (Stream<Path> entries = Files.list(target)) {
      return entries.findAny().isEmpty();
    } catch (IOException e) {
      throw new FletchException("cannot read " + target + ": " + e.getMessage(), e);
    }
  }

  private static String template(String name) {
    try (InputStream in = InitCommand.class.getResourceAsStream(TEMPLATES + name)) {
      if (in == null) {
        throw new IllegalStateException("template " + name + " missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new FletchException("cannot read template " + name, e);
    }
  }

  private static void write(Path file, String text) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new FletchException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }
}
