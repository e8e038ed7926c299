package dev.fletch.serving;

import static java.util.Objects.requireNonNull;

import dev.fletch.core.InvalidRequestException;
import dev.fletch.core.UnavailableException;
import dev.fletch.offline.EntitySet;
import dev.fletch.offline.HistoricalRequest;
import dev.fletch.offline.OfflineStore;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.nio.channels.Channels;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP routes of the serving process: the JSON twin of GetFeatures, historical retrieval as an
 * Arrow IPC stream, serving info, health and Prometheus metrics, plus whatever extra mounters add
 * (the registry API).
 */
final class HttpApi {
  private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);
  static final String ARROW_STREAM = "application/vnd.apache.arrow.stream";

  /** Optional request header: how long the caller will wait, in milliseconds. */
  static final String TIMEOUT_HEADER = "X-Fletch-Timeout-Ms";

  private static final String TRANSPORT = "http";
  private static final long BODY_LIMIT = 64L * 1024 * 1024;

  private final Vertx vertx;
  private final OnlineFeatures features;
  private final OfflineStore offline;
  private final BufferAllocator allocator;
  private final ServingMetrics metrics;
  private final Duration timeout;
  private final ServingHealth health;

  HttpApi(
      Vertx vertx,
      OnlineFeatures features,
      OfflineStore offline,
      BufferAllocator allocator,
      ServingMetrics metrics,
      Duration timeout,
      ServingHealth health) {
    this.health = requireNonNull(health, "health is null");
    this.vertx = requireNonNull(vertx, "vertx is null");
    this.features = requireNonNull(features, "features is null");
    this.offline = offline;
    this.allocator = allocator;
    this.metrics = requireNonNull(metrics, "metrics is null");
    this.timeout = requireNonNull(timeout, "timeout is null");
  }

  Router router(List<Consumer<Router>> mounters) {
    Router router = Router.router(vertx);
    BodyHandler body = BodyHandler.create().setBodyLimit(BODY_LIMIT);
    router.post("/api/v1/features/online").handler(body).handler(this::online);
    router.post("/api/v1/historical").handler(body).handler(this::historical);
    router.get("/api/v1/serving/info").handler(this::info);
    router.get("/api/v1/serving/health").handler(this::health);
    router.get("/metrics").handler(this::metrics);
    for (Consumer<Router> mounter : mounters) {
      mounter.accept(router);
    }
    // After the mounters: a mounted health check (the registry's, which pings its database) comes
    // first.
    router.get("/health").handler(this::health);
    return router;
  }

  private void online(RoutingContext ctx) {
    long start = System.nanoTime();
    OnlineQuery query;
    Duration storeTimeout;
    try {
      query = JsonMapping.toQuery(bodyJson(ctx));
      storeTimeout = requestTimeout(ctx.request().getHeader(TIMEOUT_HEADER));
    } catch (RuntimeException e) {
      fail(ctx, "GetFeatures", e, start);
      return;
    }
    features
        .get(query, storeTimeout)
        .whenComplete(
            (result, error) -> {
              if (error != null) {
                fail(ctx, "GetFeatures", error, start);
                return;
              }
              try {
                String json = JsonMapping.toJson(result).encode();
                metrics.recordServed(result.entityRows(), result.columns().size());
                ctx.response().putHeader("content-type", "application/json").end(json);
                metrics.recordRequest("GetFeatures", TRANSPORT, "OK", System.nanoTime() - start);
              } catch (RuntimeException e) {
                fail(ctx, "GetFeatures", e, start);
              }
            });
  }

  private void info(RoutingContext ctx) {
    RegistryCache defs = features.definitions();
    ServingCatalog catalog = defs.catalogOrNull();
    JsonObject body =
        new JsonObject()
            .put("version", FletchServer.VERSION)
            .put("project", defs.project())
            .put("registry_version", catalog == null ? 0 : catalog.version())
            .put("max_entity_rows", features.maxEntityRows());
    JsonArray views = new JsonArray();
    JsonArray services = new JsonArray();
    if (catalog != null) {
      catalog.repo().featureViews().stream()
          .filter(v -> v.online())
          .forEach(v -> views.add(v.name()));
      catalog.repo().featureServices().forEach(s -> services.add(s.name()));
    }
    body.put("feature_views", views).put("feature_services", services);
    ctx.response().putHeader("content-type", "application/json").end(body.encode());
  }

  /** 200 SERVING, or 503 NOT_SERVING with the reason (see {@link ServingHealth}). */
  private void health(RoutingContext ctx) {
    ServingHealth.State state = health.state();
    JsonObject body =
        new JsonObject()
            .put("status", state.serving() ? "SERVING" : "NOT_SERVING")
            .put("registry_version", features.definitions().version());
    if (!state.serving()) {
      body.put("reason", state.reason());
    }
    ctx.response()
        .setStatusCode(state.serving() ? 200 : 503)
        .putHeader("content-type", "application/json")
        .end(body.encode());
  }

  private void metrics(RoutingContext ctx) {
    ctx.response()
        .putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8")
        .end(metrics.scrape());
  }

  /**
   * POST /api/v1/historical: {@code {entities: [{join keys..., event_timestamp, extra...}],
   * features | feature_service, full_feature_names?, event_timestamp_column?}} -> an Arrow IPC
   * stream written batch by batch as DuckDB produces it (the response is never held whole in
   * memory).
   */
  private void historical(RoutingContext ctx) {
    long start = System.nanoTime();
    HistoricalRequest request;
    ServingCatalog catalog;
    try {
      if (offline == null || allocator == null) {
        throw new UnavailableException(
            "historical retrieval is not enabled on this server (no offline store)", null);
      }
      JsonObject body = bodyJson(ctx);
      if (body == null) {
        throw new InvalidRequestException("the request body must be a JSON object");
      }
      catalog = features.definitions().catalog();
      JsonArray rows = body.getJsonArray("entities");
      if (rows == null || rows.isEmpty()) {
        throw new InvalidRequestException(
            "missing or empty 'entities': give an array of entity rows, e.g. [{\"customer_id\": 1,"
                + " \"event_timestamp\": \"2024-01-01T00:00:00Z\"}]");
      }
      List<Map<String, Object>> entityRows = new ArrayList<>(rows.size());
      for (int i = 0; i < rows.size(); i++) {
        if (!(rows.getValue(i) instanceof JsonObject row)) {
          throw new InvalidRequestException("entities[" + i + "] must be a JSON object");
        }
        entityRows.add(row.getMap());
      }
      List<String> refs = JsonMapping.strings(body.getJsonArray("features"), "features");
      String service = body.getString("feature_service");
      if (refs.isEmpty() == (service == null || service.isBlank())) {
        throw new InvalidRequestException("give either 'features' or 'feature_service'");
      }
      request =
          new HistoricalRequest(
              new EntitySet.FromRows(entityRows),
              refs,
              service,
              body.getString("event_timestamp_column"),
              Boolean.TRUE.equals(body.getBoolean("full_feature_names")),
              null,
              null);
    } catch (RuntimeException e) {
      fail(ctx, "Historical", e, start);
      return;
    }
    HttpServerResponse response = ctx.response();
    vertx
        .executeBlocking(
            () -> {
              ResponseOutputStream out = new ResponseOutputStream(response, ARROW_STREAM);
              try (BufferAllocator child =
                  allocator.newChildAllocator("historical", 0, Long.MAX_VALUE)) {
                offline.historicalToArrow(
                    catalog.repo(),
                    request,
                    child,
                    reader -> {
                      try (ArrowStreamWriter writer =
                          new ArrowStreamWriter(
                              reader.getVectorSchemaRoot(), null, Channels.newChannel(out))) {
                        writer.start();
                        while (reader.loadNextBatch()) {
                          writer.writeBatch();
                        }
                        writer.end();
                      }
                    });
              }
              out.close();
              return out.started();
            },
            false)
        .onComplete(
            ar -> {
              if (ar.succeeded()) {
                metrics.recordRequest("Historical", TRANSPORT, "OK", System.nanoTime() - start);
              } else if (!response.headWritten()) {
                fail(ctx, "Historical", ar.cause(), start);
              } else {
                // Bytes already went out: the only honest signal left is to break the stream.
                LOG.warn("historical stream failed after it started", ar.cause());
                metrics.recordRequest(
                    "Historical", TRANSPORT, "INTERNAL", System.nanoTime() - start);
                response.reset();
              }
            });
  }

  /**
   * The caller's deadline, like gRPC's: {@value #TIMEOUT_HEADER} milliseconds, of which the store
   * may use all but a quarter (at most 50 ms kept back to answer); never more than the server's
   * request timeout.
   */
  Duration requestTimeout(String header) {
    if (header == null || header.isBlank()) {
      return timeout;
    }
    long millis;
    try {
      millis = Long.parseLong(header.trim());
    } catch (NumberFormatException e) {
      throw new InvalidRequestException(
          TIMEOUT_HEADER + " must be a number of milliseconds, got '" + header + "'", e);
    }
    if (millis <= 0) {
      throw new InvalidRequestException(TIMEOUT_HEADER + " must be positive, got " + millis);
    }
    return GrpcFeatureService.storeTimeout(
        io.grpc.Deadline.after(millis, java.util.concurrent.TimeUnit.MILLISECONDS), timeout);
  }

  private static JsonObject bodyJson(RoutingContext ctx) {
    try {
      return ctx.body().asJsonObject();
    } catch (DecodeException | ClassCastException e) {
      throw new InvalidRequestException(
          "the request body is not a JSON object: " + e.getMessage(), e);
    }
  }

  private void fail(RoutingContext ctx, String method, Throwable error, long start) {
    int code = ErrorCodes.httpStatus(error);
    if (code == 500) {
      LOG.warn("{} failed", method, ErrorCodes.cause(error));
    }
    metrics.recordRequest(
        method, TRANSPORT, ErrorCodes.grpcCode(error).name(), System.nanoTime() - start);
    if (ctx.response().ended() || ctx.response().closed()) {
      return;
    }
    ctx.response()
        .setStatusCode(code)
        .putHeader("content-type", "application/json")
        .end(JsonMapping.error(error).encode());
  }
}
