package dev.fletch.core.settings;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What offline jobs may read and how much of the machine they may take, from the {@code
 * offline_store} section of {@value Settings#FILE_NAME}. Definitions are untrusted: a source's path
 * must stay inside the repository, or inside a directory (or object-storage prefix) the operator
 * lists here; DuckDB itself is then confined to exactly those places.
 *
 * @param allowedDirectories local folders outside the repository that sources may read (absolute,
 *     normalized)
 * @param allowedUrls object-storage prefixes sources may read ({@code s3://bucket/prefix/}); no
 *     other URL is read
 * @param memoryLimit DuckDB's {@code memory_limit} per job ({@code 4GB}); null for Fletch's default
 * @param threads DuckDB threads per job; 0 for one per core
 * @param maxConcurrentJobs how many offline jobs (historical retrievals, scans) run at once per
 *     process; more wait their turn
 */
public record OfflineSettings(
    List<Path> allowedDirectories,
    List<String> allowedUrls,
    String memoryLimit,
    int threads,
    int maxConcurrentJobs) {

  private static final Pattern URL = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*://.*");

  /** How many directory entries a symbolic-link check looks at before it gives up (and refuses). */
  static final int MAX_ENTRIES_CHECKED = 200_000;

  public OfflineSettings {
    allowedDirectories =
        List.copyOf(requireNonNull(allowedDirectories, "allowedDirectories is null"));
    allowedUrls = List.copyOf(requireNonNull(allowedUrls, "allowedUrls is null"));
    if (threads < 0) {
      throw new IllegalArgumentException("threads must be >= 0, got " + threads);
    }
    if (maxConcurrentJobs < 1) {
      throw new IllegalArgumentException(
          "maxConcurrentJobs must be >= 1, got " + maxConcurrentJobs);
    }
  }

  /** Sources inside the repository only; DuckDB's memory and threads at Fletch's defaults. */
  public static OfflineSettings defaults() {
    return new OfflineSettings(List.of(), List.of(), null, 0, 2);
  }

  /** The {@code offline_store} section of the settings file at {@code root}, over the defaults. */
  public static OfflineSettings load(Path root) {
    requireNonNull(root, "root is null");
    return dev.fletch.core.yaml.SettingsLoader.loadOffline(root);
  }

  public static boolean isUrl(String path) {
    return URL.matcher(path).matches() && !path.startsWith("file://");
  }

  /**
   * Null when a source may read {@code written} (relative to {@code root}), else why not: a local
   * path must lie inside the repository or an allowed directory, also after following symbolic
   * links (of the path itself and, for a folder or glob, of everything below its fixed part); a URL
   * must start with an allowed prefix.
   */
  public String sourcePathProblem(Path root, String written) {
    requireNonNull(root, "root is null");
    requireNonNull(written, "written is null");
    for (int i = 0; i < written.length(); i++) {
      if (Character.isISOControl(written.charAt(i))) {
        return "path has a control character at position " + (i + 1);
      }
    }
    if (isUrl(written)) {
      for (String prefix : allowedUrls) {
        if (written.startsWith(prefix)) {
          return null;
        }
      }
      int scheme = written.indexOf("://");
      return "path '"
          + written
          + "' is "
          + written.substring(0, scheme).toLowerCase(Locale.ROOT)
          + ":// storage that offline_store.allowed_directories in "
          + Settings.FILE_NAME
          + " does not list; list its bucket or prefix there to read it";
    }
    String local = written.startsWith("file://") ? written.substring("file://".length()) : written;
    Path base = root.toAbsolutePath().normalize();
    Path resolved = base.resolve(local).normalize();
    List<Path> roots = readableRoots(base);
    if (roots.stream().noneMatch(resolved::startsWith)) {
      return "path '"
          + written
          + "' leaves the repository (it resolves to "
          + resolved
          + "); keep data inside the repository or list the folder under"
          + " offline_store.allowed_directories in "
          + Settings.FILE_NAME;
    }
    List<Path> realRoots = realPaths(roots);
    Path fixed = fixedPart(resolved);
    Path existing = fixed;
    while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
      existing = existing.getParent();
    }
    if (existing == null) {
      return null;
    }
    Path real;
    try {
      real = existing.toRealPath();
    } catch (IOException e) {
      return "path '" + written + "' cannot be resolved: " + e.getMessage();
    }
    if (realRoots.stream().noneMatch(real::startsWith)) {
      return "path '"
          + written
          + "' goes through a symbolic link to "
          + real
          + ", outside the repository and the allowed directories";
    }
    if (Files.isDirectory(existing) && existing.equals(fixed)) {
      return escapingLinkBelow(written, existing, realRoots);
    }
    return null;
  }

  /** The repository and the allowed directories, normalized: what DuckDB may read. */
  public List<Path> readableRoots(Path root) {
    List<Path> roots = new ArrayList<>();
    roots.add(root.toAbsolutePath().normalize());
    allowedDirectories.forEach(d -> roots.add(d.toAbsolutePath().normalize()));
    return roots;
  }

  /** {@code roots} with their symbolic links followed (those that exist), and as written. */
  public static List<Path> realPaths(List<Path> roots) {
    List<Path> out = new ArrayList<>(roots);
    for (Path r : roots) {
      try {
        Path real = r.toRealPath();
        if (!out.contains(real)) {
          out.add(real);
        }
      } catch (IOException e) {
        // a folder that does not exist yet holds no link to follow
      }
    }
    return out;
  }

  /** The part of a path before its first glob character. */
  public static Path fixedPart(Path path) {
    Path fixed = path.getRoot();
    for (Path part : path) {
      String s = part.toString();
      if (s.indexOf('*') >= 0
          || s.indexOf('?') >= 0
          || s.indexOf('[') >= 0
          || s.indexOf('{') >= 0) {
        break;
      }
      fixed = fixed == null ? part : fixed.resolve(part);
    }
    return fixed;
  }

  private static String escapingLinkBelow(String written, Path dir, List<Path> realRoots) {
    try (Stream<Path> entries = Files.walk(dir)) {
      int seen = 0;
      Iterator<Path> it = entries.iterator();
      while (it.hasNext()) {
        Path p = it.next();
        if (++seen > MAX_ENTRIES_CHECKED) {
          return "path '"
              + written
              + "' has more than "
              + MAX_ENTRIES_CHECKED
              + " entries below "
              + dir
              + "; point the source at a narrower folder or glob";
        }
        if (!Files.isSymbolicLink(p)) {
          continue;
        }
        Path real;
        try {
          real = p.toRealPath();
        } catch (IOException e) {
          return "path '"
              + written
              + "': symbolic link "
              + p
              + " cannot be followed ("
              + e.getClass().getSimpleName()
              + ")";
        }
        if (Files.isDirectory(real) && p.startsWith(real)) {
          return "path '"
              + written
              + "': "
              + p
              + " is a symbolic link to a folder that contains it (a loop)";
        }
        if (realRoots.stream().noneMatch(real::startsWith)) {
          return "path '"
              + written
              + "': "
              + p
              + " is a symbolic link to "
              + real
              + ", outside the repository and the allowed directories";
        }
      }
    } catch (IOException | UncheckedIOException e) {
      return "path '" + written + "': cannot list " + dir + ": " + e.getMessage();
    }
    return null;
  }
}
