package dev.fletch.serving;

import static java.util.Objects.requireNonNull;

import dev.fletch.core.DaemonScheduler;
import dev.fletch.core.DefinitionSource;
import dev.fletch.core.NotFoundException;
import dev.fletch.core.model.FeatureRepo;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The definitions being served, kept in memory. A background thread asks the registry for the
 * project's current version every {@code refresh} and reloads only when it changed, so requests
 * never wait on the registry and a newly applied definition is served within one refresh interval.
 * While the registry is unreachable the last good definitions keep being served.
 */
public final class RegistryCache implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RegistryCache.class);

  private final DefinitionSource source;
  private final String project;
  private final Path repoRoot;
  private final ScheduledExecutorService scheduler;
  private volatile ServingCatalog catalog;

  /**
   * @param repoRoot the repository folder that relative source paths resolve against (for
   *     historical retrieval over HTTP), or null
   */
  public RegistryCache(DefinitionSource source, String project, Duration refresh, Path repoRoot) {
    this.source = requireNonNull(source, "source is null");
    this.project = requireNonNull(project, "project is null");
    this.repoRoot = repoRoot;
    requireNonNull(refresh, "refresh is null");
    if (refresh.isNegative() || refresh.isZero()) {
      throw new IllegalArgumentException("refresh must be positive, got " + refresh);
    }
    refreshNow();
    this.scheduler = DaemonScheduler.named("fletch-registry-refresh");
    long millis = Math.max(1, refresh.toMillis());
    scheduler.scheduleWithFixedDelay(this::refreshQuietly, millis, millis, TimeUnit.MILLISECONDS);
  }

  public String project() {
    return project;
  }

  /** The registry version being served; 0 when nothing was applied yet. */
  public long version() {
    ServingCatalog c = catalog;
    return c == null ? 0 : c.version();
  }

  /** The current definitions; NotFoundException when nothing was applied to the project yet. */
  public ServingCatalog catalog() {
    ServingCatalog c = catalog;
    if (c == null) {
      throw new NotFoundException(
          "project", project, "no definitions applied yet: run 'fletch apply' in the repository");
    }
    return c;
  }

  /** The current definitions, or null when nothing was applied yet. */
  public ServingCatalog catalogOrNull() {
    return catalog;
  }

  /**
   * Checks the registry now and reloads when the version changed. Throws what the registry throws.
   */
  public synchronized void refreshNow() {
    long version = source.currentVersion(project);
    ServingCatalog current = catalog;
    if (version == 0) {
      catalog = null;
      return;
    }
    if (current != null && current.version() == version) {
      return;
    }
    FeatureRepo repo = source.load(project);
    if (repoRoot != null && repo.root() == null) {
      repo = repo.withRoot(repoRoot);
    }
    catalog = new ServingCatalog(version, repo);
    if (current != null) {
      LOG.info(
          "serving project '{}' at registry version {} (was {})",
          project,
          version,
          current.version());
    }
  }

  private void refreshQuietly() {
    try {
      refreshNow();
    } catch (RuntimeException e) {
      // Keep serving the last good definitions; the next tick tries again.
      LOG.warn("registry refresh for project '{}' failed: {}", project, e.toString());
    }
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
  }
}
