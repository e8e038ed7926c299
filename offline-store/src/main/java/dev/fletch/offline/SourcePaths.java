package dev.fletch.offline;

import dev.fletch.core.InvalidRequestException;
import dev.fletch.core.NotFoundException;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.model.Source;
import dev.fletch.core.model.SourceFormat;
import dev.fletch.core.settings.OfflineSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Turns a source's path as written (file, folder, glob, or URL) into what DuckDB's readers take.
 */
final class SourcePaths {
  private static final Pattern URL = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*://.*");

  private SourcePaths() {}

  /**
   * The path DuckDB should read: relative paths resolved against {@code root} (the working
   * directory when the repository came from the registry), a folder expanded to every file of the
   * format below it. A plain local path that does not exist is reported here, naming the path and
   * the source.
   */
  static String resolve(Source source, Path root, OfflineSettings settings) {
    String written = source.path();
    Path base = root == null ? Path.of("").toAbsolutePath() : root.toAbsolutePath();
    // Checked again at every job: the definition may have come from the registry, and the files
    // may have changed since it was validated.
    String refused = settings.sourcePathProblem(base, written);
    if (refused != null) {
      throw new InvalidRequestException("source '" + source.name() + "': " + refused);
    }
    if (URL.matcher(written).matches() && !written.startsWith("file://")) {
      return written; // object storage: DuckDB's httpfs resolves it
    }
    if (written.startsWith("file://")) {
      written = written.substring("file://".length());
    }
    Path path = base.resolve(written).normalize();
    if (isGlob(written)) {
      return path.toString();
    }
    if (Files.isDirectory(path)) {
      return path.resolve("**").resolve("*." + extension(source.format())).toString();
    }
    if (!Files.exists(path)) {
      throw new NotFoundException(
          "source file", path.toString(), "source '" + source.name() + "', path '" + written + "'");
    }
    if (!Files.isReadable(path)) {
      throw new InvalidRequestException(
          "source '" + source.name() + "': file " + path + " is not readable");
    }
    return path.toString();
  }

  /** The folder a repository's relative paths start from: its root, or the working directory. */
  static Path root(FeatureRepo repo) {
    return repo.root() == null
        ? Path.of("").toAbsolutePath().normalize()
        : repo.root().toAbsolutePath().normalize();
  }

  static boolean isGlob(String path) {
    return path.indexOf('*') >= 0
        || path.indexOf('?') >= 0
        || path.indexOf('[') >= 0
        || path.indexOf('{') >= 0;
  }

  private static String extension(SourceFormat format) {
    return format.name().toLowerCase(Locale.ROOT);
  }
}
