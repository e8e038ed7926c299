package dev.fletch.registry;

import dev.fletch.core.UnavailableException;
import dev.fletch.testkit.PostgresDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertThrows;

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
  void unreachableServerIsUnavailable() {
    assertThrows(UnavailableException.class, () -> Registry.open("jdbc:postgresql://127.0.0.1:1/nothing?user=x&connectTimeout=2"));
  }
}
