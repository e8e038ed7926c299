package dev.fletch.online;

import static java.util.Objects.requireNonNull;

import dev.fletch.core.FletchException;
import dev.fletch.core.UnavailableException;
import dev.fletch.core.model.EntityKey;
import dev.fletch.core.model.FeatureRow;
import dev.fletch.core.model.FeatureView;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The embedded online store: a SQLite file, for zero-setup local use. Same semantics as Redis: the
 * same {@link EntityKeyCodec} keys and {@link ValueCodec} entries, a write never replaces a newer
 * event time (the compare is in the UPSERT's WHERE clause, so it holds across processes too), and
 * an entity expires the longest ttl of the views written to it after its last write (never once a
 * ttl-0 view wrote it). Expired entities read as absent and are removed on the next write or open.
 *
 * <p>One connection, used by one thread: calls are queued onto it and answered through futures.
 */
public final class EmbeddedOnlineStore implements OnlineStore {
  private static final String SCHEMA_ENTITY =
      "CREATE TABLE IF NOT EXISTS fletch_online_entity ("
          + " project TEXT NOT NULL, entity_key TEXT NOT NULL, expires_at_ms INTEGER,"
          + " PRIMARY KEY (project, entity_key)) WITHOUT ROWID";
  private static final String SCHEMA_VALUE =
      "CREATE TABLE IF NOT EXISTS fletch_online_value ("
          + " project TEXT NOT NULL, entity_key TEXT NOT NULL, view TEXT NOT NULL,"
          + " event_time_micros INTEGER NOT NULL, entry BLOB NOT NULL,"
          + " PRIMARY KEY (project, entity_key, view)) WITHOUT ROWID";
  private static final String SCHEMA_VALUE_BY_VIEW =
      "CREATE INDEX IF NOT EXISTS fletch_online_value_by_view ON fletch_online_value (project, view)";

  private static final String SELECT_ENTITY =
      "SELECT expires_at_ms FROM fletch_online_entity WHERE project = ? AND entity_key = ?";
  private static final String DELETE_ENTITY_VALUES =
      "DELETE FROM fletch_online_value WHERE project = ? AND entity_key = ?";
  private static final String DELETE_ENTITY =
      "DELETE FROM fletch_online_entity WHERE project = ? AND entity_key = ?";
  private static final String UPSERT_VALUE =
      "INSERT INTO fletch_online_value (project, entity_key, view, event_time_micros, entry)"
          + " VALUES (?, ?, ?, ?, ?) ON CONFLICT (project, entity_key, view) DO UPDATE SET"
          + " event_time_micros = excluded.event_time_micros, entry = excluded.entry"
          + " WHERE excluded.event_time_micros >= fletch_online_value.event_time_micros";
  private static final String UPSERT_ENTITY =
      "INSERT OR REPLACE INTO fletch_online_entity (project, entity_key, expires_at_ms)"
          + " VALUES (?, ?, ?)";
  private static final String READ =
      "SELECT v.entry FROM fletch_online_value v JOIN fletch_online_entity e"
          + " ON e.project = v.project AND e.entity_key = v.entity_key"
          + " WHERE v.project = ? AND v.entity_key = ? AND v.view = ?"
          + " AND (e.expires_at_ms IS NULL OR e.expires_at_ms > ?)";

  private final Path file;
  private final Clock clock;
  private final ExecutorService thread;
  private final Connection connection;
  private final AtomicBoolean closed = new AtomicBoolean();

  private EmbeddedOnlineStore(Path file, Clock clock) {
    this.file = file;
    this.clock = clock;
    this.thread =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "fletch-embedded-online");
              t.setDaemon(true);
              return t;
            });
    try {
      this.connection = thread.submit(this::connect).get();
    } catch (Exception e) {
      thread.shutdownNow();
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new UnavailableException(
          "cannot open the embedded online store " + file + ": " + cause, cause);
    }
  }

  /** Opens (creating if needed) the SQLite file. */
  public static EmbeddedOnlineStore open(Path file) {
    return open(file, Clock.systemUTC());
  }

  static EmbeddedOnlineStore open(Path file, Clock clock) {
    requireNonNull(file, "file is null");
    requireNonNull(clock, "clock is null");
    return new EmbeddedOnlineStore(file.toAbsolutePath().normalize(), clock);
  }

  private Connection connect() throws SQLException, IOException {
    if (file.getParent() != null) {
      Files.createDirectories(file.getParent());
    }
    Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
    try (Statement s = c.createStatement()) {
      s.execute("PRAGMA busy_timeout = 10000");
      s.execute("PRAGMA journal_mode = WAL");
      s.execute("PRAGMA synchronous = NORMAL");
      s.execute(SCHEMA_ENTITY);
      s.execute(SCHEMA_VALUE);
      s.execute(SCHEMA_VALUE_BY_VIEW);
    }
    purgeExpired(c);
    return c;
  }

  private void purgeExpired(Connection c) throws SQLException {
    long now = clock.millis();
    try (PreparedStatement values =
            c.prepareStatement(
                "DELETE FROM fletch_online_value WHERE (project, entity_key) IN (SELECT project,"
                    + " entity_key FROM fletch_online_entity WHERE expires_at_ms <= ?)");
        PreparedStatement entities =
            c.prepareStatement("DELETE FROM fletch_online_entity WHERE expires_at_ms <= ?")) {
      values.setLong(1, now);
      values.executeUpdate();
      entities.setLong(1, now);
      entities.executeUpdate();
    }
  }

  @Override
  public CompletableFuture<Void> write(String project, FeatureView view, List<FeatureRow> rows) {
    requireNonNull(project, "project is null");
    requireNonNull(view, "view is null");
    requireNonNull(rows, "rows is null");
    List<String> keys = new ArrayList<>(rows.size());
    List<byte[]> entries = new ArrayList<>(rows.size());
    try {
      for (FeatureRow row : rows) {
        keys.add(EntityKeyCodec.entity(row.key()));
        entries.add(ValueCodec.encode(view, row.eventTime(), row.values()));
      }
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    long ttl = view.ttl().toMillis();
    return submit(
        "writing view '" + view.name() + "'",
        true,
        () -> {
          try (PreparedStatement selectEntity = connection.prepareStatement(SELECT_ENTITY);
              PreparedStatement deleteValues = connection.prepareStatement(DELETE_ENTITY_VALUES);
              PreparedStatement deleteEntity = connection.prepareStatement(DELETE_ENTITY);
              PreparedStatement upsertValue = connection.prepareStatement(UPSERT_VALUE);
              PreparedStatement upsertEntity = connection.prepareStatement(UPSERT_ENTITY)) {
            long now = clock.millis();
            for (int i = 0; i < keys.size(); i++) {
              String key = keys.get(i);
              byte[] entry = entries.get(i);
              // Entity state: absent, live forever (null expiry), or live until expiresAt.
              boolean present = false;
              Long expiresAt = null;
              selectEntity.setString(1, project);
              selectEntity.setString(2, key);
              try (ResultSet rs = selectEntity.executeQuery()) {
                if (rs.next()) {
                  present = true;
                  long e = rs.getLong(1);
                  expiresAt = rs.wasNull() ? null : e;
                }
              }
              if (present && expiresAt != null && expiresAt <= now) {
                // Expired: gone, as Redis would have removed the whole hash.
                for (PreparedStatement d : List.of(deleteValues, deleteEntity)) {
                  d.setString(1, project);
                  d.setString(2, key);
                  d.executeUpdate();
                }
                present = false;
                expiresAt = null;
              }
              upsertValue.setString(1, project);
              upsertValue.setString(2, key);
              upsertValue.setString(3, view.name());
              upsertValue.setLong(4, ValueCodec.eventTimeMicros(entry));
              upsertValue.setBytes(5, entry);
              if (upsertValue.executeUpdate() == 0) {
                continue; // a newer entry is stored
              }
              Long newExpiry;
              if (ttl == 0 || (present && expiresAt == null)) {
                newExpiry = null;
              } else {
                newExpiry = present ? Math.max(expiresAt, now + ttl) : now + ttl;
              }
              upsertEntity.setString(1, project);
              upsertEntity.setString(2, key);
              if (newExpiry == null) {
                upsertEntity.setNull(3, Types.INTEGER);
              } else {
                upsertEntity.setLong(3, newExpiry);
              }
              upsertEntity.executeUpdate();
            }
          }
          return null;
        });
  }

  @Override
  public CompletableFuture<List<StoredValues>> read(String project, List<ReadRequest> requests) {
    requireNonNull(project, "project is null");
    requireNonNull(requests, "requests is null");
    List<String> keys = new ArrayList<>(requests.size());
    for (ReadRequest r : requests) {
      keys.add(EntityKeyCodec.entity(requireNonNull(r, "request is null").key()));
    }
    return submit(
        "reading",
        () -> {
          List<StoredValues> out = new ArrayList<>(requests.size());
          long now = clock.millis();
          try (PreparedStatement read = connection.prepareStatement(READ)) {
            for (int i = 0; i < requests.size(); i++) {
              FeatureView view = requests.get(i).view();
              read.setString(1, project);
              read.setString(2, keys.get(i));
              read.setString(3, view.name());
              read.setLong(4, now);
              try (ResultSet rs = read.executeQuery()) {
                if (rs.next()) {
                  ValueCodec.Decoded d = ValueCodec.decode(view, rs.getBytes(1));
                  out.add(new StoredValues(d.eventTime(), d.values()));
                } else {
                  out.add(null);
                }
              }
            }
          }
          return out;
        });
  }

  @Override
  public CompletableFuture<Long> deleteView(String project, FeatureView view) {
    requireNonNull(project, "project is null");
    requireNonNull(view, "view is null");
    return submit(
        "deleting view '" + view.name() + "'",
        true,
        () -> {
          long removed;
          try (PreparedStatement delete =
                  connection.prepareStatement(
                      "DELETE FROM fletch_online_value WHERE project = ? AND view = ?");
              PreparedStatement orphans =
                  connection.prepareStatement(
                      "DELETE FROM fletch_online_entity WHERE project = ? AND NOT EXISTS (SELECT 1"
                          + " FROM fletch_online_value v WHERE v.project ="
                          + " fletch_online_entity.project AND v.entity_key ="
                          + " fletch_online_entity.entity_key)")) {
            delete.setString(1, project);
            delete.setString(2, view.name());
            removed = delete.executeUpdate();
            orphans.setString(1, project);
            orphans.executeUpdate();
          }
          return removed;
        });
  }

  /**
   * Milliseconds the entity has left, like Redis PTTL: -1 when it never expires, -2 when absent or
   * expired.
   */
  long remainingTtlMillis(String project, EntityKey key) {
    String entity = EntityKeyCodec.entity(key);
    return submit(
            "reading expiry",
            () -> {
              try (PreparedStatement s = connection.prepareStatement(SELECT_ENTITY)) {
                s.setString(1, project);
                s.setString(2, entity);
                try (ResultSet rs = s.executeQuery()) {
                  if (!rs.next()) {
                    return -2L;
                  }
                  long e = rs.getLong(1);
                  if (rs.wasNull()) {
                    return -1L;
                  }
                  long left = e - clock.millis();
                  return left > 0 ? left : -2L;
                }
              }
            })
        .join();
  }

  private <T> CompletableFuture<T> submit(String what, Callable<T> work) {
    return submit(what, false, work);
  }

  /**
   * Runs work on the store's thread. Writes run in a BEGIN IMMEDIATE transaction: taking the write
   * lock up front lets SQLite's busy timeout queue writers of other connections or processes, where
   * a deferred transaction that upgrades from read to write would fail with SQLITE_BUSY at once.
   */
  private <T> CompletableFuture<T> submit(String what, boolean write, Callable<T> work) {
    CompletableFuture<T> result = new CompletableFuture<>();
    try {
      thread.execute(
          () -> {
            boolean inTransaction = false;
            try (Statement tx = connection.createStatement()) {
              if (write) {
                tx.execute("BEGIN IMMEDIATE");
                inTransaction = true;
              }
              T value = work.call();
              if (write) {
                tx.execute("COMMIT");
                inTransaction = false;
              }
              result.complete(value);
            } catch (Exception e) {
              if (inTransaction) {
                try (Statement rollback = connection.createStatement()) {
                  rollback.execute("ROLLBACK");
                } catch (SQLException rollbackFailed) {
                  e.addSuppressed(rollbackFailed);
                }
              }
              result.completeExceptionally(mapError(what, e));
            }
          });
    } catch (RuntimeException rejected) {
      result.completeExceptionally(
          new FletchException(what + ": the embedded online store is closed", rejected));
    }
    return result;
  }

  private FletchException mapError(String what, Exception e) {
    if (e instanceof FletchException f) {
      return f;
    }
    String message = what + " in the embedded online store " + file + ": " + e.getMessage();
    if (e instanceof SQLException sql && String.valueOf(sql.getMessage()).contains("SQLITE_BUSY")) {
      return new UnavailableException(message, e);
    }
    return new FletchException(message, e);
  }

  @Override
  public String describe() {
    return "embedded:" + file;
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      thread
          .submit(
              () -> {
                try {
                  connection.close();
                } catch (SQLException e) {
                  // nothing to do: the file stays consistent (WAL), the process is letting go
                }
              })
          .get();
    } catch (Exception e) {
      // best effort
    } finally {
      thread.shutdown();
    }
  }
}
