package dev.fletch.serving;

import dev.fletch.core.UnavailableException;
import dev.fletch.core.model.EntityKey;
import dev.fletch.core.model.FeatureRow;
import dev.fletch.core.model.FeatureView;
import dev.fletch.online.OnlineStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An OnlineStore in a map, for unit tests of validation and mapping only (the *IT tests use the
 * real Redis store). {@code down} makes reads fail as an unreachable store would.
 */
final class MemoryOnlineStore implements OnlineStore {
  private final Map<List<Object>, StoredValues> data = new ConcurrentHashMap<>();
  volatile boolean down;
  volatile boolean hang;

  /** Reads fail while a ping still answers (a store that is up but cannot serve reads). */
  volatile boolean readsFail;

  /** Null: no cluster; else the cluster state it reports. */
  volatile Boolean clusterOk;

  /** When set, reads answer only after this completes (an in-flight call, for shutdown tests). */
  volatile CompletableFuture<Void> gate;

  final java.util.concurrent.CountDownLatch gateReached =
      new java.util.concurrent.CountDownLatch(1);

  @Override
  public CompletableFuture<Void> write(String project, FeatureView view, List<FeatureRow> rows) {
    for (FeatureRow r : rows) {
      data.merge(
          List.of(project, view.name(), r.key()),
          new StoredValues(r.eventTime(), r.values()),
          (old, neu) -> neu.eventTime().isBefore(old.eventTime()) ? old : neu);
    }
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public java.util.concurrent.CompletableFuture<List<byte[][]>> readEntries(
      String project, List<dev.fletch.core.model.EntityKey> keys, List<String> fields) {
    throw new UnsupportedOperationException("not in this fake");
  }

  @Override
  public java.util.concurrent.CompletableFuture<boolean[]> replaceEntries(
      String project,
      String field,
      java.time.Duration ttl,
      List<dev.fletch.core.model.EntityKey> keys,
      List<byte[]> expected,
      List<byte[]> entries) {
    throw new UnsupportedOperationException("not in this fake");
  }

  @Override
  public CompletableFuture<java.util.Optional<ClusterState>> clusterState() {
    Boolean ok = clusterOk;
    return CompletableFuture.completedFuture(
        ok == null
            ? java.util.Optional.empty()
            : java.util.Optional.of(
                new ClusterState(ok, ok ? "ok" : "127.0.0.1:7001 reports fail")));
  }

  @Override
  public CompletableFuture<Void> ping() {
    return down
        ? CompletableFuture.failedFuture(new UnavailableException("memory store is down", null))
        : CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletableFuture<List<StoredValues>> read(String project, List<ReadRequest> requests) {
    if (hang) {
      return new CompletableFuture<>();
    }
    if (down || readsFail) {
      return CompletableFuture.failedFuture(new UnavailableException("memory store is down", null));
    }
    List<StoredValues> out = new ArrayList<>(requests.size());
    for (ReadRequest r : requests) {
      out.add(data.get(List.of(project, r.view().name(), r.key())));
    }
    CompletableFuture<Void> g = gate;
    if (g != null) {
      gateReached.countDown();
      return g.thenApply(v -> out);
    }
    return CompletableFuture.completedFuture(out);
  }

  @Override
  public CompletableFuture<Long> deleteView(String project, FeatureView view) {
    long before = data.size();
    data.keySet().removeIf(k -> k.get(1).equals(view.name()));
    return CompletableFuture.completedFuture(before - data.size());
  }

  static EntityKey key(String name, Object value) {
    return EntityKey.of(name, value);
  }

  @Override
  public String describe() {
    return "memory";
  }

  @Override
  public CompletableFuture<String> contentMarker(String project) {
    return CompletableFuture.completedFuture("memory");
  }

  @Override
  public void close() {}
}
