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

  private static final String SCHEMA_MARKER =
      "CREATE TABLE IF NOT EXISTS fletch_online_marker (project TEXT NOT NULL PRIMARY KEY,"
          + " marker TEXT NOT NULL)";

  private static final String SELECT_ENTITY =
      "SELECT expires_at_ms FROM fletch_online_entity WHERE project = ? AND entity_key = ?";
  // A batch is written set-wise: rows go into a temporary table, then three statements apply them.
  private static final String BATCH_TABLE =
      "CREATE TEMP TABLE IF NOT EXISTS fletch_batch (seq INTEGER PRIMARY KEY, entity_key TEXT NOT"
          + " NULL, event_time_micros INTEGER NOT NULL, entry BLOB NOT NULL)";
  private static final String BATCH_INSERT =
      "INSERT INTO fletch_batch (seq, entity_key, event_time_micros, entry) VALUES (?, ?, ?, ?)";

  /** Entities of the batch that expired are gone, as Redis would have removed the whole hash. */
  private static final String DELETE_EXPIRED_VALUES =
      "DELETE FROM fletch_online_value WHERE project = ?1 AND entity_key IN (SELECT e.entity_key"
          + " FROM fletch_online_entity e WHERE e.project = ?1 AND e.expires_at_ms <= ?2"
          + " AND e.entity_key IN (SELECT entity_key FROM fletch_batch))";

  private static final String DELETE_EXPIRED_ENTITIES =
      "DELETE FROM fletch_online_entity WHERE project = ?1 AND expires_at_ms <= ?2"
          + " AND entity_key IN (SELECT entity_key FROM fletch_batch)";

  /**
   * Expiry of the entities this batch writes to, decided against the stored values before they
   * change: an entity is written to when its newest batch row is not older than what is stored. A
   * new entity lives ttl (forever when ttl is 0); an existing one keeps the longer of its remaining
   * life and ttl, and stays forever once a ttl-0 view wrote it.
   */
  private static final String UPSERT_EXPIRY =
      "INSERT INTO fletch_online_entity (project, entity_key, expires_at_ms)"
          + " SELECT ?1, b.entity_key, CASE WHEN ?3 = 0 THEN NULL ELSE ?2 + ?3 END"
          + " FROM (SELECT entity_key, max(event_time_micros) AS t FROM fletch_batch"
          + " GROUP BY entity_key) b LEFT JOIN fletch_online_value v ON v.project = ?1"
          + " AND v.entity_key = b.entity_key AND v.view = ?4"
          + " WHERE v.event_time_micros IS NULL OR v.event_time_micros <= b.t"
          + " ON CONFLICT (project, entity_key) DO UPDATE SET expires_at_ms = CASE"
          + " WHEN excluded.expires_at_ms IS NULL OR fletch_online_entity.expires_at_ms IS NULL"
          + " THEN NULL ELSE max(fletch_online_entity.expires_at_ms, excluded.expires_at_ms) END";

  /** Values in batch order, each replacing the stored one only if not older. */
  private static final String UPSERT_VALUES =
      "INSERT INTO fletch_online_value (project, entity_key, view, event_time_micros, entry)"
          + " SELECT ?1, entity_key, ?2, event_time_micros, entry FROM fletch_batch WHERE true"
          + " ORDER BY seq ON CONFLICT (project, entity_key, view) DO UPDATE SET"
          + " event_time_micros = excluded.event_time_micros, entry = excluded.entry"
          + " WHERE excluded.event_time_micros >= fletch_online_value.event_time_micros";

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
      s.execute(SCHEMA_MARKER);
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
          writeBatch(project, view.name(), ttl, keys, entries);
          return null;
        });
  }

  private void writeBatch(
      String project, String view, long ttl, List<String> keys, List<byte[]> entries)
      throws SQLException {
    long now = clock.millis();
    try (Statement st = connection.createStatement()) {
      st.execute(BATCH_TABLE);
      st.execute("DELETE FROM fletch_batch");
    }
    try (PreparedStatement insert = connection.prepareStatement(BATCH_INSERT)) {
      for (int i = 0; i < keys.size(); i++) {
        insert.setInt(1, i);
        insert.setString(2, keys.get(i));
        insert.setLong(3, ValueCodec.eventTimeMicros(entries.get(i)));
        insert.setBytes(4, entries.get(i));
        insert.addBatch();
      }
      insert.executeBatch();
    }
    for (String sql : List.of(DELETE_EXPIRED_VALUES, DELETE_EXPIRED_ENTITIES)) {
      try (PreparedStatement delete = connection.prepareStatement(sql)) {
        delete.setString(1, project);
        delete.setLong(2, now);
        delete.executeUpdate();
      }
    }
    try (PreparedStatement expiry = connection.prepareStatement(UPSERT_EXPIRY)) {
      expiry.setString(1, project);
      expiry.setLong(2, now);
      expiry.setLong(3, ttl);
      expiry.setString(4, view);
      expiry.executeUpdate();
    }
    try (PreparedStatement values = connection.prepareStatement(UPSERT_VALUES)) {
      values.setString(1, project);
      values.setString(2, view);
      values.executeUpdate();
    }
    try (Statement st = connection.createStatement()) {
      st.execute("DELETE FROM fletch_batch");
    }
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
                  byte[] entry = rs.getBytes(1);
                  out.add(
                      new StoredValues(ValueCodec.eventTime(entry), new EntryValues(view, entry)));
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
  public CompletableFuture<List<byte[][]>> readEntries(
      String project, List<EntityKey> keys, List<String> fields) {
    requireNonNull(project, "project is null");
    List<String> entities = new ArrayList<>(keys.size());
    for (EntityKey k : keys) {
      entities.add(EntityKeyCodec.entity(k));
    }
    return submit(
        "reading",
        () -> {
          List<byte[][]> out = new ArrayList<>(keys.size());
          long now = clock.millis();
          try (PreparedStatement read = connection.prepareStatement(READ)) {
            for (String entity : entities) {
              byte[][] row = new byte[fields.size()][];
              for (int j = 0; j < row.length; j++) {
                row[j] = readEntry(read, project, entity, fields.get(j), now);
              }
              out.add(row);
            }
          }
          return out;
        });
  }

  private static byte[] readEntry(
      PreparedStatement read, String project, String entity, String field, long now)
      throws SQLException {
    read.setString(1, project);
    read.setString(2, entity);
    read.setString(3, field);
    read.setLong(4, now);
    try (ResultSet rs = read.executeQuery()) {
      return rs.next() ? rs.getBytes(1) : null;
    }
  }

  private static final String UPSERT_ONE_EXPIRY =
      "INSERT INTO fletch_online_entity (project, entity_key, expires_at_ms) VALUES (?1, ?2,"
          + " CASE WHEN ?4 = 0 THEN NULL ELSE ?3 + ?4 END) ON CONFLICT (project, entity_key) DO"
          + " UPDATE SET expires_at_ms = CASE WHEN excluded.expires_at_ms IS NULL OR"
          + " fletch_online_entity.expires_at_ms IS NULL THEN NULL ELSE"
          + " max(fletch_online_entity.expires_at_ms, excluded.expires_at_ms) END";

  private static final String UPSERT_ONE_VALUE =
      "INSERT INTO fletch_online_value (project, entity_key, view, event_time_micros, entry)"
          + " VALUES (?, ?, ?, ?, ?) ON CONFLICT (project, entity_key, view) DO UPDATE SET"
          + " event_time_micros = excluded.event_time_micros, entry = excluded.entry";

  @Override
  public CompletableFuture<boolean[]> replaceEntries(
      String project,
      String field,
      java.time.Duration ttl,
      List<EntityKey> keys,
      List<byte[]> expected,
      List<byte[]> entries) {
    requireNonNull(project, "project is null");
    List<String> entities = new ArrayList<>(keys.size());
    for (EntityKey k : keys) {
      entities.add(EntityKeyCodec.entity(k));
    }
    long ttlMillis = ttl.toMillis();
    return submit(
        "writing '" + field + "'",
        true,
        () -> {
          boolean[] out = new boolean[entities.size()];
          long now = clock.millis();
          try (PreparedStatement read = connection.prepareStatement(READ);
              PreparedStatement expiredValues =
                  connection.prepareStatement(
                      "DELETE FROM fletch_online_value WHERE project = ?1 AND entity_key = ?2 AND"
                          + " EXISTS (SELECT 1 FROM fletch_online_entity e WHERE e.project = ?1"
                          + " AND e.entity_key = ?2 AND e.expires_at_ms <= ?3)");
              PreparedStatement expiredEntity =
                  connection.prepareStatement(
                      "DELETE FROM fletch_online_entity WHERE project = ? AND entity_key = ?"
                          + " AND expires_at_ms <= ?");
              PreparedStatement expiry = connection.prepareStatement(UPSERT_ONE_EXPIRY);
              PreparedStatement value = connection.prepareStatement(UPSERT_ONE_VALUE)) {
            for (int i = 0; i < entities.size(); i++) {
              String entity = entities.get(i);
              byte[] current = readEntry(read, project, entity, field, now);
              if (!java.util.Arrays.equals(current, expected.get(i))) {
                continue;
              }
              // An expired entity is gone as a whole, as Redis would have removed the hash.
              expiredValues.setString(1, project);
              expiredValues.setString(2, entity);
              expiredValues.setLong(3, now);
              expiredValues.executeUpdate();
              expiredEntity.setString(1, project);
              expiredEntity.setString(2, entity);
              expiredEntity.setLong(3, now);
              expiredEntity.executeUpdate();
              expiry.setString(1, project);
              expiry.setString(2, entity);
              expiry.setLong(3, now);
              expiry.setLong(4, ttlMillis);
              expiry.executeUpdate();
              byte[] entry = entries.get(i);
              value.setString(1, project);
              value.setString(2, entity);
              value.setString(3, field);
              value.setLong(4, ValueCodec.eventTimeMicros(entry));
              value.setBytes(5, entry);
              value.executeUpdate();
              out[i] = true;
            }
          }
          return out;
        });
  }

  @Override
  public CompletableFuture<String> contentMarker(String project) {
    requireNonNull(project, "project is null");
    return submit(
        "reading the content marker",
        true,
        () -> {
          try (PreparedStatement insert =
                  connection.prepareStatement(
                      "INSERT OR IGNORE INTO fletch_online_marker (project, marker) VALUES (?, ?)");
              PreparedStatement select =
                  connection.prepareStatement(
                      "SELECT marker FROM fletch_online_marker WHERE project = ?")) {
            insert.setString(1, project);
            insert.setString(2, java.util.UUID.randomUUID().toString());
            insert.executeUpdate();
            select.setString(1, project);
            try (var rs = select.executeQuery()) {
              rs.next();
              return rs.getString(1);
            }
          }
        });
  }

  @Override
  public CompletableFuture<java.util.Optional<String>> existingContentMarker(String project) {
    requireNonNull(project, "project is null");
    return submit(
        "reading the content marker",
        () -> {
          try (PreparedStatement select =
              connection.prepareStatement(
                  "SELECT marker FROM fletch_online_marker WHERE project = ?")) {
            select.setString(1, project);
            try (var rs = select.executeQuery()) {
              return java.util.Optional.ofNullable(rs.next() ? rs.getString(1) : null);
            }
          }
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
                      "DELETE FROM fletch_online_value WHERE project = ? AND (view = ? OR view = ?)");
              PreparedStatement orphans =
                  connection.prepareStatement(
                      "DELETE FROM fletch_online_entity WHERE project = ? AND NOT EXISTS (SELECT 1"
                          + " FROM fletch_online_value v WHERE v.project ="
                          + " fletch_online_entity.project AND v.entity_key ="
                          + " fletch_online_entity.entity_key)")) {
            delete.setString(1, project);
            delete.setString(2, view.name());
            // An aggregated view's streamed tiles go with it.
            delete.setString(3, view.name() + StreamTiles.SUFFIX);
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
