package dev.fletch.online;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fletch.core.model.EntityKey;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedOnlineStoreIT extends OnlineStoreContract {
  @TempDir Path dir;

  @Override
  OnlineStore newStore() {
    return EmbeddedOnlineStore.open(dir.resolve("state/online.db"));
  }

  @Override
  long remainingTtlMillis(String project, EntityKey key) {
    try (EmbeddedOnlineStore s = EmbeddedOnlineStore.open(dir.resolve("state/online.db"))) {
      return s.remainingTtlMillis(project, key);
    }
  }

  @Test
  void valuesSurviveReopening() {
    var view = ints("v", Duration.ZERO);
    store.write(project, view, List.of(row(1, T0, 1L, "a"))).join();
    store.close();
    store = track(newStore());
    assertEquals(List.of(1L, "a"), readOne(view, 1).values());
    assertTrue(store.describe().endsWith("online.db"));
  }
}
