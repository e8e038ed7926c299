package dev.fletch.online;

import dev.fletch.core.model.EntityKey;
import dev.fletch.core.model.FeatureRow;
import dev.fletch.core.model.FeatureView;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The online store: the freshest values of every online feature view, per entity.
 *
 * <p>Layout: one record per (project, entity key) holding one entry per feature view (that view's
 * encoded values and event time). Implementations are thread-safe and share one connection.
 *
 * <p>Idempotency: writing the same rows twice leaves the same state. A write never replaces a newer
 * event time with an older one, also when two writers race (the compare happens inside the store).
 *
 * <p>Failures: the returned futures complete exceptionally with {@link
 * dev.fletch.core.UnavailableException} when the store cannot be reached, and with {@link
 * dev.fletch.core.FletchException} for anything else. A failed write may have applied a prefix of
 * the batch; re-running it is harmless.
 */
public interface OnlineStore extends AutoCloseable {

  /**
   * The stored values of one view for one entity: event time plus values in the view's feature
   * order. The stores hand out {@link EntryValues}, which tell a feature the entry was written
   * without from a stored null ({@link #materialized}).
   */
  record StoredValues(Instant eventTime, List<Object> values) {
    /**
     * Whether the stored entry holds a value, possibly null, of feature {@code index} as the view
     * defines it now; false for a feature added (or changed type incompatibly) since the entry was
     * written: serving answers NOT_MATERIALIZED for it, not NULL_VALUE. Values that are not read
     * from an entry (a plain list) hold every feature they have.
     */
    public boolean materialized(int index) {
      return values instanceof EntryValues e ? e.materialized(index) : index < values.size();
    }
  }

  /** One lookup: the entity key (the view's join keys) and the view to read. */
  record ReadRequest(EntityKey key, FeatureView view) {}

  /**
   * Writes a batch of rows of one view. Each row replaces the stored entry of that view only if its
   * event time is not older. Expiry: the record expires the longest ttl of the views written to it
   * after its last write (never if any of them has ttl 0).
   */
  CompletableFuture<Void> write(String project, FeatureView view, List<FeatureRow> rows);

  /**
   * Reads many (entity, view) pairs in one round trip where the store allows. The result has one
   * element per request, in order; null where nothing is stored. Values decode to the view's
   * current feature order; a feature the stored entry lacks reads as null and is not {@link
   * StoredValues#materialized}.
   */
  CompletableFuture<List<StoredValues>> read(String project, List<ReadRequest> requests);

  /**
   * The raw stored entries of {@code fields} for each key (element i holds one entry per field, in
   * order; null where absent or expired), in one round trip where the store allows. For entries the
   * caller decodes itself, such as streamed tiles ({@link StreamTiles}).
   */
  CompletableFuture<List<byte[][]>> readEntries(
      String project, List<EntityKey> keys, List<String> fields);

  /**
   * Compare-and-set of one field per key, each atomic on its own: {@code entries.get(i)} replaces
   * what {@code keys.get(i)} holds in {@code field} only if that equals {@code expected.get(i)}
   * byte for byte (null: nothing stored). Expiry as {@link #write} with {@code ttl}. Element i of
   * the result says whether key i was replaced.
   */
  CompletableFuture<boolean[]> replaceEntries(
      String project,
      String field,
      java.time.Duration ttl,
      List<EntityKey> keys,
      List<byte[]> expected,
      List<byte[]> entries);

  /**
   * Removes every stored entry of the view (used when a view is removed or re-materialized from
   * scratch).
   */
  CompletableFuture<Long> deleteView(String project, FeatureView view);

  /**
   * The marker of what this store holds for {@code project}: a random id kept in the store itself,
   * created by the first call that finds none. It is gone, and the next call creates another,
   * whenever the store loses its content: another store, an emptied one ({@code FLUSHALL}), a Redis
   * restarted without persistence. A materialization watermark is recorded with the marker it was
   * written under, so it never vouches for a store that does not hold the rows. Idempotent while
   * the content lasts; fails like {@link #write}.
   */
  CompletableFuture<String> contentMarker(String project);

  /**
   * The marker {@link #contentMarker} would return, without creating one when the store has none
   * (empty): for looking without writing, such as a dry run. Fails like {@link #write}.
   */
  default CompletableFuture<Optional<String>> existingContentMarker(String project) {
    return CompletableFuture.failedFuture(
        new dev.fletch.core.FletchException(
            describe() + " cannot read its content marker without creating it"));
  }

  /**
   * The event loops the store's network client runs on, when it has any (Redis: yes; embedded:
   * none). A server may run its own connections on them; see {@link IoThreads}.
   */
  default Optional<IoThreads> ioThreads() {
    return Optional.empty();
  }

  /**
   * A short description for logs and CLI output, e.g. {@code redis://127.0.0.1:6379} (no password).
   */
  String describe();

  /**
   * Completes when the store can be reached now, fails (UnavailableException) when it cannot. For
   * health checks: cheap, touches no data. A Redis Cluster is reachable when every primary that
   * serves slots answers. Stores that are always there complete at once.
   */
  default CompletableFuture<Void> ping() {
    return CompletableFuture.completedFuture(null);
  }

  /**
   * A Redis Cluster's state as its primaries report it: {@code ok} when every one says {@code
   * cluster_state:ok}; else not ok, naming the primaries that say otherwise. While a cluster is not
   * ok it answers every read {@code CLUSTERDOWN}. Empty for a store that is no cluster. Fails like
   * {@link #ping} when a primary does not answer.
   */
  default CompletableFuture<java.util.Optional<ClusterState>> clusterState() {
    return CompletableFuture.completedFuture(java.util.Optional.empty());
  }

  /** See {@link #clusterState()}: {@code detail} names the primaries not reporting ok. */
  record ClusterState(boolean ok, String detail) {}

  /** Idempotent. */
  @Override
  void close();
}
