package dev.fletch.materializer;

import dev.fletch.core.JobHistory;
import dev.fletch.core.UnavailableException;
import dev.fletch.core.model.Entity;
import dev.fletch.core.model.EntityKey;
import dev.fletch.core.model.Feature;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.model.FeatureRow;
import dev.fletch.core.model.FeatureView;
import dev.fletch.core.model.JoinKey;
import dev.fletch.core.model.Source;
import dev.fletch.core.model.SourceFormat;
import dev.fletch.core.model.ValueType;
import dev.fletch.offline.HistoricalRequest;
import dev.fletch.offline.OfflineStore;
import dev.fletch.online.OnlineStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.arrow.memory.BufferAllocator;

/** Stand-ins for the stores in the materializer's unit tests (the ITs use the real ones). */
final class Fakes {
  private Fakes() {}

  static FeatureView view(String name, Duration ttl, boolean online) {
    return new FeatureView(
        name,
        List.of("customer"),
        "src",
        ttl,
        online,
        List.of(new Feature("n", ValueType.INT64, null, null, null)),
        null,
        null,
        null,
        null);
  }

  static FeatureRepo repo(FeatureView... views) {
    return new FeatureRepo(
        "proj",
        List.of(
            new Entity(
                "customer", List.of(new JoinKey("customer_id", ValueType.INT64)), null, null)),
        List.of(new Source("src", SourceFormat.PARQUET, "x.parquet", "ts", null, Map.of(), null)),
        List.of(views),
        List.of(),
        null);
  }

  /** Produces {@code rows} rows for any view, in batches, recording the ranges asked for. */
  static final class Offline implements OfflineStore {
    final int rows;
    final List<Instant[]> ranges = Collections.synchronizedList(new ArrayList<>());

    /** Views whose source cannot be read: their scan fails before any row. */
    final java.util.Set<String> unreadable = java.util.concurrent.ConcurrentHashMap.newKeySet();

    Offline(int rows) {
      this.rows = rows;
    }

    @Override
    public long scanLatest(
        FeatureRepo repo,
        FeatureView view,
        Instant start,
        Instant end,
        int batchSize,
        Consumer<List<FeatureRow>> consumer) {
      if (unreadable.contains(view.name())) {
        throw new dev.fletch.core.FletchException("cannot read the source of " + view.name());
      }
      ranges.add(new Instant[] {start, end});
      List<FeatureRow> batch = new ArrayList<>();
      for (long i = 0; i < rows; i++) {
        batch.add(new FeatureRow(EntityKey.of("customer_id", i), end, List.of(i)));
        if (batch.size() == batchSize) {
          consumer.accept(batch);
          batch = new ArrayList<>();
        }
      }
      if (!batch.isEmpty()) {
        consumer.accept(batch);
      }
      return rows;
    }

    @Override
    public long historicalToFile(FeatureRepo repo, HistoricalRequest request) {
      throw new UnsupportedOperationException();
    }

    @Override
    public long historicalToArrow(
        FeatureRepo repo, HistoricalRequest request, BufferAllocator allocator, ArrowSink sink) {
      throw new UnsupportedOperationException();
    }

    @Override
    public List<Map<String, Object>> preview(Path file, int limit) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void close() {}
  }

  /** Accepts writes asynchronously; the first {@code failures} writes fail as unavailable. */
  static final class Online implements OnlineStore {
    final AtomicInteger failures;
    final AtomicInteger calls = new AtomicInteger();
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger maxInFlight = new AtomicInteger();
    final Map<Long, Long> stored = new ConcurrentHashMap<>();
    final Executor async =
        Executors.newFixedThreadPool(
            4,
            r -> {
              Thread t = new Thread(r);
              t.setDaemon(true);
              return t;
            });

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

    Online(int failures) {
      this.failures = new AtomicInteger(failures);
    }

    @Override
    public CompletableFuture<Void> write(String project, FeatureView view, List<FeatureRow> rows) {
      calls.incrementAndGet();
      int now = inFlight.incrementAndGet();
      maxInFlight.accumulateAndGet(now, Math::max);
      return CompletableFuture.runAsync(
          () -> {
            try {
              Thread.sleep(2);
              if (failures.getAndDecrement() > 0) {
                throw new UnavailableException("redis down", new java.io.IOException("refused"));
              }
              for (FeatureRow r : rows) {
                stored.put((Long) r.key().values().get(0), (Long) r.values().get(0));
              }
            } catch (InterruptedException e) {
              throw new IllegalStateException(e);
            } finally {
              inFlight.decrementAndGet();
            }
          },
          async);
    }

    @Override
    public CompletableFuture<List<StoredValues>> read(String project, List<ReadRequest> requests) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<Long> deleteView(String project, FeatureView view) {
      throw new UnsupportedOperationException();
    }

    @Override
    public String describe() {
      return "fake";
    }

    /** The fake's content marker; a test changes it to play an emptied store. */
    volatile String marker = "fake-content";

    @Override
    public CompletableFuture<String> contentMarker(String project) {
      return CompletableFuture.completedFuture(marker);
    }

    @Override
    public void close() {}
  }

  /** An in-memory job history for unit tests only. */
  static final class Jobs implements JobHistory {
    final List<JobRecord> records = Collections.synchronizedList(new ArrayList<>());
    final Map<String, Instant> watermarks = new ConcurrentHashMap<>();

    @Override
    public Optional<Instant> watermark(String project, String view) {
      return Optional.ofNullable(watermarks.get(project + "/" + view));
    }

    final Map<String, StoreWatermark> storeWatermarks = new ConcurrentHashMap<>();

    @Override
    public Optional<StoreWatermark> watermark(String project, String view, String storeMarker) {
      return Optional.ofNullable(storeWatermarks.get(project + "/" + view + "/" + storeMarker));
    }

    @Override
    public synchronized void succeed(long jobId, long rows, String storeMarker, String schema) {
      succeed(jobId, rows);
      JobRecord r = records.get((int) jobId - 1);
      storeWatermarks.merge(
          r.project() + "/" + r.view() + "/" + storeMarker,
          new StoreWatermark(r.rangeEnd(), schema),
          (a, b) -> a.watermark().isAfter(b.watermark()) ? a : b);
    }

    @Override
    public void heartbeat(long jobId) {}

    @Override
    public void resetWatermark(String project, String view) {
      watermarks.remove(project + "/" + view);
      storeWatermarks.keySet().removeIf(k -> k.startsWith(project + "/" + view + "/"));
    }

    @Override
    public synchronized long start(
        String project, String view, Instant rangeStart, Instant rangeEnd) {
      long id = records.size() + 1;
      records.add(
          new JobRecord(
              id,
              project,
              view,
              rangeStart,
              rangeEnd,
              Status.RUNNING,
              0,
              Instant.now(),
              null,
              null));
      return id;
    }

    @Override
    public synchronized void succeed(long jobId, long rows) {
      JobRecord r = records.get((int) jobId - 1);
      records.set(
          (int) jobId - 1,
          new JobRecord(
              r.id(),
              r.project(),
              r.view(),
              r.rangeStart(),
              r.rangeEnd(),
              Status.SUCCEEDED,
              rows,
              r.startedAt(),
              Instant.now(),
              null));
      watermarks.merge(r.project() + "/" + r.view(), r.rangeEnd(), (a, b) -> a.isAfter(b) ? a : b);
    }

    @Override
    public synchronized void fail(long jobId, long rows, String error) {
      JobRecord r = records.get((int) jobId - 1);
      records.set(
          (int) jobId - 1,
          new JobRecord(
              r.id(),
              r.project(),
              r.view(),
              r.rangeStart(),
              r.rangeEnd(),
              Status.FAILED,
              rows,
              r.startedAt(),
              Instant.now(),
              error));
    }

    @Override
    public List<JobRecord> recent(String project, String view, int limit) {
      return List.copyOf(records);
    }
  }
}
