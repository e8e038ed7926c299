package dev.fletch.offline;

import static java.util.Objects.requireNonNull;

import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.settings.OfflineSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The files one offline job may touch: folders it may read below (the repository, the allowed
 * directories, allowed object-storage prefixes) and single files (an entity file, the job's own
 * output). DuckDB is locked to exactly these before the job's first statement.
 */
final class JobAccess {
  private final Set<String> directories = new LinkedHashSet<>();
  private final Set<String> files = new LinkedHashSet<>();
  private final boolean remote;

  private JobAccess(boolean remote) {
    this.remote = remote;
  }

  /** Nothing but the given files (a preview of one file). */
  static JobAccess none() {
    return new JobAccess(false);
  }

  /** What a job over {@code repo}'s sources may read. */
  static JobAccess forRepo(FeatureRepo repo, OfflineSettings settings) {
    requireNonNull(repo, "repo is null");
    JobAccess a = new JobAccess(!settings.allowedUrls().isEmpty());
    for (Path root : OfflineSettings.realPaths(settings.readableRoots(SourcePaths.root(repo)))) {
      a.directories.add(prefix(root));
    }
    a.directories.addAll(settings.allowedUrls());
    return a;
  }

  /** Also {@code file}, and nothing else below its folder. */
  JobAccess file(Path file) {
    Path p = file.toAbsolutePath().normalize();
    files.add(p.toString());
    return this;
  }

  /** Also everything below {@code dir} (a folder or glob entity set). */
  JobAccess folder(Path dir) {
    directories.add(prefix(dir.toAbsolutePath().normalize()));
    return this;
  }

  private static String prefix(Path dir) {
    String s = dir.toString();
    // A trailing separator: "/data/repo" must not also allow "/data/repo-other".
    return s.endsWith("/") ? s : s + "/";
  }

  List<String> directories() {
    return new ArrayList<>(directories);
  }

  List<String> files() {
    return new ArrayList<>(files);
  }

  /** Whether sources may live in object storage (the httpfs extension is then loaded first). */
  boolean remote() {
    return remote;
  }
}
