package dev.fletch.online;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fletch.core.model.EntityKey;
import dev.fletch.core.model.Feature;
import dev.fletch.core.model.FeatureRow;
import dev.fletch.core.model.FeatureView;
import dev.fletch.core.model.ValueType;
import dev.fletch.testkit.RedisCluster;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What a readiness check learns from a real cluster of three primaries without replicas when one
 * dies and comes back: every primary is pinged (not one node), the cluster state names the primary
 * that is gone, reads fail first for the dead node's slots and then with CLUSTERDOWN everywhere,
 * each failure classified; and all of it turns back once the node returns.
 */
class RedisClusterStateIT {
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
  void aDeadPrimaryFailsPingAndClusterStateUntilItReturns() throws Exception {
    try (RedisCluster cluster = RedisCluster.start();
        OnlineStore store = RedisOnlineStore.open(cluster.url() + "?timeout=1s")) {
      List<OnlineStore.ReadRequest> reads = new ArrayList<>();
      List<FeatureRow> rows = new ArrayList<>();
      for (long id = 0; id < 60; id++) {
        EntityKey key = EntityKey.of("customer_id", id);
        rows.add(new FeatureRow(key, Instant.now(), List.of(id)));
        reads.add(new OnlineStore.ReadRequest(key, VIEW));
      }
      store.write("p", VIEW, rows).join();
      store.ping().get(5, TimeUnit.SECONDS);
      OnlineStore.ClusterState healthy =
          store.clusterState().get(5, TimeUnit.SECONDS).orElseThrow();
      assertTrue(healthy.ok(), healthy.detail());

      // Not the first node of the URL: the one a cluster-wide PING used to reach stays alive.
      int dead = cluster.primaries().get(2);
      cluster.kill(dead);
      long killed = System.nanoTime();
      Throwable pingFailure = failureOf(() -> store.ping().get(3, TimeUnit.SECONDS));
      assertTrue(pingFailure != null, "a ping of every primary fails while one is dead");
      OnlineStore.ClusterState down = store.clusterState().get(5, TimeUnit.SECONDS).orElseThrow();
      assertFalse(down.ok());
      assertTrue(down.detail().contains(":" + dead + " is unreachable"), down.detail());

      // Reads fail, first on the dead node's slots, then (once the others mark it failed after
      // the node timeout) with CLUSTERDOWN on every slot; each failure has its kind.
      Set<StoreErrorKind> kinds = EnumSet.noneOf(StoreErrorKind.class);
      while (System.nanoTime() - killed < TimeUnit.SECONDS.toNanos(8)
          && !kinds.contains(StoreErrorKind.CLUSTER_DOWN)) {
        for (OnlineStore.ReadRequest r : reads) {
          Throwable e = failureOf(() -> store.read("p", List.of(r)).get(5, TimeUnit.SECONDS));
          if (e != null) {
            kinds.add(StoreErrorKind.of(e));
          }
        }
      }
      assertTrue(kinds.contains(StoreErrorKind.CLUSTER_DOWN), "kinds seen: " + kinds);
      assertFalse(kinds.contains(StoreErrorKind.OTHER), "kinds seen: " + kinds);

      cluster.restart(dead);
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      OnlineStore.ClusterState back = null;
      while (System.nanoTime() < until) {
        if (failureOf(() -> store.ping().get(2, TimeUnit.SECONDS)) == null) {
          back = store.clusterState().get(5, TimeUnit.SECONDS).orElseThrow();
          if (back.ok()) {
            break;
          }
        }
        Thread.sleep(100);
      }
      assertTrue(back != null && back.ok(), "the cluster is ok again: " + back);
      // The restarted primary lost its data (no persistence); every read answers again.
      assertEquals(reads.size(), store.read("p", reads).get(5, TimeUnit.SECONDS).size());
    }
  }

  private interface Call {
    void run() throws Exception;
  }

  private static Throwable failureOf(Call call) {
    try {
      call.run();
      return null;
    } catch (Exception e) {
      return e;
    }
  }
}
