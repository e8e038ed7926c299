package dev.fletch.serving;

import static java.util.Objects.requireNonNull;

import dev.fletch.core.model.EntityKey;
import dev.fletch.core.model.FeatureRow;
import dev.fletch.core.model.FeatureView;
import dev.fletch.online.IoThreads;
import dev.fletch.online.OnlineStore;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * An online store whose calls are timed and whose failures are counted by kind ({@link
 * StoreMetrics}). The server wraps the store it is given in one, and hands it out ({@link
 * FletchServer#onlineStore()}) so that the scheduler and streams of the same process are measured
 * too. The caller gets the store's own futures back: where their callbacks run is unchanged.
 */
public final class MeteredOnlineStore implements OnlineStore {
  private final OnlineStore store;
  private final StoreMetrics metrics;

  MeteredOnlineStore(OnlineStore store, StoreMetrics metrics) {
    this.store = requireNonNull(store, "store is null");
    this.metrics = requireNonNull(metrics, "metrics is null");
  }

  /** The store without the measuring (health probes, which must not count as traffic). */
  OnlineStore unwrapped() {
    return store;
  }

  private <T> CompletableFuture<T> timed(String operation, Supplier<CompletableFuture<T>> call) {
    long start = System.nanoTime();
    CompletableFuture<T> answer;
    try {
      answer = call.get();
    } catch (RuntimeException e) {
      metrics.failed(operation, e, System.nanoTime() - start);
      throw e;
    }
    answer.whenComplete(
        (value, error) -> {
          long nanos = System.nanoTime() - start;
          if (error == null) {
            metrics.succeeded(operation, nanos);
          } else {
            metrics.failed(operation, error, nanos);
          }
        });
    return answer;
  }

  @Override
  public CompletableFuture<Void> write(String project, FeatureView view, List<FeatureRow> rows) {
    return timed("write", () -> store.write(project, view, rows));
  }

  @Override
  public CompletableFuture<List<StoredValues>> read(String project, List<ReadRequest> requests) {
    return timed("read", () -> store.read(project, requests));
  }

  @Override
  public CompletableFuture<List<byte[][]>> readEntries(
      String project, List<EntityKey> keys, List<String> fields) {
    return timed("read_entries", () -> store.readEntries(project, keys, fields));
  }

  @Override
  public CompletableFuture<boolean[]> replaceEntries(
      String project,
      String field,
      Duration ttl,
      List<EntityKey> keys,
      List<byte[]> expected,
      List<byte[]> entries) {
    return timed(
        "replace_entries",
        () -> store.replaceEntries(project, field, ttl, keys, expected, entries));
  }

  @Override
  public CompletableFuture<Long> deleteView(String project, FeatureView view) {
    return timed("delete_view", () -> store.deleteView(project, view));
  }

  @Override
  public CompletableFuture<String> contentMarker(String project) {
    return timed("content_marker", () -> store.contentMarker(project));
  }

  @Override
  public Optional<IoThreads> ioThreads() {
    return store.ioThreads();
  }

  @Override
  public String describe() {
    return store.describe();
  }

  @Override
  public CompletableFuture<Void> ping() {
    return store.ping();
  }

  @Override
  public CompletableFuture<Optional<ClusterState>> clusterState() {
    return store.clusterState();
  }

  /** Closes the wrapped store: whoever closes this owns it. */
  @Override
  public void close() {
    store.close();
  }
}
