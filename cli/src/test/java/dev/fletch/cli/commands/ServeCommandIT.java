package dev.fletch.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fletch.cli.Fletch;
import dev.fletch.core.AccessDeniedException;
import dev.fletch.core.model.EntityKey;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.model.FeatureRow;
import dev.fletch.core.settings.Settings;
import dev.fletch.core.yaml.RepoLoader;
import dev.fletch.online.OnlineStore;
import dev.fletch.online.OnlineStores;
import dev.fletch.registry.Registry;
import dev.fletch.serving.FletchServer;
import dev.fletch.serving.OnlineResult;
import dev.fletch.serving.ValueStatus;
import dev.fletch.serving.client.FletchClient;
import dev.fletch.testkit.TestCertificates;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * `fletch serve` on a repository with the embedded stores: listens, serves, mounts the registry,
 * stops.
 */
class ServeCommandIT {
  @TempDir Path repo;

  /** A `fletch serve` run on a thread of its own, with what it printed. */
  private static final class Served {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();
    final CommandLine cli =
        Fletch.commandLine(
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    final ServeCommand serve = cli.getSubcommands().get("serve").getCommand();
    final AtomicInteger exit = new AtomicInteger(-1);
    Thread running;

    /** Runs a command that ends by itself (a usage error, say); returns its exit code. */
    int run(String... args) {
      out.reset();
      err.reset();
      return cli.execute(args);
    }

    /** Starts `fletch serve` with these arguments and waits until it listens. */
    Served start(String... args) throws InterruptedException {
      running = new Thread(() -> exit.set(cli.execute(args)));
      running.start();
      long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (serve.server() == null && running.isAlive() && System.nanoTime() < until) {
        Thread.sleep(20);
      }
      assertNotNull(serve.server(), "serve started; stderr: " + errors());
      return this;
    }

    /** Stops it as Ctrl-C would; returns its exit code. */
    int stop() throws InterruptedException {
      serve.requestStop();
      running.join(30_000);
      return exit.get();
    }

    String printed() {
      return out.toString(StandardCharsets.UTF_8);
    }

    String errors() {
      return err.toString(StandardCharsets.UTF_8);
    }
  }

  @Test
  void servesAppliedDefinitionsOverGrpcAndHttpAndStopsCleanly() throws Exception {
    applyDemoRepo();
    int httpPort = FletchServer.freePort();
    int grpcPort = FletchServer.freePort();
    Served served =
        new Served()
            .start(
                "serve",
                "--repo",
                repo.toString(),
                "--http-port",
                String.valueOf(httpPort),
                "--grpc-port",
                String.valueOf(grpcPort),
                "--no-schedule");
    try (FletchClient client =
        FletchClient.builder()
            .target("127.0.0.1", grpcPort)
            .deadline(Duration.ofSeconds(5))
            .build()) {
      OnlineResult r =
          client.getFeatures(List.of("profile:age"), Map.of("customer_id", List.of(7L, 8L)));
      assertEquals(42, r.value("age", 0));
      assertEquals(ValueStatus.NOT_FOUND, r.status("age", 1));
    }
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> projects =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/api/v1/projects"))
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, projects.statusCode(), projects.body());
    assertTrue(projects.body().contains("demo"), projects.body());
    HttpResponse<String> online =
        http.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + httpPort + "/api/v1/features/online"))
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"features\":[\"profile:age\"],\"entities\":{\"customer_id\":[7]}}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, online.statusCode(), online.body());
    assertTrue(online.body().contains("\"values\":[42]"), online.body());
    // without --api-keys the admin API is closed: an apply (under any spelling) changes nothing
    for (String path : List.of("/apply", "/apply/", "/apply/.")) {
      HttpResponse<String> apply =
          http.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + httpPort + "/api/v1/projects/demo" + path))
                  .header("content-type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString("{\"expected_version\": 1}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(403, apply.statusCode(), path + ": " + apply.body());
      assertTrue(apply.body().contains("--api-keys"), apply.body());
    }

    assertEquals(0, served.stop(), "stderr: " + served.errors());
    assertNull(served.serve.server());
    String printed = served.printed();
    assertTrue(printed.contains("Serving project 'demo' at registry version 1"), printed);
    assertTrue(printed.contains("http://127.0.0.1:" + httpPort), printed);
    assertTrue(printed.contains("gRPC  127.0.0.1:" + grpcPort), printed);
    assertTrue(printed.contains("grpcurl -plaintext"), printed);
    assertTrue(printed.contains("Warm-up: 10 s of calls to itself"), printed);
    assertTrue(printed.contains("\"profile:*\""), printed);
    assertTrue(printed.contains("Writes (apply): closed without --api-keys"), printed);
  }

  @Test
  void servesMutualTlsWithCertificatesFromTheCommandLine() throws Exception {
    applyDemoRepo();
    TestCertificates.Pair cert = TestCertificates.create(repo.resolve("tls"), "server");
    TestCertificates.Pair clientCert = TestCertificates.create(repo.resolve("tls"), "client");
    int grpcPort = FletchServer.freePort();
    Served served =
        new Served()
            .start(
                "serve",
                "--repo",
                repo.toString(),
                "--no-http",
                "--grpc-port",
                String.valueOf(grpcPort),
                "--tls-cert",
                cert.certificate().toString(),
                "--tls-key",
                cert.privateKey().toString(),
                "--tls-client-ca",
                clientCert.certificate().toString(),
                "--no-schedule");
    try (FletchClient client =
        FletchClient.builder()
            .target("localhost", grpcPort)
            .trustCertificates(cert.certificate())
            .clientCertificate(clientCert.certificate(), clientCert.privateKey())
            .deadline(Duration.ofSeconds(5))
            .build()) {
      assertEquals(
          42,
          client
              .getFeatures(List.of("profile:age"), Map.of("customer_id", List.of(7L)))
              .value("age", 0));
    }
    assertEquals(0, served.stop(), "stderr: " + served.errors());
    String printed = served.printed();
    assertTrue(
        printed.contains("gRPC  127.0.0.1:" + grpcPort + "   TLS, client certificates"), printed);
    assertTrue(
        printed.contains(
            "grpcurl -cacert " + cert.certificate() + " -cert CLIENT_CERT.pem -key CLIENT_KEY.pem"),
        printed);
  }

  @Test
  void stoppingWithADrainReportsNotServingFirstAndStillAnswers() throws Exception {
    applyDemoRepo();
    int httpPort = FletchServer.freePort();
    int grpcPort = FletchServer.freePort();
    Served served =
        new Served()
            .start(
                "serve",
                "--repo",
                repo.toString(),
                "--http-port",
                String.valueOf(httpPort),
                "--grpc-port",
                String.valueOf(grpcPort),
                "--no-schedule",
                "--warm-up",
                "0",
                "--drain",
                "2",
                "--max-connection-age",
                "30");
    HttpClient http = HttpClient.newHttpClient();
    URI health = URI.create("http://127.0.0.1:" + httpPort + "/api/v1/serving/health");
    assertEquals(
        200,
        http.send(
                HttpRequest.newBuilder(health).GET().build(), HttpResponse.BodyHandlers.ofString())
            .statusCode());
    long stopAsked = System.nanoTime();
    Thread stopper =
        new Thread(
            () -> {
              try {
                served.stop();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    stopper.start();
    HttpResponse<String> draining =
        http.send(
            HttpRequest.newBuilder(health).GET().build(), HttpResponse.BodyHandlers.ofString());
    while (draining.statusCode() == 200
        && System.nanoTime() - stopAsked < Duration.ofSeconds(2).toNanos()) {
      Thread.sleep(20);
      draining =
          http.send(
              HttpRequest.newBuilder(health).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
    assertEquals(503, draining.statusCode(), draining.body());
    try (FletchClient client =
        FletchClient.builder()
            .target("127.0.0.1", grpcPort)
            .deadline(Duration.ofSeconds(5))
            .build()) {
      assertEquals(
          42,
          client
              .getFeatures(List.of("profile:age"), Map.of("customer_id", List.of(7L)))
              .value("age", 0),
          "answers while draining");
    }
    stopper.join(30_000);
    assertEquals(0, served.exit.get(), "stderr: " + served.errors());
    assertTrue(
        System.nanoTime() - stopAsked >= Duration.ofSeconds(2).toNanos(), "waited out the drain");
    assertTrue(served.errors().contains("draining for 2 s"), served.errors());
  }

  @Test
  void apiKeysFromTheCommandLineGuardTheServingCalls() throws Exception {
    applyDemoRepo();
    Path keys = repo.resolve("keys.txt");
    Files.writeString(keys, "read serving-client-key-0123456789\n");
    int grpcPort = FletchServer.freePort();
    Served served =
        new Served()
            .start(
                "serve",
                "--repo",
                repo.toString(),
                "--no-http",
                "--grpc-port",
                String.valueOf(grpcPort),
                "--no-schedule",
                "--warm-up",
                "0",
                "--api-keys",
                keys.toString());
    FletchClient.Builder client =
        FletchClient.builder().target("127.0.0.1", grpcPort).deadline(Duration.ofSeconds(5));
    try (FletchClient without = client.build()) {
      assertThrows(
          AccessDeniedException.class,
          () -> without.getFeatures(List.of("profile:age"), Map.of("customer_id", List.of(7L))));
    }
    try (FletchClient with = client.apiKey("serving-client-key-0123456789").build()) {
      assertEquals(
          42,
          with.getFeatures(List.of("profile:age"), Map.of("customer_id", List.of(7L)))
              .value("age", 0));
    }
    assertEquals(0, served.stop(), "stderr: " + served.errors());
    assertTrue(served.printed().contains("API keys: from " + keys), served.printed());
    assertTrue(
        served.printed().contains("grpcurl -H \"authorization: Bearer $FLETCH_API_KEY\""),
        served.printed());

    Files.writeString(keys, "read tooshort\n");
    Served bad = new Served();
    int exit = bad.run("serve", "--repo", repo.toString(), "--api-keys", keys.toString());
    assertTrue(exit != 0, "exit " + exit);
    String message = bad.errors().strip();
    assertTrue(message.contains("API keys file " + keys + " line 1"), message);
    assertEquals(1, message.lines().count(), message);
  }

  @Test
  void aKeyWithoutACertificateOrAnUnusableKeyIsAOneLineErrorBeforeAnythingStarts()
      throws Exception {
    applyDemoRepo();
    TestCertificates.Pair cert = TestCertificates.create(repo.resolve("tls"), "server");
    Served cli = new Served();
    String dir = repo.toString();
    assertEquals(2, cli.run("serve", "--repo", dir, "--tls-key", cert.privateKey().toString()));
    assertTrue(cli.errors().contains("--tls-key needs --tls-cert"), cli.errors());
    assertEquals(
        2, cli.run("serve", "--repo", dir, "--tls-client-ca", cert.certificate().toString()));
    assertTrue(cli.errors().contains("--tls-client-ca needs --tls-cert"), cli.errors());
    assertEquals(2, cli.run("serve", "--repo", dir, "--tls-reload", "-1"));
    assertTrue(cli.errors().contains("--tls-reload must be 0 or more seconds"), cli.errors());
    assertEquals(2, cli.run("serve", "--repo", dir, "--drain", "-1"));
    assertTrue(cli.errors().contains("--drain must be 0 or more seconds"), cli.errors());
    assertEquals(2, cli.run("serve", "--repo", dir, "--warm-up", "-1"));
    assertTrue(cli.errors().contains("--warm-up must be 0 or more seconds"), cli.errors());
    assertEquals(2, cli.run("serve", "--repo", dir, "--max-connection-age", "-5"));
    assertTrue(cli.errors().contains("--max-connection-age must be 0"), cli.errors());
    assertEquals(2, cli.run("serve", "--repo", dir, "--max-connections", "-1"));
    assertTrue(cli.errors().contains("--max-connections must be 0 (no cap)"), cli.errors());

    String certificate = cert.certificate().toString();
    int bad = cli.run("serve", "--repo", dir, "--tls-cert", certificate, "--tls-key", certificate);
    assertTrue(bad != 0, "exit " + bad);
    String message = cli.errors().strip();
    assertTrue(message.contains("TLS key " + certificate), message);
    assertEquals(1, message.lines().count(), message);
  }

  private void applyDemoRepo() throws Exception {
    Files.writeString(
        repo.resolve("repo.yaml"),
        """
        project: demo
        entities:
          - name: customer
            join_keys: [{name: customer_id, type: INT64}]
        sources:
          - name: profiles
            type: parquet
            path: data/profiles.parquet
            timestamp_field: event_ts
        feature_views:
          - name: profile
            entities: [customer]
            source: profiles
            ttl: 0
            features:
              - {name: age, type: INT32}
        """);
    Files.createDirectories(repo.resolve("data"));
    try (java.sql.Connection duck = java.sql.DriverManager.getConnection("jdbc:duckdb:");
        java.sql.Statement st = duck.createStatement()) {
      st.execute(
          "COPY (SELECT 7::BIGINT AS customer_id, 42::INTEGER AS age, TIMESTAMPTZ '2026-01-01 00:00:00+00' AS event_ts) TO '"
              + repo.resolve("data/profiles.parquet").toString().replace("'", "''")
              + "' (FORMAT PARQUET)");
    }
    FeatureRepo defs = RepoLoader.load(repo);
    Settings settings = Settings.defaults(repo);
    Files.createDirectories(repo.resolve(".fletch"));
    try (Registry registry = Registry.open(settings.registryUrl())) {
      registry.apply(defs, 0, false, "test");
    }
    Instant t = Instant.now().minusSeconds(60).truncatedTo(ChronoUnit.MILLIS);
    try (OnlineStore store = OnlineStores.open(settings)) {
      store
          .write(
              "demo",
              defs.view("profile"),
              List.of(new FeatureRow(EntityKey.of("customer_id", 7L), t, List.of(42))))
          .join();
    }
  }
}
