package dev.fletch.online;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fletch.core.UnavailableException;
import dev.fletch.core.model.EntityKey;
import dev.fletch.core.settings.Settings;
import dev.fletch.testkit.RedisServer;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class RedisOnlineStoreIT extends OnlineStoreContract {
  final RedisServer redis = RedisServer.shared();

  @Override
  OnlineStore newStore() {
    Settings defaults = Settings.defaults(java.nio.file.Path.of("."));
    return OnlineStores.open(
        new Settings(
            defaults.registryUrl(),
            Settings.ONLINE_REDIS,
            redis.url(),
            null,
            defaults.host(),
            0,
            0,
            1000,
            defaults.registryRefresh()));
  }

  @Override
  long remainingTtlMillis(String project, EntityKey key) {
    String reply = redis.command("PTTL " + EntityKeyCodec.redisKey(project, key));
    return Long.parseLong(reply.substring(1));
  }

  @Test
  void describeNamesTheServer() {
    assertEquals(redis.url(), store.describe());
  }

  @Test
  void aDeadRedisFailsFastAsUnavailable() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    long start = System.nanoTime();
    String url = "redis://127.0.0.1:" + port;
    UnavailableException e =
        assertThrows(UnavailableException.class, () -> RedisOnlineStore.open(url));
    assertTrue(Duration.ofNanos(System.nanoTime() - start).toSeconds() < 5);
    assertTrue(e.getMessage().contains("127.0.0.1:" + port), e.getMessage());
  }

  @Test
  void aStoppedServerTurnsWritesAndReadsUnavailable() {
    try (RedisServer own = RedisServer.dedicated();
        OnlineStore s = RedisOnlineStore.open(own.url())) {
      var view = ints("v", Duration.ZERO);
      s.write(project, view, List.of(row(1, T0, 1L, "a"))).join();
      own.stop();
      CompletionException e =
          assertThrows(
              CompletionException.class,
              () -> s.write(project, view, List.of(row(1, T0, 1L, "a"))).join());
      assertInstanceOf(UnavailableException.class, e.getCause());
      own.start();
      // the client reconnects by itself, and the script is loaded again (EVAL fallback on NOSCRIPT)
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (true) {
        try {
          s.write(project, view, List.of(row(1, T0, 2L, "b"))).join();
          break;
        } catch (CompletionException retry) {
          if (System.nanoTime() > deadline) {
            throw retry;
          }
        }
      }
      assertEquals(
          List.of(2L, "b"),
          s.read(
                  project,
                  List.of(new OnlineStore.ReadRequest(EntityKey.of("customer_id", 1), view)))
              .join()
              .get(0)
              .values());
    }
  }

  @Test
  void aReadIssuedOnOneOfTheStoresLoopsIsAnsweredOnThatLoop() throws Exception {
    var view = ints("loops", Duration.ZERO);
    store.write(project, view, List.of(row(1, T0, 1L, "a"), row(2, T0, 2L, "b"))).join();
    IoThreads io = store.ioThreads().orElseThrow();
    assertEquals(LettuceRedisAdapter.ioThreadCount(), countLoops(io));
    // From every loop: several reads issued together, completed on the issuing thread (no hand-off
    // to another thread, the flushes queued behind the loop's current task go out together).
    for (var loop : io.group()) {
      var done = new java.util.concurrent.CompletableFuture<List<String>>();
      loop.execute(
          () -> {
            Thread issuer = Thread.currentThread();
            var a = store.read(project, List.of(read(1, view)));
            var b = store.read(project, List.of(read(2, view)));
            a.thenCombine(
                    b,
                    (x, y) ->
                        List.of(
                            x.get(0).values().get(1) + "/" + y.get(0).values().get(1),
                            String.valueOf(Thread.currentThread() == issuer)))
                .whenComplete(
                    (r, e) -> {
                      if (e != null) {
                        done.completeExceptionally(e);
                      } else {
                        done.complete(r);
                      }
                    });
          });
      assertEquals(List.of("a/b", "true"), done.get(10, java.util.concurrent.TimeUnit.SECONDS));
    }
    // From a thread of the caller's own, reads still go out at once.
    assertEquals(
        List.of(2L, "b"), store.read(project, List.of(read(2, view))).join().get(0).values());
  }

  private static OnlineStore.ReadRequest read(long id, dev.fletch.core.model.FeatureView view) {
    return new OnlineStore.ReadRequest(EntityKey.of("customer_id", id), view);
  }

  private static int countLoops(IoThreads io) {
    int n = 0;
    for (var ignored : io.group()) {
      n++;
    }
    return n;
  }
}
