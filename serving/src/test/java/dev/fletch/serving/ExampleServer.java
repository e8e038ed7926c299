package dev.fletch.serving;

import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.settings.Settings;
import dev.fletch.core.yaml.RepoLoader;
import dev.fletch.examples.PaymentsDataGenerator;
import dev.fletch.examples.PaymentsExample;
import dev.fletch.materializer.Materializer;
import dev.fletch.offline.DuckDbOfflineStore;
import dev.fletch.online.OnlineStore;
import dev.fletch.online.OnlineStores;
import dev.fletch.registry.Registry;
import dev.fletch.registry.http.RegistryRoutes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * The payments example as a user runs it: data generated to end an hour ago, applied to a SQLite
 * registry, materialized into the embedded online store, served over gRPC and HTTP with the
 * registry API mounted and historical retrieval on DuckDB, on free ports. Without API keys, as
 * {@code fletch serve} starts by default (reads open, writes refused).
 */
final class ExampleServer implements AutoCloseable {
  final Path dir;
  final Registry registry;
  final OnlineStore online;
  final DuckDbOfflineStore offline;
  final FeatureRepo applied;
  final FletchServer server;
  private final HttpClient http = HttpClient.newHttpClient();

  private ExampleServer(
      Path dir,
      Registry registry,
      OnlineStore online,
      DuckDbOfflineStore offline,
      FeatureRepo applied,
      FletchServer server) {
    this.dir = dir;
    this.registry = registry;
    this.online = online;
    this.offline = offline;
    this.applied = applied;
    this.server = server;
  }

  static ExampleServer start(Path dir) {
    Instant end = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofHours(1));
    PaymentsExample.create(dir, PaymentsDataGenerator.Options.defaults().withEnd(end));
    Settings settings = Settings.defaults(dir);
    Registry registry = Registry.open(settings.registryUrl());
    OnlineStore online = OnlineStores.open(settings);
    DuckDbOfflineStore offline = new DuckDbOfflineStore();
    try {
      registry.apply(RepoLoader.load(dir), 0, false, "it");
      FeatureRepo applied = registry.load(PaymentsExample.PROJECT).withRoot(dir);
      new Materializer(offline, online, registry.jobHistory())
          .materialize(applied, Instant.parse("2000-01-01T00:00:00Z"), end, List.of(), null);
      FletchServer server =
          FletchServer.builder()
              .httpPort(FletchServer.EPHEMERAL)
              .grpcPort(FletchServer.EPHEMERAL)
              .definitions(registry)
              .project(PaymentsExample.PROJECT)
              .onlineStore(online)
              .offlineStore(offline)
              .repoRoot(dir)
              .addRoutes(router -> RegistryRoutes.mount(router, registry))
              .start();
      return new ExampleServer(dir, registry, online, offline, applied, server);
    } catch (RuntimeException e) {
      offline.close();
      online.close();
      registry.close();
      throw e;
    }
  }

  String url(String path) {
    return "http://127.0.0.1:" + server.httpPort() + path;
  }

  HttpResponse<String> send(String method, String path, String contentType, String body)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url(path)))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) {
      b.header("content-type", contentType);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> post(String path, String json) throws Exception {
    return send("POST", path, "application/json", json);
  }

  HttpResponse<byte[]> postForBytes(String path, String json) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url(path)))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  HttpResponse<String> get(String path) throws Exception {
    return send("GET", path, null, null);
  }

  @Override
  public void close() {
    server.close();
    offline.close();
    online.close();
    registry.close();
  }
}
