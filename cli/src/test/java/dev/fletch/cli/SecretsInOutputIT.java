package dev.fletch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fletch.testkit.PostgresProcess;
import dev.fletch.testkit.RedisServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A whole run of the real {@code fletch} command (the shaded jar, one process per command, as a
 * user runs it) against a PostgreSQL registry and a Redis whose URLs carry passwords: validate,
 * plan, apply, materialize, jobs, get-online, serve (with its scheduler, its logs, its HTTP
 * answers) and failing commands with {@code --verbose} stack traces. No password appears in
 * anything any of them printed or answered. On the way: {@code fletch plan} against the registry
 * database frozen with SIGSTOP fails within the timeouts with one line, instead of hanging.
 */
class SecretsInOutputIT {
  private static final Path JAR = Path.of("target", "fletch.jar").toAbsolutePath();

  @TempDir Path dir;

  private final List<String> secrets = new ArrayList<>();
  private final StringBuilder everything = new StringBuilder();

  private record Run(int exit, String out, long millis) {}

  @Test
  void noPasswordInAnyOutputOfARun() throws Exception {
    assertTrue(Files.isRegularFile(JAR), "the fletch jar is built before the ITs: " + JAR);
    String pgSecret = "pg-" + UUID.randomUUID();
    String redisSecret = "redis" + UUID.randomUUID().toString().replace("-", "");
    secrets.addAll(List.of(pgSecret, redisSecret));
    try (PostgresProcess pg = PostgresProcess.start();
        RedisServer redis = RedisServer.dedicated()) {
      redis.command("CONFIG SET requirepass " + redisSecret);
      String registryUrl = pg.jdbcUrl("password=" + pgSecret);
      String redisUrl = "redis://default:" + redisSecret + "@127.0.0.1:" + redis.port();

      Path repo = dir.resolve("shop");
      assertEquals(0, fletch(dir, "init", "shop").exit());
      Path views = repo.resolve("features.yaml");
      Files.writeString(
          views,
          Files.readString(views).replace("ttl: 7d", "ttl: 7d\n    schedule: 1h"),
          StandardCharsets.UTF_8);
      Files.writeString(
          repo.resolve("fletch_settings.yaml"),
          "registry: {url: '"
              + registryUrl
              + "'}\nonline_store: {type: redis, url: '"
              + redisUrl
              + "'}\n");

      Run validate = fletch(repo, "validate");
      assertEquals(0, validate.exit(), validate.out());
      // The bug of #25: validate printed the registry URL with its password.
      assertTrue(
          validate.out().contains("registry:         " + pg.jdbcUrl("password=***")),
          validate.out());
      assertTrue(
          validate.out().contains("redis://default:***@127.0.0.1:" + redis.port()), validate.out());
      assertEquals(0, fletch(repo, "plan").exit());
      assertEquals(0, fletch(repo, "apply", "--yes").exit());
      assertEquals(0, fletch(repo, "materialize", "--start", "2024-01-01", "--end", "now").exit());
      assertEquals(0, fletch(repo, "materialize-incremental", "--end", "now").exit());
      assertEquals(0, fletch(repo, "jobs").exit());
      Run online = fletch(repo, "get-online", "-f", "customer_stats:*", "-e", "customer_id=1001");
      assertEquals(0, online.exit(), online.out());
      assertTrue(online.out().contains("customer_id=1001"), online.out());

      serve(repo);

      // Failures, with stack traces: a wrong Redis password, an unreachable registry.
      String wrong = "wrong" + UUID.randomUUID().toString().replace("-", "");
      secrets.add(wrong);
      Run badRedis =
          fletch(
              repo,
              Map.of("FLETCH_REDIS_URL", "redis://default:" + wrong + "@127.0.0.1:" + redis.port()),
              "materialize",
              "--start",
              "2024-01-01",
              "--end",
              "now",
              "--verbose");
      assertEquals(1, badRedis.exit(), badRedis.out());
      String unreachable = "gone" + UUID.randomUUID().toString().replace("-", "");
      secrets.add(unreachable);
      Run badRegistry =
          fletch(
              repo,
              "plan",
              "--verbose",
              "--registry",
              "jdbc:postgresql://127.0.0.1:"
                  + freePort()
                  + "/x?user=u&password="
                  + unreachable
                  + "&connectTimeout=2");
      assertEquals(1, badRegistry.exit(), badRegistry.out());
      assertTrue(badRegistry.out().contains("password=***"), badRegistry.out());

      // The registry frozen: plan fails within the connect timeout (5 s) plus the pool's check,
      // with one readable line, rather than waiting for the database.
      pg.freeze();
      Run frozen;
      try {
        frozen = fletch(repo, "plan");
      } finally {
        pg.thaw();
      }
      assertEquals(1, frozen.exit(), frozen.out());
      assertTrue(frozen.millis() < 15_000, "plan took " + frozen.millis() + " ms");
      assertTrue(
          frozen.out().contains("error: ") && frozen.out().contains("registry database"),
          frozen.out());
      System.out.printf(
          "fletch plan against a frozen registry: exit %d after %d ms: %s%n",
          frozen.exit(), frozen.millis(), frozen.out().strip());
      Run jobs = fletch(repo, "jobs");
      assertEquals(0, jobs.exit(), jobs.out());
    }
    for (String secret : secrets) {
      assertFalse(everything.toString().contains(secret), "a password was printed:\n" + everything);
    }
    assertTrue(everything.toString().contains("***"), "the passwords were there to hide");
  }

  /** fletch serve: its logs, its answers, its scheduler's job in the metrics; then SIGTERM. */
  private void serve(Path repo) throws Exception {
    int http = freePort();
    int grpc = freePort();
    Process p =
        command(repo, Map.of(), "serve", "--http-port", "" + http, "--grpc-port", "" + grpc)
            .start();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Thread pump = pump(p.getInputStream(), out);
    try {
      HttpClient client = HttpClient.newHttpClient();
      String base = "http://127.0.0.1:" + http;
      String metrics = "";
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (System.nanoTime() < until
          && !metrics.contains(
              "fletch_materialization_jobs_total{outcome=\"succeeded\",view=\"customer_stats\"} 1.0")) {
        Thread.sleep(300);
        try {
          metrics = get(client, base + "/metrics").body();
        } catch (IOException notYet) {
          // still starting
        }
      }
      // The scheduler in serve ran the view's job once at start: counted, and its writes too.
      assertTrue(
          metrics.contains(
              "fletch_materialization_jobs_total{outcome=\"succeeded\",view=\"customer_stats\"} 1.0"),
          metrics + "\n" + out);
      assertTrue(
          metrics.contains("fletch_online_store_request_seconds_count{operation=\"write\"}"),
          metrics);
      assertTrue(
          metrics.contains("fletch_materialization_watermark_age_seconds{view=\"customer_stats\"}"),
          metrics);
      everything.append(metrics);
      for (String path :
          List.of(
              "/health",
              "/api/v1/serving/health",
              "/api/v1/projects/shop/jobs",
              "/api/v1/projects/shop")) {
        HttpResponse<String> r = get(client, base + path);
        everything.append(r.body());
      }
      HttpResponse<String> answer =
          client.send(
              HttpRequest.newBuilder(URI.create(base + "/api/v1/features/online"))
                  .header("content-type", "application/json")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"feature_service\": \"churn_model_v1\", \"entities\":"
                              + " {\"customer_id\": [1001]}}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(200, answer.statusCode(), answer.body());
      assertEquals("1", answer.headers().firstValue("X-Fletch-Registry-Version").orElse(null));
      everything.append(answer.body());
    } finally {
      // SIGTERM, as an operator stops it (Process.destroy() would also close the pipe that the
      // server's last lines go to).
      p.toHandle().destroy();
      p.waitFor(60, TimeUnit.SECONDS);
      if (p.isAlive()) {
        p.destroyForcibly();
      }
      pump.join(10_000);
      everything.append(out.toString(StandardCharsets.UTF_8));
    }
    String printed = out.toString(StandardCharsets.UTF_8);
    assertTrue(printed.contains("scheduled materialization of 'customer_stats'"), printed);
    assertTrue(printed.contains("stopped"), "exit " + p.exitValue() + ": " + printed);
  }

  private Run fletch(Path cwd, String... args) throws Exception {
    return fletch(cwd, Map.of(), args);
  }

  private Run fletch(Path cwd, Map<String, String> env, String... args) throws Exception {
    long start = System.nanoTime();
    Process p = command(cwd, env, args).start();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Thread pump = pump(p.getInputStream(), out);
    p.getOutputStream().close();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
    }
    pump.join(10_000);
    String text = out.toString(StandardCharsets.UTF_8);
    // (the command line itself carries the passwords: only its first word goes in)
    everything.append("$ fletch ").append(args[0]).append(" ...\n").append(text);
    return new Run(p.exitValue(), text, (System.nanoTime() - start) / 1_000_000);
  }

  /** The jar run as the ./fletch launcher does, stdout and stderr together, no FLETCH_ env. */
  private static ProcessBuilder command(Path cwd, Map<String, String> env, String... args) {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-opens=java.base/java.nio=ALL-UNNAMED",
                "-Xmx512m",
                "-jar",
                JAR.toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder b = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true);
    b.environment().keySet().removeIf(k -> k.startsWith("FLETCH_"));
    b.environment().putAll(env);
    return b;
  }

  private static Thread pump(InputStream in, ByteArrayOutputStream out) {
    Thread t =
        new Thread(
            () -> {
              try {
                in.transferTo(out);
              } catch (IOException ignored) {
                // the process ended
              }
            });
    t.setDaemon(true);
    t.start();
    return t;
  }

  private static HttpResponse<String> get(HttpClient client, String url) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
