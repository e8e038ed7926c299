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
  private final ServingMetrics metrics;

  /**
   * @param repoRoot the repository folder that relative source paths resolve against (for
   *     historical retrieval over HTTP), or null
   */
  public RegistryCache(DefinitionSource source, String project, Duration refresh, Path repoRoot) {
    this(source, project, refresh, repoRoot, null);
  }

  /**
   * As {@link #RegistryCache(DefinitionSource, String, Duration, Path)}, recording the version
   * served and the failed checks in {@code metrics} (may be null).
   */
  RegistryCache(
      DefinitionSource source,
      String project,
      Duration refresh,
      Path repoRoot,
      ServingMetrics metrics) {
    this.source = requireNonNull(source, "source is null");
    this.project = requireNonNull(project, "project is null");
    this.repoRoot = repoRoot;
    this.metrics = metrics;
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
      recordServed(0);
      return;
    }
    if (current != null && current.version() == version) {
      recordServed(version);
      return;
    }
    FeatureRepo repo = source.load(project);
    if (repoRoot != null && repo.root() == null) {
      repo = repo.withRoot(repoRoot);
    }
    catalog = new ServingCatalog(version, repo);
    recordServed(version);
    if (current != null) {
      LOG.info(
          "serving project '{}' at registry version {} (was {})",
          project,
          version,
          current.version());
    }
  }

  private void recordServed(long version) {
    if (metrics != null) {
      metrics.registryRefreshed(project, version);
    }
  }

  private void refreshQuietly() {
    try {
      refreshNow();
    } catch (RuntimeException e) {
      if (metrics != null) {
        metrics.registryRefreshFailed(project);
      }
      // Keep serving the last good definitions; the next tick tries again (a failure in a row is
      // counted in /metrics; the log says it once a minute at most).
      long now = System.nanoTime();
      if (now - failureLoggedAt > FAILURE_LOG_EVERY_NANOS) {
        failureLoggedAt = now;
        LOG.warn("registry refresh for project '{}' failed: {}", project, e.toString());
      }
    }
  }

  private static final long FAILURE_LOG_EVERY_NANOS = TimeUnit.SECONDS.toNanos(60);
  private long failureLoggedAt = System.nanoTime() - FAILURE_LOG_EVERY_NANOS;

  @Override
  public void close() {
    scheduler.shutdownNow();
  }
}
