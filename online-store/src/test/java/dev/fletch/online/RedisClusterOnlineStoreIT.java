package dev.fletch.online;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fletch.core.model.EntityKey;
import dev.fletch.testkit.RedisCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The online store contract on a three-node Redis Cluster (Lettuce's cluster client). */
class RedisClusterOnlineStoreIT extends OnlineStoreContract {
  static RedisCluster cluster;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = RedisCluster.start();
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Override
  OnlineStore newStore() {
    return RedisOnlineStore.open(cluster.url());
  }

  @Override
  long remainingTtlMillis(String project, EntityKey key) {
    try {
      return Long.parseLong(cluster.command("PTTL", EntityKeyCodec.redisKey(project, key)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void describeListsTheSeedNodes() {
    assertTrue(store.describe().startsWith("redis-cluster://127.0.0.1:"), store.describe());
  }
}
