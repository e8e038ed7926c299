package dev.fletch.registry;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.Deque;
import org.jdbi.v3.core.ConnectionFactory;

/**
 * Keeps a few idle connections for reuse. Opening a PostgreSQL connection (TCP + SCRAM) costs tens
 * of milliseconds, far more than the registry's queries, and serving polls the registry
 * continuously. Connections are checked on borrow, so one the server dropped is replaced rather
 * than used; more than {@code maxIdle} concurrent users simply get extra connections that are
 * closed on return.
 */
final class ConnectionPool implements ConnectionFactory, AutoCloseable {
  interface Opener {
    Connection open() throws SQLException;
  }

  private static final int VALIDATION_TIMEOUT_SECONDS = 2;

  private final Opener opener;
  private final int maxIdle;
  private final Deque<Connection> idle = new ArrayDeque<>();
  private boolean closed;

  ConnectionPool(Opener opener, int maxIdle) {
    this.opener = opener;
    this.maxIdle = maxIdle;
  }

  @Override
  public Connection openConnection() throws SQLException {
    while (true) {
      Connection c;
      synchronized (this) {
        c = idle.pollFirst();
      }
      if (c == null) {
        return opener.open();
      }
      if (isUsable(c)) {
        return c;
      }
      closeQuietly(c);
    }
  }

  @Override
  public void closeConnection(Connection c) throws SQLException {
    boolean keep;
    try {
      // Jdbi ends its transactions, but a connection must never go back with one open.
      if (!c.isClosed() && !c.getAutoCommit()) {
        c.rollback();
        c.setAutoCommit(true);
      }
      keep = !c.isClosed();
    } catch (SQLException e) {
      keep = false;
    }
    synchronized (this) {
      if (keep && !closed && idle.size() < maxIdle) {
        idle.addFirst(c);
        return;
      }
    }
    c.close();
  }

  private static boolean isUsable(Connection c) {
    try {
      return c.isValid(VALIDATION_TIMEOUT_SECONDS);
    } catch (SQLException e) {
      return false;
    }
  }

  private static void closeQuietly(Connection c) {
    try {
      c.close();
    } catch (SQLException e) {
      // already broken; nothing more to release
    }
  }

  /** Closes the idle connections; connections in use are closed when returned. Idempotent. */
  @Override
  public void close() {
    Deque<Connection> toClose;
    synchronized (this) {
      closed = true;
      toClose = new ArrayDeque<>(idle);
      idle.clear();
    }
    toClose.forEach(ConnectionPool::closeQuietly);
  }
}
