package dev.fletch.materializer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fletch.core.JobHistory;
import dev.fletch.core.JobHistory.JobRecord;
import dev.fletch.core.UnavailableException;
import dev.fletch.online.OnlineStore;
import dev.fletch.online.RedisOnlineStore;
import dev.fletch.testkit.RedisServer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class MaterializerRedisIT extends MaterializerContract {
  @Override
  OnlineStore openOnline() {
    return RedisOnlineStore.open(RedisServer.shared().url());
  }

  @Test
  void redisGoingAwayMidJobFailsItAndARerunCompletesTheWork() {
    try (RedisServer own = RedisServer.dedicated();
        OnlineStore store = RedisOnlineStore.open(own.url())) {
      // tiny batches, few in flight: the job is still writing when the server goes away
      Materializer m =
          new Materializer(
              offline,
              store,
              jobs,
              new Materializer.Options(
                  8, 2, 3, Duration.ofMillis(50), Duration.ofMillis(200), Duration.ZERO));
      Instant end = T0.plus(Duration.ofHours(6));
      // a first successful run sets the watermark the failed run must leave alone
      m.materializeIncremental(repo, T0.plus(Duration.ofHours(1)), List.of(), null);
      Optional<Instant> before = jobs.watermark(repo.project(), view.name());

      AtomicBoolean stopped = new AtomicBoolean();
      UnavailableException e =
          assertThrows(
              UnavailableException.class,
              () ->
                  m.materializeIncremental(
                      repo,
                      end,
                      List.of(),
                      (v, rows, rate) -> {
                        if (rows > 0 && stopped.compareAndSet(false, true)) {
                          own.stop(); // mid-job: some batches written, more to come
                        }
                      }));
      assertTrue(stopped.get(), "the job was interrupted mid-way");
      assertTrue(e.getMessage().contains("customer_stats"), e.getMessage());
      assertTrue(e.getMessage().contains("after 3 attempts"), e.getMessage());
      JobRecord failed = jobs.recent(repo.project(), view.name(), 1).get(0);
      assertEquals(JobHistory.Status.FAILED, failed.status());
      assertTrue(failed.error().contains("unavailable"), failed.error());
      assertEquals(before, jobs.watermark(repo.project(), view.name()));

      own.start(); // empty: nothing was persisted
      List<Materializer.ViewResult> rerun =
          retry(() -> m.materializeIncremental(repo, end, List.of(), null));
      assertEquals(ENTITIES, rerun.get(0).rows());
      assertEquals(Optional.of(end), jobs.watermark(repo.project(), view.name()));
      List<OnlineStore.StoredValues> stored = store.read(repo.project(), readAllRequests()).join();
      for (int i = 0; i < ENTITIES; i++) {
        assertEquals(expected(i, i % 3 == 0 ? 5 : 2), stored.get(i).values(), "entity " + i);
      }
    }
  }

  /**
   * A restart without persistence in the middle of a job: writes acknowledged before it are gone,
   * so the job fails instead of moving the watermark, and the re-run is a full one that restores
   * every row.
   */
  @Test
  void aRestartWithoutPersistenceMidJobFailsItAndTheRerunIsFull() {
    try (RedisServer own = RedisServer.dedicated();
        OnlineStore redis = RedisOnlineStore.open(own.url())) {
      java.util.concurrent.atomic.AtomicInteger writes =
          new java.util.concurrent.atomic.AtomicInteger();
      // The real store, restarted (synchronously, on the job's thread) before its 5th batch.
      OnlineStore restartingOnce =
          new Delegating(redis) {
            @Override
            public java.util.concurrent.CompletableFuture<Void> write(
                String project,
                dev.fletch.core.model.FeatureView v,
                List<dev.fletch.core.model.FeatureRow> rows) {
              if (writes.incrementAndGet() == 5) {
                own.stop();
                own.start();
              }
              return redis.write(project, v, rows);
            }
          };
      Materializer m =
          new Materializer(
              offline,
              restartingOnce,
              jobs,
              new Materializer.Options(
                  8, 2, 20, Duration.ofMillis(100), Duration.ofMillis(500), Duration.ZERO));
      Instant end = T0.plus(Duration.ofHours(6));
      UnavailableException e =
          assertThrows(
              UnavailableException.class,
              () -> m.materializeIncremental(repo, end, List.of(), null));
      assertTrue(writes.get() > 5, "the job went on writing after the restart");
      assertTrue(e.getMessage().contains("lost its content while the job ran"), e.getMessage());
      JobRecord failed = jobs.recent(repo.project(), view.name(), 1).get(0);
      assertEquals(JobHistory.Status.FAILED, failed.status());
      assertEquals(Optional.empty(), jobs.watermark(repo.project(), view.name()));

      List<Materializer.ViewResult> rerun =
          retry(() -> m.materializeIncremental(repo, end, List.of(), null));
      assertEquals(ENTITIES, rerun.get(0).rows());
      assertStoredEverything(redis);
    }
  }

  /** FLUSHALL, or another store: the watermark does not vouch for it, so the next run is full. */
  @Test
  void anEmptiedOrAnotherStoreGetsAFullRunThatSaysWhy() {
    try (RedisServer own = RedisServer.dedicated();
        OnlineStore redis = RedisOnlineStore.open(own.url())) {
      Materializer m = new Materializer(offline, redis, jobs);
      Instant end = T0.plus(Duration.ofHours(6));
      assertEquals(ENTITIES, m.materializeIncremental(repo, end, List.of(), null).get(0).rows());
      Materializer.ViewResult caughtUp =
          m.materializeIncremental(repo, end.plusSeconds(1), List.of(), null).get(0);
      assertEquals(0, caughtUp.rows(), "nothing new: the watermark holds for this store");
      assertEquals(null, caughtUp.note());

      own.flushAll();
      Materializer.ViewResult afterFlush =
          m.materializeIncremental(repo, end.plusSeconds(2), List.of(), null).get(0);
      assertEquals(ENTITIES, afterFlush.rows());
      assertTrue(
          afterFlush.note().contains("does not hold this view's watermark"), afterFlush.note());
      assertStoredEverything(redis);

      // The contract's shared Redis is another store: it gets its own full run and watermark,
      // and the dedicated one's watermark still holds.
      Materializer other = new Materializer(offline, online, jobs);
      Materializer.ViewResult there =
          other.materializeIncremental(repo, end.plusSeconds(3), List.of(), null).get(0);
      assertEquals(ENTITIES, there.rows());
      assertTrue(there.note().contains("does not hold"), there.note());
      assertEquals(
          0, m.materializeIncremental(repo, end.plusSeconds(4), List.of(), null).get(0).rows());
    }
  }

  /** A view whose features changed: its next incremental run rewrites every entity. */
  @Test
  void aChangedViewGetsAFullRun() {
    Materializer m = new Materializer(offline, online, jobs);
    Instant end = T0.plus(Duration.ofHours(6));
    m.materializeIncremental(repo, end, List.of(), null);
    dev.fletch.core.model.FeatureView wider =
        new dev.fletch.core.model.FeatureView(
            view.name(),
            view.entities(),
            view.source(),
            view.ttl(),
            true,
            new java.util.ArrayList<>(view.features()) {
              {
                add(
                    new dev.fletch.core.model.Feature(
                        "tripled",
                        dev.fletch.core.model.ValueType.DOUBLE,
                        "amount * 3",
                        null,
                        null));
              }
            },
            null,
            null,
            null,
            null);
    dev.fletch.core.model.FeatureRepo next =
        new dev.fletch.core.model.FeatureRepo(
            repo.project(),
            repo.entities(),
            repo.sources(),
            List.of(wider),
            List.of(),
            repo.root());
    Materializer.ViewResult r =
        m.materializeIncremental(next, end.plusSeconds(1), List.of(), null).get(0);
    assertEquals(ENTITIES, r.rows());
    assertTrue(r.note().contains("features changed"), r.note());
  }

  private void assertStoredEverything(OnlineStore store) {
    List<OnlineStore.StoredValues> stored = store.read(repo.project(), readAllRequests()).join();
    for (int i = 0; i < ENTITIES; i++) {
      assertEquals(expected(i, i % 3 == 0 ? 5 : 2), stored.get(i).values(), "entity " + i);
    }
  }

  /** Passes every call to a real store; a test overrides one to act at a chosen moment. */
  private static class Delegating implements OnlineStore {
    final OnlineStore store;

    Delegating(OnlineStore store) {
      this.store = store;
    }

    @Override
    public java.util.concurrent.CompletableFuture<Void> write(
        String project,
        dev.fletch.core.model.FeatureView view,
        List<dev.fletch.core.model.FeatureRow> rows) {
      return store.write(project, view, rows);
    }

    @Override
    public java.util.concurrent.CompletableFuture<List<StoredValues>> read(
        String project, List<ReadRequest> requests) {
      return store.read(project, requests);
    }

    @Override
    public java.util.concurrent.CompletableFuture<Long> deleteView(
        String project, dev.fletch.core.model.FeatureView view) {
      return store.deleteView(project, view);
    }

    @Override
    public java.util.concurrent.CompletableFuture<String> contentMarker(String project) {
      return store.contentMarker(project);
    }

    @Override
    public java.util.concurrent.CompletableFuture<List<byte[][]>> readEntries(
        String project, List<dev.fletch.core.model.EntityKey> keys, List<String> fields) {
      return store.readEntries(project, keys, fields);
    }

    @Override
    public java.util.concurrent.CompletableFuture<boolean[]> replaceEntries(
        String project,
        String field,
        java.time.Duration ttl,
        List<dev.fletch.core.model.EntityKey> keys,
        List<byte[]> expected,
        List<byte[]> entries) {
      return store.replaceEntries(project, field, ttl, keys, expected, entries);
    }

    @Override
    public String describe() {
      return store.describe();
    }

    @Override
    public void close() {}
  }

  private List<OnlineStore.ReadRequest> readAllRequests() {
    List<OnlineStore.ReadRequest> requests = new java.util.ArrayList<>();
    for (long i = 0; i < ENTITIES; i++) {
      requests.add(
          new OnlineStore.ReadRequest(dev.fletch.core.model.EntityKey.of("customer_id", i), view));
    }
    return requests;
  }

  /** The client reconnects within a second of the server's return; a re-run may race it once. */
  private static <T> T retry(java.util.function.Supplier<T> work) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (true) {
      try {
        return work.get();
      } catch (UnavailableException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
      }
    }
  }
}
