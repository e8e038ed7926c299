package dev.fletch.registry;

import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.fletch.core.UnavailableException;
import dev.fletch.testkit.PostgresDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The registry contract on a real PostgreSQL (a fresh database, dropped afterwards). */
class PostgresRegistryIT extends AbstractRegistryContract {
  private static PostgresDatabase database;

  @BeforeAll
  static void createDatabase() {
    database = PostgresDatabase.create();
  }

  @AfterAll
  static void dropDatabase() {
    if (database != null) {
      database.close();
    }
  }

  @Override
  protected String registryUrl() {
    return database.jdbcUrl();
  }

  @Test
  void manyProcessesOpeningAFreshDatabaseAtOnceAllSucceed() throws Exception {
    try (PostgresDatabase fresh = PostgresDatabase.create()) {
      java.util.concurrent.ExecutorService pool =
          java.util.concurrent.Executors.newFixedThreadPool(4);
      try {
        java.util.List<java.util.concurrent.Future<Long>> opens = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
          opens.add(
              pool.submit(
                  () -> {
                    try (Registry r = Registry.open(fresh.jdbcUrl())) {
                      return r.currentVersion("x");
                    }
                  }));
        }
        for (java.util.concurrent.Future<Long> f : opens) {
          org.junit.jupiter.api.Assertions.assertEquals(
              0L, f.get(60, java.util.concurrent.TimeUnit.SECONDS));
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Test
  void unreachableServerIsUnavailable() {
    assertThrows(
        UnavailableException.class,
        () -> Registry.open("jdbc:postgresql://127.0.0.1:1/nothing?user=x&connectTimeout=2"));
  }
}
