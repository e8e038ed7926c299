package dev.fletch.serving;

import static java.util.Objects.requireNonNull;

import dev.fletch.core.InvalidRequestException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;

/**
 * The certificate and private key a server presents on its gRPC and HTTP ports (TLS). Both are PEM
 * files: the certificate chain (server certificate first, then any intermediates) and the private
 * key in PKCS#8 form ({@code -----BEGIN PRIVATE KEY-----}, RSA or EC, not encrypted).
 *
 * <p>{@link #of} reads and checks both before anything listens: a missing file, a file that is not
 * what it should be, a key in another form, or a key that does not belong to the certificate is an
 * {@link InvalidRequestException} naming the file and the fix.
 */
public record ServerTls(Path certChain, Path privateKey, Path clientCa) {
  public ServerTls {
    requireNonNull(certChain, "certChain is null");
    requireNonNull(privateKey, "privateKey is null");
  }

  /**
   * The same, also requiring every client to present a certificate signed by one of the CA
   * certificates in {@code clientCaFile} (PEM; a self-signed client certificate may be listed as
   * its own CA): mutual TLS on both ports. The file is read and checked here.
   */
  public ServerTls requireClientCertificates(Path clientCaFile) {
    requireNonNull(clientCaFile, "clientCaFile is null");
    readCertificates(clientCaFile, "client CA");
    return new ServerTls(certChain, privateKey, clientCaFile);
  }

  /** Whether clients must present a certificate. */
  public boolean mutual() {
    return clientCa != null;
  }

  private static final String BEGIN_KEY = "-----BEGIN PRIVATE KEY-----";
  private static final String END_KEY = "-----END PRIVATE KEY-----";

  /** Reads and checks a certificate chain and its private key; see the class comment. */
  public static ServerTls of(Path certChain, Path privateKey) {
    requireNonNull(certChain, "certChain is null");
    requireNonNull(privateKey, "privateKey is null");
    identity(certChain, privateKey);
    return new ServerTls(certChain, privateKey, null);
  }

  /** The checked certificate chain and key read from the files now (see {@link #of}). */
  Identity identity() {
    return identity(certChain, privateKey);
  }

  /** The client CA certificates read from the file now; empty when clients need none. */
  List<X509Certificate> clientCas() {
    return clientCa == null ? List.of() : readCertificates(clientCa, "client CA");
  }

  /** A server certificate chain and the private key it was issued for. */
  record Identity(List<X509Certificate> chain, PrivateKey key) {}

  private static Identity identity(Path certChain, Path privateKey) {
    List<X509Certificate> chain = readCertificates(certChain, "certificate");
    PrivateKey key = readKey(privateKey);
    if (!belongsTo(key, chain.get(0).getPublicKey())) {
      throw new InvalidRequestException(
          "TLS key "
              + privateKey
              + " does not belong to the first certificate in "
              + certChain
              + " ("
              + chain.get(0).getSubjectX500Principal().getName()
              + "): give the key the certificate was issued for");
    }
    return new Identity(chain, key);
  }

  private static String read(Path file, String what) {
    if (!Files.isRegularFile(file)) {
      throw new InvalidRequestException("TLS " + what + " " + file + ": no such file");
    }
    try {
      return Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException | RuntimeException e) {
      throw new InvalidRequestException(
          "TLS " + what + " " + file + ": cannot read it as PEM text (" + e.getMessage() + ")");
    }
  }

  private static List<X509Certificate> readCertificates(Path file, String what) {
    String pem = read(file, what);
    if (!pem.contains("-----BEGIN CERTIFICATE-----")) {
      throw new InvalidRequestException(
          "TLS "
              + what
              + " "
              + file
              + ": no PEM certificate in it (expected a -----BEGIN CERTIFICATE----- block)");
    }
    try {
      List<X509Certificate> chain =
          CertificateFactory.getInstance("X.509")
              .generateCertificates(
                  new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))
              .stream()
              .map(c -> (X509Certificate) c)
              .toList();
      if (chain.isEmpty()) {
        throw new CertificateException("no certificate decoded");
      }
      return chain;
    } catch (CertificateException e) {
      throw new InvalidRequestException(
          "TLS " + what + " " + file + ": not a valid X.509 certificate (" + e.getMessage() + ")");
    }
  }

  private static PrivateKey readKey(Path file) {
    String pem = read(file, "key");
    int begin = pem.indexOf(BEGIN_KEY);
    if (begin < 0) {
      String hint;
      if (pem.contains("-----BEGIN RSA PRIVATE KEY-----")
          || pem.contains("-----BEGIN EC PRIVATE KEY-----")) {
        hint =
            "it is in PKCS#1/SEC1 form; convert it to PKCS#8 with: openssl pkcs8 -topk8 -nocrypt"
                + " -in "
                + file
                + " -out key.pem";
      } else if (pem.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
        hint =
            "it is encrypted; write it unencrypted with: openssl pkcs8 -in "
                + file
                + " -out key.pem";
      } else {
        hint = "no " + BEGIN_KEY + " block in it";
      }
      throw new InvalidRequestException("TLS key " + file + ": " + hint);
    }
    int end = pem.indexOf(END_KEY, begin);
    if (end < 0) {
      throw new InvalidRequestException("TLS key " + file + ": " + END_KEY + " is missing");
    }
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(pem.substring(begin + BEGIN_KEY.length(), end));
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException("TLS key " + file + ": the PEM block is not Base64");
    }
    for (String algorithm : List.of("RSA", "EC")) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        // Try the next algorithm.
      }
    }
    throw new InvalidRequestException(
        "TLS key " + file + ": not an RSA or EC private key in PKCS#8 form");
  }

  /** Whether a signature made with {@code key} verifies with {@code publicKey}. */
  private static boolean belongsTo(PrivateKey key, PublicKey publicKey) {
    if (!key.getAlgorithm().equals(publicKey.getAlgorithm())) {
      return false;
    }
    String algorithm = key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
    byte[] probe = "fletch".getBytes(StandardCharsets.US_ASCII);
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(publicKey);
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}
