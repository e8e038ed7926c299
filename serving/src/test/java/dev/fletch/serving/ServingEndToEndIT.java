package dev.fletch.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.model.FeatureService;
import dev.fletch.core.settings.Settings;
import dev.fletch.core.yaml.RepoLoader;
import dev.fletch.materializer.Materializer;
import dev.fletch.offline.DuckDbOfflineStore;
import dev.fletch.offline.EntitySet;
import dev.fletch.offline.HistoricalRequest;
import dev.fletch.offline.OfflineStore;
import dev.fletch.online.OnlineStore;
import dev.fletch.online.OnlineStores;
import dev.fletch.registry.Registry;
import dev.fletch.serving.client.FletchClient;
import dev.fletch.testkit.RedisServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * From YAML to answers: apply to a SQLite registry, materialize into Redis, serve, and check that
 * GetFeatures (gRPC and HTTP) equals a historical retrieval at the same instant, also through the
 * HTTP Arrow endpoint; then apply a new definition and see it served without a restart.
 */
class ServingEndToEndIT {
  private static final int CUSTOMERS = 30;

  @TempDir Path repoDir;

  @Test
  void onlineEqualsHistoricalAtNowAndNewDefinitionsAreServed() throws Exception {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    writeRepo(now);
    FeatureRepo defs = RepoLoader.load(repoDir);
    String project = "e2e_" + UUID.randomUUID().toString().substring(0, 8);
    defs =
        new FeatureRepo(
            project,
            defs.entities(),
            defs.sources(),
            defs.featureViews(),
            defs.featureServices(),
            defs.root());
    RedisServer redis = RedisServer.shared();
    Settings settings =
        new Settings(
            "jdbc:sqlite:" + repoDir.resolve("registry.db"),
            Settings.ONLINE_REDIS,
            redis.url(),
            null,
            "127.0.0.1",
            0,
            0,
            1000,
            Duration.ofMillis(200));
    try (Registry registry = Registry.open(settings.registryUrl());
        OnlineStore online = OnlineStores.open(settings);
        OfflineStore offline = new DuckDbOfflineStore();
        BufferAllocator allocator = new RootAllocator()) {
      registry.apply(defs, 0, false, "e2e");
      FeatureRepo applied = registry.load(project).withRoot(repoDir);
      new Materializer(offline, online, registry.jobHistory())
          .materialize(applied, now.minus(Duration.ofDays(30)), now, List.of(), null);

      try (FletchServer server =
              FletchServer.builder()
                  .settings(settings)
                  .httpPort(FletchServer.EPHEMERAL)
                  .grpcPort(FletchServer.EPHEMERAL)
                  .definitions(registry)
                  .project(project)
                  .onlineStore(online)
                  .offlineStore(offline)
                  .repoRoot(repoDir)
                  .start();
          FletchClient client =
              FletchClient.builder()
                  .target("127.0.0.1", server.grpcPort())
                  .deadline(Duration.ofSeconds(5))
                  .build()) {
        List<Object> ids = new ArrayList<>();
        for (long id = 1; id <= CUSTOMERS + 2; id++) {
          ids.add(id); // the last two have no rows at all
        }
        List<String> refs = List.of("profile:*", "activity:*");
        OnlineResult grpc = client.getFeatures(refs, Map.of("customer_id", ids));
        Instant asOf = Instant.now();

        // Historical retrieval at (about) the same instant; nothing in the data is near a ttl edge.
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Object id : ids) {
          Map<String, Object> row = new LinkedHashMap<>();
          row.put("customer_id", id);
          row.put("event_timestamp", asOf.toString());
          rows.add(row);
        }
        Map<String, List<Object>> historical = new HashMap<>();
        offline.historicalToArrow(
            applied,
            new HistoricalRequest(
                new EntitySet.FromRows(rows), refs, null, null, false, null, null),
            allocator,
            reader -> OnlineVsHistorical.collect(reader, historical));

        int present = 0;
        int stale = 0;
        int nulls = 0;
        int missing = 0;
        for (OnlineResult.Column c : grpc.columns()) {
          List<Object> expected = historical.get(c.name());
          assertNotNull(expected, "historical has column " + c.name());
          for (int r = 0; r < grpc.entityRows(); r++) {
            ValueStatus s = c.statuses().get(r);
            Object online0 = c.values().get(r);
            switch (s) {
              case PRESENT -> {
                present++;
                assertEquals(
                    OnlineVsHistorical.normalise(expected.get(r)),
                    OnlineVsHistorical.normalise(online0),
                    c.name() + " row " + r);
              }
              case NULL_VALUE -> {
                nulls++;
                assertEquals(null, expected.get(r), c.name() + " row " + r);
              }
              case OUTSIDE_MAX_AGE -> {
                stale++;
                assertEquals(
                    null,
                    expected.get(r),
                    "historical drops rows past the ttl: " + c.name() + " row " + r);
              }
              case NOT_FOUND -> {
                missing++;
                assertEquals(null, expected.get(r), c.name() + " row " + r);
              }
            }
          }
        }
        assertTrue(
            present > 0 && stale > 0 && nulls > 0 && missing > 0,
            "every status occurs: present="
                + present
                + " stale="
                + stale
                + " null="
                + nulls
                + " missing="
                + missing);

        // The HTTP twin answers the same.
        HttpClient http = HttpClient.newHttpClient();
        JsonObject body =
            new JsonObject()
                .put("features", new JsonArray(refs))
                .put("entities", new JsonObject().put("customer_id", new JsonArray(ids)));
        HttpResponse<String> twin = post(http, server, "/api/v1/features/online", body.encode());
        assertEquals(200, twin.statusCode(), twin.body());
        assertEquals(JsonMapping.toJson(grpc), new JsonObject(twin.body()));

        // Historical retrieval over HTTP as an Arrow stream equals the in-process one.
        JsonArray entityRows = new JsonArray();
        rows.forEach(m -> entityRows.add(new JsonObject(m)));
        HttpResponse<InputStream> arrow =
            http.send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.httpPort() + "/api/v1/historical"))
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            new JsonObject()
                                .put("entities", entityRows)
                                .put("features", new JsonArray(refs))
                                .encode()))
                    .build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, arrow.statusCode());
        assertEquals(HttpApi.ARROW_STREAM, arrow.headers().firstValue("content-type").orElse(""));
        Map<String, List<Object>> overHttp = new HashMap<>();
        try (InputStream in = arrow.body();
            ArrowStreamReader reader = new ArrowStreamReader(in, allocator)) {
          OnlineVsHistorical.collect(reader, overHttp);
        }
        for (String name : grpc.featureNames()) {
          assertEquals(
              OnlineVsHistorical.normaliseAll(historical.get(name)),
              OnlineVsHistorical.normaliseAll(overHttp.get(name)),
              name);
        }
        HttpResponse<String> badHistorical =
            post(
                http,
                server,
                "/api/v1/historical",
                new JsonObject()
                    .put("entities", entityRows)
                    .put("features", new JsonArray().add("nope:*"))
                    .encode());
        assertEquals(404, badHistorical.statusCode(), badHistorical.body());

        // A newly applied definition is served within seconds, without a restart.
        FeatureRepo next =
            new FeatureRepo(
                project,
                applied.entities(),
                applied.sources(),
                applied.featureViews(),
                List.of(new FeatureService("churn_v2", List.of("profile:age"), null, null, null)),
                null);
        registry.apply(next, 1, false, "e2e");
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        OnlineResult viaService = null;
        while (viaService == null && System.nanoTime() < until) {
          try {
            viaService = client.getServiceFeatures("churn_v2", Map.of("customer_id", List.of(1L)));
          } catch (dev.fletch.core.NotFoundException notYet) {
            Thread.sleep(50);
          }
        }
        assertNotNull(viaService, "the new feature service is served");
        assertEquals(grpc.value("age", 0), viaService.value("age", 0));
      }
    }
  }

  private static HttpResponse<String> post(
      HttpClient http, FletchServer server, String path, String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + path))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /**
   * Customers 1..30. profile (ttl 0): age and country, with a later correction for some and a null
   * country for every fifth. activity (ttl 2d): recent rows for even ids, only week-old rows for
   * odd ids (so those are OUTSIDE_MAX_AGE online and null historically); every seventh has no
   * activity.
   */
  private void writeRepo(Instant now) throws Exception {
    Files.createDirectories(repoDir.resolve("data"));
    try (Connection duck = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = duck.createStatement()) {
      String ts = "TIMESTAMPTZ '" + now + "'";
      st.execute(
          "COPY (SELECT i::BIGINT AS customer_id, (20 + i + k)::INTEGER AS age,"
              + " CASE WHEN i % 5 = 0 THEN NULL ELSE 'C' || (i % 3) END AS country,"
              + " "
              + ts
              + " - INTERVAL (10 - k) DAY AS event_ts"
              + " FROM range(1, "
              + (CUSTOMERS + 1)
              + ") r(i), range(0, 2) q(k) WHERE k = 0 OR i % 2 = 0)"
              + " TO '"
              + repoDir.resolve("data/profile.parquet")
              + "' (FORMAT PARQUET)");
      st.execute(
          "COPY (SELECT i::BIGINT AS customer_id, (i * 10 + h)::BIGINT AS txn_count,"
              + " CASE WHEN i % 4 = 0 THEN NULL ELSE i * 1.5 + h END AS amount,"
              + " CASE WHEN i % 2 = 0 THEN "
              + ts
              + " - INTERVAL (3 + h) HOUR ELSE "
              + ts
              + " - INTERVAL (7 + h) DAY END AS event_ts"
              + " FROM range(1, "
              + (CUSTOMERS + 1)
              + ") r(i), range(0, 3) q(h) WHERE i % 7 <> 0)"
              + " TO '"
              + repoDir.resolve("data/activity.parquet")
              + "' (FORMAT PARQUET)");
    }
    Files.writeString(
        repoDir.resolve("repo.yaml"),
        """
        project: e2e
        entities:
          - name: customer
            join_keys: [{name: customer_id, type: INT64}]
        sources:
          - {name: profiles, type: parquet, path: data/profile.parquet, timestamp_field: event_ts}
          - {name: activities, type: parquet, path: data/activity.parquet, timestamp_field: event_ts}
        feature_views:
          - name: profile
            entities: [customer]
            source: profiles
            ttl: 0
            features:
              - {name: age, type: INT32}
              - {name: country, type: STRING}
          - name: activity
            entities: [customer]
            source: activities
            ttl: 2d
            features:
              - {name: txn_count, type: INT64}
              - {name: amount, type: DOUBLE}
        """);
  }
}
