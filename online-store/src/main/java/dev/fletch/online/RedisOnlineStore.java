package dev.fletch.online;

import static java.util.Objects.requireNonNull;

import dev.fletch.core.model.FeatureRow;
import dev.fletch.core.model.FeatureView;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

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
    for (int i = 0; i < requests.size(); i++) {
      ReadRequest r = requireNonNull(requests.get(i), "request is null");
      byKey
          .computeIfAbsent(prefix + EntityKeyCodec.entity(r.key()), k -> new ArrayList<>(2))
          .add(i);
    }
    List<CompletableFuture<List<byte[]>>> replies = new ArrayList<>(byKey.size());
    List<List<Integer>> slots = new ArrayList<>(byKey.size());
    try {
      int sent = 0;
      for (Map.Entry<String, List<Integer>> e : byKey.entrySet()) {
        List<Integer> indexes = e.getValue();
        byte[][] fields = new byte[indexes.size()][];
        for (int j = 0; j < fields.length; j++) {
          fields[j] = requests.get(indexes.get(j)).view().name().getBytes(StandardCharsets.UTF_8);
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
    return CompletableFuture.allOf(replies.toArray(CompletableFuture<?>[]::new))
        .handle(
            (ok, error) -> {
              if (error != null) {
                throw new CompletionException(RedisErrors.map("reading from " + describe(), error));
              }
              StoredValues[] out = new StoredValues[requests.size()];
              for (int k = 0; k < replies.size(); k++) {
                List<byte[]> values = replies.get(k).join();
                List<Integer> indexes = slots.get(k);
                for (int j = 0; j < indexes.size(); j++) {
                  byte[] entry = values.get(j);
                  if (entry != null) {
                    int at = indexes.get(j);
                    ValueCodec.Decoded d = ValueCodec.decode(requests.get(at).view(), entry);
                    out[at] = new StoredValues(d.eventTime(), d.values());
                  }
                }
              }
              return Arrays.asList(out);
            });
  }

  @Override
  public CompletableFuture<Long> deleteView(String project, FeatureView view) {
    requireNonNull(project, "project is null");
    requireNonNull(view, "view is null");
    String pattern = EntityKeyCodec.projectPrefix(project) + "*";
    byte[] field = view.name().getBytes(StandardCharsets.UTF_8);
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
