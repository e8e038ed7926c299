package dev.fletch.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Self-signed TLS certificates for tests, made with the JDK's own keytool (no other tool or
 * library): a certificate for {@code localhost} and {@code 127.0.0.1} and its private key, written
 * as PEM files (certificate; PKCS#8 key).
 */
public final class TestCertificates {
  private TestCertificates() {}

  /** A PEM certificate file and the PEM (PKCS#8) private key file it was issued for. */
  public record Pair(Path certificate, Path privateKey) {}

  /** Makes a new EC key and self-signed certificate under {@code dir}, named {@code name}.*. */
  public static Pair create(Path dir, String name) {
    return create(dir, name, "dns:localhost,ip:127.0.0.1");
  }

  /**
   * As {@link #create(Path, String)}, for the subject alternative names given in keytool's form
   * ({@code dns:serving.example.com}).
   */
  public static Pair create(Path dir, String name, String subjectAlternativeNames) {
    try {
      Files.createDirectories(dir);
      Path store = dir.resolve(name + ".p12");
      Files.deleteIfExists(store);
      char[] password = "changeit".toCharArray();
      List<String> cmd =
          new ArrayList<>(
              List.of(
                  Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                  "-genkeypair",
                  "-alias",
                  name,
                  "-keyalg",
                  "EC",
                  "-groupname",
                  "secp256r1",
                  "-dname",
                  "CN=localhost",
                  "-ext",
                  "SAN=" + subjectAlternativeNames,
                  "-validity",
                  "2",
                  "-storetype",
                  "PKCS12",
                  "-keystore",
                  store.toString(),
                  "-storepass",
                  new String(password),
                  "-keypass",
                  new String(password)));
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException("keytool failed: " + output);
      }
      KeyStore ks = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(store)) {
        ks.load(in, password);
      }
      Key key = ks.getKey(name, password);
      Certificate cert = ks.getCertificate(name);
      Path certFile = dir.resolve(name + "-cert.pem");
      Path keyFile = dir.resolve(name + "-key.pem");
      Files.writeString(certFile, pem("CERTIFICATE", cert.getEncoded()));
      Files.writeString(keyFile, pem("PRIVATE KEY", ((PrivateKey) key).getEncoded()));
      return new Pair(certFile, keyFile);
    } catch (IOException | java.security.GeneralSecurityException e) {
      throw new IllegalStateException("cannot make a test certificate: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted making a test certificate", e);
    }
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }
}
