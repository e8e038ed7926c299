package dev.fletch.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConnectionPoolTest {
  @TempDir Path dir;

  private ConnectionPool pool(AtomicInteger opened) {
    String url = "jdbc:sqlite:" + dir.resolve("pool.db");
    return new ConnectionPool(
        () -> {
          opened.incrementAndGet();
          return DriverManager.getConnection(url);
        },
        1);
  }

  @Test
  void reusesReturnedConnectionsUpToTheIdleLimit() throws Exception {
    AtomicInteger opened = new AtomicInteger();
    try (ConnectionPool pool = pool(opened)) {
      Connection a = pool.openConnection();
      Connection b = pool.openConnection();
      assertNotSame(a, b);
      pool.closeConnection(a);
      pool.closeConnection(b); // over the idle limit of 1: closed
      assertTrue(b.isClosed());
      assertSame(a, pool.openConnection());
      assertEquals(2, opened.get());
    }
  }

  @Test
  void anOpenTransactionIsRolledBackOnReturnAndBrokenConnectionsAreReplaced() throws Exception {
    AtomicInteger opened = new AtomicInteger();
    try (ConnectionPool pool = pool(opened)) {
      Connection c = pool.openConnection();
      try (Statement s = c.createStatement()) {
        s.execute("CREATE TABLE t (x INTEGER)");
      }
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.execute("INSERT INTO t VALUES (1)");
      }
      pool.closeConnection(c);
      Connection again = pool.openConnection();
      assertSame(c, again);
      assertTrue(again.getAutoCommit());
      try (Statement s = again.createStatement();
          ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM t")) {
        rs.next();
        assertEquals(0, rs.getInt(1));
      }
      pool.closeConnection(again);
      again.close(); // broken while idle
      Connection fresh = pool.openConnection();
      assertNotSame(again, fresh);
      pool.closeConnection(fresh);
    }
  }
}
