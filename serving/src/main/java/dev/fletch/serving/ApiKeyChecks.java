package dev.fletch.serving;

import static java.util.Objects.requireNonNull;

import dev.fletch.proto.serving.v1.FeatureServingGrpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;

/**
 * Where {@link ApiKeys} are enforced: a gRPC interceptor for FeatureServing (health and reflection
 * stay open, for load balancers and tools) and a Vert.x handler in front of every HTTP route except
 * the health checks and {@code /metrics}. Registry applies need an admin key.
 */
final class ApiKeyChecks {
  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  /** Paths answered without a key: probes and the Prometheus scrape. */
  private static final Set<String> OPEN =
      Set.of("/health", "/api/v1/health", "/api/v1/serving/health", "/metrics");

  private final ApiKeys keys;
  private final ServingMetrics metrics;

  ApiKeyChecks(ApiKeys keys, ServingMetrics metrics) {
    this.keys = requireNonNull(keys, "keys is null");
    this.metrics = requireNonNull(metrics, "metrics is null");
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
        if (keys.roleOf(key) != null) {
          return next.startCall(call, headers);
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
      String path = ctx.normalizedPath();
      if (OPEN.contains(path)) {
        ctx.next();
        return;
      }
      String key = ApiKeys.bearer(ctx.request().getHeader("Authorization"));
      ApiKeys.Role role = keys.roleOf(key);
      ApiKeys.Role needed =
          ctx.request().method() == HttpMethod.POST && path.endsWith("/apply")
              ? ApiKeys.Role.ADMIN
              : ApiKeys.Role.READ;
      if (role != null && role.allows(needed)) {
        ctx.next();
        return;
      }
      boolean known = role != null;
      String code = known ? "PERMISSION_DENIED" : "UNAUTHENTICATED";
      metrics.recordRequest(method(path), "http", code, 0);
      String message =
          known
              ? "this API key may read but not apply definitions: use an admin key"
              : refusal(key);
      if (!known) {
        ctx.response().putHeader("WWW-Authenticate", "Bearer");
      }
      ctx.response()
          .setStatusCode(known ? 403 : 401)
          .putHeader("content-type", "application/json")
          .end(
              new JsonObject()
                  .put("error", new JsonObject().put("code", code).put("message", message))
                  .encode());
    };
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
      default -> "Registry";
    };
  }
}
