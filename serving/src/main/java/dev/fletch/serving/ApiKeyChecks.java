package dev.fletch.serving;

import static java.util.Objects.requireNonNull;

import dev.fletch.core.ErrorBody;
import dev.fletch.proto.serving.v1.FeatureServingGrpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Where {@link ApiKeys} are enforced: a gRPC interceptor for FeatureServing (health and reflection
 * stay open, for load balancers and tools) and a Vert.x handler in front of every HTTP route except
 * the health checks and {@code /metrics}.
 *
 * <p>HTTP authorization is default-deny for writes: the role a request needs is decided on its
 * canonical path (dot segments resolved, repeated and trailing slashes dropped), and only the
 * methods and paths listed as reads need no more than a read key; everything else, whatever route
 * would match it, needs an admin key. Without keys, reads are open and writes are refused unless
 * the server was started to allow unauthenticated writes.
 */
final class ApiKeyChecks {
  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  /** Paths answered without a key: probes and the Prometheus scrape. */
  private static final Set<String> OPEN =
      Set.of("/health", "/api/v1/health", "/api/v1/serving/health", "/metrics");

  /** POST routes that only read (plan computes a diff and stores nothing). */
  private static final Pattern READ_POSTS =
      Pattern.compile("/api/v1/features/online|/api/v1/historical|/api/v1/projects/[^/]+/plan");

  private final ApiKeys keys;
  private final ServingMetrics metrics;
  private final boolean openWrites;

  /** {@code keys} null: no keys configured; {@code openWrites} then decides about writes. */
  ApiKeyChecks(ApiKeys keys, ServingMetrics metrics, boolean openWrites) {
    this.keys = keys;
    this.metrics = requireNonNull(metrics, "metrics is null");
    this.openWrites = openWrites;
  }

  /** {@code path} with dot segments resolved and empty segments (//, a trailing /) dropped. */
  static String canonical(String path) {
    java.util.ArrayDeque<String> parts = new java.util.ArrayDeque<>();
    for (String part : (path == null ? "" : path).split("/")) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        parts.pollLast();
      } else {
        parts.addLast(part);
      }
    }
    return "/" + String.join("/", parts);
  }

  /** The one POST that writes rows rather than definitions. */
  static final String PUSH = "/api/v1/push";

  /**
   * The role a request needs: reads for GET/HEAD and the listed read POSTs, write for pushes, admin
   * otherwise.
   */
  static ApiKeys.Role needed(HttpMethod method, String canonicalPath) {
    if (method == HttpMethod.GET || method == HttpMethod.HEAD || method == HttpMethod.OPTIONS) {
      return ApiKeys.Role.READ;
    }
    if (method == HttpMethod.POST && READ_POSTS.matcher(canonicalPath).matches()) {
      return ApiKeys.Role.READ;
    }
    if (method == HttpMethod.POST && canonicalPath.equals(PUSH)) {
      return ApiKeys.Role.WRITE;
    }
    return ApiKeys.Role.ADMIN;
  }

  ServerInterceptor grpc() {
    return new ServerInterceptor() {
      @Override
      public <Q, A> ServerCall.Listener<Q> interceptCall(
          ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
        if (!FeatureServingGrpc.SERVICE_NAME.equals(call.getMethodDescriptor().getServiceName())) {
          return next.startCall(call, headers);
        }
        String key = ApiKeys.bearer(headers.get(AUTHORIZATION));
        ApiKeys.Role role = keys.roleOf(key);
        boolean push =
            FeatureServingGrpc.getPushMethod()
                .getFullMethodName()
                .equals(call.getMethodDescriptor().getFullMethodName());
        if (role != null && role.allows(push ? ApiKeys.Role.WRITE : ApiKeys.Role.READ)) {
          return next.startCall(call, headers);
        }
        if (role != null) {
          metrics.recordRequest("Push", "grpc", "PERMISSION_DENIED", 0);
          call.close(
              Status.PERMISSION_DENIED.withDescription(
                  "this API key may read but not push rows: use a write or admin key"),
              new Metadata());
          return new ServerCall.Listener<>() {};
        }
        metrics.recordRequest(
            call.getMethodDescriptor().getBareMethodName(), "grpc", "UNAUTHENTICATED", 0);
        call.close(Status.UNAUTHENTICATED.withDescription(refusal(key)), new Metadata());
        return new ServerCall.Listener<>() {};
      }
    };
  }

  Handler<RoutingContext> http() {
    return ctx -> {
      String path = canonical(ctx.request().path());
      ApiKeys.Role needed = needed(ctx.request().method(), path);
      if (keys == null) {
        if (needed == ApiKeys.Role.READ || openWrites) {
          ctx.next();
          return;
        }
        metrics.recordRequest(method(path), "http", "PERMISSION_DENIED", 0);
        refuse(
            ctx,
            403,
            "PERMISSION_DENIED",
            "writes over HTTP are closed: start fletch serve with --api-keys FILE and send an admin"
                + " key (or, for local development only, --allow-unauthenticated-writes)");
        return;
      }
      if (OPEN.contains(path) && needed == ApiKeys.Role.READ) {
        ctx.next();
        return;
      }
      String key = ApiKeys.bearer(ctx.request().getHeader("Authorization"));
      ApiKeys.Role role = keys.roleOf(key);
      if (role != null && role.allows(needed)) {
        ctx.next();
        return;
      }
      boolean known = role != null;
      String code = known ? "PERMISSION_DENIED" : "UNAUTHENTICATED";
      metrics.recordRequest(method(path), "http", code, 0);
      String message =
          !known
              ? refusal(key)
              : needed == ApiKeys.Role.WRITE
                  ? "this API key may read but not push rows: use a write or admin key"
                  : "this API key may not apply definitions: use an admin key";
      if (!known) {
        ctx.response().putHeader("WWW-Authenticate", "Bearer");
      }
      refuse(ctx, known ? 403 : 401, code, message);
    };
  }

  private static void refuse(RoutingContext ctx, int status, String code, String message) {
    HttpApi.jsonError(ctx, status, ErrorBody.Code.valueOf(code), message);
  }

  private static String refusal(String key) {
    return key == null
        ? "an API key is required: send 'Authorization: Bearer <key>'"
        : "unknown or revoked API key";
  }

  private static String method(String path) {
    return switch (path) {
      case "/api/v1/features/online" -> "GetFeatures";
      case "/api/v1/historical" -> "Historical";
      case "/api/v1/serving/info" -> "GetServingInfo";
      case PUSH -> "Push";
      default -> "Registry";
    };
  }
}
