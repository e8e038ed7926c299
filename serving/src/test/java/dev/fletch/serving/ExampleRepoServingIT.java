package dev.fletch.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.settings.Settings;
import dev.fletch.core.yaml.RepoLoader;
import dev.fletch.examples.PaymentsDataGenerator;
import dev.fletch.examples.PaymentsExample;
import dev.fletch.materializer.Materializer;
import dev.fletch.offline.DuckDbOfflineStore;
import dev.fletch.offline.OfflineStore;
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
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example repository end to end: generate its data ending now, apply, materialize every online
 * view into Redis, serve, and check the fraud model's feature service for real entity pairs (and
 * one that does not exist) against a historical retrieval at the same instant, over gRPC and HTTP.
 */
class ExampleRepoServingIT {
  @TempDir Path dir;

  @Test
  void exampleServiceOnlineEqualsHistoricalAtNow() throws Exception {
    Instant end = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofHours(1));
    PaymentsExample.create(dir, PaymentsDataGenerator.Options.defaults().withEnd(end));
    FeatureRepo repo = RepoLoader.load(dir);
    try (RedisServer redis = RedisServer.dedicated()) {
      Settings settings =
          new Settings(
              "jdbc:sqlite:" + dir.resolve("registry.db"),
              Settings.ONLINE_REDIS,
              redis.url(),
              null,
              "127.0.0.1",
              0,
              0,
              1000,
              Duration.ofSeconds(2));
      try (Registry registry = Registry.open(settings.registryUrl());
          OnlineStore online = OnlineStores.open(settings);
          OfflineStore offline = new DuckDbOfflineStore();
          BufferAllocator allocator = new RootAllocator()) {
        registry.apply(repo, 0, false, "it");
        FeatureRepo applied = registry.load(PaymentsExample.PROJECT).withRoot(dir);
        new Materializer(offline, online, registry.jobHistory())
            .materialize(applied, Instant.parse("2000-01-01T00:00:00Z"), end, List.of(), null);

        Map<String, List<Object>> entities = entityPairs();
        int n = entities.get("customer_id").size();
        try (FletchServer server =
                FletchServer.builder()
                    .httpPort(FletchServer.EPHEMERAL)
                    .grpcPort(FletchServer.EPHEMERAL)
                    .definitions(registry)
                    .project(PaymentsExample.PROJECT)
                    .onlineStore(online)
                    .offlineStore(offline)
                    .repoRoot(dir)
                    .start();
            FletchClient client =
                FletchClient.builder()
                    .target("127.0.0.1", server.grpcPort())
                    .deadline(Duration.ofSeconds(5))
                    .build()) {
          OnlineResult grpc = client.getServiceFeatures(PaymentsExample.SERVICE, entities);
          Instant asOf = Instant.now();
          Map<String, List<Object>> historical =
              OnlineVsHistorical.historical(
                  offline,
                  applied,
                  OnlineVsHistorical.request(
                      OnlineVsHistorical.rows(entities, n, asOf),
                      List.of(),
                      PaymentsExample.SERVICE),
                  allocator);
          Map<ValueStatus, Integer> counts = OnlineVsHistorical.assertMatches(grpc, historical);
          assertTrue(counts.getOrDefault(ValueStatus.PRESENT, 0) > n, "mostly present: " + counts);
          assertTrue(
              counts.getOrDefault(ValueStatus.NOT_FOUND, 0) > 0,
              "the unknown pair is NOT_FOUND: " + counts);

          JsonObject body =
              new JsonObject()
                  .put("feature_service", PaymentsExample.SERVICE)
                  .put(
                      "entities",
                      new JsonObject()
                          .put("customer_id", new JsonArray(entities.get("customer_id")))
                          .put("merchant_id", new JsonArray(entities.get("merchant_id")))
                          .put("amount", new JsonArray(entities.get("amount"))));
          HttpResponse<String> twin =
              HttpClient.newHttpClient()
                  .send(
                      HttpRequest.newBuilder(
                              URI.create(
                                  "http://127.0.0.1:"
                                      + server.httpPort()
                                      + "/api/v1/features/online"))
                          .POST(HttpRequest.BodyPublishers.ofString(body.encode()))
                          .build(),
                      HttpResponse.BodyHandlers.ofString());
          assertEquals(200, twin.statusCode(), twin.body());
          assertEquals(JsonMapping.toJson(grpc), new JsonObject(twin.body()));
        }
      }
    }
  }

  /**
   * The example's demo rows plus 40 (customer, merchant) pairs of recent transactions, each with
   * the amount of a payment to score (the on-demand feature's request field; one null).
   */
  private Map<String, List<Object>> entityPairs() throws Exception {
    List<Object> customers = new ArrayList<>();
    List<Object> merchants = new ArrayList<>();
    List<Object> amounts = new ArrayList<>();
    for (PaymentsExample.ServingExample e : PaymentsExample.servingExamples(dir)) {
      customers.add(e.customerId());
      merchants.add(e.merchantId());
      amounts.add(e.amount());
    }
    String labels = dir.resolve(PaymentsExample.LABELS).toString().replace("'", "''");
    try (Connection duck = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = duck.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT DISTINCT customer_id, merchant_id FROM read_parquet('"
                    + labels
                    + "')"
                    + " ORDER BY customer_id, merchant_id LIMIT 40")) {
      while (rs.next()) {
        customers.add(rs.getLong(1));
        merchants.add(rs.getString(2));
        amounts.add(amounts.size() == 5 ? null : 7.25 * amounts.size());
      }
    }
    Map<String, List<Object>> entities = new LinkedHashMap<>();
    entities.put("customer_id", customers);
    entities.put("merchant_id", merchants);
    entities.put("amount", amounts);
    return entities;
  }
}
