package dev.fletch.registry.http;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fletch.core.DefinitionException;
import dev.fletch.core.ErrorBody;
import dev.fletch.core.InvalidRequestException;
import dev.fletch.core.JobHistory;
import dev.fletch.core.NotFoundException;
import dev.fletch.core.Problem;
import dev.fletch.core.UnavailableException;
import dev.fletch.core.model.DataMismatch;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.registry.ApplyResult;
import dev.fletch.registry.BreakingChangeException;
import dev.fletch.registry.ObjectKind;
import dev.fletch.registry.Plan;
import dev.fletch.registry.Registry;
import dev.fletch.registry.StoredObject;
import dev.fletch.registry.VersionInfo;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry's JSON API under {@code /api/v1}. Every registry call blocks on JDBC, so each runs
 * on a worker thread ({@code executeBlocking}); handlers on the event loop only parse and respond.
 */
public final class RegistryRoutes {
  public static final String PREFIX = "/api/v1";
  private static final Logger LOG = LoggerFactory.getLogger(RegistryRoutes.class);
  private static final ObjectMapper JSON = ApiJson.mapper();
  private static final long BODY_LIMIT = 16L * 1024 * 1024;
  private static final int DEFAULT_JOB_LIMIT = 20;
  private static final int MAX_JOB_LIMIT = 1000;

  private final Registry registry;
  private final Function<FeatureRepo, List<DataMismatch>> dataCheck;

  private RegistryRoutes(Registry registry, Function<FeatureRepo, List<DataMismatch>> dataCheck) {
    this.registry = registry;
    this.dataCheck = dataCheck;
  }

  /** Adds the registry routes (and {@code GET /health}) to {@code router}. */
  public static void mount(Router router, Registry registry) {
    mount(router, registry, null);
  }

  /**
   * Adds the registry routes; plan and apply also check the definitions against the sources' files
   * with {@code dataCheck} (the offline store's, reading the files this server can reach): a
   * mismatch refuses them like an invalid definition (400, each problem naming where in the
   * definitions), a source the server cannot read is listed as not checked. A body with {@code
   * "skip_data_check": true} skips it. {@code dataCheck} null: no such check.
   */
  public static void mount(
      Router router, Registry registry, Function<FeatureRepo, List<DataMismatch>> dataCheck) {
    requireNonNull(router, "router is null");
    requireNonNull(registry, "registry is null");
    RegistryRoutes r = new RegistryRoutes(registry, dataCheck);
    String p = PREFIX + "/projects/:project";
    router.get(PREFIX + "/health").handler(r::health);
    router.get("/health").handler(r::health);
    router.get(PREFIX + "/projects").handler(r::projects);
    router.get(p).handler(r::project);
    router.get(p + "/versions").handler(r::versions);
    router.get(p + "/versions/:version").handler(r::version);
    router.get(p + "/history/:kind/:name").handler(r::objectHistory);
    router.get(p + "/jobs").handler(r::jobs);
    router.get(p + "/jobs/:id/stats").handler(r::jobStats);
    router.get(p + "/feature-views/:name/stats").handler(r::viewStats);
    router.get(p + "/datasets").handler(r::datasets);
    router.get(p + "/datasets/:id").handler(r::dataset);
    for (ObjectKind kind : ObjectKind.values()) {
      router.get(p + "/" + kind.plural()).handler(ctx -> r.list(ctx, kind));
      router.get(p + "/" + kind.plural() + "/:name").handler(ctx -> r.get(ctx, kind));
    }
    // No uploads: Vert.x would otherwise store multipart bodies under ./file-uploads.
    BodyHandler body = BodyHandler.create(false).setBodyLimit(BODY_LIMIT);
    router.post(p + "/plan").handler(body).handler(r::plan);
    router.post(p + "/apply").handler(body).handler(r::apply);
  }

  /**
   * {@code {"status":"UP"}}, or 503 with why: the database failed a {@code SELECT 1}, or did not
   * answer it within {@link #HEALTH_TIMEOUT} (a frozen or unreachable server; the check keeps
   * running in the background and later probes share it rather than piling up).
   */
  private void health(RoutingContext ctx) {
    CompletableFuture<Void> ping = currentPing(ctx);
    io.vertx.core.Context loop = ctx.vertx().getOrCreateContext();
    ping.copy()
        .orTimeout(HEALTH_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete(
            (ok, error) ->
                loop.runOnContext(
                    v -> {
                      if (error == null) {
                        send(ctx, 200, Map.of("status", "UP"));
                        return;
                      }
                      Throwable cause =
                          error instanceof CompletionException && error.getCause() != null
                              ? error.getCause()
                              : error;
                      if (cause instanceof TimeoutException) {
                        cause =
                            new UnavailableException(
                                "the registry database "
                                    + registry.displayUrl()
                                    + " did not answer within "
                                    + HEALTH_TIMEOUT.toMillis()
                                    + " ms",
                                cause);
                      }
                      Map<String, Object> body = new LinkedHashMap<>(errorBody(cause));
                      body.put("status", "DOWN");
                      send(ctx, statusOf(cause) == 500 ? 500 : 503, body);
                    }));
  }

  /** How long {@code GET /health} waits for the registry database. */
  static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(2);

  private final AtomicReference<CompletableFuture<Void>> ping = new AtomicReference<>();

  /** The running ping of the database, or a new one when none runs. */
  private CompletableFuture<Void> currentPing(RoutingContext ctx) {
    while (true) {
      CompletableFuture<Void> running = ping.get();
      if (running != null && !running.isDone()) {
        return running;
      }
      CompletableFuture<Void> next = new CompletableFuture<>();
      if (ping.compareAndSet(running, next)) {
        ctx.vertx()
            .executeBlocking(
                () -> {
                  registry.ping();
                  return null;
                },
                false)
            .onComplete(
                ar -> {
                  if (ar.succeeded()) {
                    next.complete(null);
                  } else {
                    next.completeExceptionally(ar.cause());
                  }
                });
        return next;
      }
    }
  }

  private void projects(RoutingContext ctx) {
    respond(
        ctx,
        () -> {
          List<Map<String, Object>> out = new java.util.ArrayList<>();
          for (String name : registry.projects()) {
            out.add(Map.of("name", name, "version", registry.currentVersion(name)));
          }
          return Map.of("projects", out);
        });
  }

  private void project(RoutingContext ctx) {
    String project = ctx.pathParam("project");
    respond(
        ctx,
        () -> {
          long v = registry.currentVersion(project);
          if (v == 0) {
            throw new NotFoundException("project", project);
          }
          FeatureRepo repo = registry.load(project, v);
          Map<String, Object> out = new LinkedHashMap<>();
          out.put("project", project);
          out.put("version", registry.version(project, v));
          out.put(
              "counts",
              Map.of(
                  jsonName(ObjectKind.ENTITY), repo.entities().size(),
                  jsonName(ObjectKind.SOURCE), repo.sources().size(),
                  jsonName(ObjectKind.FEATURE_VIEW), repo.featureViews().size(),
                  jsonName(ObjectKind.FEATURE_SERVICE), repo.featureServices().size()));
          return out;
        });
  }

  private void versions(RoutingContext ctx) {
    String project = ctx.pathParam("project");
    respond(
        ctx,
        () -> {
          List<VersionInfo> versions = registry.history(project);
          if (versions.isEmpty()) {
            throw new NotFoundException("project", project);
          }
          return Map.of("project", project, "versions", versions);
        });
  }

  private void version(RoutingContext ctx) {
    String project = ctx.pathParam("project");
    long version = parseVersion(ctx.pathParam("version"), "version");
    respond(
        ctx,
        () -> {
          Map<String, Object> out = new LinkedHashMap<>();
          out.put("version", registry.version(project, version));
          out.put("definitions", registry.load(project, version));
          return out;
        });
  }

  private void objectHistory(RoutingContext ctx) {
    String project = ctx.pathParam("project");
    String name = ctx.pathParam("name");
    respond(
        ctx,
        () -> {
          ObjectKind kind = kindOrNotFound(ctx.pathParam("kind"));
          return Map.of(
              "project",
              project,
              "kind",
              kind,
              "name",
              name,
              "history",
              registry.objectHistory(project, kind, name));
        });
  }

  private void list(RoutingContext ctx, ObjectKind kind) {
    String project = ctx.pathParam("project");
    respond(
        ctx,
        () -> {
          long version = versionParam(ctx);
          List<Map<String, Object>> objects =
              registry.objects(project, kind, version).stream()
                  .map(RegistryRoutes::object)
                  .toList();
          long resolved = version == 0 ? registry.currentVersion(project) : version;
          return Map.of("project", project, "version", resolved, jsonName(kind), objects);
        });
  }

  private void get(RoutingContext ctx, ObjectKind kind) {
    String project = ctx.pathParam("project");
    String name = ctx.pathParam("name");
    respond(ctx, () -> object(registry.object(project, kind, name, versionParam(ctx))));
  }

  /** The kind's name as a JSON key: {@code feature_views} (its URL segment is feature-views). */
  static String jsonName(ObjectKind kind) {
    return kind.plural().replace('-', '_');
  }

  /** A stored object as the API shows it: the definition in the API's names, not as stored. */
  private static Map<String, Object> object(StoredObject o) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("kind", o.kind());
    out.put("name", o.name());
    out.put("version", o.version());
    out.put("content_hash", o.contentHash());
    out.put("definition", o.value());
    return out;
  }

  private void jobs(RoutingContext ctx) {
    String project = ctx.pathParam("project");
    respond(
        ctx,
        () -> {
          String view = single(ctx, "view");
          String limitText = single(ctx, "limit");
          int limit = limitText == null ? DEFAULT_JOB_LIMIT : (int) parseLong(limitText, "limit");
          if (limit < 1 || limit > MAX_JOB_LIMIT) {
            throw new InvalidRequestException(
                "limit must be between 1 and " + MAX_JOB_LIMIT + ", got " + limitText);
          }
          Map<String, Object> out = new LinkedHashMap<>();
          out.put("project", project);
          if (view != null) {
            out.put("view", view);
            out.put("watermark", registry.jobHistory().watermark(project, view).orElse(null));
          }
          out.put("jobs", registry.jobHistory().recent(project, view, limit));
          return out;
        });
  }

  /** The statistics of one job's rows. */
  private void jobStats(RoutingContext ctx) {
    String project = ctx.pathParam("project");
    respond(
        ctx,
        () -> {
          long id = parseVersion(ctx.pathParam("id"), "job id");
          JobHistory.JobStats found =
              registry
                  .jobHistory()
                  .stats(id)
                  .filter(j -> j.job().project().equals(project))
                  .orElseThrow(
                      () ->
                          new NotFoundException(
                              "statistics of job",
                              Long.toString(id),
                              "in project '"
                                  + project
                                  + "' (jobs of aggregated views and jobs"
                                  + " that failed have none)"));
          Map<String, Object> out = new LinkedHashMap<>();
          out.put("project", project);
          out.put("job", found.job());
          out.put("stats", found.stats());
          return out;
        });
  }

  /** The statistics of the newest job of a view that has them. */
  private void viewStats(RoutingContext ctx) {
    String project = ctx.pathParam("project");
    String view = ctx.pathParam("name");
    respond(
        ctx,
        () -> {
          JobHistory.JobStats found =
              registry
                  .jobHistory()
                  .latestStats(project, view)
                  .orElseThrow(
                      () ->
                          new NotFoundException(
                              "statistics of feature view",
                              view,
                              "in project '"
                                  + project
                                  + "': no materialization job recorded any yet"));
          Map<String, Object> out = new LinkedHashMap<>();
          out.put("project", project);
          out.put("view", view);
          out.put("job", found.job());
          out.put("stats", found.stats());
          return out;
        });
  }

  /** The training sets Fletch wrote, newest first, without their statistics. */
  private void datasets(RoutingContext ctx) {
    String project = ctx.pathParam("project");
    respond(
        ctx,
        () -> {
          String limitText = single(ctx, "limit");
          int limit = limitText == null ? DEFAULT_JOB_LIMIT : (int) parseLong(limitText, "limit");
          if (limit < 1 || limit > MAX_JOB_LIMIT) {
            throw new InvalidRequestException(
                "limit must be between 1 and " + MAX_JOB_LIMIT + ", got " + limitText);
          }
          Map<String, Object> out = new LinkedHashMap<>();
          out.put("project", project);
          out.put("datasets", registry.datasets().recent(project, limit));
          return out;
        });
  }

  /** One dataset with its statistics. */
  private void dataset(RoutingContext ctx) {
    String project = ctx.pathParam("project");
    respond(
        ctx,
        () -> {
          long id = parseVersion(ctx.pathParam("id"), "dataset id");
          return registry
              .datasets()
              .find(project, id)
              .orElseThrow(
                  () ->
                      new NotFoundException(
                          "dataset", Long.toString(id), "in project '" + project + "'"));
        });
  }

  private void plan(RoutingContext ctx) {
    String project = ctx.pathParam("project");
    respond(
        ctx,
        () -> {
          ObjectNode body = bodyObject(ctx);
          FeatureRepo repo = toRepo(body, project);
          List<String> unchecked = checkData(body, repo);
          Plan plan = registry.plan(repo);
          Map<String, Object> out = new LinkedHashMap<>();
          out.put("plan", plan);
          out.put("text", plan.render());
          out.put("unchecked_sources", unchecked);
          return out;
        });
  }

  private void apply(RoutingContext ctx) {
    String project = ctx.pathParam("project");
    String remote =
        ctx.request().remoteAddress() == null ? "unknown" : ctx.request().remoteAddress().host();
    respond(
        ctx,
        () -> {
          ObjectNode body = bodyObject(ctx);
          JsonNode expected = body.get("expected_version");
          if (expected == null || !expected.canConvertToLong()) {
            throw new InvalidRequestException(
                "expected_version is required: the baseVersion of the plan this apply was reviewed against");
          }
          JsonNode allow = body.get("allow_breaking");
          boolean allowBreaking = allow != null && allow.asBoolean(false);
          JsonNode by = body.get("applied_by");
          JsonNode message = body.get("message");
          FeatureRepo repo = toRepo(body, project);
          List<String> unchecked = checkData(body, repo);
          ApplyResult result =
              registry.apply(
                  repo,
                  expected.asLong(),
                  allowBreaking,
                  by != null && by.isTextual() ? by.asText() : "http:" + remote,
                  message != null && message.isTextual() ? message.asText() : "");
          Map<String, Object> out = new LinkedHashMap<>();
          out.put("result", result);
          out.put("text", result.plan().render() + result.summary() + "\n");
          out.put("unchecked_sources", unchecked);
          return out;
        });
  }

  /**
   * The data check of plan and apply (see {@link #mount(Router, Registry, Function)}): throws
   * DefinitionException for mismatches; returns the sources it could not read (not checked).
   */
  private List<String> checkData(ObjectNode body, FeatureRepo repo) {
    JsonNode skip = body.get("skip_data_check");
    if (dataCheck == null || (skip != null && skip.asBoolean(false))) {
      return List.of();
    }
    String origin = "definitions of project '" + repo.project() + "'";
    List<Problem> problems = new java.util.ArrayList<>();
    List<String> unchecked = new java.util.ArrayList<>();
    for (DataMismatch m : dataCheck.apply(repo)) {
      if (m.unreadable()) {
        unchecked.add(m.at() + ": " + m.message());
      } else {
        problems.add(new Problem(origin, 0, 0, m.at() + ": " + m.message()));
      }
    }
    if (!problems.isEmpty()) {
      throw new DefinitionException(problems);
    }
    return unchecked;
  }

  // ---------------------------------------------------------------- request parsing

  private static ObjectNode bodyObject(RoutingContext ctx) {
    String text = ctx.body() == null ? null : ctx.body().asString();
    if (text == null || text.isBlank()) {
      throw new InvalidRequestException(
          "the request body is empty: send the feature repository as JSON");
    }
    try {
      JsonNode node = JSON.readTree(text);
      if (!(node instanceof ObjectNode)) {
        throw new InvalidRequestException("the request body must be a JSON object");
      }
      // Bodies written for the camelCase names of earlier versions read the same.
      return (ObjectNode) ApiJson.snakeCaseKeys(node);
    } catch (JsonProcessingException e) {
      throw new InvalidRequestException(
          "the request body is not valid JSON (line "
              + e.getLocation().getLineNr()
              + ", column "
              + e.getLocation().getColumnNr()
              + "): "
              + e.getOriginalMessage(),
          e);
    }
  }

  private static FeatureRepo repoFromBody(RoutingContext ctx, String project) {
    return toRepo(bodyObject(ctx), project);
  }

  /** The repository in the body; the project comes from the path and must agree with the body's. */
  private static FeatureRepo toRepo(ObjectNode body, String project) {
    JsonNode named = body.get("project");
    if (named != null && !named.isNull() && !named.asText().equals(project)) {
      throw new InvalidRequestException(
          "the body is for project '"
              + named.asText()
              + "' but the URL names project '"
              + project
              + "'");
    }
    ObjectNode repo = body.deepCopy();
    for (String control :
        List.of("expected_version", "allow_breaking", "applied_by", "skip_data_check", "message")) {
      repo.remove(control);
    }
    repo.put("project", project);
    for (String list : List.of("entities", "sources", "feature_views", "feature_services")) {
      if (!repo.hasNonNull(list)) {
        repo.set(list, JSON.createArrayNode());
      } else if (!(repo.get(list) instanceof ArrayNode)) {
        throw new InvalidRequestException(list + " must be a JSON array");
      }
    }
    try {
      return JSON.treeToValue(repo, FeatureRepo.class);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      String msg = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
      Throwable root = e;
      while (root.getCause() != null) {
        root = root.getCause();
      }
      if (root instanceof NullPointerException && root.getMessage() != null) {
        msg = root.getMessage(); // a record's requireNonNull: "name is null"
      }
      throw new InvalidRequestException(
          "the feature repository in the body is malformed: " + msg, e);
    }
  }

  private static String single(RoutingContext ctx, String name) {
    List<String> values = ctx.queryParam(name);
    return values.isEmpty() ? null : values.get(0);
  }

  private static long versionParam(RoutingContext ctx) {
    String text = single(ctx, "version");
    return text == null ? 0 : parseVersion(text, "version");
  }

  private static long parseVersion(String text, String what) {
    long v = parseLong(text, what);
    if (v < 1) {
      throw new InvalidRequestException(what + " must be a positive integer, got '" + text + "'");
    }
    return v;
  }

  private static long parseLong(String text, String what) {
    try {
      return Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      throw new InvalidRequestException(what + " must be an integer, got '" + text + "'", e);
    }
  }

  private static ObjectKind kindOrNotFound(String text) {
    try {
      return ObjectKind.parse(text);
    } catch (InvalidRequestException e) {
      throw new NotFoundException("kind", text, e.getMessage());
    }
  }

  // ---------------------------------------------------------------- responses

  private static void respond(RoutingContext ctx, Callable<Object> work) {
    ctx.vertx()
        .executeBlocking(work, false)
        .onComplete(
            ar -> {
              if (ar.succeeded()) {
                send(ctx, 200, ar.result());
              } else {
                fail(ctx, ar.cause());
              }
            });
  }

  /** The HTTP status for a failure: precise for every FletchException kind, 500 only for bugs. */
  public static int statusOf(Throwable t) {
    return ErrorBody.httpStatus(t);
  }

  /**
   * The error body, the shape of every route ({@link ErrorBody}): {@code {"error": {"code",
   * "message", "problems": [...]}}}; a breaking apply adds {@code breaking} and {@code plan}.
   */
  public static Map<String, Object> errorBody(Throwable t) {
    if (t instanceof BreakingChangeException b) {
      Map<String, Object> extra = new LinkedHashMap<>();
      extra.put("breaking", b.reasons());
      extra.put("plan", b.plan());
      return ErrorBody.of(ErrorBody.codeOf(t), t.getMessage(), List.of(), extra);
    }
    return ErrorBody.of(t);
  }

  private static void fail(RoutingContext ctx, Throwable t) {
    int status = statusOf(t);
    if (status == 500) {
      LOG.error("registry API {} {} failed", ctx.request().method(), ctx.request().path(), t);
    }
    send(ctx, status, errorBody(t));
  }

  private static void send(RoutingContext ctx, int status, Object body) {
    if (ctx.response().ended() || ctx.response().closed()) {
      return;
    }
    String json;
    try {
      json = JSON.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      status = 500;
      json =
          "{\"error\":{\"code\":\"INTERNAL\",\"message\":\"cannot serialise the response\","
              + "\"problems\":[]}}";
      LOG.error("cannot serialise a registry API response", e);
    }
    ctx.response()
        .setStatusCode(status)
        .putHeader("content-type", "application/json; charset=utf-8")
        .end(json);
  }
}
