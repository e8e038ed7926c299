package dev.fletch.registry;

import static java.util.Objects.requireNonNull;

import dev.fletch.core.ConflictException;
import dev.fletch.core.DefinitionSource;
import dev.fletch.core.FletchException;
import dev.fletch.core.InvalidRequestException;
import dev.fletch.core.JobHistory;
import dev.fletch.core.NotFoundException;
import dev.fletch.core.UnavailableException;
import dev.fletch.core.model.Entity;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.model.FeatureService;
import dev.fletch.core.model.FeatureView;
import dev.fletch.core.model.OnDemandFeatureView;
import dev.fletch.core.model.Source;
import dev.fletch.registry.Planner.Snap;
import dev.fletch.registry.Schema.Dialect;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.jdbi.v3.core.ConnectionException;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * Applied definitions, their versions and history, and materialization job history, in one SQL
 * database (a SQLite file, or PostgreSQL). Thread-safe; every call borrows a connection for its
 * duration. Every applied version is kept in full, so any past version of any object can be read
 * back.
 *
 * <p>Failures: {@link UnavailableException} when the database cannot be reached (or stays locked),
 * {@link NotFoundException} for unknown projects, versions and objects, {@link ConflictException}
 * for a stale apply, {@link BreakingChangeException} for a breaking apply that was not allowed,
 * {@link dev.fletch.core.DefinitionException} for an inconsistent repository.
 */
public final class Registry implements DefinitionSource, AutoCloseable {
  private static final int SQLITE_BUSY_TIMEOUT_MS = 10_000;

  private static final int IDLE_CONNECTIONS = 4;

  private final ConnectionPool pool;
  private final Jdbi jdbi;
  private final Dialect dialect;
  private final String displayUrl;
  private final SqlJobHistory jobHistory;
  private final SqlDatasets datasets;
  private final AtomicBoolean closed = new AtomicBoolean();

  /** Test hook: runs before each object row of an apply is inserted (to force a failure midway). */
  volatile Consumer<String> beforeObjectInsert = key -> {};

  private Registry(ConnectionPool pool, Dialect dialect, String displayUrl) {
    this.pool = pool;
    this.jdbi = Jdbi.create(pool);
    this.dialect = dialect;
    this.displayUrl = displayUrl;
    this.jobHistory = new SqlJobHistory(this);
    this.datasets = new SqlDatasets(this);
  }

  /**
   * Opens (creating and migrating the schema) a registry at a {@code jdbc:sqlite:} or {@code
   * jdbc:postgresql:} URL.
   */
  public static Registry open(String jdbcUrl) {
    requireNonNull(jdbcUrl, "jdbcUrl is null");
    String display = redact(jdbcUrl);
    Registry registry;
    if (jdbcUrl.startsWith("jdbc:sqlite:")) {
      SQLiteDataSource ds = sqlite(jdbcUrl);
      registry =
          new Registry(
              new ConnectionPool(ds::getConnection, IDLE_CONNECTIONS), Dialect.SQLITE, display);
    } else if (jdbcUrl.startsWith("jdbc:postgresql:")) {
      Properties defaults = postgresTimeouts();
      ConnectionPool pool =
          new ConnectionPool(
              () -> DriverManager.getConnection(jdbcUrl, defaults), IDLE_CONNECTIONS);
      registry = new Registry(pool, Dialect.POSTGRES, display);
    } else {
      throw new InvalidRequestException(
          "unsupported registry URL '"
              + display
              + "': expected jdbc:sqlite:<file> or jdbc:postgresql://host/db");
    }
    try {
      registry.inTransaction(
          h -> {
            Schema.migrate(h, registry.dialect);
            return null;
          });
    } catch (RuntimeException e) {
      registry.close();
      throw e;
    }
    return registry;
  }

  private static SQLiteDataSource sqlite(String url) {
    String file = url.substring("jdbc:sqlite:".length());
    int q = file.indexOf('?');
    if (q >= 0) {
      file = file.substring(0, q);
    }
    if (file.isEmpty() || file.equals(":memory:") || file.startsWith("file:")) {
      // calls use several connections, and each in-memory connection is a separate, empty database
      throw new InvalidRequestException(
          "registry URL '"
              + url
              + "': give a file path (jdbc:sqlite:/path/registry.db); in-memory databases are not supported");
    }
    Path parent = Path.of(file).toAbsolutePath().getParent();
    try {
      if (parent != null) {
        Files.createDirectories(parent);
      }
    } catch (IOException e) {
      throw new UnavailableException(
          "cannot create the folder of the registry database " + file + ": " + e.getMessage(), e);
    }
    SQLiteConfig config = new SQLiteConfig();
    config.setBusyTimeout(SQLITE_BUSY_TIMEOUT_MS);
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
    // Writers take the lock at BEGIN: two applies queue on busy_timeout instead of deadlocking on
    // upgrade.
    config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
    SQLiteDataSource ds = new SQLiteDataSource(config);
    ds.setUrl(url);
    return ds;
  }

  /** Connecting to PostgreSQL (TCP connect and login) gives up after this. */
  public static final Duration POSTGRES_CONNECT_TIMEOUT = Duration.ofSeconds(5);

  /** A PostgreSQL statement running longer than this is cancelled by the server. */
  public static final Duration POSTGRES_STATEMENT_TIMEOUT = Duration.ofSeconds(10);

  /**
   * A PostgreSQL connection whose server sends nothing for this long (frozen, or gone without a
   * reset) is given up.
   */
  public static final Duration POSTGRES_SOCKET_TIMEOUT = Duration.ofSeconds(15);

  /**
   * The driver settings that bound every registry call on PostgreSQL: a frozen or unreachable
   * database makes a call fail (UnavailableException) instead of hanging. Parameters of the URL win
   * ({@code ?socketTimeout=60}, {@code ?options=-c%20statement_timeout=60s}).
   */
  static Properties postgresTimeouts() {
    Properties p = new Properties();
    p.setProperty("connectTimeout", Long.toString(POSTGRES_CONNECT_TIMEOUT.toSeconds()));
    p.setProperty("loginTimeout", Long.toString(POSTGRES_CONNECT_TIMEOUT.toSeconds()));
    p.setProperty("socketTimeout", Long.toString(POSTGRES_SOCKET_TIMEOUT.toSeconds()));
    p.setProperty("options", "-c statement_timeout=" + POSTGRES_STATEMENT_TIMEOUT.toMillis());
    return p;
  }

  /** The URL without a password, for messages. */
  static String redact(String url) {
    return dev.fletch.core.Secrets.url(url);
  }

  // ---------------------------------------------------------------- read side

  /** Checks the database answers; UnavailableException if it does not. */
  public void ping() {
    withHandle(h -> h.createQuery("SELECT 1").mapTo(Integer.class).one());
  }

  /** Projects that have at least one applied version and were not deleted since, by name. */
  public List<String> projects() {
    return withHandle(
        h ->
            h.createQuery(
                    "SELECT v.\"project\" FROM \"versions\" v WHERE v.\"deleted\" = 0 AND v.\"version\" ="
                        + " (SELECT MAX(w.\"version\") FROM \"versions\" w WHERE w.\"project\" ="
                        + " v.\"project\") ORDER BY v.\"project\"")
                .mapTo(String.class)
                .list());
  }

  /**
   * Deletes {@code project}: records a version with no objects that says so, in one transaction,
   * against {@code expectedVersion} like an apply (ConflictException when the registry moved on).
   * The project leaves {@link #projects()}; its versions, objects and job history stay readable; a
   * later apply of its definitions re-creates it at the next version. NotFoundException for a
   * project with nothing applied; an already deleted one is refused (InvalidRequestException).
   *
   * @return the deleting version
   */
  public VersionInfo deleteProject(
      String project, long expectedVersion, String deletedBy, String message) {
    requireNonNull(project, "project is null");
    String by = deletedBy == null || deletedBy.isBlank() ? "unknown" : deletedBy;
    return inTransaction(
        h -> {
          long current = currentVersion(h, project);
          if (current == 0) {
            throw new NotFoundException("project", project, "nothing applied yet");
          }
          if (current != expectedVersion) {
            throw stale(expectedVersion, current, null);
          }
          VersionInfo last = requireVersion(h, project, current);
          if (last.deleted()) {
            throw new InvalidRequestException(
                "project '" + project + "' was deleted already, at version " + current);
          }
          int objects = snapshot(h, project, current).size();
          long next = current + 1;
          h.createUpdate(
                  "INSERT INTO \"versions\" (\"project\", \"version\", \"applied_at\", \"applied_by\", \"message\","
                      + " \"content_hash\", \"added\", \"changed\", \"removed\", \"deleted\") VALUES (:p, :v, :at,"
                      + " :by, :msg, :hash, 0, 0, :r, 1)")
              .bind("p", project)
              .bind("v", next)
              .bind("at", Schema.micros(Instant.now()))
              .bind("by", by)
              .bind("msg", message == null ? "" : message)
              .bind("hash", Planner.repoHash(List.of()))
              .bind("r", objects)
              .execute();
          return requireVersion(h, project, next);
        });
  }

  @Override
  public long currentVersion(String project) {
    requireNonNull(project, "project is null");
    return withHandle(h -> currentVersion(h, project));
  }

  @Override
  public FeatureRepo load(String project) {
    requireNonNull(project, "project is null");
    return withHandle(
        h -> {
          long v = currentVersion(h, project);
          if (v == 0) {
            throw new NotFoundException("project", project, "nothing applied yet");
          }
          return toRepo(project, snapshot(h, project, v));
        });
  }

  /** The definitions exactly as applied at {@code version}. */
  public FeatureRepo load(String project, long version) {
    requireNonNull(project, "project is null");
    return withHandle(
        h -> {
          requireVersion(h, project, version);
          return toRepo(project, snapshot(h, project, version));
        });
  }

  /** Versions of the project, newest first; empty when nothing was applied. */
  public List<VersionInfo> history(String project) {
    requireNonNull(project, "project is null");
    return withHandle(h -> versions(h, project, "ORDER BY \"version\" DESC"));
  }

  /** One version's record. */
  public VersionInfo version(String project, long version) {
    requireNonNull(project, "project is null");
    return withHandle(h -> requireVersion(h, project, version));
  }

  /** The objects of one kind at a version ({@code version} 0: the latest), in declared order. */
  public List<StoredObject> objects(String project, ObjectKind kind, long version) {
    requireNonNull(project, "project is null");
    requireNonNull(kind, "kind is null");
    return withHandle(
        h -> {
          long v = resolveVersion(h, project, version);
          return h.createQuery(
                  "SELECT \"name\", \"content_hash\", \"definition\" FROM \"objects\" WHERE \"project\" = :p"
                      + " AND \"version\" = :v AND \"kind\" = :k ORDER BY \"position\"")
              .bind("p", project)
              .bind("v", v)
              .bind("k", kind.label())
              .map(
                  (rs, ctx) ->
                      new StoredObject(kind, rs.getString(1), v, rs.getString(2), rs.getString(3)))
              .list();
        });
  }

  /** An object as of the latest version. */
  public StoredObject object(String project, ObjectKind kind, String name) {
    return object(project, kind, name, 0);
  }

  /** An object as of {@code version} (0: the latest). */
  public StoredObject object(String project, ObjectKind kind, String name, long version) {
    requireNonNull(project, "project is null");
    requireNonNull(kind, "kind is null");
    requireNonNull(name, "name is null");
    return withHandle(
        h -> {
          long v = resolveVersion(h, project, version);
          return h.createQuery(
                  "SELECT \"content_hash\", \"definition\" FROM \"objects\" WHERE \"project\" = :p"
                      + " AND \"version\" = :v AND \"kind\" = :k AND \"name\" = :n")
              .bind("p", project)
              .bind("v", v)
              .bind("k", kind.label())
              .bind("n", name)
              .map((rs, ctx) -> new StoredObject(kind, name, v, rs.getString(1), rs.getString(2)))
              .findOne()
              .orElseThrow(
                  () ->
                      new NotFoundException(
                          kind.label().replace('_', ' '),
                          name,
                          "in project '" + project + "' at version " + v));
        });
  }

  /**
   * The versions at which an object was added, changed or removed, newest first. NotFoundException
   * if the object never existed.
   */
  public List<ObjectVersion> objectHistory(String project, ObjectKind kind, String name) {
    requireNonNull(project, "project is null");
    requireNonNull(kind, "kind is null");
    requireNonNull(name, "name is null");
    return withHandle(
        h -> {
          Map<Long, String> hashes = new LinkedHashMap<>();
          h.createQuery(
                  "SELECT \"version\", \"content_hash\" FROM \"objects\" WHERE \"project\" = :p AND \"kind\" = :k"
                      + " AND \"name\" = :n ORDER BY \"version\"")
              .bind("p", project)
              .bind("k", kind.label())
              .bind("n", name)
              .map((rs, ctx) -> Map.entry(rs.getLong(1), rs.getString(2)))
              .forEach(e -> hashes.put(e.getKey(), e.getValue()));
          if (hashes.isEmpty()) {
            throw new NotFoundException(
                kind.label().replace('_', ' '), name, "never applied in project '" + project + "'");
          }
          List<ObjectVersion> steps = new ArrayList<>();
          String previous = null;
          for (VersionInfo v : versions(h, project, "ORDER BY \"version\"")) {
            String hash = hashes.get(v.version());
            Plan.Action action = null;
            if (previous == null && hash != null) {
              action = Plan.Action.ADDED;
            } else if (previous != null && hash == null) {
              action = Plan.Action.REMOVED;
            } else if (previous != null && !previous.equals(hash)) {
              action = Plan.Action.CHANGED;
            }
            if (action != null) {
              steps.add(
                  0,
                  new ObjectVersion(
                      kind, name, v.version(), action, hash, v.appliedAt(), v.appliedBy()));
            }
            previous = hash;
          }
          return steps;
        });
  }

  // ---------------------------------------------------------------- plan and apply

  /**
   * The difference between {@code repo} and the latest applied version of its project. An
   * inconsistent repository (dangling references, duplicate names) raises DefinitionException.
   */
  public Plan plan(FeatureRepo given) {
    requireNonNull(given, "repo is null");
    FeatureRepo repo = RepoChecks.check(given, "definitions of project '" + given.project() + "'");
    return withHandle(
        h -> {
          long current = currentVersion(h, repo.project());
          return Planner.plan(repo.project(), current, snapshot(h, repo.project(), current), repo);
        });
  }

  /** {@link #apply(FeatureRepo, long, boolean, String, String)} without a message. */
  public ApplyResult apply(
      FeatureRepo repo, long expectedVersion, boolean allowBreaking, String appliedBy) {
    return apply(repo, expectedVersion, allowBreaking, appliedBy, "");
  }

  /**
   * Records {@code repo} as the next version of its project, in one transaction. {@code
   * expectedVersion} is the version the caller planned against ({@link Plan#baseVersion()}); if the
   * registry has moved on, or another apply wins the race, this fails with {@link
   * ConflictException} and writes nothing. Breaking changes need {@code allowBreaking}. A
   * repository identical to the current version records nothing ({@link ApplyResult#applied()}
   * false).
   */
  public ApplyResult apply(
      FeatureRepo given,
      long expectedVersion,
      boolean allowBreaking,
      String appliedBy,
      String message) {
    requireNonNull(given, "repo is null");
    String by = appliedBy == null || appliedBy.isBlank() ? "unknown" : appliedBy;
    String msg = message == null ? "" : message;
    if (expectedVersion < 0) {
      throw new InvalidRequestException("expected version must be >= 0, got " + expectedVersion);
    }
    FeatureRepo repo = RepoChecks.check(given, "definitions of project '" + given.project() + "'");
    String project = repo.project();
    try {
      return inTransaction(
          h -> {
            long current = currentVersion(h, project);
            if (current != expectedVersion) {
              throw stale(expectedVersion, current, null);
            }
            Plan plan = Planner.plan(project, current, snapshot(h, project, current), repo);
            if (!plan.hasChanges()) {
              return new ApplyResult(project, current, false, plan);
            }
            if (plan.isBreaking() && !allowBreaking) {
              throw new BreakingChangeException(plan);
            }
            long next = current + 1;
            List<Snap> snaps = Planner.snapshot(repo);
            h.createUpdate(
                    "INSERT INTO \"versions\" (\"project\", \"version\", \"applied_at\", \"applied_by\", \"message\","
                        + " \"content_hash\", \"added\", \"changed\", \"removed\") VALUES (:p, :v, :at, :by, :msg, :hash, :a, :c, :r)")
                .bind("p", project)
                .bind("v", next)
                .bind("at", Schema.micros(Instant.now()))
                .bind("by", by)
                .bind("msg", msg)
                .bind("hash", Planner.repoHash(snaps))
                .bind("a", plan.count(Plan.Action.ADDED))
                .bind("c", plan.count(Plan.Action.CHANGED))
                .bind("r", plan.count(Plan.Action.REMOVED))
                .execute();
            for (Snap s : snaps) {
              beforeObjectInsert.accept(s.key());
              h.createUpdate(
                      "INSERT INTO \"objects\" (\"project\", \"version\", \"kind\", \"name\", \"position\", \"content_hash\","
                          + " \"definition\") VALUES (:p, :v, :k, :n, :pos, :hash, :def)")
                  .bind("p", project)
                  .bind("v", next)
                  .bind("k", s.kind().label())
                  .bind("n", s.name())
                  .bind("pos", s.position())
                  .bind("hash", s.hash())
                  .bind("def", s.json())
                  .execute();
            }
            return new ApplyResult(project, next, true, plan);
          });
    } catch (FletchException e) {
      if (isUniqueViolation(e)) {
        // Another apply inserted the same version number between our read and our insert.
        long now = currentVersion(project);
        throw stale(expectedVersion, now, e);
      }
      throw e;
    }
  }

  private static ConflictException stale(long expected, long current, Throwable cause) {
    String msg =
        "planned against version "
            + expected
            + " but the registry is at "
            + current
            + "; re-run plan";
    return cause == null ? new ConflictException(msg) : new ConflictException(msg, cause);
  }

  private static boolean isUniqueViolation(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql) {
        if ("23505".equals(sql.getSQLState())) {
          return true; // PostgreSQL unique_violation
        }
        if (t.getClass().getName().startsWith("org.sqlite") && (sql.getErrorCode() & 0xff) == 19) {
          return true; // SQLITE_CONSTRAINT (primary key / unique)
        }
      }
    }
    return false;
  }

  // ---------------------------------------------------------------- jobs

  public JobHistory jobHistory() {
    return jobHistory;
  }

  /** The datasets (training sets) Fletch wrote, with their statistics. */
  public dev.fletch.core.stats.DatasetCatalog datasets() {
    return datasets;
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      pool.close();
    }
  }

  /** The database URL as people may see it (credentials masked). */
  public String displayUrl() {
    return displayUrl;
  }

  @Override
  public String toString() {
    return "Registry[" + displayUrl + "]";
  }

  // ---------------------------------------------------------------- internals

  <T> T withHandle(HandleCallback<T, RuntimeException> callback) {
    return run(() -> jdbi.withHandle(callback));
  }

  <T> T inTransaction(HandleCallback<T, RuntimeException> callback) {
    return run(() -> jdbi.inTransaction(callback));
  }

  private <T> T run(java.util.function.Supplier<T> work) {
    if (closed.get()) {
      throw new IllegalStateException("the registry is closed");
    }
    try {
      return work.get();
    } catch (ConnectionException e) {
      throw new UnavailableException(
          "cannot reach the registry database " + displayUrl + ": " + rootMessage(e), e);
    } catch (JdbiException e) {
      String unreachable = unreachable(e);
      if (unreachable != null) {
        throw new UnavailableException(
            "the registry database " + displayUrl + " " + unreachable + ": " + rootMessage(e), e);
      }
      if (rootMessage(e).contains("SQLITE_BUSY")) {
        throw new UnavailableException(
            "the registry database " + displayUrl + " stayed locked: " + rootMessage(e), e);
      }
      if (isUniqueViolation(e)) {
        throw new FletchException("registry write rejected: " + rootMessage(e), e);
      }
      throw new FletchException(
          "registry database error (" + displayUrl + "): " + rootMessage(e), e);
    }
  }

  /**
   * Why a failed call means the database is out of reach (the connection broke or timed out, or the
   * server cancelled a statement at its statement timeout), or null for other failures.
   */
  private static String unreachable(Throwable e) {
    for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
      if (t instanceof java.net.SocketTimeoutException) {
        return "did not answer in time (the connection's socket timeout)";
      }
    }
    for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
      if (t instanceof SQLException sql && sql.getSQLState() != null) {
        String state = sql.getSQLState();
        if (state.startsWith("08")) {
          return "cannot be reached";
        }
        if (state.equals("57014")) {
          return "cancelled a statement at its statement timeout";
        }
        if (state.equals("57P01") || state.equals("57P02") || state.equals("57P03")) {
          return "is shutting down or starting";
        }
      }
    }
    return null;
  }

  /** The innermost message, credentials masked (a driver may quote the URL it was given). */
  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return dev.fletch.core.Secrets.mask(String.valueOf(t.getMessage()));
  }

  static long currentVersion(Handle h, String project) {
    return h.createQuery(
            "SELECT COALESCE(MAX(\"version\"), 0) FROM \"versions\" WHERE \"project\" = :p")
        .bind("p", project)
        .mapTo(Long.class)
        .one();
  }

  private static long resolveVersion(Handle h, String project, long version) {
    if (version == 0) {
      long v = currentVersion(h, project);
      if (v == 0) {
        throw new NotFoundException("project", project, "nothing applied yet");
      }
      return v;
    }
    return requireVersion(h, project, version).version();
  }

  private static VersionInfo requireVersion(Handle h, String project, long version) {
    List<VersionInfo> found = versions(h, project, "AND \"version\" = " + version);
    if (found.isEmpty()) {
      long current = currentVersion(h, project);
      if (current == 0) {
        throw new NotFoundException("project", project, "nothing applied yet");
      }
      throw new NotFoundException(
          "version",
          Long.toString(version),
          "project '" + project + "' has versions 1.." + current);
    }
    return found.get(0);
  }

  /** {@code tail} is trusted SQL (an ORDER BY or a numeric filter built from a long). */
  private static List<VersionInfo> versions(Handle h, String project, String tail) {
    return h.createQuery(
            "SELECT \"version\", \"applied_at\", \"applied_by\", \"message\", \"content_hash\", \"added\", \"changed\","
                + " \"removed\", \"deleted\" FROM \"versions\" WHERE \"project\" = :p "
                + tail)
        .bind("p", project)
        .map(
            (rs, ctx) ->
                new VersionInfo(
                    project,
                    rs.getLong(1),
                    Schema.instant(rs.getLong(2)),
                    rs.getString(3),
                    rs.getString(4),
                    rs.getString(5),
                    rs.getInt(6),
                    rs.getInt(7),
                    rs.getInt(8),
                    rs.getInt(9) != 0))
        .list();
  }

  private static List<Snap> snapshot(Handle h, String project, long version) {
    if (version == 0) {
      return List.of();
    }
    return h.createQuery(
            "SELECT \"kind\", \"name\", \"position\", \"content_hash\", \"definition\" FROM \"objects\""
                + " WHERE \"project\" = :p AND \"version\" = :v ORDER BY \"position\"")
        .bind("p", project)
        .bind("v", version)
        .map(
            (rs, ctx) ->
                new Snap(
                    ObjectKind.parse(rs.getString(1)),
                    rs.getString(2),
                    rs.getInt(3),
                    rs.getString(4),
                    rs.getString(5)))
        .list();
  }

  private static FeatureRepo toRepo(String project, List<Snap> snaps) {
    List<Entity> entities = new ArrayList<>();
    List<Source> sources = new ArrayList<>();
    List<FeatureView> views = new ArrayList<>();
    List<FeatureService> services = new ArrayList<>();
    List<OnDemandFeatureView> odfvs = new ArrayList<>();
    for (Snap s : snaps) {
      switch (s.kind()) {
        case ENTITY -> entities.add((Entity) s.value());
        case SOURCE -> sources.add((Source) s.value());
        case FEATURE_VIEW -> views.add((FeatureView) s.value());
        case ON_DEMAND_FEATURE_VIEW -> odfvs.add((OnDemandFeatureView) s.value());
        case FEATURE_SERVICE -> services.add((FeatureService) s.value());
      }
    }
    return new FeatureRepo(project, entities, sources, views, services, null, odfvs);
  }
}
