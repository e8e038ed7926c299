package dev.fletch.registry.http;

import static java.util.Objects.requireNonNull;

import dev.fletch.core.ErrorBody;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;

/** A standalone HTTP server for the registry API (tests, or a registry-only deployment). */
public final class RegistryHttpServer {
  private RegistryHttpServer() {}

  /** Starts listening ({@code port} 0 = any free port; see {@link HttpServer#actualPort()}). */
  public static Future<HttpServer> start(
      Vertx vertx, dev.fletch.registry.Registry registry, String host, int port) {
    requireNonNull(vertx, "vertx is null");
    requireNonNull(registry, "registry is null");
    requireNonNull(host, "host is null");
    Router router = Router.router(vertx);
    RegistryRoutes.mount(router, registry);
    // Unknown paths get the same JSON error shape as everything else.
    router
        .route()
        .last()
        .handler(
            ctx ->
                ctx.response()
                    .setStatusCode(404)
                    .putHeader("content-type", "application/json; charset=utf-8")
                    .end(
                        dev.fletch.core.DefinitionJson.write(
                            ErrorBody.of(
                                ErrorBody.Code.NOT_FOUND,
                                "no such endpoint: "
                                    + ctx.request().method()
                                    + " "
                                    + ctx.request().path()))));
    return vertx.createHttpServer().requestHandler(router).listen(port, host);
  }
}
