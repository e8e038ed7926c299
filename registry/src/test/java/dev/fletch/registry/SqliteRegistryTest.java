package dev.fletch.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fletch.core.InvalidRequestException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteRegistryTest extends AbstractRegistryContract {
  @TempDir Path dir;

  @Override
  protected String registryUrl() {
    return "jdbc:sqlite:" + dir.resolve("state/registry.db");
  }

  @Test
  void createsParentFoldersAndUsesWal() throws Exception {
    Path nested = dir.resolve("a/b/c/registry.db");
    try (Registry r = Registry.open("jdbc:sqlite:" + nested)) {
      assertEquals(0, r.currentVersion("x"));
    }
    assertTrue(Files.exists(nested));
    try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + nested);
        var rs = c.createStatement().executeQuery("PRAGMA journal_mode")) {
      rs.next();
      assertEquals("wal", rs.getString(1));
    }
  }

  @Test
  void manyProcessesOpeningAFreshDatabaseAtOnceAllSucceed() throws Exception {
    String url = "jdbc:sqlite:" + dir.resolve("fresh/registry.db");
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Long>> opens = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        opens.add(
            pool.submit(
                () -> {
                  try (Registry r = Registry.open(url)) {
                    return r.currentVersion("x");
                  }
                }));
      }
      for (Future<Long> f : opens) {
        assertEquals(0L, f.get(30, TimeUnit.SECONDS));
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void rejectsUnknownUrlsAndInMemoryDatabases() {
    assertThrows(InvalidRequestException.class, () -> Registry.open("jdbc:mysql://x/y"));
    assertThrows(InvalidRequestException.class, () -> Registry.open("jdbc:sqlite::memory:"));
  }

  @Test
  void postgresCallsAreBoundedByDefaultAndTheUrlWins() {
    java.util.Properties defaults =
        org.postgresql.Driver.parseURL(
            "jdbc:postgresql://h/db?user=u", Registry.postgresTimeouts());
    assertEquals("5", defaults.getProperty("connectTimeout"));
    assertEquals("5", defaults.getProperty("loginTimeout"));
    assertEquals("15", defaults.getProperty("socketTimeout"));
    assertEquals("-c statement_timeout=10000", defaults.getProperty("options"));
    java.util.Properties overridden =
        org.postgresql.Driver.parseURL(
            "jdbc:postgresql://h/db?socketTimeout=60&connectTimeout=1",
            Registry.postgresTimeouts());
    assertEquals("60", overridden.getProperty("socketTimeout"));
    assertEquals("1", overridden.getProperty("connectTimeout"));
    assertEquals("5", overridden.getProperty("loginTimeout"));
  }

  @Test
  void redactsPasswordsInMessages() {
    assertEquals(
        "jdbc:postgresql://h/db?user=u&password=***",
        Registry.redact("jdbc:postgresql://h/db?user=u&password=secret"));
  }
}
