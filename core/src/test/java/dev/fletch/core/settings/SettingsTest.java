package dev.fletch.core.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fletch.core.DefinitionException;
import dev.fletch.core.Problem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {
  @TempDir Path dir;

  @Test
  void withoutFileOrEnvironmentTheEmbeddedDefaultsApply() {
    Settings s = Settings.load(dir, Map.of());
    Path state = dir.toAbsolutePath().normalize().resolve(".fletch");
    assertEquals(Settings.defaults(dir), s);
    assertEquals("jdbc:sqlite:" + state.resolve("registry.db"), s.registryUrl());
    assertEquals(Settings.ONLINE_EMBEDDED, s.onlineStore());
    assertNull(s.redisUrl());
    assertEquals(state.resolve("online.db"), s.embeddedOnlinePath());
    assertEquals("127.0.0.1", s.host());
    assertEquals(6566, s.httpPort());
    assertEquals(6565, s.grpcPort());
    assertEquals(1000, s.maxEntityRows());
    assertEquals(Duration.ofSeconds(2), s.registryRefresh());
  }

  @Test
  void theDocumentedExampleSpellsOutTheDefaults() throws IOException {
    write(
        """
        registry:     {url: jdbc:sqlite:.fletch/registry.db}   # or jdbc:postgresql://host/db?user=...
        online_store: {type: embedded, path: .fletch/online.db} # or {type: redis, url: redis://host:6379}
        serve: {host: 127.0.0.1, http_port: 6566, grpc_port: 6565, max_entity_rows: 1000, registry_refresh: 2s}
        """);
    assertEquals(Settings.defaults(dir), Settings.load(dir, Map.of()));
  }

  @Test
  void everyKeyOfTheFileMapsToItsField() throws IOException {
    write(
        """
        registry:
          url: jdbc:sqlite:state/reg.db
        online_store:
          type: redis
          url: redis://cache:6380/2
          path: state/online.db
        serve:
          host: 0.0.0.0
          http_port: 8080
          grpc_port: 9090
          max_entity_rows: 50
          registry_refresh: 30s
        """);
    Settings s = Settings.load(dir, Map.of());
    Path root = dir.toAbsolutePath().normalize();
    assertEquals(
        new Settings(
            "jdbc:sqlite:" + root.resolve("state/reg.db"),
            "redis",
            "redis://cache:6380/2",
            root.resolve("state/online.db"),
            "0.0.0.0",
            8080,
            9090,
            50,
            Duration.ofSeconds(30)),
        s);
  }

  @Test
  void postgresAndAbsoluteUrlsAreKeptAsWritten() throws IOException {
    write("registry: {url: \"jdbc:postgresql://db:5432/fletch?user=f\"}\n");
    assertEquals(
        "jdbc:postgresql://db:5432/fletch?user=f", Settings.load(dir, Map.of()).registryUrl());
    write("registry: {url: \"jdbc:sqlite:/var/fletch/r.db\"}\n");
    assertEquals("jdbc:sqlite:/var/fletch/r.db", Settings.load(dir, Map.of()).registryUrl());
  }

  @Test
  void environmentOverridesTheFile() throws IOException {
    write("registry: {url: jdbc:sqlite:r.db}\nonline_store: {type: embedded}\n");
    Settings s =
        Settings.load(
            dir,
            Map.of(
                "FLETCH_REGISTRY_URL", "jdbc:postgresql://pg/fletch",
                "FLETCH_REDIS_URL", "redis://localhost:6379"));
    assertEquals("jdbc:postgresql://pg/fletch", s.registryUrl());
    assertEquals(Settings.ONLINE_REDIS, s.onlineStore());
    assertEquals("redis://localhost:6379", s.redisUrl());
    // a relative SQLite URL from the environment is relative to the repository too
    Settings rel = Settings.load(dir, Map.of("FLETCH_REGISTRY_URL", "jdbc:sqlite:.fletch/x.db"));
    assertEquals(
        "jdbc:sqlite:" + dir.toAbsolutePath().normalize().resolve(".fletch/x.db"),
        rel.registryUrl());
  }

  @Test
  void withRegistryUrlReplacesOnlyTheUrl() {
    Settings d = Settings.defaults(dir);
    Settings s = d.withRegistryUrl("jdbc:sqlite:/tmp/x.db");
    assertEquals("jdbc:sqlite:/tmp/x.db", s.registryUrl());
    assertEquals(d.onlineStore(), s.onlineStore());
    assertEquals(d.httpPort(), s.httpPort());
  }

  @Test
  void unknownKeysAndBadValuesAreLocatedProblems() throws IOException {
    write(
        """
        registry:
          uri: jdbc:sqlite:r.db
        online_store:
          type: memcached
        serve:
          http_port: 70000
          grpc_port: abc
          registry_refresh: -5s
        servr: {}
        """);
    List<Problem> problems =
        assertThrows(DefinitionException.class, () -> Settings.load(dir, Map.of())).problems();
    assertEquals(6, problems.size(), problems::toString);
    assertProblem(problems.get(0), 2, 3, "registry: unknown key 'uri' (did you mean 'url'?)");
    assertProblem(problems.get(1), 4, 9, "'type' must be embedded or redis");
    assertProblem(problems.get(2), 6, 14, "'http_port' must be between 0 and 65535");
    assertProblem(problems.get(3), 7, 14, "'grpc_port' must be a whole number");
    assertProblem(problems.get(4), 8, 21, "negative duration");
    assertProblem(problems.get(5), 9, 1, "unknown key 'servr' (did you mean 'serve'?)");
  }

  @Test
  void urlsOfTheWrongKindAreProblems() throws IOException {
    write(
        "registry: {url: \"mysql://db/x\"}\n"
            + "online_store: {type: redis, url: \"http://app:secret@cache\"}\n");
    List<Problem> problems =
        assertThrows(DefinitionException.class, () -> Settings.load(dir, Map.of())).problems();
    assertEquals(2, problems.size(), problems::toString);
    assertProblem(problems.get(0), 1, 17, "must be a jdbc:sqlite: or jdbc:postgresql: URL");
    assertProblem(
        problems.get(1),
        2,
        34,
        "must start with redis://, rediss://, redis-cluster:// or rediss-cluster://, not 'http:...'");
    assertTrue(!problems.get(1).message().contains("secret"), "the password leaks: " + problems);
  }

  @Test
  void everyRedisSchemeTheStoreSupportsIsAccepted() throws IOException {
    for (String url :
        List.of(
            "redis://cache:6379",
            "rediss://cache:6380",
            "redis-cluster://a:7000,b:7001",
            "rediss-cluster://a:7000,b:7001")) {
      write("online_store: {type: redis, url: \"" + url + "\"}\n");
      assertEquals(url, Settings.load(dir, Map.of()).redisUrl());
    }
  }

  @Test
  void redisWithoutUrlIsAnError() throws IOException {
    write("online_store:\n  type: redis\n");
    List<Problem> problems =
        assertThrows(DefinitionException.class, () -> Settings.load(dir, Map.of())).problems();
    assertProblem(problems.get(0), 2, 9, "type redis needs a 'url'");
    // ... unless the environment provides it
    assertEquals(
        "redis://h:1", Settings.load(dir, Map.of("FLETCH_REDIS_URL", "redis://h:1")).redisUrl());
  }

  private static void assertProblem(Problem p, int line, int column, String text) {
    assertEquals(Settings.FILE_NAME, p.file(), p::toString);
    assertEquals(line, p.line(), p::toString);
    assertEquals(column, p.column(), p::toString);
    assertTrue(p.message().contains(text), p::toString);
  }

  private void write(String text) throws IOException {
    Files.writeString(dir.resolve(Settings.FILE_NAME), text);
  }
}
