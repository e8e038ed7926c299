package dev.fletch.serving;

import static java.util.Objects.requireNonNull;

import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.ServerSSLOptions;
import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a server's TLS certificate, key and client CAs current with their files, so a renewed
 * certificate (cert-manager, certbot) is served without a restart. {@link #check} re-reads the
 * files when their contents changed; new connections then get the new certificate, open ones keep
 * theirs. Files that cannot be used (say, a key written before its certificate) leave the current
 * certificate in place and are tried again at the next check.
 */
final class TlsReloader {
  private static final Logger LOG = LoggerFactory.getLogger(TlsReloader.class);

  private final ServerTls tls;
  private final KeyManager keyManager = new KeyManager();
  private final TrustManager trustManager = new TrustManager();
  private volatile HttpServer http;
  private List<Object> stamp;

  /** Reads the files now; fails like {@link ServerTls#of} if they cannot be used. */
  TlsReloader(ServerTls tls) {
    this.tls = requireNonNull(tls, "tls is null");
    load(stamp());
  }

  ServerTls tls() {
    return tls;
  }

  /** Serves the current certificate to every new gRPC connection. */
  X509ExtendedKeyManager keyManager() {
    return keyManager;
  }

  /** Checks client certificates against the current client CAs. */
  X509ExtendedTrustManager trustManager() {
    return trustManager;
  }

  /** The HTTP server to update on a change (its first options come from {@link #httpOptions}). */
  void httpServer(HttpServer server) {
    this.http = server;
  }

  /** Vert.x TLS options for the files as they are now. */
  ServerSSLOptions httpOptions() {
    ServerSSLOptions o =
        new ServerSSLOptions()
            .setKeyCertOptions(
                new PemKeyCertOptions()
                    .setCertPath(tls.certChain().toString())
                    .setKeyPath(tls.privateKey().toString()));
    if (tls.mutual()) {
      o.setClientAuth(ClientAuth.REQUIRED)
          .setTrustOptions(new PemTrustOptions().addCertPath(tls.clientCa().toString()));
    }
    return o;
  }

  /**
   * Reloads if any file changed since the last load; returns whether the certificate in use
   * changed. Never throws: an unusable change is logged and retried at the next check.
   */
  synchronized boolean check() {
    List<Object> now = stamp();
    if (now.equals(stamp)) {
      return false;
    }
    try {
      load(now);
    } catch (RuntimeException e) {
      LOG.warn(
          "TLS files changed but cannot be used yet, keeping the current certificate: {}",
          e.getMessage());
      return false;
    }
    HttpServer server = http;
    if (server != null) {
      try {
        server
            .updateSSLOptions(httpOptions(), true)
            .toCompletionStage()
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        LOG.warn("reloaded TLS certificate for gRPC but not for HTTP: {}", e.toString());
      }
    }
    LOG.info(
        "reloaded TLS certificate {} (subject {}, valid until {})",
        tls.certChain(),
        keyManager.identity.chain().get(0).getSubjectX500Principal().getName(),
        keyManager.identity.chain().get(0).getNotAfter().toInstant());
    return true;
  }

  private void load(List<Object> now) {
    ServerTls.Identity identity = tls.identity();
    X509ExtendedTrustManager trust = tls.mutual() ? trustManagerFor(tls.clientCas()) : null;
    keyManager.identity = identity;
    trustManager.delegate = trust;
    stamp = now;
  }

  /** The contents of each file (a few KB; compared exactly, so same-size renewals are seen). */
  private List<Object> stamp() {
    List<Object> out = new ArrayList<>(3);
    for (Path p : new Path[] {tls.certChain(), tls.privateKey(), tls.clientCa()}) {
      if (p == null) {
        continue;
      }
      try {
        out.add(ByteBuffer.wrap(Files.readAllBytes(p)));
      } catch (IOException e) {
        out.add(null); // missing for now: a change when it returns
      }
    }
    return out;
  }

  private static X509ExtendedTrustManager trustManagerFor(List<X509Certificate> cas) {
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      for (int i = 0; i < cas.size(); i++) {
        store.setCertificateEntry("ca-" + i, cas.get(i));
      }
      TrustManagerFactory f =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      f.init(store);
      for (javax.net.ssl.TrustManager t : f.getTrustManagers()) {
        if (t instanceof X509ExtendedTrustManager x) {
          return x;
        }
      }
      throw new GeneralSecurityException("no X.509 trust manager");
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot trust the client CA certificates: " + e, e);
    }
  }

  /** Always the current identity; one alias, whatever the key type asked for. */
  private static final class KeyManager extends X509ExtendedKeyManager {
    private static final String ALIAS = "fletch";
    volatile ServerTls.Identity identity;

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
      return matches(keyType) ? ALIAS : null;
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      return matches(keyType) ? ALIAS : null;
    }

    private boolean matches(String keyType) {
      String algorithm = identity.key().getAlgorithm();
      return keyType == null
          || keyType.equals(algorithm)
          || (keyType.startsWith("EC") && algorithm.equals("EC"));
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
      return matches(keyType) ? new String[] {ALIAS} : null;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      return ALIAS.equals(alias) ? identity.chain().toArray(new X509Certificate[0]) : null;
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      return ALIAS.equals(alias) ? identity.key() : null;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      return null;
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
      return null;
    }
  }

  /** Delegates to the trust manager of the current client CAs (servers only check clients). */
  private static final class TrustManager extends X509ExtendedTrustManager {
    volatile X509ExtendedTrustManager delegate;

    private X509ExtendedTrustManager current() throws CertificateException {
      X509ExtendedTrustManager d = delegate;
      if (d == null) {
        throw new CertificateException("this server does not take client certificates");
      }
      return d;
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      current().checkClientTrusted(chain, authType, engine);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      current().checkClientTrusted(chain, authType, socket);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      current().checkClientTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      throw new CertificateException("a server's trust manager does not check servers");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      throw new CertificateException("a server's trust manager does not check servers");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      throw new CertificateException("a server's trust manager does not check servers");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      X509TrustManager d = delegate;
      return d == null ? new X509Certificate[0] : d.getAcceptedIssuers();
    }
  }
}
