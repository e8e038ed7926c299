package dev.fletch.online;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The few Redis operations the online store needs, so its logic does not depend on the client
 * library. Commands are queued and go out on {@link #flush()}; callers flush after issuing a group
 * of commands and before awaiting any of them. Implementations are thread-safe.
 */
interface RedisAdapter extends AutoCloseable {

  /** HMGET: one element per field, null where the field is absent. */
  CompletableFuture<List<byte[]>> hmget(byte[] key, byte[][] fields);

  /**
   * Completes when every connection answered a PING (on a cluster: every primary that serves
   * slots); fails if one cannot.
   */
  CompletableFuture<Void> ping();

  /**
   * Cluster only: the {@code cluster_state} ({@code ok} or {@code fail}) that CLUSTER INFO reports
   * on every primary serving slots, by {@code host:port}; fails if one does not answer. Empty on a
   * standalone server.
   */
  CompletableFuture<java.util.Map<String, String>> clusterStates();

  /**
   * Runs the upsert script (see {@code upsert.lua}) for one field of several hashes, all in one
   * hash slot when {@link #cluster()}: the number of entries written (the rest kept a newer one).
   */
  CompletableFuture<Long> upsert(byte[][] keys, byte[] field, byte[][] entries, long ttlMillis);

  /**
   * Runs the compare-and-set script (see {@code replace.lua}) for one field of several hashes, all
   * in one hash slot when {@link #cluster()}: one character per key, '1' replaced, '0' not.
   */
  CompletableFuture<byte[]> replace(
      byte[][] keys, byte[] field, byte[][] expected, byte[][] entries, long ttlMillis);

  /** Whether keys must be grouped by hash slot (Redis Cluster). */
  boolean cluster();

  /** The cluster hash slot of a key (0 on a standalone server, where slots do not matter). */
  int slotOf(byte[] key);

  /** HDEL of one field; the number of fields removed. */
  CompletableFuture<Long> hdel(byte[] key, byte[] field);

  /** HSETNX then HGET of the same field: the value that holds after setting it if absent. */
  CompletableFuture<byte[]> setIfAbsent(byte[] key, byte[] field, byte[] value);

  /** One SCAN step over keys matching {@code pattern} (across every node of a cluster). */
  CompletableFuture<ScanPage> scan(ScanPage previous, String pattern, int count);

  /** A page of keys and the cursor to continue from; {@code finished} when the scan is complete. */
  interface ScanPage {
    List<byte[]> keys();

    boolean finished();
  }

  /** Sends every queued command. */
  void flush();

  /** The event loops the client runs on, when a server may share them. */
  default Optional<IoThreads> ioThreads() {
    return Optional.empty();
  }

  /** The server(s), without credentials. */
  String describe();

  /** Idempotent. */
  @Override
  void close();
}
