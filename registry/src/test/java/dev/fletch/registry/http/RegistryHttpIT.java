package dev.fletch.registry.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fletch.core.DefinitionJson;
import dev.fletch.registry.HttpFixtures;
import dev.fletch.registry.Registry;
import dev.fletch.testkit.PostgresDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The API on a PostgreSQL registry, and its JSON 503 when the database goes away. */
class RegistryHttpIT {
  private final HttpClient http = HttpClient.newHttpClient();

  private static HttpResponse<String> send(HttpClient http, HttpRequest request) throws Exception {
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void appliesOverHttpAndAnswers503WhenTheDatabaseIsGone() throws Exception {
    Vertx vertx = Vertx.vertx();
    PostgresDatabase db = PostgresDatabase.create();
    try (Registry registry = Registry.open(db.jdbcUrl())) {
      HttpServer server =
          RegistryHttpServer.start(vertx, registry, "127.0.0.1", 0)
              .toCompletionStage()
              .toCompletableFuture()
              .get(10, TimeUnit.SECONDS);
      String base = "http://127.0.0.1:" + server.actualPort();

      ObjectNode body = DefinitionJson.mapper().valueToTree(HttpFixtures.payments("payments"));
      body.put("expected_version", 0);
      HttpResponse<String> applied =
          send(
              http,
              HttpRequest.newBuilder(URI.create(base + "/api/v1/projects/payments/apply"))
                  .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                  .build());
      assertEquals(200, applied.statusCode(), applied.body());
      HttpResponse<String> view =
          send(
              http,
              HttpRequest.newBuilder(
                      URI.create(base + "/api/v1/projects/payments/feature-views/customer_profile"))
                  .build());
      assertEquals(200, view.statusCode());

      db.close(); // drops the database under the running server
      HttpResponse<String> health =
          send(http, HttpRequest.newBuilder(URI.create(base + "/health")).build());
      assertEquals(503, health.statusCode(), health.body());
      JsonNode error = DefinitionJson.mapper().readTree(health.body());
      assertEquals("UNAVAILABLE", error.at("/error/code").asText(), health.body());
      assertTrue(
          error.at("/error/message").asText().contains("cannot reach the registry database"),
          health.body());
      assertTrue(!health.body().contains("password="), "no secrets in errors");
    } finally {
      db.close();
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
