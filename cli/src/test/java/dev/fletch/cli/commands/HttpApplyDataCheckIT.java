package dev.fletch.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fletch.cli.CliRun;
import dev.fletch.core.DefinitionJson;
import dev.fletch.core.yaml.RepoLoader;
import dev.fletch.serving.FletchServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * #24 item 4 over HTTP: `fletch serve`'s plan and apply check definitions against the files the
 * server reads, like the CLI: a mismatch is a 400 naming where in the definitions it is; a source
 * the server cannot read is listed as not checked; skip_data_check skips the check.
 */
class HttpApplyDataCheckIT {
  @TempDir Path tmp;

  @Test
  void planAndApplyOverHttpCheckTheDataTheServerCanRead() throws Exception {
    Path repo = tmp.resolve("shop");
    assertEquals(0, CliRun.run("init", repo.toString(), "--project", "shop").exitCode());
    ObjectNode good = DefinitionJson.mapper().valueToTree(RepoLoader.load(repo));
    int port = FletchServer.freePort();
    ServedFletch served =
        new ServedFletch()
            .start(
                "serve",
                "--repo",
                repo.toString(),
                "--http-port",
                String.valueOf(port),
                "--grpc-port",
                "0",
                "--no-schedule",
                "--allow-unauthenticated-writes");
    try {
      HttpClient http = HttpClient.newHttpClient();
      // orders_7d declared STRING: the file holds integers
      ObjectNode mistyped = good.deepCopy();
      ((ObjectNode) mistyped.at("/featureViews/0/features/0")).put("type", "STRING");
      HttpResponse<String> refused = post(http, port, "/apply", mistyped, 0, false);
      assertEquals(400, refused.statusCode(), refused.body());
      JsonNode problems =
          DefinitionJson.mapper().readTree(refused.body()).get("error").get("problems");
      assertEquals(1, problems.size(), refused.body());
      assertTrue(
          problems
              .get(0)
              .get("message")
              .asText()
              .startsWith(
                  "feature_views[customer_stats].features[orders_7d].type: feature view"
                      + " 'customer_stats' feature 'orders_7d': declared STRING, but column"
                      + " 'orders_7d' of data/customer_stats.csv is BIGINT"),
          refused.body());
      assertEquals(
          0,
          CliRun.run("list", "--repo", repo.toString(), "projects")
              .out()
              .lines()
              .filter(l -> l.startsWith("shop"))
              .count(),
          "nothing was applied");

      // skipped on request
      HttpResponse<String> skipped = post(http, port, "/plan", mistyped, 0, true);
      assertEquals(200, skipped.statusCode(), skipped.body());

      // a source whose files this server does not hold: not checked, said so, applied
      ObjectNode elsewhere = good.deepCopy();
      ((ObjectNode) elsewhere.at("/sources/0")).put("path", "data/elsewhere/*.csv");
      HttpResponse<String> applied = post(http, port, "/apply", elsewhere, 0, false);
      assertEquals(200, applied.statusCode(), applied.body());
      ArrayNode unchecked =
          (ArrayNode) DefinitionJson.mapper().readTree(applied.body()).get("unchecked_sources");
      assertEquals(1, unchecked.size(), applied.body());
      assertTrue(
          unchecked.get(0).asText().startsWith("sources[customer_stats].path: "), applied.body());
    } finally {
      assertEquals(0, served.stop(), served.errors());
    }
  }

  private static HttpResponse<String> post(
      HttpClient http, int port, String what, ObjectNode repo, long expected, boolean skip)
      throws Exception {
    ObjectNode body = repo.deepCopy();
    body.put("expected_version", expected);
    if (skip) {
      body.put("skip_data_check", true);
    }
    return http.send(
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/api/v1/projects/shop" + what))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
