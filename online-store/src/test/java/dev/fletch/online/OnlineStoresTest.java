package dev.fletch.online;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fletch.core.InvalidRequestException;
import dev.fletch.core.settings.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnlineStoresTest {
  @TempDir Path repo;

  static Settings with(Settings d, String kind, String redisUrl) {
    return new Settings(
        d.registryUrl(),
        kind,
        redisUrl,
        d.embeddedOnlinePath(),
        d.host(),
        d.httpPort(),
        d.grpcPort(),
        d.maxEntityRows(),
        d.registryRefresh());
  }

  @Test
  void embeddedByDefaultCreatingItsFile() {
    Settings defaults = Settings.defaults(repo);
    try (OnlineStore store = OnlineStores.open(defaults)) {
      assertInstanceOf(EmbeddedOnlineStore.class, store);
      assertTrue(Files.exists(repo.resolve(".fletch/online.db")));
    }
  }

  @Test
  void badSettingsAreRejectedWithTheirName() {
    Settings defaults = Settings.defaults(repo);
    InvalidRequestException noUrl =
        assertThrows(
            InvalidRequestException.class, () -> OnlineStores.open(with(defaults, "redis", null)));
    assertTrue(noUrl.getMessage().contains("FLETCH_REDIS_URL"), noUrl.getMessage());
    InvalidRequestException unknown =
        assertThrows(
            InvalidRequestException.class,
            () -> OnlineStores.open(with(defaults, "memcached", null)));
    assertTrue(unknown.getMessage().contains("'memcached'"), unknown.getMessage());
    assertThrows(
        InvalidRequestException.class,
        () -> OnlineStores.open(with(defaults, "redis", "http://u:pw@host:1")));
  }
}
