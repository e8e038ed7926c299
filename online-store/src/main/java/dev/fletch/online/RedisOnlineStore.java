package dev.fletch.online;

import static java.util.Objects.requireNonNull;

import dev.fletch.core.BoundedCache;
import dev.fletch.core.model.EntityKey;
import dev.fletch.core.model.FeatureRow;
import dev.fletch.core.model.FeatureView;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Redis online store. Layout: one hash per (project, entity key), named as {@link
 * EntityKeyCodec} describes; one field per feature view (the view's name) holding a {@link
 * ValueCodec} entry. Writes go through a Lua script that compares event times inside Redis and sets
 * the hash's expiry.
 */
public final class RedisOnlineStore implements OnlineStore {
  /** Commands are sent in groups of this size: about twice the throughput of flushing each one. */
  static final int FLUSH_EVERY = 1000;

  static final int SCAN_COUNT = 1000;

  /**
   * Rows per script call: enough to spread the cost of a script call (about as much as the writes
   * of one row), few enough that one call blocks the server for well under a millisecond.
   */
  static final int ROWS_PER_SCRIPT = 100;

  private final RedisAdapter redis;
  private final ExecutorService background;
  private final AtomicBoolean closed = new AtomicBoolean();

  RedisOnlineStore(RedisAdapter redis) {
    this.redis = requireNonNull(redis, "redis is null");
    this.background =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "fletch-redis-scan");
              t.setDaemon(true);
              return t;
            });
  }

  /** Connects to a {@code redis://}, {@code rediss://} or {@code redis-cluster://} URL. */
  public static RedisOnlineStore open(String url) {
    requireNonNull(url, "url is null");
    return new RedisOnlineStore(LettuceRedisAdapter.connect(url));
  }

  @Override
  public CompletableFuture<Void> write(String project, FeatureView view, List<FeatureRow> rows) {
    requireNonNull(project, "project is null");
    requireNonNull(view, "view is null");
    requireNonNull(rows, "rows is null");
    byte[][] keys = new byte[rows.size()][];
    byte[][] entries = new byte[rows.size()][];
    String prefix = EntityKeyCodec.projectPrefix(project);
    try {
      // Encode the whole batch first: a bad row then fails the batch before anything is written.
      for (int i = 0; i < keys.length; i++) {
        FeatureRow row = rows.get(i);
        keys[i] = (prefix + EntityKeyCodec.entity(row.key())).getBytes(StandardCharsets.US_ASCII);
        entries[i] = ValueCodec.encode(view, row.eventTime(), row.values());
      }
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    byte[] field = view.name().getBytes(StandardCharsets.UTF_8);
    long ttlMillis = view.ttl().toMillis();
    List<CompletableFuture<Long>> results = new ArrayList<>(keys.length / ROWS_PER_SCRIPT + 1);
    try {
      int sinceFlush = 0;
      for (int[] chunk : chunks(keys)) {
        byte[][] chunkKeys = new byte[chunk.length][];
        byte[][] chunkEntries = new byte[chunk.length][];
        for (int j = 0; j < chunk.length; j++) {
          chunkKeys[j] = keys[chunk[j]];
          chunkEntries[j] = entries[chunk[j]];
        }
        results.add(redis.upsert(chunkKeys, field, chunkEntries, ttlMillis));
        sinceFlush += chunk.length;
        if (sinceFlush >= FLUSH_EVERY) {
          redis.flush();
          sinceFlush = 0;
        }
      }
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(
          RedisErrors.map("writing view '" + view.name() + "' to " + describe(), e));
    } finally {
      redis.flush();
    }
    return CompletableFuture.allOf(results.toArray(CompletableFuture<?>[]::new))
        .handle(
            (ok, e) -> {
              if (e != null) {
                throw new CompletionException(
                    RedisErrors.map("writing view '" + view.name() + "' to " + describe(), e));
              }
              return null;
            });
  }

  /**
   * Row indexes grouped for one script call each: at most {@link #ROWS_PER_SCRIPT} rows, all in one
   * hash slot on a cluster (a script may only touch keys of one slot there).
   */
  private List<int[]> chunks(byte[][] keys) {
    List<int[]> out = new ArrayList<>(keys.length / ROWS_PER_SCRIPT + 1);
    if (!redis.cluster()) {
      for (int from = 0; from < keys.length; from += ROWS_PER_SCRIPT) {
        int[] chunk = new int[Math.min(ROWS_PER_SCRIPT, keys.length - from)];
        for (int j = 0; j < chunk.length; j++) {
          chunk[j] = from + j;
        }
        out.add(chunk);
      }
      return out;
    }
    Map<Integer, List<Integer>> bySlot = new LinkedHashMap<>();
    for (int i = 0; i < keys.length; i++) {
      bySlot.computeIfAbsent(redis.slotOf(keys[i]), s -> new ArrayList<>()).add(i);
    }
    for (List<Integer> rows : bySlot.values()) {
      for (int from = 0; from < rows.size(); from += ROWS_PER_SCRIPT) {
        out.add(
            rows.subList(from, Math.min(rows.size(), from + ROWS_PER_SCRIPT)).stream()
                .mapToInt(Integer::intValue)
                .toArray());
      }
    }
    return out;
  }

  @Override
  public CompletableFuture<List<StoredValues>> read(String project, List<ReadRequest> requests) {
    requireNonNull(project, "project is null");
    requireNonNull(requests, "requests is null");
    String prefix = EntityKeyCodec.projectPrefix(project);
    // One HMGET per entity hash, covering every view asked of it; all sent before any is awaited.
    Map<String, List<Integer>> byKey = new LinkedHashMap<>();
    // Callers often pass one key object for all views of an entity: its Redis key is built once.
    EntityKey lastKey = null;
    List<Integer> lastSlots = null;
    Map<EntityKey, List<Integer>> seen = null; // made once a second key object shows up
    for (int i = 0; i < requests.size(); i++) {
      ReadRequest r = requireNonNull(requests.get(i), "request is null");
      EntityKey key = r.key();
      List<Integer> slots = key == lastKey ? lastSlots : seen == null ? null : seen.get(key);
      if (slots == null) {
        slots = byKey.computeIfAbsent(prefix + EntityKeyCodec.entity(key), k -> new ArrayList<>(2));
        if (lastKey != null) {
          if (seen == null) {
            seen = new IdentityHashMap<>();
            seen.put(lastKey, lastSlots);
          }
          seen.put(key, slots);
        }
      }
      slots.add(i);
      lastKey = key;
      lastSlots = slots;
    }
    List<CompletableFuture<List<byte[]>>> replies = new ArrayList<>(byKey.size());
    List<List<Integer>> slots = new ArrayList<>(byKey.size());
    try {
      int sent = 0;
      for (Map.Entry<String, List<Integer>> e : byKey.entrySet()) {
        List<Integer> indexes = e.getValue();
        byte[][] fields = new byte[indexes.size()][];
        for (int j = 0; j < fields.length; j++) {
          fields[j] = fieldName(requests.get(indexes.get(j)).view());
        }
        replies.add(redis.hmget(e.getKey().getBytes(StandardCharsets.US_ASCII), fields));
        slots.add(indexes);
        if (++sent % FLUSH_EVERY == 0) {
          redis.flush();
        }
      }
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(RedisErrors.map("reading from " + describe(), e));
    } finally {
      redis.flush();
    }
    // Completes on the client's I/O thread once every reply is in. Only event times are read there;
    // values decode where the caller first looks at them (see EntryValues), so the single I/O
    // thread
    // spends its time on the wire and callers' threads share the decoding.
    if (replies.isEmpty()) {
      return CompletableFuture.completedFuture(List.of());
    }
    CompletableFuture<List<StoredValues>> out = new CompletableFuture<>();
    AtomicInteger pending = new AtomicInteger(replies.size());
    for (CompletableFuture<List<byte[]>> reply : replies) {
      reply.whenComplete(
          (values, error) -> {
            if (error != null) {
              out.completeExceptionally(RedisErrors.map("reading from " + describe(), error));
            } else if (pending.decrementAndGet() == 0) {
              try {
                out.complete(collect(requests, replies, slots));
              } catch (RuntimeException e) {
                out.completeExceptionally(e);
              }
            }
          });
    }
    return out;
  }

  @Override
  public CompletableFuture<List<byte[][]>> readEntries(
      String project, List<EntityKey> keys, List<String> fields) {
    requireNonNull(project, "project is null");
    String prefix = EntityKeyCodec.projectPrefix(project);
    byte[][] fieldBytes = new byte[fields.size()][];
    for (int j = 0; j < fieldBytes.length; j++) {
      fieldBytes[j] = fields.get(j).getBytes(StandardCharsets.UTF_8);
    }
    List<CompletableFuture<List<byte[]>>> replies = new ArrayList<>(keys.size());
    try {
      for (int i = 0; i < keys.size(); i++) {
        byte[] key =
            (prefix + EntityKeyCodec.entity(keys.get(i))).getBytes(StandardCharsets.US_ASCII);
        replies.add(redis.hmget(key, fieldBytes));
        if ((i + 1) % FLUSH_EVERY == 0) {
          redis.flush();
        }
      }
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(RedisErrors.map("reading from " + describe(), e));
    } finally {
      redis.flush();
    }
    return CompletableFuture.allOf(replies.toArray(CompletableFuture<?>[]::new))
        .handle(
            (ok, e) -> {
              if (e != null) {
                throw new CompletionException(RedisErrors.map("reading from " + describe(), e));
              }
              List<byte[][]> out = new ArrayList<>(replies.size());
              for (CompletableFuture<List<byte[]>> r : replies) {
                out.add(r.join().toArray(byte[][]::new));
              }
              return out;
            });
  }

  @Override
  public CompletableFuture<boolean[]> replaceEntries(
      String project,
      String field,
      java.time.Duration ttl,
      List<EntityKey> keys,
      List<byte[]> expected,
      List<byte[]> entries) {
    requireNonNull(project, "project is null");
    String prefix = EntityKeyCodec.projectPrefix(project);
    byte[][] redisKeys = new byte[keys.size()][];
    for (int i = 0; i < redisKeys.length; i++) {
      redisKeys[i] =
          (prefix + EntityKeyCodec.entity(keys.get(i))).getBytes(StandardCharsets.US_ASCII);
    }
    byte[] fieldBytes = field.getBytes(StandardCharsets.UTF_8);
    List<int[]> chunks = chunks(redisKeys);
    List<CompletableFuture<byte[]>> results = new ArrayList<>(chunks.size());
    try {
      for (int[] chunk : chunks) {
        byte[][] k = new byte[chunk.length][];
        byte[][] x = new byte[chunk.length][];
        byte[][] v = new byte[chunk.length][];
        for (int j = 0; j < chunk.length; j++) {
          k[j] = redisKeys[chunk[j]];
          x[j] = expected.get(chunk[j]);
          v[j] = entries.get(chunk[j]);
        }
        results.add(redis.replace(k, fieldBytes, x, v, ttl.toMillis()));
      }
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(
          RedisErrors.map("writing '" + field + "' to " + describe(), e));
    } finally {
      redis.flush();
    }
    return CompletableFuture.allOf(results.toArray(CompletableFuture<?>[]::new))
        .handle(
            (ok, e) -> {
              if (e != null) {
                throw new CompletionException(
                    RedisErrors.map("writing '" + field + "' to " + describe(), e));
              }
              boolean[] out = new boolean[keys.size()];
              for (int c = 0; c < chunks.size(); c++) {
                byte[] flags = results.get(c).join();
                int[] chunk = chunks.get(c);
                for (int j = 0; j < chunk.length; j++) {
                  out[chunk[j]] = flags[j] == '1';
                }
              }
              return out;
            });
  }

  private static final BoundedCache<String, byte[]> FIELD_NAMES = new BoundedCache<>(10_000);

  /**
   * A view's hash field: its name's UTF-8 bytes, encoded once per name (callers never change it).
   */
  private static byte[] fieldName(FeatureView view) {
    return FIELD_NAMES.get(view.name(), name -> name.getBytes(StandardCharsets.UTF_8));
  }

  private static List<StoredValues> collect(
      List<ReadRequest> requests,
      List<CompletableFuture<List<byte[]>>> replies,
      List<List<Integer>> slots) {
    StoredValues[] out = new StoredValues[requests.size()];
    for (int k = 0; k < replies.size(); k++) {
      List<byte[]> values = replies.get(k).join();
      List<Integer> indexes = slots.get(k);
      for (int j = 0; j < indexes.size(); j++) {
        byte[] entry = values.get(j);
        if (entry != null) {
          int at = indexes.get(j);
          FeatureView view = requests.get(at).view();
          out[at] =
              new StoredValues(
                  ValueCodec.fromMicros(ValueCodec.eventTimeMicros(entry)),
                  new EntryValues(view, entry));
        }
      }
    }
    return Arrays.asList(out);
  }

  @Override
  public CompletableFuture<Long> deleteView(String project, FeatureView view) {
    requireNonNull(project, "project is null");
    requireNonNull(view, "view is null");
    String pattern = EntityKeyCodec.projectPrefix(project) + "*";
    byte[] field = view.name().getBytes(StandardCharsets.UTF_8);
    // An aggregated view's streamed tiles go with it.
    byte[] streamField = (view.name() + StreamTiles.SUFFIX).getBytes(StandardCharsets.UTF_8);
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            long removed = 0;
            RedisAdapter.ScanPage page = null;
            do {
              CompletableFuture<RedisAdapter.ScanPage> next = redis.scan(page, pattern, SCAN_COUNT);
              redis.flush();
              page = next.join();
              List<CompletableFuture<Long>> deletes = new ArrayList<>(page.keys().size());
              for (byte[] key : page.keys()) {
                deletes.add(redis.hdel(key, field));
                redis.hdel(key, streamField);
              }
              redis.flush();
              for (CompletableFuture<Long> d : deletes) {
                removed += d.join();
              }
            } while (!page.finished());
            return removed;
          } catch (RuntimeException e) {
            throw RedisErrors.map("deleting view '" + view.name() + "' from " + describe(), e);
          }
        },
        background);
  }

  @Override
  public Optional<IoThreads> ioThreads() {
    return redis.ioThreads();
  }

  /**
   * {@code fletch:<project>:__content}, a hash: no entity key has this form (entity parts always
   * hold '='), so no read or view deletion touches it. It has no expiry.
   */
  static byte[] markerKey(String project) {
    return (EntityKeyCodec.projectPrefix(project) + "__content")
        .getBytes(StandardCharsets.US_ASCII);
  }

  @Override
  public CompletableFuture<String> contentMarker(String project) {
    requireNonNull(project, "project is null");
    byte[] candidate = java.util.UUID.randomUUID().toString().getBytes(StandardCharsets.US_ASCII);
    try {
      return redis
          .setIfAbsent(markerKey(project), "marker".getBytes(StandardCharsets.US_ASCII), candidate)
          .handle(
              (stored, e) -> {
                if (e != null) {
                  throw RedisErrors.map("reading the content marker of " + describe(), e);
                }
                if (stored == null) {
                  // Set and gone between two pipelined commands: the store is being emptied.
                  throw new dev.fletch.core.UnavailableException(
                      "the content marker of " + describe() + " vanished as it was set", null);
                }
                return new String(stored, StandardCharsets.US_ASCII);
              });
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(
          RedisErrors.map("reading the content marker of " + describe(), e));
    }
  }

  @Override
  public CompletableFuture<Optional<String>> existingContentMarker(String project) {
    requireNonNull(project, "project is null");
    try {
      CompletableFuture<List<byte[]>> read =
          redis.hmget(
              markerKey(project), new byte[][] {"marker".getBytes(StandardCharsets.US_ASCII)});
      redis.flush();
      return read.handle(
          (values, e) -> {
            if (e != null) {
              throw RedisErrors.map("reading the content marker of " + describe(), e);
            }
            byte[] v = values.get(0);
            return Optional.ofNullable(v == null ? null : new String(v, StandardCharsets.US_ASCII));
          });
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(
          RedisErrors.map("reading the content marker of " + describe(), e));
    }
  }

  @Override
  public CompletableFuture<Void> ping() {
    try {
      return redis
          .ping()
          .exceptionally(
              e -> {
                throw RedisErrors.map("pinging " + describe(), e);
              });
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(RedisErrors.map("pinging " + describe(), e));
    }
  }

  @Override
  public CompletableFuture<Optional<ClusterState>> clusterState() {
    if (!redis.cluster()) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    try {
      return redis
          .clusterStates()
          .handle(
              (states, e) -> {
                if (e != null) {
                  throw RedisErrors.map("asking " + describe() + " for its cluster state", e);
                }
                List<String> notOk = new ArrayList<>();
                states.forEach(
                    (node, state) -> {
                      if (state.startsWith("unreachable")) {
                        notOk.add(node + " is " + state);
                      } else if (!"ok".equals(state)) {
                        notOk.add(node + " reports cluster_state:" + state);
                      }
                    });
                return Optional.of(
                    notOk.isEmpty()
                        ? new ClusterState(true, "ok")
                        : new ClusterState(false, String.join("; ", notOk)));
              });
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(
          RedisErrors.map("asking " + describe() + " for its cluster state", e));
    }
  }

  @Override
  public String describe() {
    return redis.describe();
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      background.shutdownNow();
      redis.close();
    }
  }
}
