package dev.fletch.core.yaml;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Whether a source path (a file, a folder or a glob, relative to the repository root) has data. */
final class SourcePaths {
  private static final Pattern URL = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*://.*");

  private SourcePaths() {}

  static boolean isLocal(String path) {
    return !URL.matcher(path).matches();
  }

  static boolean matchesAnyFile(Path root, String path) {
    String p = path.startsWith("file://") ? path.substring("file://".length()) : path;
    if (!hasGlob(p)) {
      Path target = root.resolve(p).normalize();
      return Files.isRegularFile(target) || (Files.isDirectory(target) && containsFile(target));
    }
    // Walk from the longest folder prefix without glob characters, matching the full path.
    Path pattern = root.resolve(p).normalize();
    Path base = pattern.getRoot();
    for (Path part : pattern) {
      if (hasGlob(part.toString())) {
        break;
      }
      base = base == null ? part : base.resolve(part);
    }
    if (base == null || !Files.isDirectory(base)) {
      return false;
    }
    PathMatcher matcher =
        FileSystems.getDefault().getPathMatcher("glob:" + escapeForGlob(pattern.toString()));
    try (Stream<Path> files = Files.walk(base)) {
      return files.anyMatch(f -> Files.isRegularFile(f) && matcher.matches(f));
    } catch (IOException | UncheckedIOException e) {
      return false;
    }
  }

  private static boolean containsFile(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.anyMatch(
          f -> Files.isRegularFile(f) && !f.getFileName().toString().startsWith("."));
    } catch (IOException | UncheckedIOException e) {
      return false;
    }
  }

  private static boolean hasGlob(String s) {
    return s.indexOf('*') >= 0 || s.indexOf('?') >= 0 || s.indexOf('[') >= 0 || s.indexOf('{') >= 0;
  }

  // Windows separators would read as escapes in a glob; elsewhere the path is already a glob.
  private static String escapeForGlob(String s) {
    return s.replace("\\", "\\\\");
  }
}
