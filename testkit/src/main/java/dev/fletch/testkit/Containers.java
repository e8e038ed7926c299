package dev.fletch.testkit;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;

/** Testcontainers fallbacks, used only where a Docker engine answers. */
final class Containers {
  private Containers() {}

  static boolean dockerAvailable() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (Throwable e) {
      return false;
    }
  }

  static RedisServer redis() {
    if (!dockerAvailable()) {
      return null;
    }
    GenericContainer<?> c =
        new GenericContainer<>(DockerImageName.parse("redis:7-alpine")).withExposedPorts(6379);
    c.start();
    return RedisServer.ofContainer(c.getHost(), c.getMappedPort(6379), c);
  }

  /** A PostgreSQL container, or null where Docker does not answer. */
  static PostgresDatabase postgres() {
    if (!dockerAvailable()) {
      return null;
    }
    GenericContainer<?> c =
        new GenericContainer<>(DockerImageName.parse("postgres:16-alpine"))
            .withEnv("POSTGRES_PASSWORD", "fletch")
            .withEnv("POSTGRES_DB", "fletch")
            .withExposedPorts(5432)
            .waitingFor(
                org.testcontainers.containers.wait.strategy.Wait.forLogMessage(
                    ".*database system is ready to accept connections.*", 2));
    c.start();
    String url = "jdbc:postgresql://" + c.getHost() + ":" + c.getMappedPort(5432) + "/fletch";
    return new PostgresDatabase(url, "postgres", "fletch", c::stop);
  }
}
