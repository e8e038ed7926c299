package dev.fletch.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.fletch.cli.Fletch;
import dev.fletch.serving.FletchServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fletch quickstart --serve} in its own JVM: it keeps serving, the curl call it prints
 * works, and SIGTERM stops it cleanly (the server closes and step 6 is printed before the JVM
 * exits).
 */
class QuickstartServeTest {
  @TempDir Path tmp;

  @Test
  void servesUntilSigtermAndThePrintedCurlCallWorks() throws Exception {
    int grpc = FletchServer.freePort();
    int http = FletchServer.freePort();
    ProcessBuilder pb =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-opens=java.base/java.nio=ALL-UNNAMED",
                "-Xmx512m",
                "-cp",
                classPath(),
                Fletch.class.getName(),
                "quickstart",
                "--dir",
                tmp.resolve("qs").toString(),
                "--serve",
                "--grpc-port",
                Integer.toString(grpc),
                "--http-port",
                Integer.toString(http))
            .redirectErrorStream(true);
    pb.environment().keySet().removeIf(k -> k.startsWith("FLETCH_"));
    // Output goes to a file: destroy() closes the pipes, and what follows SIGTERM must stay
    // readable.
    Path log = tmp.resolve("quickstart.log");
    pb.redirectOutput(log.toFile());
    Process p = pb.start();
    try {
      String body = null;
      Pattern curlLine =
          Pattern.compile("curl -s (http://\\S+/api/v1/features/online) .* -d '(.*)'");
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
      while (body == null && p.isAlive() && System.nanoTime() < deadline) {
        Matcher curl = curlLine.matcher(Files.readString(log));
        if (curl.find()) {
          assertTrue(curl.group(1).contains(":" + http + "/"), curl.group());
          body = curl.group(2);
        } else {
          Thread.sleep(200);
        }
      }
      if (body == null) {
        fail("no curl line printed:\n" + Files.readString(log));
      }
      HttpResponse<String> answer =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + http + "/api/v1/features/online"))
                      .header("content-type", "application/json")
                      .timeout(Duration.ofSeconds(10))
                      .POST(HttpRequest.BodyPublishers.ofString(body))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertEquals(200, answer.statusCode(), answer.body());
      assertTrue(answer.body().contains("\"PRESENT\""), answer.body());
      assertTrue(Files.readString(log).contains("grpcurl -plaintext"), Files.readString(log));

      p.destroy(); // SIGTERM
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "stopped after SIGTERM");
    } finally {
      if (p.isAlive()) {
        p.destroyForcibly();
      }
    }
    String out = Files.readString(log);
    assertTrue(out.contains("[7/7] Stopping the server"), out);
    // A JVM stopped by SIGTERM exits with 128 + 15 once its shutdown hooks are done.
    assertEquals(143, p.exitValue(), out);
  }

  private static String classPath() {
    String cp = System.getProperty("surefire.test.class.path");
    return cp == null || cp.isBlank() ? System.getProperty("java.class.path") : cp;
  }
}
