package dev.fletch.core.yaml;

import static java.util.Objects.requireNonNull;

import dev.fletch.core.DefinitionException;
import dev.fletch.core.Problem;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.settings.OfflineSettings;
import dev.fletch.core.settings.Settings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Loads a feature repository: every {@code *.yaml}/{@code *.yml} file under the root folder (sorted
 * by path; hidden folders such as {@code .fletch/} and the settings file are skipped), read
 * together as one project and validated as a whole.
 */
public final class RepoLoader {
  private RepoLoader() {}

  /**
   * Loads every {@code *.yaml}/{@code *.yml} file of {@code root} (except the settings file) as one
   * repository; throws DefinitionException listing every problem with file, line and column.
   */
  public static FeatureRepo load(Path root) {
    return load(root, true);
  }

  /**
   * Like {@link #load(Path)}; with {@code checkSourcePaths} false, local source paths that match no
   * file are accepted (for machines that register definitions but do not hold the data).
   */
  public static FeatureRepo load(Path root, boolean checkSourcePaths) {
    requireNonNull(root, "root is null");
    return load(root, checkSourcePaths, OfflineSettings.load(root));
  }

  /**
   * Like {@link #load(Path, boolean)}, with source paths confined to the repository and the places
   * {@code offline} allows.
   */
  public static FeatureRepo load(Path root, boolean checkSourcePaths, OfflineSettings offline) {
    return loadLocated(root, checkSourcePaths, offline).repo();
  }

  /** A loaded repository and where each of its parts is written. */
  public record Located(FeatureRepo repo, DefinitionLocations locations) {}

  /**
   * Like {@link #load(Path, boolean, OfflineSettings)}, also keeping where each part is written,
   * for problems found later (a source's files that do not match the definitions) to be reported at
   * their file, line and column.
   */
  public static Located loadLocated(Path root, boolean checkSourcePaths, OfflineSettings offline) {
    requireNonNull(root, "root is null");
    requireNonNull(offline, "offline is null");
    Path dir = root.toAbsolutePath().normalize();
    if (!Files.isDirectory(dir)) {
      throw new DefinitionException(
          List.of(
              new Problem(dir.toString(), 0, 0, "the feature repository folder does not exist")));
    }
    List<Path> files = yamlFiles(dir);
    Problems problems = new Problems();
    if (files.isEmpty()) {
      problems.add(
          new Loc(dir.toString(), 0, 0),
          "no *.yaml files: this folder is not a feature repository");
      problems.throwIfAny();
    }
    Defs defs = new Defs();
    for (Path file : files) {
      String name = displayName(dir, file);
      for (Node doc : YamlDocuments.read(file, name, problems)) {
        new DefinitionReader(problems, name, defs).read(doc);
      }
    }
    new RepoValidator(defs, problems, dir, checkSourcePaths, offline)
        .validate(new Loc(displayName(dir, files.get(0)), 1, 1));
    problems.throwIfAny();
    // No problems means every object was built, so none of the lists below has a null.
    FeatureRepo repo =
        new FeatureRepo(
            defs.projects.get(0).name(),
            defs.entities.values().stream().map(Defs.EntityDef::entity).toList(),
            defs.sources.values().stream().map(Defs.SourceDef::source).toList(),
            defs.views.values().stream().map(Defs.ViewDef::view).toList(),
            defs.services.values().stream().map(Defs.ServiceDef::service).toList(),
            dir,
            defs.onDemandViews.values().stream().map(Defs.OnDemandDef::view).toList());
    return new Located(
        repo, new DefinitionLocations(defs.locations, displayName(dir, files.get(0))));
  }

  static List<Path> yamlFiles(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      return paths
          .filter(Files::isRegularFile)
          .filter(p -> isYaml(p.getFileName().toString()))
          .filter(p -> !p.equals(dir.resolve(Settings.FILE_NAME)))
          .filter(p -> !inHiddenFolder(dir, p))
          .sorted((a, b) -> displayName(dir, a).compareTo(displayName(dir, b)))
          .toList();
    } catch (IOException | UncheckedIOException e) {
      throw new DefinitionException(
          List.of(new Problem(dir.toString(), 0, 0, "cannot list the folder: " + e.getMessage())));
    }
  }

  private static boolean isYaml(String name) {
    return name.endsWith(".yaml") || name.endsWith(".yml");
  }

  // .fletch/ (local state), .git/ and editor folders hold no definitions.
  private static boolean inHiddenFolder(Path dir, Path file) {
    Path rel = dir.relativize(file.getParent() == null ? dir : file.getParent());
    for (Path part : rel) {
      String s = part.toString();
      if (s.startsWith(".") || s.equals("target") || s.equals("node_modules")) {
        return true;
      }
    }
    return false;
  }

  /** A file as problems name it: relative to the repository root, with forward slashes. */
  static String displayName(Path dir, Path file) {
    return Objects.toString(dir.relativize(file)).replace('\\', '/');
  }
}
