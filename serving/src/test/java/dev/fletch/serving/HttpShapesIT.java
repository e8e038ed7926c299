package dev.fletch.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fletch.core.FletchException;
import dev.fletch.examples.PaymentsExample;
import dev.fletch.offline.EntitySet;
import dev.fletch.offline.HistoricalRequest;
import dev.fletch.offline.TrainingSetMetadata;
import dev.fletch.proto.serving.v1.FeatureServingGrpc;
import dev.fletch.proto.serving.v1.GetFeaturesRequest;
import dev.fletch.proto.serving.v1.GetFeaturesResponse;
import dev.fletch.proto.serving.v1.RepeatedValue;
import dev.fletch.proto.serving.v1.Value;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a client in another language meets over HTTP and gRPC (issue #20, #25 item 6), against the
 * payments example served for real: one error shape on every route, both entity shapes on both
 * routes, shape errors that name the field, the CLI's message for a bad timestamp, one rule for
 * integer keys on both transports, reflection in both versions.
 */
class HttpShapesIT {
  @TempDir static Path dir;
  private static ExampleServer example;
  private static long customer;
  private static String merchant;

  @BeforeAll
  static void start() {
    example = ExampleServer.start(dir);
    PaymentsExample.ServingExample e = PaymentsExample.servingExamples(dir).get(0);
    customer = e.customerId();
    merchant = e.merchantId();
  }

  @AfterAll
  static void stop() {
    if (example != null) {
      example.close();
    }
  }

  /** A failure answered in the one shape: {"error": {"code", "message", "problems": [...]}}. */
  private static JsonObject assertError(
      HttpResponse<String> r, int status, String code, String messagePart) {
    assertEquals(status, r.statusCode(), r.body());
    JsonObject body = new JsonObject(r.body());
    JsonObject error = body.getJsonObject("error");
    assertNotNull(error, "no error object: " + r.body());
    assertEquals(code, error.getString("code"), r.body());
    assertTrue(error.getString("message").contains(messagePart), r.body());
    assertNotNull(error.getJsonArray("problems"), "problems is always there: " + r.body());
    assertFalse(r.body().contains("java."), "no Java internals: " + r.body());
    assertFalse(r.body().contains("Exception"), "no Java internals: " + r.body());
    return error;
  }

  private static String online(String entities) {
    return "{\"feature_service\": \""
        + PaymentsExample.SERVICE
        + "\", \"entities\": "
        + entities
        + "}";
  }

  @Test
  void everyRouteAnswersFailuresInOneShape() throws Exception {
    assertError(
        example.post("/api/v1/features/online", "{\"features\": [\"nope:x\"], \"entities\": {}}"),
        404,
        "NOT_FOUND",
        "feature view 'nope'");
    assertError(
        example.post("/api/v1/features/online", "{not json"),
        400,
        "INVALID_ARGUMENT",
        "not valid JSON");
    assertError(
        example.post("/api/v1/push", "{\"feature_view\": \"customer_activity\", \"rows\": []}"),
        403,
        "PERMISSION_DENIED",
        "--api-keys");
    assertError(
        example.post("/api/v1/historical", "{\"features\": [\"customer_profile:age\"]}"),
        400,
        "INVALID_ARGUMENT",
        "missing or empty 'entities'");
    assertError(
        example.get("/api/v1/projects/nobody"), 404, "NOT_FOUND", "project 'nobody' not found");
    assertError(
        example.post("/api/v1/projects/payments/apply", "{}"),
        403,
        "PERMISSION_DENIED",
        "writes over HTTP are closed");
    assertError(example.get("/api/v1/no/such/route"), 404, "NOT_FOUND", "no such endpoint: GET");
    assertError(
        example.get("/api/v1/features/online"), 405, "UNIMPLEMENTED", "method GET is not allowed");
    assertError(
        example.post("/api/v1/features/online", "{\"entities\": \"" + "x".repeat(5 << 20) + "\"}"),
        413,
        "INVALID_ARGUMENT",
        "too large");
    assertError(
        example.send("POST", "/api/v1/features/online", "application/x-www-form-urlencoded", "a=b"),
        415,
        "INVALID_ARGUMENT",
        "forms");

    // Invalid definitions list their problems, in the same shape.
    JsonObject body = new JsonObject(example.get("/api/v1/projects/payments/versions/1").body());
    JsonObject definitions = body.getJsonObject("definitions");
    definitions.getJsonArray("feature_views").getJsonObject(0).put("source", "nowhere");
    JsonObject error =
        assertError(
            example.post("/api/v1/projects/payments/plan", definitions.encode()),
            400,
            "INVALID_ARGUMENT",
            "");
    JsonObject problem = error.getJsonArray("problems").getJsonObject(0);
    assertTrue(problem.getString("message").contains("unknown source 'nowhere'"), problem.encode());

    // Readiness: 503 keeps what probes read beside the error.
    try (FletchServer empty =
        FletchServer.builder()
            .httpPort(FletchServer.EPHEMERAL)
            .grpcPort(0)
            .definitions(example.registry)
            .project("nothing_applied")
            .onlineStore(example.online)
            .start()) {
      HttpResponse<String> health =
          java.net.http.HttpClient.newHttpClient()
              .send(
                  java.net.http.HttpRequest.newBuilder(
                          java.net.URI.create(
                              "http://127.0.0.1:" + empty.httpPort() + "/api/v1/serving/health"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      JsonObject e = assertError(health, 503, "UNAVAILABLE", "no definitions applied");
      JsonObject probe = new JsonObject(health.body());
      assertEquals("NOT_SERVING", probe.getString("status"));
      assertEquals(e.getString("message"), probe.getString("reason"));
    }
  }

  @Test
  void onlineTakesEntitiesAsColumnsOrAsRows() throws Exception {
    HttpResponse<String> columns =
        example.post(
            "/api/v1/features/online",
            online(
                "{\"customer_id\": ["
                    + customer
                    + ", 42], \"merchant_id\": [\""
                    + merchant
                    + "\", \"M00001\"], \"amount\": [12.5, null]}"));
    HttpResponse<String> rows =
        example.post(
            "/api/v1/features/online",
            online(
                "[{\"customer_id\": "
                    + customer
                    + ", \"merchant_id\": \""
                    + merchant
                    + "\", \"amount\": 12.5}, {\"merchant_id\": \"M00001\", \"customer_id\": 42,"
                    + " \"amount\": null}]"));
    assertEquals(200, columns.statusCode(), columns.body());
    assertEquals(200, rows.statusCode(), rows.body());
    assertEquals(new JsonObject(columns.body()), new JsonObject(rows.body()));
    assertEquals(2, new JsonObject(rows.body()).getInteger("entity_rows"));
    assertTrue(columns.body().contains("PRESENT"), columns.body());

    assertError(
        example.post(
            "/api/v1/features/online",
            online("[{\"customer_id\": 1, \"merchant_id\": \"M1\"}, {\"customer_id\": 2}]")),
        400,
        "INVALID_ARGUMENT",
        "entities[1] has no 'merchant_id', which entities[0] has: every row needs the same keys");
  }

  /** The historical answer as rows of strings, and its schema's metadata. */
  private record Arrow(List<String> rows, Map<String, String> metadata) {}

  private static Arrow arrow(byte[] bytes) throws Exception {
    List<String> rows = new ArrayList<>();
    try (BufferAllocator allocator = new RootAllocator();
        ArrowStreamReader reader =
            new ArrowStreamReader(new ByteArrayInputStream(bytes), allocator)) {
      VectorSchemaRoot root = reader.getVectorSchemaRoot();
      Map<String, String> metadata = root.getSchema().getCustomMetadata();
      while (reader.loadNextBatch()) {
        for (int r = 0; r < root.getRowCount(); r++) {
          StringBuilder sb = new StringBuilder();
          for (var v : root.getFieldVectors()) {
            Object value = v.getObject(r);
            // DuckDB sums doubles in parallel, in no fixed order: the last digits may differ.
            if (value instanceof Double d) {
              value = String.format(java.util.Locale.ROOT, "%.9g", d);
            }
            sb.append(v.getName()).append('=').append(value).append(' ');
          }
          rows.add(sb.toString());
        }
      }
      return new Arrow(rows, metadata);
    }
  }

  @Test
  void historicalTakesEntitiesAsRowsOrAsColumns() throws Exception {
    java.time.Instant now =
        java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    String t1 = now.minus(java.time.Duration.ofDays(1)).toString();
    String t2 = now.minus(java.time.Duration.ofHours(2)).toString();
    String byRow =
        "{\"feature_service\": \"fraud_model_v1\", \"entities\": [{\"customer_id\": "
            + customer
            + ", \"merchant_id\": \""
            + merchant
            + "\", \"event_timestamp\": \""
            + t1
            + "\", \"label\": 1, \"amount\": 3.0}, {\"customer_id\": 42, \"merchant_id\": \"M00001\","
            + " \"amount\": 4.0,"
            + " \"event_timestamp\": \""
            + t2
            + "\", \"label\": 0}]}";
    String byColumn =
        "{\"feature_service\": \"fraud_model_v1\", \"entities\": {\"customer_id\": ["
            + customer
            + ", 42], \"merchant_id\": [\""
            + merchant
            + "\", \"M00001\"], \"event_timestamp\": [\""
            + t1
            + "\", \""
            + t2
            + "\"], \"label\": [1, 0], \"amount\": [3.0, 4.0]}}";
    HttpResponse<byte[]> rows = example.postForBytes("/api/v1/historical", byRow);
    HttpResponse<byte[]> columns = example.postForBytes("/api/v1/historical", byColumn);
    assertEquals(200, rows.statusCode(), new String(rows.body()));
    assertEquals(200, columns.statusCode(), new String(columns.body()));
    Arrow a = arrow(rows.body());
    Arrow b = arrow(columns.body());
    assertEquals(2, a.rows().size());
    assertEquals(a.rows(), b.rows());
    assertTrue(a.rows().get(0).contains("label=1"), a.rows().get(0));
    // Lineage in the stream's schema.
    assertEquals("payments", a.metadata().get(TrainingSetMetadata.PROJECT));
    assertEquals("1", a.metadata().get(TrainingSetMetadata.REGISTRY_VERSION));
    assertEquals("fraud_model_v1", a.metadata().get(TrainingSetMetadata.FEATURE_SERVICE));
    assertEquals(
        "2 inline rows, POST /api/v1/historical",
        a.metadata().get(TrainingSetMetadata.ENTITY_SOURCE));

    assertError(
        example.post(
            "/api/v1/historical",
            "{\"features\": [\"customer_profile:age\"], \"entities\": {\"customer_id\": [1, 2],"
                + " \"event_timestamp\": [\"2026-01-01T00:00:00Z\"]}}"),
        400,
        "INVALID_ARGUMENT",
        "the entity columns have different lengths: 'customer_id' has 2 values,"
            + " 'event_timestamp' has 1");
  }

  /** Bodies of the wrong shape: the field, what it must be, what it got; never Java's words. */
  @Test
  void shapeErrorsNameTheFieldAndTheExpectedType() throws Exception {
    Map<String, String> online =
        Map.of(
            "{\"features\": \"customer_profile:age\", \"entities\": {\"customer_id\": [1]}}",
            "'features' must be an array of strings, e.g. [\"customer_profile:age\","
                + " \"customer_profile:*\"]; got a string (\"customer_profile:age\")",
            "{\"features\": [\"customer_profile:age\"], \"entities\": \"935\"}",
            "'entities' must be an object of columns, {\"customer_id\": [1, 2]}, or an array of"
                + " rows, [{\"customer_id\": 1}, {\"customer_id\": 2}]; got a string (\"935\")",
            "{\"features\": [\"customer_profile:age\"], \"entities\": {\"customer_id\": 935}}",
            "entities.customer_id must be an array of values, one per entity row, e.g. [1, 2];"
                + " got a number (935)",
            "{\"features\": [\"customer_profile:age\"], \"entities\": {\"customer_id\": [[1]]}}",
            "entities.customer_id[0] must be a number or a string; got an array",
            "{\"features\": [\"customer_profile:age\"], \"entities\": [7]}",
            "entities[0] must be an object of join key values, e.g. {\"customer_id\": 1}; got a"
                + " number (7)",
            "{\"features\": [\"customer_profile:age\"], \"entities\": {\"customer_id\": [1]},"
                + " \"full_feature_names\": \"yes\"}",
            "'full_feature_names' must be true or false; got a string (\"yes\")",
            "{\"feature\": [\"customer_profile:age\"], \"entities\": {\"customer_id\": [1]}}",
            "unknown field 'feature' in a GetFeatures request; the fields are project, features,"
                + " feature_service, entities, full_feature_names");
    for (Map.Entry<String, String> c : online.entrySet()) {
      JsonObject e =
          assertError(
              example.post("/api/v1/features/online", c.getKey()), 400, "INVALID_ARGUMENT", "");
      assertEquals(c.getValue(), e.getString("message"), c.getKey());
    }
    Map<String, String> historical =
        Map.of(
            "{\"features\": \"customer_profile:age\", \"entities\": [{\"customer_id\": 1}]}",
            "'features' must be an array of strings, e.g. [\"customer_profile:age\","
                + " \"customer_profile:*\"]; got a string (\"customer_profile:age\")",
            "{\"features\": [\"customer_profile:age\"], \"entities\": [{\"customer_id\": {\"id\":"
                + " 1}}]}",
            "entities[0].customer_id must be a number, a string, a boolean or null; got an object",
            "{\"features\": [\"customer_profile:age\"], \"entities\": {\"customer_id\": 1}}",
            "entities.customer_id must be an array of values, one per entity row; got a number",
            "{\"features\": [\"customer_profile:age\"], \"entities\": \"x\"}",
            "'entities' must be an array of rows, [{\"customer_id\": 1, \"event_timestamp\":"
                + " \"2024-01-01T00:00:00Z\"}], or an object of columns, {\"customer_id\": [1],"
                + " \"event_timestamp\": [\"2024-01-01T00:00:00Z\"]}; got a string",
            "{\"features\": [\"customer_profile:age\"], \"entities\": [{\"customer_id\": 1}],"
                + " \"full_feature_names\": 1}",
            "'full_feature_names' must be true or false; got a number",
            "{\"featurs\": [\"customer_profile:age\"], \"entities\": [{\"customer_id\": 1}]}",
            "unknown field 'featurs' in a historical retrieval request; the fields are entities,"
                + " features, feature_service, full_feature_names, event_timestamp_column, project");
    for (Map.Entry<String, String> c : historical.entrySet()) {
      JsonObject e =
          assertError(example.post("/api/v1/historical", c.getKey()), 400, "INVALID_ARGUMENT", "");
      assertEquals(c.getValue(), e.getString("message"), c.getKey());
    }
  }

  /** "yesterday" as a time: the message fletch historical gives for a file, word for word. */
  @Test
  void aBadTimestampGetsTheCliMessageOverHttp() throws Exception {
    Path file = dir.resolve("bad-times.jsonl");
    Files.writeString(
        file,
        "{\"customer_id\": "
            + customer
            + ", \"merchant_id\": \""
            + merchant
            + "\", \"amount\": 1.0, \"event_timestamp\": \"yesterday\"}\n");
    FletchException cli =
        assertThrows(
            FletchException.class,
            () ->
                example.offline.historicalToFile(
                    example.applied,
                    new HistoricalRequest(
                        new EntitySet.FromFile(file),
                        List.of(),
                        PaymentsExample.SERVICE,
                        null,
                        false,
                        dir.resolve("never.parquet"),
                        null)));
    JsonObject e =
        assertError(
            example.post(
                "/api/v1/historical",
                "{\"feature_service\": \"fraud_model_v1\", \"entities\": [{\"customer_id\": "
                    + customer
                    + ", \"merchant_id\": \""
                    + merchant
                    + "\", \"amount\": 1.0, \"event_timestamp\": \"yesterday\"}]}"),
            400,
            "INVALID_ARGUMENT",
            "'yesterday'");
    assertEquals(cli.getMessage(), e.getString("message"));
    assertTrue(e.getString("message").contains("timestamp column 'event_timestamp'"));
  }

  private static GetFeaturesRequest byKey(Value customerKey) {
    return GetFeaturesRequest.newBuilder()
        .setFeatureService(PaymentsExample.SERVICE)
        .putEntities("customer_id", RepeatedValue.newBuilder().addValues(customerKey).build())
        .putEntities(
            "merchant_id",
            RepeatedValue.newBuilder()
                .addValues(Value.newBuilder().setStringValue(merchant))
                .build())
        .putEntities(
            "amount",
            RepeatedValue.newBuilder().addValues(Value.newBuilder().setDoubleValue(9.5)).build())
        .build();
  }

  /**
   * One rule for INT64 keys on both transports: int64_value, int32_value or canonical decimal text;
   * anything else INVALID_ARGUMENT with the same message over gRPC and HTTP.
   */
  @Test
  void integerKeysTakeCanonicalDecimalTextOnBothTransports() throws Exception {
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", example.server.grpcPort())
            .usePlaintext()
            .build();
    try {
      FeatureServingGrpc.FeatureServingBlockingStub stub =
          FeatureServingGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS);
      GetFeaturesResponse asNumber =
          stub.getFeatures(byKey(Value.newBuilder().setInt64Value(customer).build()));
      GetFeaturesResponse asInt32 =
          stub.getFeatures(byKey(Value.newBuilder().setInt32Value((int) customer).build()));
      GetFeaturesResponse asText =
          stub.getFeatures(
              byKey(Value.newBuilder().setStringValue(Long.toString(customer)).build()));
      assertEquals(asNumber.getFeaturesList(), asText.getFeaturesList());
      assertEquals(asNumber.getFeaturesList(), asInt32.getFeaturesList());
      assertTrue(asNumber.toString().contains("PRESENT"), asNumber.toString());

      HttpResponse<String> httpText =
          example.post(
              "/api/v1/features/online",
              online(
                  "{\"customer_id\": [\""
                      + customer
                      + "\"], \"merchant_id\": [\""
                      + merchant
                      + "\"], \"amount\": [9.5]}"));
      assertEquals(200, httpText.statusCode(), httpText.body());
      assertEquals(
          JsonMapping.toJson(ProtoMapping.toResult(asNumber)), new JsonObject(httpText.body()));

      for (String bad : List.of("0" + customer, "+" + customer, customer + ".0", " " + customer)) {
        StatusRuntimeException grpc =
            assertThrows(
                StatusRuntimeException.class,
                () -> stub.getFeatures(byKey(Value.newBuilder().setStringValue(bad).build())));
        assertEquals(Status.Code.INVALID_ARGUMENT, grpc.getStatus().getCode());
        JsonObject http =
            assertError(
                example.post(
                    "/api/v1/features/online",
                    online(
                        "{\"customer_id\": ["
                            + new JsonArray().add(bad).encode().replaceAll("^\\[|\\]$", "")
                            + "], \"merchant_id\": [\""
                            + merchant
                            + "\"], \"amount\": [9.5]}")),
                400,
                "INVALID_ARGUMENT",
                "customer_id");
        assertEquals(grpc.getStatus().getDescription(), http.getString("message"), bad);
      }
      // A STRING key takes text only.
      GetFeaturesRequest numericMerchant =
          byKey(Value.newBuilder().setInt64Value(customer).build()).toBuilder()
              .putEntities(
                  "merchant_id",
                  RepeatedValue.newBuilder()
                      .addValues(Value.newBuilder().setInt64Value(55))
                      .build())
              .build();
      StatusRuntimeException e =
          assertThrows(StatusRuntimeException.class, () -> stub.getFeatures(numericMerchant));
      assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
      assertTrue(e.getStatus().getDescription().contains("merchant_id"), e.getMessage());
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void reflectionSpeaksV1AndV1alpha() throws Exception {
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", example.server.grpcPort())
            .usePlaintext()
            .build();
    try {
      CompletableFuture<Set<String>> alpha = new CompletableFuture<>();
      StreamObserver<io.grpc.reflection.v1alpha.ServerReflectionRequest> a =
          io.grpc.reflection.v1alpha.ServerReflectionGrpc.newStub(channel)
              .serverReflectionInfo(
                  new StreamObserver<>() {
                    @Override
                    public void onNext(io.grpc.reflection.v1alpha.ServerReflectionResponse r) {
                      Set<String> names = new TreeSet<>();
                      r.getListServicesResponse()
                          .getServiceList()
                          .forEach(s -> names.add(s.getName()));
                      alpha.complete(names);
                    }

                    @Override
                    public void onError(Throwable t) {
                      alpha.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {}
                  });
      a.onNext(
          io.grpc.reflection.v1alpha.ServerReflectionRequest.newBuilder()
              .setListServices("")
              .build());
      CompletableFuture<Set<String>> v1 = new CompletableFuture<>();
      StreamObserver<io.grpc.reflection.v1.ServerReflectionRequest> b =
          io.grpc.reflection.v1.ServerReflectionGrpc.newStub(channel)
              .serverReflectionInfo(
                  new StreamObserver<>() {
                    @Override
                    public void onNext(io.grpc.reflection.v1.ServerReflectionResponse r) {
                      Set<String> names = new TreeSet<>();
                      r.getListServicesResponse()
                          .getServiceList()
                          .forEach(s -> names.add(s.getName()));
                      v1.complete(names);
                    }

                    @Override
                    public void onError(Throwable t) {
                      v1.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {}
                  });
      b.onNext(
          io.grpc.reflection.v1.ServerReflectionRequest.newBuilder().setListServices("").build());
      Set<String> old = alpha.get(10, TimeUnit.SECONDS);
      Set<String> current = v1.get(10, TimeUnit.SECONDS);
      a.onCompleted();
      b.onCompleted();
      assertTrue(old.contains("fletch.serving.v1.FeatureServing"), old.toString());
      assertTrue(old.contains("grpc.reflection.v1alpha.ServerReflection"), old.toString());
      assertEquals(old, current);
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
