package dev.fletch.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fletch.core.UnavailableException;
import dev.fletch.registry.http.RegistryHttpServer;
import dev.fletch.testkit.PostgresProcess;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A PostgreSQL registry whose server freezes (SIGSTOP, a PostgreSQL of the test's own): calls fail
 * within the documented timeouts instead of hanging for the freeze, {@code /health} says the
 * database does not answer within 2 s, and everything works again once the server goes on.
 */
class RegistryTimeoutsIT {
  private static PostgresProcess pg;

  @BeforeAll
  static void startPostgres() {
    pg = PostgresProcess.start();
  }

  @AfterAll
  static void stopPostgres() {
    if (pg != null) {
      pg.close();
    }
  }

  @Test
  void aFrozenDatabaseFailsCallsAndHealthInTimeThenRecovers() throws Exception {
    Vertx vertx = Vertx.vertx();
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    // The documented defaults: nothing about timeouts in the URL.
    try (Registry registry = Registry.open(pg.jdbcUrl(null))) {
      registry.apply(Fixtures.payments("payments"), 0, false, "test");
      HttpServer server =
          RegistryHttpServer.start(vertx, registry, "127.0.0.1", 0)
              .toCompletionStage()
              .toCompletableFuture()
              .get(10, TimeUnit.SECONDS);
      URI health = URI.create("http://127.0.0.1:" + server.actualPort() + "/health");
      HttpResponse<String> up = http.send(get(health), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, up.statusCode(), up.body());

      pg.freeze();
      try {
        long asked = System.nanoTime();
        HttpResponse<String> down = http.send(get(health), HttpResponse.BodyHandlers.ofString());
        long healthMillis = (System.nanoTime() - asked) / 1_000_000;
        assertEquals(503, down.statusCode(), down.body());
        assertTrue(down.body().contains("\"status\":\"DOWN\""), down.body());
        assertTrue(down.body().contains("did not answer within 2000 ms"), down.body());
        assertTrue(healthMillis < 3500, "health answered after " + healthMillis + " ms");
        // A second probe while the first check still hangs answers as fast (no pile-up).
        asked = System.nanoTime();
        assertEquals(
            503, http.send(get(health), HttpResponse.BodyHandlers.ofString()).statusCode());
        assertTrue((System.nanoTime() - asked) / 1_000_000 < 3500);

        // A registry call (what `fletch plan` and the serving refresh do) fails within the
        // connect timeout (5 s) plus the pool's 2 s validation, not after the freeze.
        long started = System.nanoTime();
        UnavailableException e =
            assertTimeoutPreemptively(
                Duration.ofSeconds(12),
                () ->
                    assertThrows(
                        UnavailableException.class, () -> registry.currentVersion("payments")),
                "a registry call hung on the frozen database");
        long callMillis = (System.nanoTime() - started) / 1_000_000;
        assertTrue(callMillis < 9_000, "the call failed after " + callMillis + " ms");
        assertTrue(e.getMessage().contains("registry database"), e.getMessage());
        System.out.printf(
            "frozen PostgreSQL: /health 503 after %d ms, a registry call failed after %d ms (%s)%n",
            healthMillis, callMillis, e.getMessage());
      } finally {
        pg.thaw();
      }
      assertEquals(1, registry.currentVersion("payments"), "works again after the freeze");
      long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      int status = 0;
      while (System.nanoTime() < until && status != 200) {
        status = http.send(get(health), HttpResponse.BodyHandlers.ofString()).statusCode();
        Thread.sleep(100);
      }
      assertEquals(200, status, "health is UP again");
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aStatementOverTheStatementTimeoutIsUnavailableNotAHang() {
    // The URL's own driver parameters win over Fletch's defaults.
    try (Registry registry =
        Registry.open(pg.jdbcUrl("options=-c%20statement_timeout%3D500&socketTimeout=20"))) {
      long started = System.nanoTime();
      UnavailableException e =
          assertThrows(
              UnavailableException.class,
              () -> registry.withHandle(h -> h.execute("SELECT pg_sleep(5)")));
      long millis = (System.nanoTime() - started) / 1_000_000;
      assertTrue(millis < 3_000, "cancelled after " + millis + " ms");
      assertTrue(e.getMessage().contains("statement timeout"), e.getMessage());
    }
  }

  @Test
  void aServerThatStopsAnsweringMidQueryHitsTheSocketTimeout() throws Exception {
    try (Registry registry = Registry.open(pg.jdbcUrl("socketTimeout=2"))) {
      registry.ping(); // a pooled connection, validated
      Thread freezer =
          new Thread(
              () -> {
                try {
                  Thread.sleep(300);
                  pg.freeze();
                } catch (InterruptedException ignored) {
                  Thread.currentThread().interrupt();
                }
              });
      freezer.start();
      long started = System.nanoTime();
      try {
        // Sent before the freeze, answered after it: the socket timeout ends the wait.
        UnavailableException e =
            assertThrows(
                UnavailableException.class,
                () -> registry.withHandle(h -> h.execute("SELECT pg_sleep(1)")));
        long millis = (System.nanoTime() - started) / 1_000_000;
        assertTrue(millis < 6_000, "gave up after " + millis + " ms");
        assertTrue(e.getMessage().contains("did not answer in time"), e.getMessage());
        assertFalse(e.getMessage().contains("password"), e.getMessage());
      } finally {
        freezer.join();
        pg.thaw();
      }
    }
  }

  private static HttpRequest get(URI uri) {
    // Without a bound of its own, health would hang for the whole freeze: give up at 10 s.
    return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build();
  }
}
