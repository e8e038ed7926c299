package dev.fletch.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.yaml.RepoLoader;
import dev.fletch.materializer.Materializer;
import dev.fletch.offline.DuckDbOfflineStore;
import dev.fletch.offline.EntitySet;
import dev.fletch.offline.HistoricalRequest;
import dev.fletch.online.EmbeddedOnlineStore;
import dev.fletch.online.OnlineStore;
import dev.fletch.online.RedisOnlineStore;
import dev.fletch.proto.serving.v1.FeatureServingGrpc;
import dev.fletch.proto.serving.v1.PushRequest;
import dev.fletch.proto.serving.v1.PushResponse;
import dev.fletch.proto.serving.v1.PushTarget;
import dev.fletch.proto.serving.v1.RepeatedValue;
import dev.fletch.proto.serving.v1.Value;
import dev.fletch.registry.Registry;
import dev.fletch.serving.client.FletchClient;
import dev.fletch.testkit.RedisServer;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
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
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Push API end to end on a real server, registry, DuckDB and online store (embedded and Redis):
 * who may push, fresh values served at once, pushed rows seen by historical retrieval, raw events
 * added to an aggregated view's tiles equal to historical retrieval at the same instant, late
 * events, and bad rows refused whole with the row and column named.
 */
class PushApiIT {
  private static final String READ_KEY = "r3ad-key-0123456789abcdef";
  private static final String WRITE_KEY = "wr1te-key-0123456789abcdef";

  @TempDir Path dir;
  private final HttpClient http = HttpClient.newHttpClient();

  /** 2026-12-04T10:20:00Z: the server's clock; the job ran at 10:00. */
  private static final Instant NOW = Instant.parse("2026-12-04T10:20:00Z");

  private static final String REPO =
      """
      project: shop
      entities:
        - name: customer
          join_keys: [{name: customer_id, type: INT64}]
      sources:
        - name: profiles
          type: parquet
          path: data/profiles.parquet
          timestamp_field: event_ts
          push_log: data/pushed/profiles
        - name: tx
          type: parquet
          path: data/tx.parquet
          timestamp_field: event_ts
          push_log: data/pushed/tx
        - name: scores
          type: parquet
          path: data/profiles.parquet
          timestamp_field: event_ts
      feature_views:
        - name: profile
          entities: [customer]
          source: profiles
          features:
            - {name: age, type: INT64}
            - {name: country, type: STRING}
        - name: spend
          entities: [customer]
          source: tx
          aggregations:
            - {function: count, windows: [1h, 24h]}
            - {column: amount, function: sum, windows: [24h]}
            - {column: merchant_id, type: STRING, function: count_distinct, windows: [24h]}
        - name: score
          entities: [customer]
          source: scores
          features:
            - {name: age, type: INT64}
            - {name: older, type: INT64, expression: "age + 1"}
      """;

  private HttpResponse<String> post(String key, JsonObject body) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/push"))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body.encode()));
    if (key != null) {
      b.header("Authorization", "Bearer " + key);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private int port;

  private static JsonObject row(Object... kv) {
    JsonObject o = new JsonObject();
    for (int i = 0; i < kv.length; i += 2) {
      o.put((String) kv[i], kv[i + 1]);
    }
    return o;
  }

  private static JsonObject push(String view, String to, JsonObject... rows) {
    JsonObject o =
        new JsonObject()
            .put("feature_view", view)
            .put("rows", new JsonArray(List.of((Object[]) rows)));
    return to == null ? o : o.put("to", to);
  }

  private long pushedFiles(String source) throws Exception {
    Path log = dir.resolve("data/pushed").resolve(source);
    if (!Files.isDirectory(log)) {
      return 0;
    }
    try (Stream<Path> files = Files.list(log)) {
      return files.filter(f -> f.toString().endsWith(".parquet")).count();
    }
  }

  private Map<String, Object> historical(
      DuckDbOfflineStore offline, FeatureRepo repo, List<String> features, long customer) {
    Path entities = dir.resolve("entities-" + System.nanoTime() + ".parquet");
    sql(
        "COPY (SELECT "
            + customer
            + "::BIGINT AS customer_id, TIMESTAMP '"
            + NOW.toString().replace("T", " ").replace("Z", "")
            + "' AS event_timestamp) TO '"
            + entities
            + "' (FORMAT parquet)");
    Path out = dir.resolve("out-" + System.nanoTime() + ".parquet");
    offline.historicalToFile(
        repo,
        new HistoricalRequest(
            new EntitySet.FromFile(entities), features, null, null, false, out, null));
    return offline.preview(out, 1).get(0);
  }

  private static void sql(String... statements) {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement()) {
      st.execute("SET TimeZone = 'UTC'");
      for (String s : statements) {
        st.execute(s);
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"embedded", "redis"})
  void pushedRowsAreServedAtOnceAndSeenByHistoricalRetrieval(String kind) throws Exception {
    Files.createDirectories(dir.resolve("data"));
    Files.writeString(dir.resolve("repo.yaml"), REPO);
    Files.writeString(dir.resolve("keys"), "read " + READ_KEY + "\nwrite " + WRITE_KEY + "\n");
    sql(
        "COPY (SELECT * FROM (VALUES (1::BIGINT, TIMESTAMP '2026-12-02 00:00:00', 30::BIGINT,"
            + " 'NL'), (2, TIMESTAMP '2026-12-02 00:00:00', 40, 'DE')) AS t(customer_id, event_ts,"
            + " age, country)) TO '"
            + dir.resolve("data/profiles.parquet")
            + "' (FORMAT parquet)",
        "COPY (SELECT * FROM (VALUES (1::BIGINT, TIMESTAMP '2026-12-04 07:00:00', 10.0::DOUBLE,"
            + " 'M1'), (1, TIMESTAMP '2026-12-04 09:30:00', 5.0, 'M2')) AS t(customer_id, event_ts,"
            + " amount, merchant_id)) TO '"
            + dir.resolve("data/tx.parquet")
            + "' (FORMAT parquet)");
    RedisServer redis = kind.equals("redis") ? RedisServer.dedicated() : null;
    try (Registry registry = Registry.open("jdbc:sqlite:" + dir.resolve("registry.db"));
        OnlineStore online =
            redis == null
                ? EmbeddedOnlineStore.open(dir.resolve("online.db"))
                : RedisOnlineStore.open(redis.url());
        DuckDbOfflineStore offline = new DuckDbOfflineStore()) {
      registry.apply(RepoLoader.load(dir), 0, false, "it");
      FeatureRepo repo = registry.load("shop").withRoot(dir);
      Instant jobEnd = NOW.minus(Duration.ofMinutes(20));
      Materializer materializer = new Materializer(offline, online, registry.jobHistory());
      materializer.materialize(
          repo, Instant.parse("2026-01-01T00:00:00Z"), jobEnd, List.of(), null);
      try (FletchServer server =
              FletchServer.builder()
                  .host("127.0.0.1")
                  .httpPort(FletchServer.EPHEMERAL)
                  .grpcPort(FletchServer.EPHEMERAL)
                  .definitions(registry)
                  .project("shop")
                  .onlineStore(online)
                  .offlineStore(offline)
                  .repoRoot(dir)
                  .clock(Clock.fixed(NOW, ZoneOffset.UTC))
                  .apiKeys(ApiKeys.load(dir.resolve("keys")))
                  .warmUp(Duration.ZERO)
                  .start();
          FletchClient reader =
              FletchClient.builder()
                  .target("127.0.0.1", server.grpcPort())
                  .apiKey(READ_KEY)
                  .deadline(Duration.ofSeconds(10))
                  .build()) {
        port = server.httpPort();
        JsonObject fresh =
            push(
                "profile",
                "both",
                row(
                    "customer_id",
                    1,
                    "event_ts",
                    "2026-12-04T10:19:00Z",
                    "age",
                    31,
                    "country",
                    "FR"));

        // Who may push: a write key; not a read key, not without a key.
        assertEquals(401, post(null, fresh).statusCode());
        HttpResponse<String> denied = post(READ_KEY, fresh);
        assertEquals(403, denied.statusCode(), denied.body());
        assertTrue(denied.body().contains("may read but not push"), denied.body());
        assertEquals(0, pushedFiles("profiles"));

        HttpResponse<String> ok = post(WRITE_KEY, fresh);
        assertEquals(200, ok.statusCode(), ok.body());
        JsonObject answer = new JsonObject(ok.body());
        assertEquals(1, answer.getInteger("rows"));
        assertEquals(1, answer.getInteger("offline_rows"));
        assertEquals(1, pushedFiles("profiles"));
        OnlineResult served =
            reader.getFeatures(
                List.of("profile:age", "profile:country"), Map.of("customer_id", List.of(1L, 2L)));
        assertEquals(31L, ((Number) served.value("age", 0)).longValue());
        assertEquals("FR", served.value("country", 0));
        assertEquals(40L, ((Number) served.value("age", 1)).longValue(), "customer 2 untouched");
        // Historical retrieval reads the push log with the source's files.
        Map<String, Object> past = historical(offline, repo, List.of("profile:age"), 1);
        assertEquals(31L, ((Number) past.get("age")).longValue());

        // An older row never replaces a newer one online (pushed with the Java client).
        try (FletchClient writerClient =
            FletchClient.builder()
                .target("127.0.0.1", server.grpcPort())
                .apiKey(WRITE_KEY)
                .deadline(Duration.ofSeconds(10))
                .build()) {
          PushResponse older =
              writerClient.push(
                  "profile",
                  List.of(
                      Map.of(
                          "customer_id",
                          1L,
                          "event_ts",
                          Instant.parse("2026-12-03T00:00:00Z"),
                          "age",
                          99L,
                          "country",
                          "XX")),
                  PushTarget.ONLINE);
          assertEquals(1, older.getRows());
          assertEquals(0, older.getOfflineRows());
          dev.fletch.core.InvalidRequestException bad =
              assertThrows(
                  dev.fletch.core.InvalidRequestException.class,
                  () ->
                      writerClient.push(
                          "profile",
                          List.of(Map.of("customer_id", 1L, "age", 99L, "country", "XX")),
                          PushTarget.ONLINE));
          assertTrue(bad.getMessage().contains("'event_ts' is missing"), bad.getMessage());
        }
        assertEquals(
            31L,
            ((Number)
                    reader
                        .getFeatures(List.of("profile:age"), Map.of("customer_id", List.of(1L)))
                        .value("age", 0))
                .longValue());

        // Raw events of an aggregated view over gRPC, to both: online equals historical at NOW.
        ManagedChannel channel =
            NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
        try {
          Metadata auth = new Metadata();
          auth.put(
              Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER),
              "Bearer " + WRITE_KEY);
          FeatureServingGrpc.FeatureServingBlockingStub writer =
              FeatureServingGrpc.newBlockingStub(channel)
                  .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(auth));
          PushRequest events =
              PushRequest.newBuilder()
                  .setFeatureView("spend")
                  .setTo(PushTarget.BOTH)
                  .putColumns("customer_id", ints(1, 1, 3))
                  .putColumns(
                      "event_ts",
                      times("2026-12-04T10:05:00Z", "2026-12-04T10:19:59Z", "2026-12-04T10:10:00Z"))
                  .putColumns("amount", doubles(7.0, 1.5, 2.0))
                  .putColumns("merchant_id", strings("M3", "M1", "M1"))
                  .build();
          PushResponse pushed = writer.push(events);
          assertEquals(3, pushed.getRows());
          assertEquals(3, pushed.getOnlineRows());
          assertEquals(0, pushed.getLateRows());
          assertEquals(3, pushed.getOfflineRows());
          List<String> spend =
              List.of(
                  "spend:count_1h",
                  "spend:count_24h",
                  "spend:amount_sum_24h",
                  "spend:merchant_id_count_distinct_24h");
          OnlineResult agg = reader.getFeatures(spend, Map.of("customer_id", List.of(1L, 3L)));
          assertEquals(
              3L, ((Number) agg.value("count_1h", 0)).longValue()); // 09:30, 10:05, 10:19:59
          assertEquals(4L, ((Number) agg.value("count_24h", 0)).longValue());
          assertEquals(23.5, ((Number) agg.value("amount_sum_24h", 0)).doubleValue(), 1e-9);
          assertEquals(3L, ((Number) agg.value("merchant_id_count_distinct_24h", 0)).longValue());
          assertEquals(1L, ((Number) agg.value("count_1h", 1)).longValue(), "a new customer");
          for (long customer : new long[] {1, 3}) {
            Map<String, Object> h = historical(offline, repo, spend, customer);
            int r = customer == 1 ? 0 : 1;
            for (String f :
                List.of(
                    "count_1h", "count_24h", "amount_sum_24h", "merchant_id_count_distinct_24h")) {
              assertEquals(
                  ((Number) h.get(f)).doubleValue(),
                  ((Number) agg.value(f, r)).doubleValue(),
                  1e-9,
                  f
                      + " of customer "
                      + customer
                      + ": online equals historical at the same instant");
            }
          }

          // A late event (an hour the job already covered): kept offline, not added online.
          PushResponse late =
              writer.push(
                  PushRequest.newBuilder()
                      .setFeatureView("spend")
                      .setTo(PushTarget.BOTH)
                      .putColumns("customer_id", ints(1))
                      .putColumns("event_ts", times("2026-12-04T08:00:00Z"))
                      .putColumns("amount", doubles(100.0))
                      .putColumns("merchant_id", strings("M9"))
                      .build());
          assertEquals(1, late.getLateRows());
          assertEquals(0, late.getOnlineRows());

          // A read key may not push over gRPC either.
          Metadata readAuth = new Metadata();
          readAuth.put(
              Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER),
              "Bearer " + READ_KEY);
          StatusRuntimeException refused =
              assertThrows(
                  StatusRuntimeException.class,
                  () ->
                      FeatureServingGrpc.newBlockingStub(channel)
                          .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(readAuth))
                          .push(events));
          assertEquals(Status.Code.PERMISSION_DENIED, refused.getStatus().getCode());

          // Bad rows: the whole push is refused, the row and column named, nothing written.
          long filesBefore = pushedFiles("tx");
          StatusRuntimeException mixed =
              assertThrows(
                  StatusRuntimeException.class,
                  () ->
                      writer.push(
                          PushRequest.newBuilder()
                              .setFeatureView("spend")
                              .setTo(PushTarget.BOTH)
                              .putColumns("customer_id", ints(1, 1))
                              .putColumns(
                                  "event_ts", times("2026-12-04T10:19:00Z", "2026-12-04T10:19:30Z"))
                              .putColumns(
                                  "amount",
                                  RepeatedValue.newBuilder()
                                      .addValues(Value.newBuilder().setDoubleValue(1))
                                      .addValues(Value.newBuilder().setStringValue("lots"))
                                      .build())
                              .putColumns("merchant_id", strings("M1", "M1"))
                              .build()));
          assertEquals(Status.Code.INVALID_ARGUMENT, mixed.getStatus().getCode());
          assertTrue(
              mixed.getStatus().getDescription().contains("row 1, column 'amount' (DOUBLE)"),
              mixed.getStatus().getDescription());
          assertEquals(filesBefore, pushedFiles("tx"));
          assertEquals(
              3L,
              ((Number)
                      reader
                          .getFeatures(
                              List.of("spend:count_1h"), Map.of("customer_id", List.of(1L)))
                          .value("count_1h", 0))
                  .longValue(),
              "nothing of the refused push was added");
        } finally {
          channel.shutdownNow();
        }

        // Bad input over HTTP: each names what is wrong and where.
        String[][] cases = {
          {
            push(
                    "profile",
                    null,
                    row(
                        "customer_id",
                        1,
                        "event_ts",
                        "2026-12-04T10:00:00Z",
                        "age",
                        1,
                        "country",
                        "NL",
                        "agee",
                        2))
                .encode(),
            "row 0: unknown column 'agee'"
          },
          {
            push("profile", null, row("customer_id", 1, "age", 1, "country", "NL")).encode(),
            "row 0: column 'event_ts' is missing (the source's timestamp_field)"
          },
          {
            push(
                    "profile",
                    null,
                    row("customer_id", 1, "event_ts", "yesterday", "age", 1, "country", "NL"))
                .encode(),
            "expected an ISO-8601 time"
          },
          {
            push(
                    "profile",
                    null,
                    row(
                        "customer_id",
                        "one",
                        "event_ts",
                        "2026-12-04T10:00:00Z",
                        "age",
                        1,
                        "country",
                        "NL"))
                .encode(),
            "row 0, column 'customer_id' (INT64)"
          },
          {
            push(
                    "score",
                    null,
                    row("customer_id", 1, "event_ts", "2026-12-04T10:00:00Z", "age", 1, "older", 2))
                .encode(),
            "computes feature 'older' with a SQL expression"
          },
          {
            new JsonObject()
                .put("feature_view", "profile")
                .put("rows", new JsonArray())
                .put("to", "sideways")
                .encode(),
            "'to' must be online, offline or both"
          },
        };
        for (String[] c : cases) {
          HttpResponse<String> r =
              http.send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/push"))
                      .header("content-type", "application/json")
                      .header("Authorization", "Bearer " + WRITE_KEY)
                      .POST(HttpRequest.BodyPublishers.ofString(c[0]))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
          assertEquals(400, r.statusCode(), r.body());
          assertTrue(r.body().contains(c[1]), c[1] + " in " + r.body());
        }
        HttpResponse<String> unknown = post(WRITE_KEY, push("profil", null, row("customer_id", 1)));
        assertEquals(404, unknown.statusCode(), unknown.body());
        HttpResponse<String> noLog =
            post(WRITE_KEY, push("score", "offline", row("customer_id", 1)));
        assertEquals(400, noLog.statusCode(), noLog.body());
        assertTrue(noLog.body().contains("has no push_log folder"), noLog.body());

        // The next job (ending now) reads the pushed events back from the log: its tiles before the
        // current hour replace the streamed ones, the late event is counted, nothing twice.
        materializer.materialize(repo, Instant.parse("2026-01-01T00:00:00Z"), NOW, List.of(), null);
        Map<String, Object> h = historical(offline, repo, List.of("spend:count_24h"), 1);
        assertEquals(5L, ((Number) h.get("count_24h")).longValue());
        OnlineResult after =
            reader.getFeatures(
                List.of("spend:count_24h", "spend:amount_sum_24h"),
                Map.of("customer_id", List.of(1L)));
        assertEquals(5L, ((Number) after.value("count_24h", 0)).longValue());
        assertEquals(123.5, ((Number) after.value("amount_sum_24h", 0)).doubleValue(), 1e-9);
      }
    } finally {
      if (redis != null) {
        redis.close();
      }
    }
  }

  private static RepeatedValue ints(long... v) {
    RepeatedValue.Builder b = RepeatedValue.newBuilder();
    for (long x : v) {
      b.addValues(Value.newBuilder().setInt64Value(x));
    }
    return b.build();
  }

  private static RepeatedValue doubles(double... v) {
    RepeatedValue.Builder b = RepeatedValue.newBuilder();
    for (double x : v) {
      b.addValues(Value.newBuilder().setDoubleValue(x));
    }
    return b.build();
  }

  private static RepeatedValue strings(String... v) {
    RepeatedValue.Builder b = RepeatedValue.newBuilder();
    for (String x : v) {
      b.addValues(Value.newBuilder().setStringValue(x));
    }
    return b.build();
  }

  private static RepeatedValue times(String... v) {
    RepeatedValue.Builder b = RepeatedValue.newBuilder();
    for (String x : v) {
      Instant t = Instant.parse(x);
      b.addValues(
          Value.newBuilder()
              .setTimestampValue(
                  com.google.protobuf.Timestamp.newBuilder()
                      .setSeconds(t.getEpochSecond())
                      .setNanos(t.getNano())));
    }
    return b.build();
  }
}
