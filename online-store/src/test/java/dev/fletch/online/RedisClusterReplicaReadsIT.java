package dev.fletch.online;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fletch.core.model.EntityKey;
import dev.fletch.core.model.Feature;
import dev.fletch.core.model.FeatureRow;
import dev.fletch.core.model.FeatureView;
import dev.fletch.core.model.ValueType;
import dev.fletch.testkit.RedisCluster;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code redis-cluster://...?read_from=replica} on a real cluster of three primaries with one
 * replica each: reads are answered by replicas, writes still land on the primaries.
 */
class RedisClusterReplicaReadsIT {
  static RedisCluster cluster;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = RedisCluster.start(1);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static final FeatureView VIEW =
      new FeatureView(
          "profile",
          List.of("customer"),
          "src",
          Duration.ZERO,
          true,
          List.of(new Feature("age", ValueType.INT64, null, null, null)),
          null,
          null,
          null,
          null);

  @Test
  void readsGoToReplicasAndWritesToPrimaries() throws Exception {
    Instant t = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    List<FeatureRow> rows = new ArrayList<>();
    List<OnlineStore.ReadRequest> reads = new ArrayList<>();
    for (long id = 1; id <= 50; id++) {
      EntityKey key = EntityKey.of("customer_id", id);
      rows.add(new FeatureRow(key, t, List.of(id * 10)));
      reads.add(new OnlineStore.ReadRequest(key, VIEW));
    }
    try (OnlineStore writer = RedisOnlineStore.open(cluster.url())) {
      writer.write("p", VIEW, rows).join();
    }
    // Lettuce reads only from replicas that have replicated something (offset > 0), as the
    // topology it loads at connect time tells.
    awaitReplicated(cluster);
    try (OnlineStore store = RedisOnlineStore.open(cluster.url() + "?read_from=replica")) {
      assertTrue(store.describe().endsWith("?read_from=replica"), store.describe());
      // Replication is asynchronous: wait until every replica has every row.
      List<OnlineStore.StoredValues> got = store.read("p", reads).join();
      long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (got.contains(null) && System.nanoTime() < until) {
        Thread.sleep(50);
        got = store.read("p", reads).join();
      }
      for (int i = 0; i < got.size(); i++) {
        assertNotNull(got.get(i), "row " + i + " read from a replica");
        assertEquals(List.of((i + 1) * 10L), got.get(i).values());
      }
    }
    long replicaReads = 0;
    long primaryReads = 0;
    long primaryWrites = 0;
    for (int port : cluster.ports()) {
      String stats = cluster.commandOn(port, "INFO", "commandstats");
      boolean replica = cluster.commandOn(port, "ROLE").startsWith("slave");
      long hmget = calls(stats, "hmget");
      long writes = calls(stats, "evalsha") + calls(stats, "eval");
      if (replica) {
        replicaReads += hmget;
      } else {
        primaryReads += hmget;
        primaryWrites += writes;
      }
    }
    assertTrue(replicaReads > 0, "replicas answered the reads");
    assertEquals(0, primaryReads, "no read went to a primary");
    assertTrue(primaryWrites > 0, "the writes ran on the primaries");
  }

  @Test
  void aPrimaryThatDiesIsReplacedByItsReplicaWithoutARestart() throws Exception {
    try (RedisCluster own = RedisCluster.start(1)) {
      Instant t = Instant.now().truncatedTo(ChronoUnit.MILLIS);
      List<FeatureRow> rows = new ArrayList<>();
      List<OnlineStore.ReadRequest> reads = new ArrayList<>();
      for (long id = 1; id <= 50; id++) {
        EntityKey key = EntityKey.of("customer_id", id);
        rows.add(new FeatureRow(key, t, List.of(id)));
        reads.add(new OnlineStore.ReadRequest(key, VIEW));
      }
      try (OnlineStore store = RedisOnlineStore.open(own.url())) {
        store.write("p", VIEW, rows).join();
        awaitReplicated(own);
        // The seed node's primary dies; its replica is promoted after the node timeout.
        int dead = own.ports().get(0);
        own.kill(dead);
        long killed = System.nanoTime();
        List<OnlineStore.StoredValues> got = null;
        while (System.nanoTime() - killed < Duration.ofSeconds(60).toNanos()) {
          try {
            got = store.read("p", reads).join();
            if (!got.contains(null)) {
              break;
            }
          } catch (RuntimeException whileFailingOver) {
            got = null;
          }
          Thread.sleep(200);
        }
        assertNotNull(got, "reads work again after the failover");
        System.out.printf(
            "failover: every row readable again %.1f s after the primary was killed%n",
            (System.nanoTime() - killed) / 1e9);
        for (int i = 0; i < got.size(); i++) {
          assertEquals(List.of(i + 1L), got.get(i).values(), "row " + i);
        }
        // Writes reach the promoted primary too, and the newer value wins.
        Instant later = t.plusSeconds(1);
        List<FeatureRow> newer = new ArrayList<>();
        for (long id = 1; id <= 50; id++) {
          newer.add(new FeatureRow(EntityKey.of("customer_id", id), later, List.of(id + 100)));
        }
        store.write("p", VIEW, newer).join();
        List<OnlineStore.StoredValues> after = store.read("p", reads).join();
        for (int i = 0; i < after.size(); i++) {
          assertEquals(List.of(i + 101L), after.get(i).values(), "row " + i + " after the write");
        }
      }
    }
  }

  /** Waits until every replica has received something (offset > 0). */
  private static void awaitReplicated(RedisCluster c) throws Exception {
    long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    for (int port : c.ports()) {
      String info = c.commandOn(port, "INFO", "replication");
      while (info.contains("role:slave")
          && (info.contains("slave_repl_offset:0\r") || info.contains("slave_repl_offset:0\n"))
          && System.nanoTime() < until) {
        Thread.sleep(50);
        info = c.commandOn(port, "INFO", "replication");
      }
    }
  }

  /** The {@code calls=} count of one command in INFO commandstats (0 when never called). */
  private static long calls(String stats, String command) {
    for (String line : stats.split("\\R")) {
      if (line.startsWith("cmdstat_" + command + ":")) {
        int at = line.indexOf("calls=") + "calls=".length();
        int end = line.indexOf(',', at);
        return Long.parseLong(line.substring(at, end));
      }
    }
    return 0;
  }
}
