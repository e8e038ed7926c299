package dev.fletch.serving.client;

import static java.util.Objects.requireNonNull;

import dev.fletch.core.AccessDeniedException;
import dev.fletch.core.FletchException;
import dev.fletch.core.InvalidRequestException;
import dev.fletch.core.NotFoundException;
import dev.fletch.core.UnavailableException;
import dev.fletch.proto.serving.v1.FeatureServingGrpc;
import dev.fletch.proto.serving.v1.GetFeaturesResponse;
import dev.fletch.proto.serving.v1.GetServingInfoRequest;
import dev.fletch.proto.serving.v1.GetServingInfoResponse;
import dev.fletch.proto.serving.v1.PushRequest;
import dev.fletch.proto.serving.v1.PushResponse;
import dev.fletch.proto.serving.v1.PushTarget;
import dev.fletch.proto.serving.v1.RepeatedValue;
import dev.fletch.serving.OnlineQuery;
import dev.fletch.serving.OnlineResult;
import dev.fletch.serving.ProtoMapping;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.netty.handler.ssl.SslContextBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * A small client for Fletch's gRPC serving API, for serving services. Thread-safe; share one.
 *
 * <pre>{@code
 * try (FletchClient client = FletchClient.builder().target("localhost:6565").deadline(Duration.ofMillis(50)).build()) {
 *   OnlineResult r = client.getFeatures(List.of("customer_profile:*"), Map.of("customer_id", List.of(1001L)));
 *   Object age = r.value("age", 0);
 * }
 * }</pre>
 *
 * Failures are thrown as Fletch exceptions: {@link NotFoundException} (unknown feature, view,
 * service or project), {@link InvalidRequestException} (bad request), {@link UnavailableException}
 * (server or online store unreachable, or the deadline passed), {@link AccessDeniedException} (API
 * key missing, unknown or revoked), {@link FletchException} otherwise.
 */
public final class FletchClient implements AutoCloseable {
  private final ManagedChannel channel;
  private final FeatureServingGrpc.FeatureServingBlockingStub stub;
  private final FeatureServingGrpc.FeatureServingStub asyncStub;
  private final Duration deadline;
  private final String project;

  private FletchClient(Builder b) {
    NettyChannelBuilder cb = NettyChannelBuilder.forTarget(b.target);
    if (b.trustedCertificates != null || b.clientCertificate != null) {
      SslContextBuilder ssl = GrpcSslContexts.forClient();
      try {
        if (b.trustedCertificates != null) {
          ssl.trustManager(b.trustedCertificates.toFile());
        }
      } catch (RuntimeException e) {
        throw new InvalidRequestException(
            "cannot trust the certificates in " + b.trustedCertificates + ": " + e.getMessage());
      }
      try {
        if (b.clientCertificate != null) {
          ssl.keyManager(b.clientCertificate.toFile(), b.clientKey.toFile());
        }
        cb.sslContext(ssl.build());
      } catch (SSLException | RuntimeException e) {
        throw new InvalidRequestException(
            "cannot use TLS with "
                + (b.clientCertificate != null
                    ? "client certificate " + b.clientCertificate + " and key " + b.clientKey
                    : "the certificates in " + b.trustedCertificates)
                + ": "
                + e.getMessage());
      }
    } else if (b.plaintext) {
      cb.usePlaintext();
    } else {
      cb.useTransportSecurity();
    }
    // A target that names several addresses (a DNS name of every replica, e.g. a Kubernetes
    // headless service: dns:///fletch-serving:6565) spreads calls over all of them; the name is
    // resolved again when a server asks its clients to reconnect (max connection age, shutdown).
    // Idle connections are pinged so that a dead peer is noticed before the next call.
    cb.defaultServiceConfig(serviceConfig(b.maxAttempts, b.healthChecks))
        .keepAliveTime(30, TimeUnit.SECONDS)
        .keepAliveTimeout(10, TimeUnit.SECONDS)
        .keepAliveWithoutCalls(true);
    if (b.maxAttempts > 1) {
      cb.enableRetry();
    } else {
      cb.disableRetry();
    }
    if (b.apiKey != null) {
      Metadata auth = new Metadata();
      auth.put(
          Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + b.apiKey);
      cb.intercept(MetadataUtils.newAttachHeadersInterceptor(auth));
    }
    this.channel = cb.build();
    // Start connecting now, so the first call's deadline is not spent on connection set-up.
    channel.getState(true);
    this.stub = FeatureServingGrpc.newBlockingStub(channel);
    this.asyncStub = FeatureServingGrpc.newStub(channel);
    this.deadline = b.deadline;
    this.project = b.project;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Round-robin over every resolved address; with {@code healthChecks}, only over replicas whose
   * gRPC health says SERVING for the serving service (each watched over a stream the server pushes
   * changes on). Calls answered UNAVAILABLE are tried again up to {@code maxAttempts} in all, on
   * the next replica, within the call's deadline; the retries are throttled (each failure costs a
   * token of 10, each success gives back 0.1, no retries while 5 or fewer are left), so a fleet
   * that is down as a whole is not sent a storm of retries.
   */
  static Map<String, ?> serviceConfig(int maxAttempts, boolean healthChecks) {
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("loadBalancingConfig", List.of(Map.of("round_robin", Map.of())));
    if (healthChecks) {
      config.put("healthCheckConfig", Map.of("serviceName", FeatureServingGrpc.SERVICE_NAME));
    }
    if (maxAttempts > 1) {
      Map<String, Object> retry = new LinkedHashMap<>();
      // JSON numbers: gRPC reads service configs as parsed JSON, where every number is a Double.
      retry.put("maxAttempts", (double) maxAttempts);
      retry.put("initialBackoff", "0.005s");
      retry.put("maxBackoff", "0.05s");
      retry.put("backoffMultiplier", 2.0);
      retry.put("retryableStatusCodes", List.of("UNAVAILABLE"));
      config.put(
          "methodConfig",
          List.of(
              Map.of(
                  "name",
                  List.of(Map.of("service", FeatureServingGrpc.SERVICE_NAME)),
                  "retryPolicy",
                  retry)));
      config.put("retryThrottling", Map.of("maxTokens", 10.0, "tokenRatio", 0.1));
    }
    return config;
  }

  /** Builder: target {@code host:port}, per-call deadline (default 1 s), plaintext (default on). */
  public static final class Builder {
    private String target;
    private Duration deadline = Duration.ofSeconds(1);
    private boolean plaintext = true;
    private Path trustedCertificates;
    private Path clientCertificate;
    private Path clientKey;
    private String project;
    private String apiKey;
    private int maxAttempts = 3;
    private boolean healthChecks;

    public Builder target(String hostPort) {
      this.target = requireNonNull(hostPort, "target is null");
      return this;
    }

    public Builder target(String host, int port) {
      return target(requireNonNull(host, "host is null") + ":" + port);
    }

    /**
     * The deadline of every call; the server answers UNAVAILABLE before it if the store is slow.
     */
    public Builder deadline(Duration value) {
      requireNonNull(value, "deadline is null");
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException("deadline must be positive, got " + value);
      }
      this.deadline = value;
      return this;
    }

    /**
     * Sends this API key with every call ({@code Authorization: Bearer <key>}), for servers started
     * with {@code --api-keys}. A refused key fails calls with {@link AccessDeniedException}.
     */
    public Builder apiKey(String key) {
      requireNonNull(key, "key is null");
      if (key.isBlank()) {
        throw new IllegalArgumentException("the API key is blank");
      }
      this.apiKey = key.strip();
      return this;
    }

    public Builder plaintext(boolean value) {
      this.plaintext = value;
      if (value) {
        trustedCertificates = null;
        clientCertificate = null;
        clientKey = null;
      }
      return this;
    }

    /**
     * Connect over TLS, trusting the server certificates signed by the CA certificates in this PEM
     * file (or, for a self-signed server certificate, that certificate itself) instead of the JVM's
     * default trust store. Implies {@code plaintext(false)}.
     */
    public Builder trustCertificates(Path pemFile) {
      this.trustedCertificates = requireNonNull(pemFile, "pemFile is null");
      this.plaintext = false;
      return this;
    }

    /**
     * Present this certificate chain and its PKCS#8 PEM key to a server that requires client
     * certificates (mutual TLS). Implies {@code plaintext(false)}.
     */
    public Builder clientCertificate(Path certChainPem, Path privateKeyPem) {
      this.clientCertificate = requireNonNull(certChainPem, "certChainPem is null");
      this.clientKey = requireNonNull(privateKeyPem, "privateKeyPem is null");
      this.plaintext = false;
      return this;
    }

    /**
     * How many times in all a call answered UNAVAILABLE (replica gone, its online store
     * unreachable) is tried, each time on the next replica, within the call's deadline (default 3;
     * 1 = never again). Retries are throttled when most calls fail. Only reads are sent, so a call
     * is safe to repeat.
     */
    public Builder maxAttempts(int value) {
      if (value < 1 || value > 5) {
        throw new IllegalArgumentException("maxAttempts must be between 1 and 5, got " + value);
      }
      this.maxAttempts = value;
      return this;
    }

    /**
     * Send calls only to replicas whose gRPC health check says SERVING (default off): replicas that
     * warm up, drain, or cannot reach their online store are left out as soon as they say so. When
     * no replica is SERVING, calls fail at once with UnavailableException. Leave it off for a
     * single server whose answers are wanted even while it warms up.
     */
    public Builder healthChecks(boolean value) {
      this.healthChecks = value;
      return this;
    }

    /** The project to ask for (default: the one the server serves). */
    public Builder project(String value) {
      this.project = value;
      return this;
    }

    public FletchClient build() {
      if (target == null) {
        throw new IllegalStateException("target is not set: call target(\"host:port\")");
      }
      return new FletchClient(this);
    }
  }

  /**
   * The values of feature refs ({@code view:feature}, {@code view:*}) for the entity rows given as
   * columns.
   */
  public OnlineResult getFeatures(List<String> features, Map<String, ? extends List<?>> entities) {
    return getFeatures(OnlineQuery.ofFeatures(features, entities));
  }

  /** The values of a feature service's features for the entity rows given as columns. */
  public OnlineResult getServiceFeatures(String service, Map<String, ? extends List<?>> entities) {
    return getFeatures(OnlineQuery.ofService(service, entities));
  }

  /** Any query (full names, explicit project). */
  public OnlineResult getFeatures(OnlineQuery query) {
    requireNonNull(query, "query is null");
    OnlineQuery q = query.project() == null && project != null ? query.withProject(project) : query;
    try {
      return ProtoMapping.toResult(
          stub.withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS)
              .getFeatures(ProtoMapping.toRequest(q)));
    } catch (StatusRuntimeException e) {
      throw map(e);
    }
  }

  /**
   * Like {@link #getFeatures(OnlineQuery)} without blocking: the future completes on a gRPC thread
   * (do not block in its callbacks) and fails with the same exceptions.
   */
  public CompletableFuture<OnlineResult> getFeaturesAsync(OnlineQuery query) {
    requireNonNull(query, "query is null");
    OnlineQuery q = query.project() == null && project != null ? query.withProject(project) : query;
    CompletableFuture<OnlineResult> result = new CompletableFuture<>();
    asyncStub
        .withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS)
        .getFeatures(
            ProtoMapping.toRequest(q),
            new StreamObserver<>() {
              @Override
              public void onNext(GetFeaturesResponse value) {
                try {
                  result.complete(ProtoMapping.toResult(value));
                } catch (RuntimeException e) {
                  result.completeExceptionally(e);
                }
              }

              @Override
              public void onError(Throwable t) {
                result.completeExceptionally(
                    t instanceof StatusRuntimeException s
                        ? map(s)
                        : new FletchException("GetFeatures failed: " + t, t));
              }

              @Override
              public void onCompleted() {}
            });
    return result;
  }

  /**
   * Pushes rows of one feature view (see the serving API's Push): each row maps the view's source
   * columns (join keys, the source's timestamp field as an {@link java.time.Instant}, the view's
   * value columns) to values; every row must give the same columns. Throws InvalidRequestException
   * naming the row and column when the server refuses a row (nothing is then written), and
   * AccessDeniedException without a write key.
   *
   * @param to where the rows go: ONLINE, OFFLINE (the source's push log) or BOTH
   */
  public PushResponse push(String featureView, List<? extends Map<String, ?>> rows, PushTarget to) {
    requireNonNull(featureView, "featureView is null");
    requireNonNull(rows, "rows is null");
    PushRequest.Builder b =
        PushRequest.newBuilder()
            .setFeatureView(featureView)
            .setTo(requireNonNull(to, "to is null"));
    if (project != null) {
      b.setProject(project);
    }
    if (!rows.isEmpty()) {
      java.util.Set<String> columns = rows.get(0).keySet();
      for (String column : columns) {
        RepeatedValue.Builder values = RepeatedValue.newBuilder();
        for (int r = 0; r < rows.size(); r++) {
          Map<String, ?> row = rows.get(r);
          if (!row.keySet().equals(columns)) {
            throw new InvalidRequestException(
                "row " + r + " has columns " + row.keySet() + ", row 0 has " + columns);
          }
          values.addValues(ProtoMapping.toValue(row.get(column)));
        }
        b.putColumns(column, values.build());
      }
    }
    try {
      return stub.withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS).push(b.build());
    } catch (StatusRuntimeException e) {
      throw map(e);
    }
  }

  /** What the server serves: version, project, registry version, views, services. */
  public GetServingInfoResponse servingInfo() {
    try {
      return stub.withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS)
          .getServingInfo(GetServingInfoRequest.getDefaultInstance());
    } catch (StatusRuntimeException e) {
      throw map(e);
    }
  }

  private static FletchException map(StatusRuntimeException e) {
    String message =
        e.getStatus().getDescription() == null
            ? e.getStatus().getCode().name()
            : e.getStatus().getDescription();
    return switch (e.getStatus().getCode()) {
      case NOT_FOUND -> new RemoteNotFoundException(message, e);
      case UNAUTHENTICATED, PERMISSION_DENIED ->
          new AccessDeniedException(e.getStatus().getCode() + ": " + message, e);
      case INVALID_ARGUMENT -> new InvalidRequestException(message, e);
      case UNAVAILABLE, DEADLINE_EXCEEDED ->
          new UnavailableException(e.getStatus().getCode() + ": " + message, e);
      default -> new FletchException(e.getStatus().getCode() + ": " + message, e);
    };
  }

  /** A NOT_FOUND answer; the message is the server's. */
  public static final class RemoteNotFoundException extends NotFoundException {
    private final String message;

    RemoteNotFoundException(String message, Throwable cause) {
      super("remote object", message);
      this.message = message;
      initCause(cause);
    }

    @Override
    public String getMessage() {
      return message;
    }
  }

  @Override
  public void close() {
    channel.shutdown();
    try {
      if (!channel.awaitTermination(5, TimeUnit.SECONDS)) {
        channel.shutdownNow();
      }
    } catch (InterruptedException e) {
      channel.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
