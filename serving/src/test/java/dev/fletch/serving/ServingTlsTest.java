package dev.fletch.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fletch.core.InvalidRequestException;
import dev.fletch.core.UnavailableException;
import dev.fletch.serving.client.FletchClient;
import dev.fletch.testkit.TestCertificates;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** gRPC and HTTP over TLS, and the errors for certificates and keys that cannot be used. */
class ServingTlsTest {
  private static final Instant NOW = Instant.parse("2026-01-10T12:00:00Z");

  @TempDir static Path dir;
  private static TestCertificates.Pair cert;
  private static TestCertificates.Pair other;
  private static TestCertificates.Pair clientCert;

  private MemoryOnlineStore store;
  private FletchServer server;

  @BeforeAll
  static void certificates() {
    cert = TestCertificates.create(dir, "server");
    other = TestCertificates.create(dir, "other");
    clientCert = TestCertificates.create(dir, "client");
  }

  @BeforeEach
  void start() {
    store = TestRepos.customerOne(NOW.minusSeconds(60));
    server = builder().tls(ServerTls.of(cert.certificate(), cert.privateKey())).start();
  }

  private FletchServer.Builder builder() {
    return FletchServer.builder()
        .host("127.0.0.1")
        .httpPort(FletchServer.EPHEMERAL)
        .grpcPort(FletchServer.EPHEMERAL)
        .definitions(new TestRepos.MemoryDefinitions(TestRepos.repo()))
        .project("payments")
        .onlineStore(store)
        .clock(Clock.fixed(NOW, ZoneOffset.UTC));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void grpcOverTlsAnswersAClientThatTrustsTheCertificate() {
    assertTrue(server.tls());
    try (FletchClient client =
        FletchClient.builder()
            .target("localhost", server.grpcPort())
            .trustCertificates(cert.certificate())
            .deadline(Duration.ofSeconds(5))
            .build()) {
      OnlineResult r =
          client.getFeatures(List.of("customer_profile:age"), Map.of("customer_id", List.of(1L)));
      assertEquals(31, r.value("age", 0));
      assertEquals(ValueStatus.PRESENT, r.status("age", 0));
    }
  }

  @Test
  void grpcOverTlsRefusesPlaintextAndUntrustedClients() {
    try (FletchClient plaintext =
        FletchClient.builder()
            .target("localhost", server.grpcPort())
            .deadline(Duration.ofSeconds(5))
            .build()) {
      assertThrows(
          UnavailableException.class,
          () ->
              plaintext.getFeatures(
                  List.of("customer_profile:age"), Map.of("customer_id", List.of(1L))));
    }
    assertFalse(answers(server, other.certificate()), "a client trusting another certificate");
  }

  @Test
  void httpsServesTheJsonTwinAndPlainHttpIsNotAnswered() throws Exception {
    HttpClient https =
        HttpClient.newBuilder()
            .sslContext(context(cert.certificate(), null))
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    String body =
        "{\"features\": [\"customer_profile:age\"], \"entities\": {\"customer_id\": [1]}}";
    HttpResponse<String> resp =
        https.send(
            HttpRequest.newBuilder(
                    URI.create(
                        "https://localhost:" + server.httpPort() + "/api/v1/features/online"))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, resp.statusCode(), resp.body());
    JsonObject age = new JsonObject(resp.body()).getJsonArray("features").getJsonObject(0);
    assertEquals(31, age.getJsonArray("values").getInteger(0));

    HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    assertThrows(
        IOException.class,
        () ->
            plain.send(
                HttpRequest.newBuilder(
                        URI.create("http://localhost:" + server.httpPort() + "/metrics"))
                    .timeout(Duration.ofSeconds(5))
                    .build(),
                HttpResponse.BodyHandlers.ofString()));
  }

  @Test
  void mutualTlsAnswersOnlyClientsWithATrustedCertificateOnBothPorts() throws Exception {
    try (FletchServer mutual =
        builder()
            .tls(
                ServerTls.of(cert.certificate(), cert.privateKey())
                    .requireClientCertificates(clientCert.certificate()))
            .start()) {
      try (FletchClient client =
          FletchClient.builder()
              .target("localhost", mutual.grpcPort())
              .trustCertificates(cert.certificate())
              .clientCertificate(clientCert.certificate(), clientCert.privateKey())
              .deadline(Duration.ofSeconds(5))
              .build()) {
        assertEquals(
            31,
            client
                .getFeatures(List.of("customer_profile:age"), Map.of("customer_id", List.of(1L)))
                .value("age", 0));
      }
      for (TestCertificates.Pair presented : new TestCertificates.Pair[] {null, other}) {
        FletchClient.Builder b =
            FletchClient.builder()
                .target("localhost", mutual.grpcPort())
                .trustCertificates(cert.certificate())
                .deadline(Duration.ofSeconds(5));
        if (presented != null) {
          b.clientCertificate(presented.certificate(), presented.privateKey());
        }
        try (FletchClient refused = b.build()) {
          assertThrows(
              UnavailableException.class,
              () ->
                  refused.getFeatures(
                      List.of("customer_profile:age"), Map.of("customer_id", List.of(1L))),
              "client certificate " + (presented == null ? "none" : "untrusted"));
        }
      }
      URI metrics = URI.create("https://localhost:" + mutual.httpPort() + "/metrics");
      HttpClient withCert =
          HttpClient.newBuilder().sslContext(context(cert.certificate(), clientCert)).build();
      assertEquals(
          200,
          withCert
              .send(HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.ofString())
              .statusCode());
      HttpClient withoutCert =
          HttpClient.newBuilder().sslContext(context(cert.certificate(), null)).build();
      assertThrows(
          IOException.class,
          () ->
              withoutCert.send(
                  HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.ofString()));
    }
  }

  @Test
  void aRenewedCertificateIsServedWithoutARestartAndABadRenewalKeepsTheOldOne() throws Exception {
    Path liveCert = dir.resolve("live-cert.pem");
    Path liveKey = dir.resolve("live-key.pem");
    Files.copy(cert.certificate(), liveCert, StandardCopyOption.REPLACE_EXISTING);
    Files.copy(cert.privateKey(), liveKey, StandardCopyOption.REPLACE_EXISTING);
    try (FletchServer renewing =
        builder().tls(ServerTls.of(liveCert, liveKey)).tlsReload(Duration.ofMillis(100)).start()) {
      assertTrue(answers(renewing, cert.certificate()));
      assertFalse(answers(renewing, other.certificate()));

      // Renewal as a tool writes it: the key first (for a moment it does not match the
      // certificate, which must not break anything), then the certificate.
      Files.copy(other.privateKey(), liveKey, StandardCopyOption.REPLACE_EXISTING);
      assertTrue(answers(renewing, cert.certificate()), "still the old certificate");
      Files.copy(other.certificate(), liveCert, StandardCopyOption.REPLACE_EXISTING);
      long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (!answers(renewing, other.certificate()) && System.nanoTime() < until) {
        Thread.sleep(100);
      }
      assertTrue(answers(renewing, other.certificate()), "the renewed certificate over gRPC");
      assertFalse(answers(renewing, cert.certificate()), "the old one is gone");
      HttpResponse<String> https =
          HttpClient.newBuilder()
              .sslContext(context(other.certificate(), null))
              .build()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("https://localhost:" + renewing.httpPort() + "/metrics"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertEquals(200, https.statusCode(), "the renewed certificate over HTTPS");

      Files.writeString(liveKey, "not a key");
      assertFalse(renewing.tlsReloader().check(), "an unusable key is not loaded");
      assertTrue(answers(renewing, other.certificate()), "the last good certificate stays");
    }
  }

  /** Whether a new gRPC connection trusting only {@code trusted} gets an answer. */
  private static boolean answers(FletchServer server, Path trusted) {
    try (FletchClient client =
        FletchClient.builder()
            .target("localhost", server.grpcPort())
            .trustCertificates(trusted)
            .deadline(Duration.ofSeconds(5))
            .build()) {
      client.getFeatures(List.of("customer_profile:age"), Map.of("customer_id", List.of(1L)));
      return true;
    } catch (UnavailableException e) {
      return false;
    }
  }

  @Test
  void theWarmUpCallsItselfOverTlsWhateverHostTheCertificateNames() throws Exception {
    // A production certificate names the public host, not the loopback address the warm-up uses.
    TestCertificates.Pair publicName =
        TestCertificates.create(dir, "public", "dns:serving.example.com");
    try (FletchServer tls =
        builder()
            .tls(ServerTls.of(publicName.certificate(), publicName.privateKey()))
            .warmUp(java.time.Duration.ofMillis(300))
            .start()) {
      WarmUp.Result r = tls.warmedUp().get(10, java.util.concurrent.TimeUnit.SECONDS);
      assertEquals(null, r.skipped(), String.valueOf(r));
      assertTrue(r.calls() > 0 && r.errors() == 0, "warm-up calls all answered over TLS: " + r);
    }
  }

  @Test
  void aClientCaFileWithoutCertificatesIsNamed() {
    assertMessage(
        () ->
            ServerTls.of(cert.certificate(), cert.privateKey())
                .requireClientCertificates(cert.privateKey()),
        "TLS client CA " + cert.privateKey() + ": no PEM certificate in it");
  }

  @Test
  void unusableCertificatesAndKeysAreNamedWithTheFix() throws Exception {
    Path missing = dir.resolve("nope.pem");
    assertMessage(() -> ServerTls.of(missing, cert.privateKey()), missing + ": no such file");
    assertMessage(
        () -> ServerTls.of(cert.privateKey(), cert.privateKey()), "no PEM certificate in it");
    assertMessage(
        () -> ServerTls.of(cert.certificate(), cert.certificate()),
        "no -----BEGIN PRIVATE KEY----- block");
    Path pkcs1 = dir.resolve("pkcs1.pem");
    Files.writeString(
        pkcs1, "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
    assertMessage(() -> ServerTls.of(cert.certificate(), pkcs1), "openssl pkcs8 -topk8 -nocrypt");
    Path encrypted = dir.resolve("encrypted.pem");
    Files.writeString(
        encrypted,
        "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n");
    assertMessage(() -> ServerTls.of(cert.certificate(), encrypted), "it is encrypted");
    Path garbage = dir.resolve("garbage.pem");
    Files.writeString(
        garbage, "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n");
    assertMessage(
        () -> ServerTls.of(cert.certificate(), garbage), "not an RSA or EC private key in PKCS#8");
    assertMessage(
        () -> ServerTls.of(cert.certificate(), other.privateKey()),
        "does not belong to the first certificate in " + cert.certificate());
  }

  @Test
  void aClientGivenAFileWithoutCertificatesFailsAtBuild() {
    InvalidRequestException e =
        assertThrows(
            InvalidRequestException.class,
            () ->
                FletchClient.builder()
                    .target("localhost", server.grpcPort())
                    .trustCertificates(cert.privateKey())
                    .build());
    assertTrue(e.getMessage().contains(cert.privateKey().toString()), e.getMessage());
  }

  private static void assertMessage(Runnable call, String expected) {
    InvalidRequestException e = assertThrows(InvalidRequestException.class, call::run);
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  /** An SSLContext trusting {@code trusted} and presenting {@code identity} (if not null). */
  private static SSLContext context(Path trusted, TestCertificates.Pair identity) throws Exception {
    KeyManagerFactory kmf = null;
    if (identity != null) {
      // Read the PEM files the way the server reads its own.
      ServerTls.Identity client =
          ServerTls.of(identity.certificate(), identity.privateKey()).identity();
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      keys.setKeyEntry(
          "client",
          client.key(),
          new char[0],
          client.chain().toArray(new java.security.cert.Certificate[0]));
      kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, new char[0]);
    }
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf == null ? null : kmf.getKeyManagers(), trusting(trusted).getTrustManagers(), null);
    return ctx;
  }

  private static TrustManagerFactory trusting(Path pem) throws Exception {
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(pem)) {
      trust.setCertificateEntry(
          "server", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    return tmf;
  }
}
