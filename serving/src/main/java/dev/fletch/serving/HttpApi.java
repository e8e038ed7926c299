package dev.fletch.serving;

import static java.util.Objects.requireNonNull;

import dev.fletch.core.ErrorBody;
import dev.fletch.core.InvalidRequestException;
import dev.fletch.core.NotFoundException;
import dev.fletch.core.UnavailableException;
import dev.fletch.offline.EntitySet;
import dev.fletch.offline.HistoricalRequest;
import dev.fletch.offline.OfflineStore;
import dev.fletch.offline.TrainingSetMetadata;
import io.vertx.core.Vertx;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.FileSystem;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
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

  /** Response header of a GetFeatures answer: the registry version that answered it. */
  static final String REGISTRY_VERSION_HEADER = "X-Fletch-Registry-Version";

  private static final String TRANSPORT = "http";

  /**
   * An online request is at most {@code max_entity_rows} rows of join keys: a few hundred KB even
   * at the largest row limits, so bigger bodies are refused before they are read.
   */
  static final long ONLINE_BODY_LIMIT = 4L * 1024 * 1024;

  /** Bytes of request body allowed per inline historical entity row (keys, time, extra columns). */
  static final long HISTORICAL_BYTES_PER_ROW = 256;

  /** Bodies larger than this are decoded on a worker thread, not on the event loop. */
  static final int DECODE_ON_LOOP_LIMIT = 64 * 1024;

  private final Vertx vertx;
  private final OnlineFeatures features;
  private final OfflineStore offline;
  private final BufferAllocator allocator;
  private final ServingMetrics metrics;
  private final Duration timeout;
  private final ServingHealth health;
  private final int maxHistoricalRows;
  private final int maxHistoricalInFlight;
  private final Semaphore historicalSlots;
  private final PushService push;

  /** A push is at most {@link PushService#MAX_ROWS} rows of a view's columns. */
  static final long PUSH_BODY_LIMIT = 16L * 1024 * 1024;

  HttpApi(
      Vertx vertx,
      OnlineFeatures features,
      PushService push,
      OfflineStore offline,
      BufferAllocator allocator,
      ServingMetrics metrics,
      Duration timeout,
      ServingHealth health,
      int maxHistoricalRows,
      int maxHistoricalInFlight) {
    this.health = requireNonNull(health, "health is null");
    if (maxHistoricalRows < 1 || maxHistoricalInFlight < 1) {
      throw new InvalidRequestException(
          "historical limits must be positive: rows "
              + maxHistoricalRows
              + ", in flight "
              + maxHistoricalInFlight);
    }
    this.maxHistoricalRows = maxHistoricalRows;
    this.maxHistoricalInFlight = maxHistoricalInFlight;
    this.historicalSlots = new Semaphore(maxHistoricalInFlight);
    this.vertx = requireNonNull(vertx, "vertx is null");
    this.features = requireNonNull(features, "features is null");
    this.push = requireNonNull(push, "push is null");
    this.offline = offline;
    this.allocator = allocator;
    this.metrics = requireNonNull(metrics, "metrics is null");
    this.timeout = requireNonNull(timeout, "timeout is null");
  }

  Router router(List<Consumer<Router>> mounters) {
    Router router = Router.router(vertx);
    // No route takes uploads or forms: refuse them before any byte is stored (Vert.x would
    // otherwise write multipart uploads under ./file-uploads).
    router.route().order(-2).handler(HttpApi::refuseUploads);
    long historicalLimit = Math.max(1L << 20, maxHistoricalRows * HISTORICAL_BYTES_PER_ROW);
    router
        .post("/api/v1/features/online")
        .handler(BodyHandler.create(false).setBodyLimit(ONLINE_BODY_LIMIT))
        .handler(this::online);
    // The slot is taken (a route of its own: Vert.x reads bodies first on a route) before the body
    // is read, so refused requests cost no memory.
    router.post("/api/v1/historical").handler(this::reserveHistoricalSlot);
    router.post("/api/v1/historical").handler(ctx -> spoolHistorical(ctx, historicalLimit));
    router
        .post(ApiKeyChecks.PUSH)
        .handler(BodyHandler.create(false).setBodyLimit(PUSH_BODY_LIMIT))
        .handler(this::push);
    router.get("/api/v1/serving/info").handler(this::info);
    router.get("/api/v1/serving/health").handler(this::health);
    router.get("/metrics").handler(this::metrics);
    for (Consumer<Router> mounter : mounters) {
      mounter.accept(router);
    }
    // After the mounters: a mounted health check (the registry's, which pings its database) comes
    // first.
    router.get("/health").handler(this::health);
    // Every answer is JSON, also for paths and methods no route knows, and for bodies over a limit.
    // (Error handlers, not a catch-all route: a catch-all would turn the 405 of a known path into
    // a 404.)
    router.errorHandler(
        404,
        ctx ->
            jsonError(
                ctx,
                404,
                ErrorBody.Code.NOT_FOUND,
                "no such endpoint: " + ctx.request().method() + " " + ctx.request().path()));
    router.errorHandler(
        405,
        ctx ->
            jsonError(
                ctx,
                405,
                ErrorBody.Code.UNIMPLEMENTED,
                "method " + ctx.request().method() + " is not allowed on " + ctx.request().path()));
    router.errorHandler(
        413,
        ctx ->
            jsonError(
                ctx,
                413,
                ErrorBody.Code.INVALID_ARGUMENT,
                "the request body is too large: at most "
                    + (ctx.request().path().startsWith("/api/v1/historical")
                        ? historicalLimit + " bytes (" + maxHistoricalRows + " entity rows)"
                        : ctx.request().path().startsWith(ApiKeyChecks.PUSH)
                            ? PUSH_BODY_LIMIT + " bytes"
                            : ONLINE_BODY_LIMIT + " bytes")));
    router.errorHandler(
        500,
        ctx -> {
          LOG.warn("HTTP request failed", ctx.failure());
          jsonError(ctx, 500, ErrorBody.Code.INTERNAL, ErrorBody.INTERNAL_MESSAGE);
        });
    return router;
  }

  private static void refuseUploads(RoutingContext ctx) {
    String type = ctx.request().getHeader("content-type");
    String t = type == null ? "" : type.toLowerCase(java.util.Locale.ROOT);
    if (t.startsWith("multipart/") || t.startsWith("application/x-www-form-urlencoded")) {
      // Close after answering: the body that follows is not read.
      ctx.response().putHeader("connection", "close");
      jsonError(
          ctx,
          415,
          ErrorBody.Code.INVALID_ARGUMENT,
          "uploads and forms are not accepted: send application/json");
      return;
    }
    ctx.next();
  }

  /** Answers with the one error shape of every route ({@link ErrorBody}). */
  static void jsonError(RoutingContext ctx, int status, ErrorBody.Code code, String message) {
    if (ctx.response().ended() || ctx.response().closed()) {
      return;
    }
    ctx.response()
        .setStatusCode(status)
        .putHeader("content-type", "application/json")
        .end(new JsonObject(ErrorBody.of(code, message)).encode());
  }

  private void online(RoutingContext ctx) {
    long start = System.nanoTime();
    Duration storeTimeout;
    try {
      storeTimeout = requestTimeout(ctx.request().getHeader(TIMEOUT_HEADER));
    } catch (RuntimeException e) {
      fail(ctx, "GetFeatures", e, start);
      return;
    }
    if (ctx.body().length() <= DECODE_ON_LOOP_LIMIT) {
      OnlineQuery query;
      try {
        query = JsonMapping.toQuery(bodyJson(ctx));
      } catch (RuntimeException e) {
        fail(ctx, "GetFeatures", e, start);
        return;
      }
      lookUp(ctx, query, storeTimeout, start);
      return;
    }
    // A large body would hold the event loop (and every other call on it) while it is decoded.
    vertx
        .executeBlocking(() -> JsonMapping.toQuery(bodyJson(ctx)), false)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                fail(ctx, "GetFeatures", ar.cause(), start);
              } else {
                lookUp(ctx, ar.result(), storeTimeout, start);
              }
            });
  }

  private void lookUp(RoutingContext ctx, OnlineQuery query, Duration storeTimeout, long start) {
    String service = features.serviceLabel(query);
    features
        .get(query, storeTimeout)
        .whenComplete(
            (result, error) -> {
              if (error != null) {
                fail(ctx, "GetFeatures", service, error, start);
                return;
              }
              try {
                String json = JsonMapping.toJson(result).encode();
                metrics.recordServed(result.entityRows(), result.columns().size());
                ctx.response()
                    .putHeader("content-type", "application/json")
                    .putHeader(REGISTRY_VERSION_HEADER, Long.toString(result.registryVersion()))
                    .end(json);
                metrics.recordRequest(
                    "GetFeatures", service, TRANSPORT, "OK", System.nanoTime() - start);
              } catch (RuntimeException e) {
                fail(ctx, "GetFeatures", service, e, start);
              }
            });
  }

  /**
   * POST /api/v1/push: {@code {feature_view, rows: [{column: value, ...}], to?: online | offline |
   * both, project?}} -> {@code {rows, online_rows, late_rows, offline_rows}}. Decoded and checked
   * on a worker thread (a push may be megabytes).
   */
  private void push(RoutingContext ctx) {
    long start = System.nanoTime();
    vertx
        .executeBlocking(() -> toPush(bodyJson(ctx)), false)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                fail(ctx, "Push", ar.cause(), start);
                return;
              }
              push.push(ar.result())
                  .whenComplete(
                      (result, error) -> {
                        if (error != null) {
                          fail(ctx, "Push", error, start);
                          return;
                        }
                        ctx.response()
                            .putHeader("content-type", "application/json")
                            .end(
                                new JsonObject()
                                    .put("rows", result.rows())
                                    .put("online_rows", result.onlineRows())
                                    .put("late_rows", result.lateRows())
                                    .put("offline_rows", result.offlineRows())
                                    .encode());
                        metrics.recordRequest("Push", TRANSPORT, "OK", System.nanoTime() - start);
                      });
            });
  }

  static PushService.Request toPush(JsonObject body) {
    String project = null;
    String view = null;
    String to = null;
    JsonArray rows = null;
    for (String field : body.fieldNames()) {
      Object value = body.getValue(field);
      switch (field) {
        case "project" -> project = pushText(value, field);
        case "feature_view" -> view = pushText(value, field);
        case "to" -> to = pushText(value, field);
        case "rows" -> {
          if (!(value instanceof JsonArray a)) {
            throw new InvalidRequestException(
                "'rows' must be an array of objects, one per row: [{\"customer_id\": 7,"
                    + " \"event_ts\": \"2026-12-04T10:00:00Z\", ...}]");
          }
          rows = a;
        }
        default ->
            throw new InvalidRequestException(
                "unknown field '"
                    + field
                    + "' in a push; the fields are feature_view, rows, to and project");
      }
    }
    if (rows == null) {
      throw new InvalidRequestException("'rows' is missing: give the rows to push");
    }
    List<Map<String, Object>> out = new ArrayList<>(rows.size());
    for (int r = 0; r < rows.size(); r++) {
      Object row = rows.getValue(r);
      if (!(row instanceof JsonObject o)) {
        throw new InvalidRequestException("row " + r + " is not an object of column values");
      }
      Map<String, Object> values = new LinkedHashMap<>();
      for (String column : o.fieldNames()) {
        values.put(column, plain(o.getValue(column), r, column));
      }
      out.add(values);
    }
    return new PushService.Request(project, view, PushService.Target.parse(to), out);
  }

  private static String pushText(Object value, String field) {
    if (value != null && !(value instanceof String)) {
      throw new InvalidRequestException("'" + field + "' must be a string");
    }
    return (String) value;
  }

  /** A JSON value as plain Java: arrays as lists; objects are not values. */
  private static Object plain(Object v, int row, String column) {
    if (v instanceof JsonArray a) {
      List<Object> list = new ArrayList<>(a.size());
      for (int i = 0; i < a.size(); i++) {
        list.add(plain(a.getValue(i), row, column));
      }
      return list;
    }
    if (v instanceof JsonObject) {
      throw new InvalidRequestException(
          "row " + row + ", column '" + column + "': an object is not a value");
    }
    return v;
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
      // A 503 carries the error shape of every route, beside what probes read.
      body.mergeIn(new JsonObject(ErrorBody.of(ErrorBody.Code.UNAVAILABLE, state.reason())));
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
  private void reserveHistoricalSlot(RoutingContext ctx) {
    long start = System.nanoTime();
    if (offline == null || allocator == null) {
      fail(
          ctx,
          "Historical",
          new UnavailableException(
              "historical retrieval is not enabled on this server (no offline store)", null),
          start);
      return;
    }
    if (!historicalSlots.tryAcquire()) {
      ctx.response().putHeader("retry-after", "5");
      fail(
          ctx,
          "Historical",
          new UnavailableException(
              "busy: "
                  + maxHistoricalInFlight
                  + " historical retrievals are already running on this server"
                  + " (fletch serve --max-historical-in-flight); retry later",
              null),
          start);
      return;
    }
    // Released however the request ends: answered, refused (413), failed or abandoned.
    ctx.addEndHandler(v -> historicalSlots.release());
    ctx.next();
  }

  /**
   * Streams the body to a file (never to the heap), at most {@code limit} bytes, then reads it on a
   * worker: the entity rows are copied one by one to a JSON-lines file that the offline store reads
   * twice, a row at a time. Both files are removed when the request ends.
   */
  private void spoolHistorical(RoutingContext ctx, long limit) {
    long start = System.nanoTime();
    HttpServerRequest request = ctx.request();
    String declared = request.getHeader("content-length");
    if (declared != null
        && declared.chars().allMatch(Character::isDigit)
        && declared.length() < 19
        && Long.parseLong(declared) > limit) {
      ctx.response().putHeader("connection", "close");
      ctx.fail(413);
      return;
    }
    request.pause();
    FileSystem fs = vertx.fileSystem();
    fs.createTempFile("fletch-historical-", ".json")
        .compose(
            path -> {
              ctx.addEndHandler(v -> deleteQuietly(path));
              return fs.open(path, new OpenOptions().setWrite(true))
                  .map(file -> Map.entry(path, file));
            })
        .onFailure(e -> fail(ctx, "Historical", e, start))
        .onSuccess(
            opened -> {
              Path body = Path.of(opened.getKey());
              AsyncFile file = opened.getValue();
              long[] size = {0};
              boolean[] refused = {false};
              request.handler(
                  chunk -> {
                    if (refused[0]) {
                      return;
                    }
                    size[0] += chunk.length();
                    if (size[0] > limit) {
                      refused[0] = true;
                      file.close();
                      ctx.response().putHeader("connection", "close");
                      ctx.fail(413);
                      return;
                    }
                    file.write(chunk);
                    if (file.writeQueueFull()) {
                      request.pause();
                      file.drainHandler(v -> request.resume());
                    }
                  });
              request.exceptionHandler(e -> file.close());
              // A full or failing disk: say so, rather than parse a truncated body.
              file.exceptionHandler(
                  e -> {
                    if (!refused[0]) {
                      refused[0] = true;
                      ctx.response().putHeader("connection", "close");
                      fail(
                          ctx,
                          "Historical",
                          new UnavailableException(
                              "cannot spool the request body to a temporary file: "
                                  + e.getMessage(),
                              e),
                          start);
                    }
                  });
              request.endHandler(
                  v -> {
                    if (refused[0]) {
                      return;
                    }
                    file.close()
                        .compose(
                            closed ->
                                vertx.executeBlocking(() -> historicalRequest(ctx, body), false))
                        .onComplete(
                            ar -> {
                              if (ar.failed()) {
                                fail(ctx, "Historical", ar.cause(), start);
                              } else {
                                runHistorical(ctx, ar.result(), start);
                              }
                            });
                  });
              request.resume();
            });
  }

  private static void deleteQuietly(String path) {
    try {
      Files.deleteIfExists(Path.of(path));
    } catch (IOException e) {
      LOG.warn("cannot remove spooled request body {}: {}", path, e.toString());
    }
  }

  private record Historical(HistoricalRequest request, ServingCatalog catalog) {}

  /**
   * Reads a spooled historical body with a streaming parser ({@link HistoricalBody}); the rows go
   * to a JSON-lines file.
   */
  private Historical historicalRequest(RoutingContext ctx, Path body) throws IOException {
    Path rowsFile = Files.createTempFile("fletch-historical-rows-", ".jsonl");
    ctx.addEndHandler(v -> deleteQuietly(rowsFile.toString()));
    HistoricalBody parsed =
        HistoricalBody.read(
            body,
            rowsFile,
            maxHistoricalRows,
            f -> ctx.addEndHandler(v -> deleteQuietly(f.toString())));
    ServingCatalog catalog = features.definitions().catalog();
    if (parsed.project != null
        && !parsed.project.isBlank()
        && !parsed.project.equals(catalog.repo().project())) {
      throw new NotFoundException(
          "project",
          parsed.project,
          "this server serves project '" + catalog.repo().project() + "'");
    }
    HistoricalRequest request =
        new HistoricalRequest(
            new EntitySet.FromRows(new HistoricalBody.SpooledRows(rowsFile)),
            parsed.features,
            parsed.service,
            parsed.timestampColumn,
            parsed.fullNames,
            null,
            null,
            Map.of(
                TrainingSetMetadata.REGISTRY_VERSION,
                Long.toString(catalog.version()),
                TrainingSetMetadata.ENTITY_SOURCE,
                parsed.rows + " inline rows, POST /api/v1/historical"));
    return new Historical(request, catalog);
  }

  private void runHistorical(RoutingContext ctx, Historical h, long start) {
    HistoricalRequest request = h.request();
    ServingCatalog catalog = h.catalog();
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
    } catch (DecodeException e) {
      throw new InvalidRequestException("the request body is not valid JSON: " + e.getMessage(), e);
    } catch (ClassCastException e) {
      throw new InvalidRequestException("the request body must be a JSON object", e);
    }
  }

  private void fail(RoutingContext ctx, String method, Throwable error, long start) {
    fail(ctx, method, ServingMetrics.NO_SERVICE, error, start);
  }

  private void fail(
      RoutingContext ctx, String method, String service, Throwable error, long start) {
    int code = ErrorCodes.httpStatus(error);
    if (code == 500) {
      LOG.warn("{} failed", method, ErrorCodes.cause(error));
    }
    metrics.recordRequest(
        method, service, TRANSPORT, ErrorCodes.grpcCode(error).name(), System.nanoTime() - start);
    if (ctx.response().ended() || ctx.response().closed()) {
      return;
    }
    ctx.response()
        .setStatusCode(code)
        .putHeader("content-type", "application/json")
        .end(JsonMapping.error(error).encode());
  }
}
