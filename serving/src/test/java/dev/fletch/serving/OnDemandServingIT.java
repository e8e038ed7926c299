package dev.fletch.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fletch.core.InvalidRequestException;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.settings.Settings;
import dev.fletch.core.yaml.RepoLoader;
import dev.fletch.materializer.Materializer;
import dev.fletch.offline.DuckDbOfflineStore;
import dev.fletch.online.OnlineStore;
import dev.fletch.online.OnlineStores;
import dev.fletch.registry.Registry;
import dev.fletch.serving.client.FletchClient;
import dev.fletch.testkit.RedisServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
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
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * On-demand features end to end, on the embedded store and a real Redis: the same entity rows (with
 * their request fields) through historical retrieval and through gRPC and HTTP at the same instant
 * give equal values for every on-demand feature, including inputs that are stale (older than a
 * ttl), missing, windowed counts of no events, null request fields and chained on-demand views. A
 * missing request field and a value the expression cannot take are INVALID_ARGUMENT naming them.
 */
class OnDemandServingIT {
  @TempDir Path dir;

  private static final String REPO =
      """
      project: od
      entities:
        - name: customer
          join_keys: [{name: customer_id, type: INT64}]
      sources:
        - name: profiles
          type: parquet
          path: data/profiles.parquet
          timestamp_field: event_ts
        - name: tx
          type: parquet
          path: data/tx.parquet
          timestamp_field: event_ts
      feature_views:
        - name: profile
          entities: [customer]
          source: profiles
          ttl: 2h
          features:
            - {name: tier, type: STRING}
            - {name: credit_limit, type: DOUBLE}
            - {name: signup, type: TIMESTAMP}
        - name: activity
          entities: [customer]
          source: tx
          aggregations:
            - {function: count, windows: [24h], name: txn_count_24h}
            - {column: amount, function: avg, windows: [24h], name: avg_amount_24h}
      on_demand_feature_views:
        - name: risk
          request_fields:
            - {name: amount, type: DOUBLE}
            - {name: channel, type: STRING}
            - {name: requested_at, type: TIMESTAMP}
            - {name: items, type: INT64}
          views: [profile, activity]
          features:
            - {name: vs_avg, type: DOUBLE, expression: "amount / nullif(activity.avg_amount_24h, 0)"}
            - {name: over_limit, type: BOOL, expression: "amount > profile.credit_limit"}
            - {name: label, type: STRING, expression: "coalesce(profile.tier, 'none') || ':' || upper(trim(channel))"}
            - {name: hour, type: INT32, expression: "hour(requested_at)"}
            - {name: days_member, type: INT64, expression: "date_diff('day', profile.signup, requested_at)"}
            - {name: per_item, type: DOUBLE, expression: "round(amount / items, 2)"}
            - {name: busy, type: BOOL, expression: "activity.txn_count_24h + items >= 5"}
            - {name: band, type: STRING, expression: "CASE WHEN amount >= 100 THEN 'high' WHEN amount IS NULL THEN 'unknown' ELSE 'low' END"}
        - name: strict
          request_fields: [{name: items, type: INT64}]
          features:
            - {name: big, type: INT64, expression: "items * 4611686018427387904"}
        - name: risk2
          views: [risk]
          features:
            - {name: vs_avg_pct, type: INT64, expression: "CAST(round(risk.vs_avg * 100) AS BIGINT)"}
      """;

  @ParameterizedTest
  @ValueSource(strings = {"embedded", "redis"})
  void servedEqualsHistoricalAtTheSameInstant(String kind) throws Exception {
    Instant end = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofMinutes(5));
    Files.createDirectories(dir.resolve("data"));
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement()) {
      st.execute("SET TimeZone = 'UTC'");
      String t = "TIMESTAMP '" + end.toString().replace("T", " ").replace("Z", "") + "'";
      // Customers 1-3 have a fresh profile, 4 a stale one (older than the 2h ttl), 5 none.
      st.execute(
          "COPY (SELECT * FROM (VALUES"
              + " (1, "
              + t
              + " - INTERVAL 1 HOUR, 'gold', 100.0, TIMESTAMP '2024-02-29 12:00:00'),"
              + " (2, "
              + t
              + " - INTERVAL 10 MINUTE, 'silver', 5000.0, TIMESTAMP '2020-01-01 00:00:00'),"
              + " (3, "
              + t
              + ", NULL, NULL, NULL),"
              + " (4, "
              + t
              + " - INTERVAL 3 HOUR, 'gold', 1.0, TIMESTAMP '2025-06-30 23:59:59'))"
              + " AS p(customer_id, event_ts, tier, credit_limit, signup)) TO '"
              + dir.resolve("data/profiles.parquet")
              + "' (FORMAT parquet)");
      // Activity: customer 1 several payments, 2 one of 0.0 (average 0: nullif), others none.
      st.execute(
          "COPY (SELECT * FROM (VALUES"
              + " (1, "
              + t
              + " - INTERVAL 2 HOUR, 40.0), (1, "
              + t
              + " - INTERVAL 1 HOUR, 80.0), (1, "
              + t
              + " - INTERVAL 30 HOUR, 1000.0), (2, "
              + t
              + " - INTERVAL 5 HOUR, 0.0))"
              + " AS x(customer_id, event_ts, amount)) TO '"
              + dir.resolve("data/tx.parquet")
              + "' (FORMAT parquet)");
    }
    Files.writeString(dir.resolve("repo.yaml"), REPO);
    FeatureRepo repo = RepoLoader.load(dir);
    RedisServer redis = kind.equals("redis") ? RedisServer.dedicated() : null;
    Settings defaults = Settings.defaults(dir);
    Settings settings =
        new Settings(
            "jdbc:sqlite:" + dir.resolve("registry.db"),
            redis == null ? defaults.onlineStore() : Settings.ONLINE_REDIS,
            redis == null ? defaults.redisUrl() : redis.url(),
            redis == null ? defaults.embeddedOnlinePath() : null,
            "127.0.0.1",
            0,
            0,
            1000,
            Duration.ofSeconds(2));
    try (Registry registry = Registry.open(settings.registryUrl());
        OnlineStore online = OnlineStores.open(settings);
        DuckDbOfflineStore offline = new DuckDbOfflineStore();
        BufferAllocator allocator = new RootAllocator()) {
      registry.apply(repo, 0, false, "it");
      FeatureRepo applied = registry.load("od").withRoot(dir);
      new Materializer(offline, online, registry.jobHistory())
          .materialize(applied, Instant.parse("2000-01-01T00:00:00Z"), end, List.of(), null);

      Map<String, List<Object>> entities = new LinkedHashMap<>();
      entities.put("customer_id", List.of(1L, 2L, 3L, 4L, 5L, 1L));
      entities.put("amount", Arrays.asList(150.0, 0.5, 12.0, 3.0, 99.99, null));
      entities.put("channel", Arrays.asList(" web ", "app", null, "Web", "pos", "ünï"));
      entities.put(
          "requested_at",
          List.of(
              "2026-03-01T23:30:00Z",
              "2026-03-01T00:00:00+02:00",
              "2024-02-29T12:00:00Z",
              "2026-12-31T23:59:59.999999Z",
              "1999-12-31T23:00:00-05:00",
              "2026-01-01T00:00:00Z"));
      entities.put("items", Arrays.asList(3L, 1L, 7L, null, 2L, 4L));
      List<String> features = List.of("risk:*", "risk2:vs_avg_pct");
      try (FletchServer server =
              FletchServer.builder()
                  .httpPort(FletchServer.EPHEMERAL)
                  .grpcPort(FletchServer.EPHEMERAL)
                  .definitions(registry)
                  .project("od")
                  .onlineStore(online)
                  .offlineStore(offline)
                  .repoRoot(dir)
                  .start();
          FletchClient client =
              FletchClient.builder()
                  .target("127.0.0.1", server.grpcPort())
                  .deadline(Duration.ofSeconds(5))
                  .build()) {
        OnlineResult grpc = client.getFeatures(features, entities);
        Instant asOf = Instant.now();
        int n = entities.get("customer_id").size();
        Map<String, List<Object>> historical =
            OnlineVsHistorical.historical(
                offline,
                applied,
                OnlineVsHistorical.request(
                    OnlineVsHistorical.rows(entities, n, asOf), features, null),
                allocator);
        for (OnlineResult.Column c : grpc.columns()) {
          List<Object> want = OnlineVsHistorical.normaliseAll(historical.get(c.name()));
          List<Object> got = new ArrayList<>();
          for (int r = 0; r < n; r++) {
            Object v = OnlineVsHistorical.normalise(c.values().get(r));
            got.add(v);
            assertEquals(
                v == null ? ValueStatus.NULL_VALUE : ValueStatus.PRESENT,
                c.statuses().get(r),
                c.name() + " row " + r);
          }
          assertEquals(want, got, c.name());
        }
        // Spot checks of what the rules mean, beyond "equal to DuckDB".
        assertEquals(2.5, grpc.value("vs_avg", 0), "150 / avg(40, 80)");
        assertEquals(null, grpc.value("vs_avg", 1), "an average of 0 divides by NULL");
        assertEquals(true, grpc.value("over_limit", 3) == null, "profile 4 is stale: NULL in");
        assertEquals("gold:WEB", grpc.value("label", 0));
        assertEquals("none:POS", grpc.value("label", 4));
        assertEquals(true, grpc.value("busy", 0), "2 events in 24h + 3 items");
        assertEquals(false, grpc.value("busy", 1), "1 event + 1 item");
        assertEquals(250L, grpc.value("vs_avg_pct", 0));

        JsonObject body =
            new JsonObject()
                .put("features", new JsonArray(features))
                .put("entities", new JsonObject((Map) entities));
        HttpResponse<String> twin = post(server, body);
        assertEquals(200, twin.statusCode(), twin.body());
        assertEquals(JsonMapping.toJson(grpc), new JsonObject(twin.body()));

        // A missing request field is named, on both transports.
        Map<String, List<Object>> noChannel = new LinkedHashMap<>(entities);
        noChannel.remove("channel");
        InvalidRequestException missing =
            assertThrows(
                InvalidRequestException.class,
                () -> client.getFeatures(List.of("risk:label"), noChannel));
        assertTrue(
            missing.getMessage().contains("missing request field 'channel'"), missing.getMessage());
        HttpResponse<String> missingHttp =
            post(
                server,
                new JsonObject()
                    .put("features", new JsonArray(List.of("risk:label")))
                    .put("entities", new JsonObject((Map) noChannel)));
        assertEquals(400, missingHttp.statusCode());
        assertTrue(missingHttp.body().contains("missing request field 'channel'"));
        // A value of another type is named with its row.
        Map<String, List<Object>> badAmount = new LinkedHashMap<>(entities);
        badAmount.put("amount", List.of(1.0, "lots", 1.0, 1.0, 1.0, 1.0));
        InvalidRequestException wrong =
            assertThrows(
                InvalidRequestException.class,
                () -> client.getFeatures(List.of("risk:vs_avg"), badAmount));
        assertTrue(
            wrong.getMessage().contains("row 1, column 'amount' (DOUBLE)"), wrong.getMessage());
        // A row the expression cannot be computed for (DuckDB fails the same query offline).
        InvalidRequestException overflow =
            assertThrows(
                InvalidRequestException.class,
                () ->
                    client.getFeatures(
                        List.of("strict:big"),
                        Map.of("customer_id", List.of(1L, 2L), "items", List.of(1L, 3L))));
        assertTrue(
            overflow
                    .getMessage()
                    .contains(
                        "on-demand feature strict:big cannot be computed for" + " entity row 1")
                && overflow.getMessage().contains("Overflow"),
            overflow.getMessage());
      }
    } finally {
      if (redis != null) {
        redis.close();
      }
    }
  }

  private static HttpResponse<String> post(FletchServer server, JsonObject body) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.httpPort() + "/api/v1/features/online"))
                .POST(HttpRequest.BodyPublishers.ofString(body.encode()))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }
}
