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
