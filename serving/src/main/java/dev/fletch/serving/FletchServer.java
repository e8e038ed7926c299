package dev.fletch.serving;

import static java.util.Objects.requireNonNull;

import dev.fletch.core.DaemonScheduler;
import dev.fletch.core.DefinitionSource;
import dev.fletch.core.FletchException;
import dev.fletch.core.InvalidRequestException;
import dev.fletch.core.settings.Settings;
import dev.fletch.offline.OfflineStore;
import dev.fletch.online.IoThreads;
import dev.fletch.online.OnlineStore;
import dev.fletch.proto.serving.v1.FeatureServingGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ReflectiveChannelFactory;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.ResourceLeakDetector;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.ServerSSLOptions;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import javax.net.ssl.SSLException;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The serving process: gRPC {@code FeatureServing} (with health checking and reflection) and the
 * Vert.x HTTP server (JSON twin, historical Arrow stream, metrics, extra routes such as the
 * registry API), over one registry cache and one online store. Prints nothing; {@link #close()}
 * stops taking calls, lets in-flight ones finish, then releases everything it created (not the
 * stores it was given).
 */
public final class FletchServer implements AutoCloseable {
  public static final String VERSION = dev.fletch.core.FletchVersion.VERSION;

  /** A port value meaning "pick a free port" (for tests); 0 means "off". */
  public static final int EPHEMERAL = -1;

  private static final Logger LOG = LoggerFactory.getLogger(FletchServer.class);

  private final Options options;
  private final RegistryCache definitions;
  private final ServingMetrics metrics;

  /** The online store as given, measured ({@link StoreMetrics}). */
  private final MeteredOnlineStore online;

  private final ExecutorService grpcExecutor;

  /** Where pushed rows are written to push logs (DuckDB, blocking): never the serving threads. */
  private final ExecutorService pushExecutor;

  private Server grpc;
  private EventLoopGroup grpcLoops;
  private final ConnectionLimit connectionLimit;
  private HealthStatusManager health;
  private Vertx vertx;
  private HttpServer http;
  private volatile int boundHttpPort;
  private BufferAllocator allocator;
  private TlsReloader tlsReloader;
  private ServingHealth servingHealth;
  private ScheduledExecutorService fileChecks;
  private WarmUp warmUp;
  private final CompletableFuture<WarmUp.Result> warmedUp = new CompletableFuture<>();
  private volatile boolean closed;

  /** How to start a server; build with {@link #builder()}. */
  /** Default of {@link Builder#maxHistoricalRows}. */
  public static final int DEFAULT_MAX_HISTORICAL_ROWS = 100_000;

  /**
   * Default connection cap over both ports; lowered at start to leave 256 file descriptors free
   * when the process may open fewer.
   */
  public static final int DEFAULT_MAX_CONNECTIONS = 10_000;

  public record Options(
      String host,
      int httpPort,
      int grpcPort,
      DefinitionSource definitions,
      String project,
      OnlineStore onlineStore,
      OfflineStore offlineStore,
      Path repoRoot,
      int maxEntityRows,
      Duration registryRefresh,
      Duration requestTimeout,
      Duration shutdownGrace,
      List<Consumer<Router>> routeMounters,
      Clock clock,
      ServerTls tls,
      Duration tlsReload,
      Duration healthInterval,
      Duration drainDelay,
      Duration maxConnectionAge,
      Duration warmUp,
      ApiKeys apiKeys,
      int maxInFlight,
      boolean allowUnauthenticatedWrites,
      int maxHistoricalRows,
      int maxHistoricalInFlight,
      Duration idleTimeout,
      int maxConnections,
      dev.fletch.core.JobHistory jobHistory) {
    public Options {
      if (maxConnections < 0) {
        throw new InvalidRequestException(
            "the connection cap must be 0 (no cap) or positive, got " + maxConnections);
      }
      if (maxHistoricalRows < 1 || maxHistoricalInFlight < 1) {
        throw new InvalidRequestException(
            "the historical row and in-flight limits must be positive, got "
                + maxHistoricalRows
                + " and "
                + maxHistoricalInFlight);
      }
      requireNonNull(idleTimeout, "idleTimeout is null");
      if (idleTimeout.isNegative()) {
        throw new InvalidRequestException("the idle timeout cannot be negative");
      }
      if (maxInFlight < 0) {
        throw new InvalidRequestException(
            "the in-flight limit must be 0 (no limit) or positive, got " + maxInFlight);
      }
      requireNonNull(host, "host is null");
      requireNonNull(definitions, "definitions is null");
      requireNonNull(project, "project is null");
      requireNonNull(onlineStore, "onlineStore is null");
      requireNonNull(registryRefresh, "registryRefresh is null");
      requireNonNull(requestTimeout, "requestTimeout is null");
      requireNonNull(shutdownGrace, "shutdownGrace is null");
      requireNonNull(clock, "clock is null");
      requireNonNull(tlsReload, "tlsReload is null");
      requireNonNull(healthInterval, "healthInterval is null");
      if (healthInterval.isNegative() || healthInterval.isZero()) {
        throw new InvalidRequestException("the health check interval must be positive");
      }
      if (tlsReload.isNegative()) {
        throw new InvalidRequestException("the TLS reload interval cannot be negative");
      }
      requireNonNull(drainDelay, "drainDelay is null");
      if (drainDelay.isNegative()) {
        throw new InvalidRequestException("the drain delay cannot be negative");
      }
      requireNonNull(warmUp, "warmUp is null");
      if (warmUp.isNegative()) {
        throw new InvalidRequestException("the warm-up time cannot be negative");
      }
      requireNonNull(maxConnectionAge, "maxConnectionAge is null");
      if (maxConnectionAge.isNegative()
          || (!maxConnectionAge.isZero()
              && maxConnectionAge.compareTo(Duration.ofSeconds(1)) < 0)) {
        throw new InvalidRequestException(
            "the maximum connection age must be 0 (no limit) or at least 1 second, got "
                + maxConnectionAge);
      }
      routeMounters = List.copyOf(routeMounters == null ? List.of() : routeMounters);
      if (httpPort < EPHEMERAL || grpcPort < EPHEMERAL) {
        throw new InvalidRequestException("ports must be >= -1 (-1 = any free port, 0 = off)");
      }
      if (httpPort == 0 && grpcPort == 0) {
        throw new InvalidRequestException(
            "both HTTP and gRPC are off (port 0 or --no-http/--no-grpc): nothing to serve");
      }
    }

    public static Builder builder() {
      return new Builder();
    }
  }

  /** Builder of {@link Options}; defaults follow {@link Settings#defaults}. */
  public static final class Builder {
    private String host = "127.0.0.1";
    private int httpPort = 6566;
    private int grpcPort = 6565;
    private DefinitionSource definitions;
    private String project;
    private OnlineStore onlineStore;
    private OfflineStore offlineStore;
    private Path repoRoot;
    private int maxEntityRows = 1000;
    private int maxInFlight;
    private Duration registryRefresh = Duration.ofSeconds(2);
    private Duration requestTimeout = Duration.ofSeconds(2);
    private Duration shutdownGrace = Duration.ofSeconds(10);
    private final List<Consumer<Router>> mounters = new ArrayList<>();
    private Clock clock = Clock.systemUTC();
    private ServerTls tls;
    private Duration tlsReload = Duration.ofSeconds(60);
    private Duration healthInterval = Duration.ofSeconds(1);
    private Duration drainDelay = Duration.ZERO;
    private Duration maxConnectionAge = Duration.ZERO;
    private Duration warmUp = Duration.ZERO;
    private ApiKeys apiKeys;
    private boolean allowUnauthenticatedWrites;
    private int maxHistoricalRows = DEFAULT_MAX_HISTORICAL_ROWS;
    private int maxHistoricalInFlight = 2;
    private Duration idleTimeout = Duration.ofMinutes(5);
    private int maxConnections = DEFAULT_MAX_CONNECTIONS;
    private dev.fletch.core.JobHistory jobHistory;

    /** Host, ports, row limit and refresh interval from settings. */
    public Builder settings(Settings s) {
      return host(s.host())
          .httpPort(s.httpPort())
          .grpcPort(s.grpcPort())
          .maxEntityRows(s.maxEntityRows())
          .registryRefresh(s.registryRefresh());
    }

    public Builder host(String v) {
      host = v;
      return this;
    }

    /** 0 = off, -1 = any free port. */
    public Builder httpPort(int v) {
      httpPort = v;
      return this;
    }

    /** 0 = off, -1 = any free port. */
    public Builder grpcPort(int v) {
      grpcPort = v;
      return this;
    }

    public Builder definitions(DefinitionSource v) {
      definitions = v;
      return this;
    }

    public Builder project(String v) {
      project = v;
      return this;
    }

    public Builder onlineStore(OnlineStore v) {
      onlineStore = v;
      return this;
    }

    /** Enables POST /api/v1/historical; may be null. */
    public Builder offlineStore(OfflineStore v) {
      offlineStore = v;
      return this;
    }

    /** The repository folder relative source paths resolve against (historical retrieval). */
    public Builder repoRoot(Path v) {
      repoRoot = v;
      return this;
    }

    public Builder maxEntityRows(int v) {
      maxEntityRows = v;
      return this;
    }

    /**
     * The most GetFeatures lookups (both transports) waiting for the online store at once; beyond
     * it a call is answered UNAVAILABLE ("overloaded") at once, which clients retry on another
     * replica. 0 (default): no limit.
     */
    public Builder maxInFlight(int v) {
      maxInFlight = v;
      return this;
    }

    public Builder registryRefresh(Duration v) {
      registryRefresh = v;
      return this;
    }

    /** The longest a call waits for the online store when the caller set no (shorter) deadline. */
    public Builder requestTimeout(Duration v) {
      requestTimeout = v;
      return this;
    }

    /** How long close() lets in-flight calls finish. */
    public Builder shutdownGrace(Duration v) {
      shutdownGrace = v;
      return this;
    }

    /** Adds routes to the HTTP router (e.g. {@code r -> RegistryRoutes.mount(r, registry)}). */
    public Builder addRoutes(Consumer<Router> v) {
      mounters.add(requireNonNull(v, "mounter is null"));
      return this;
    }

    public Builder clock(Clock v) {
      clock = v;
      return this;
    }

    /** Serve gRPC and HTTP over TLS with this certificate and key (default: plaintext). */
    public Builder tls(ServerTls v) {
      tls = v;
      return this;
    }

    /**
     * How often the TLS files are checked for a renewed certificate (default 60 s; zero: never, the
     * files are read once at start).
     */
    public Builder tlsReload(Duration v) {
      tlsReload = v;
      return this;
    }

    /**
     * How often health (gRPC Health, {@code GET /api/v1/serving/health}) is checked: definitions
     * applied and the online store answering a ping (default 1 s).
     */
    public Builder healthInterval(Duration v) {
      healthInterval = v;
      return this;
    }

    /**
     * How long close() keeps answering with health already NOT_SERVING before the listeners stop
     * accepting (default 0): long enough for load balancers to take this server out of rotation, so
     * a rolling restart drops no call.
     */
    public Builder drainDelay(Duration v) {
      drainDelay = v;
      return this;
    }

    /**
     * gRPC connections older than this are asked to reconnect (HTTP/2 GOAWAY; calls in flight
     * finish within the shutdown grace), so clients behind a connection-level load balancer spread
     * over replicas added later (default 0: no limit; else at least 1 s). Each connection's age is
     * jittered by +-10 %.
     */
    public Builder maxConnectionAge(Duration v) {
      maxConnectionAge = v;
      return this;
    }

    /**
     * For this long after start (once definitions are applied), the server sends itself GetFeatures
     * calls of every servable shape over its gRPC port, with made-up entity keys, while health
     * reports NOT_SERVING ("warming up"); then health follows the usual rules. Default 0: no
     * warm-up. Needs gRPC; skipped with mutual TLS (the server has no client certificate).
     */
    public Builder warmUp(Duration v) {
      warmUp = v;
      return this;
    }

    /**
     * Require an API key ({@code Authorization: Bearer <key>}) on gRPC FeatureServing and on every
     * HTTP route but the health checks and {@code /metrics}; registry applies need an admin key.
     * The keys file is re-read every 5 s. Default: no keys (anyone who reaches the ports).
     */
    public Builder apiKeys(ApiKeys v) {
      apiKeys = v;
      return this;
    }

    /**
     * Without API keys, let anyone who reaches the HTTP port apply definitions (local development
     * only). Default: false, writes answer 403 until keys are configured.
     */
    public Builder allowUnauthenticatedWrites(boolean v) {
      allowUnauthenticatedWrites = v;
      return this;
    }

    /**
     * The most entity rows one HTTP historical request may carry inline (default {@value
     * #DEFAULT_MAX_HISTORICAL_ROWS}); its body may be 256 bytes per row. Larger sets go through a
     * file and {@code fletch historical}.
     */
    public Builder maxHistoricalRows(int v) {
      maxHistoricalRows = v;
      return this;
    }

    /** HTTP historical retrievals at once (default 2); more are answered 503 "busy" at once. */
    public Builder maxHistoricalInFlight(int v) {
      maxHistoricalInFlight = v;
      return this;
    }

    /**
     * Connections without traffic for this long are closed, on both ports (default 5 min; 0:
     * never). gRPC connections with open calls or keep-alive pings count as active.
     */
    public Builder idleTimeout(Duration v) {
      idleTimeout = v;
      return this;
    }

    /**
     * The most TCP connections open at once over both ports (default {@value
     * #DEFAULT_MAX_CONNECTIONS}; 0: no cap); one more is closed as soon as it is accepted.
     */
    public Builder maxConnections(int v) {
      maxConnections = v;
      return this;
    }

    /**
     * Where materialization watermarks are kept: the served views' watermark ages appear in the
     * metrics ({@link MaterializationMetrics}). Default: none.
     */
    public Builder jobHistory(dev.fletch.core.JobHistory v) {
      jobHistory = v;
      return this;
    }

    public Options build() {
      return new Options(
          host,
          httpPort,
          grpcPort,
          definitions,
          project,
          onlineStore,
          offlineStore,
          repoRoot,
          maxEntityRows,
          registryRefresh,
          requestTimeout,
          shutdownGrace,
          mounters,
          clock,
          tls,
          tlsReload,
          healthInterval,
          drainDelay,
          maxConnectionAge,
          warmUp,
          apiKeys,
          maxInFlight,
          allowUnauthenticatedWrites,
          maxHistoricalRows,
          maxHistoricalInFlight,
          idleTimeout,
          maxConnections,
          jobHistory);
    }

    /** Builds the options and starts a server with them. */
    public FletchServer start() {
      return FletchServer.start(build());
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  private FletchServer(Options options) {
    this.options = options;
    this.metrics = new ServingMetrics();
    this.online =
        options.onlineStore() instanceof MeteredOnlineStore given
            ? given
            : new MeteredOnlineStore(options.onlineStore(), metrics.store());
    this.definitions =
        new RegistryCache(
            options.definitions(),
            options.project(),
            options.registryRefresh(),
            options.repoRoot(),
            metrics);
    this.connectionLimit =
        new ConnectionLimit(connectionCap(options.maxConnections()), metrics.registry());
    AtomicInteger n = new AtomicInteger();
    this.grpcExecutor =
        Executors.newFixedThreadPool(
            Math.max(2, Runtime.getRuntime().availableProcessors()),
            r -> {
              Thread t = new Thread(r, "fletch-serving-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    AtomicInteger p = new AtomicInteger();
    this.pushExecutor =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "fletch-push-" + p.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Starts listening; fails with FletchException (nothing left running) if a port cannot be bound.
   */
  public static FletchServer start(Options options) {
    requireNonNull(options, "options is null");
    FletchServer server = new FletchServer(options);
    try {
      server.startAll();
      server.servingHealth.listeners(server::listenerProblem);
      server.startFileChecks();
      server.servingHealth.start();
      server.startWarmUp();
      return server;
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
  }

  private void startAll() {
    if (System.getProperty("io.netty.leakDetection.level") == null) {
      // Every call allocates Netty buffers; the default leak detector records a stack trace for
      // one in 128 of them, a few percent of the serving thread's time. A serving process turns it
      // off unless asked otherwise (-Dio.netty.leakDetection.level=simple|paranoid).
      ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
    }
    metrics.bindJvmAndProcess();
    if (options.jobHistory() != null) {
      metrics
          .materialization()
          .followWatermarks(
              options.jobHistory(),
              () -> {
                ServingCatalog c = definitions.catalogOrNull();
                return c == null ? null : c.repo();
              });
    }
    OnlineFeatures online =
        new OnlineFeatures(
            definitions,
            this.online,
            options.maxEntityRows(),
            options.clock(),
            metrics,
            grpcExecutor,
            options.maxInFlight());
    PushService push =
        new PushService(definitions, this.online, options.offlineStore(), pushExecutor);
    if (options.tls() != null) {
      tlsReloader = new TlsReloader(options.tls());
    }
    servingHealth =
        new ServingHealth(
            definitions,
            this.online.unwrapped(),
            metrics.store(),
            options.healthInterval(),
            this::healthChanged);
    if (options.grpcPort() == 0 && !options.warmUp().isZero()) {
      LOG.info("warm-up skipped: it calls the gRPC port, which is off");
    }
    if (options.grpcPort() != 0) {
      int port = options.grpcPort() == EPHEMERAL ? 0 : options.grpcPort();
      health = new HealthStatusManager();
      NettyServerBuilder grpcBuilder =
          transport(NettyServerBuilder.forAddress(new InetSocketAddress(options.host(), port)));
      if (tlsReloader != null) {
        grpcBuilder.sslContext(grpcSslContext(tlsReloader));
      }
      if (!options.warmUp().isZero()) {
        if (options.tls() != null && options.tls().mutual()) {
          LOG.info("warm-up skipped: with mutual TLS the server has no client certificate to use");
        } else {
          warmUp =
              new WarmUp(options.warmUp(), definitions::catalogOrNull, options.maxEntityRows());
          grpcBuilder.intercept(warmUp.interceptor());
          servingHealth.warmingUp(
              "warming up: calling itself with every served request shape for up to "
                  + options.warmUp().toMillis()
                  + " ms");
        }
      }
      if (options.apiKeys() != null) {
        grpcBuilder.intercept(new ApiKeyChecks(options.apiKeys(), metrics, false).grpc());
      }
      // Clients of a serving API keep connections open for hours: let them ping as often as
      // grpc-java's clients may (10 s; the default of 5 min answers their pings with GOAWAY
      // "too_many_pings"), and ping idle clients so that dead peers' connections are closed.
      grpcBuilder
          .permitKeepAliveTime(10, TimeUnit.SECONDS)
          .permitKeepAliveWithoutCalls(true)
          .keepAliveTime(60, TimeUnit.SECONDS)
          .keepAliveTimeout(20, TimeUnit.SECONDS)
          .addTransportFilter(metrics.connectionCounter());
      if (!options.idleTimeout().isZero()) {
        grpcBuilder.maxConnectionIdle(options.idleTimeout().toMillis(), TimeUnit.MILLISECONDS);
      }
      // HTTP/2 rapid reset (CVE-2023-44487): a client that opens and cancels streams faster than
      // this gets GOAWAY instead of the server's CPU.
      grpcBuilder.maxRstFramesPerWindow(200, 10);
      // A client that connects and never completes the HTTP/2 handshake is dropped.
      grpcBuilder.handshakeTimeout(10, TimeUnit.SECONDS);
      if (!options.maxConnectionAge().isZero()) {
        grpcBuilder
            .maxConnectionAge(options.maxConnectionAge().toMillis(), TimeUnit.MILLISECONDS)
            .maxConnectionAgeGrace(options.shutdownGrace().toMillis(), TimeUnit.MILLISECONDS);
      }
      grpc =
          grpcBuilder
              // Handlers never block (definitions are cached, store calls are async), so they run
              // on the transport threads: no hand-off per call. Large answers are assembled on
              // grpcExecutor.
              .directExecutor()
              .addService(
                  new GrpcFeatureService(
                          online,
                          metrics,
                          options.requestTimeout(),
                          push,
                          options.apiKeys() != null || options.allowUnauthenticatedWrites())
                      .definition())
              .addService(health.getHealthService())
              .addService(ProtoReflectionServiceV1.newInstance())
              .addService(reflectionV1Alpha())
              .build();
      try {
        grpc.start();
      } catch (IOException e) {
        throw new FletchException(
            "cannot listen for gRPC on " + options.host() + ":" + port + ": " + e.getMessage(), e);
      }
      healthChanged(servingHealth.state());
    }
    if (options.httpPort() != 0) {
      vertx = Vertx.builder().withTransport(new CappedVertxTransport(connectionLimit)).build();
      if (options.offlineStore() != null) {
        allocator = new RootAllocator();
      }
      HttpApi api =
          new HttpApi(
              vertx,
              online,
              push,
              options.offlineStore(),
              allocator,
              metrics,
              options.requestTimeout(),
              servingHealth,
              options.maxHistoricalRows(),
              options.maxHistoricalInFlight());
      Router router = api.router(options.routeMounters());
      // Ahead of every route (order -1): with keys nothing is answered without one but the
      // probes; without keys reads are open and writes closed (unless explicitly allowed).
      router
          .route()
          .order(-1)
          .handler(
              new ApiKeyChecks(options.apiKeys(), metrics, options.allowUnauthenticatedWrites())
                  .http());
      int port = options.httpPort() == EPHEMERAL ? 0 : options.httpPort();
      try {
        http =
            vertx
                .createHttpServer(httpOptions(port))
                .requestHandler(router)
                .listen()
                .toCompletionStage()
                .toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
        boundHttpPort = http.actualPort();
        if (tlsReloader != null) {
          tlsReloader.httpServer(http);
        }
      } catch (Exception e) {
        Throwable cause = ErrorCodes.cause(e);
        throw new FletchException(
            "cannot listen for HTTP on " + options.host() + ":" + port + ": " + cause.getMessage(),
            cause);
      }
    }
  }

  private void healthChanged(ServingHealth.State state) {
    metrics.ready(state.serving());
    HealthStatusManager h = health;
    if (h == null) {
      return;
    }
    ServingStatus status = state.serving() ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
    h.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, status);
    h.setStatus(FeatureServingGrpc.SERVICE_NAME, status);
  }

  private void startWarmUp() {
    if (warmUp == null) {
      warmedUp.complete(new WarmUp.Result(0, 0, 0, "no warm-up"));
      return;
    }
    Thread t =
        new Thread(
            () -> {
              String host =
                  options.host().equals("0.0.0.0") || options.host().equals("::")
                      ? "127.0.0.1"
                      : options.host();
              NettyChannelBuilder b = NettyChannelBuilder.forAddress(host, grpcPort());
              ManagedChannel channel = null;
              WarmUp.Result result;
              try {
                if (options.tls() != null) {
                  // A call to itself, checked by nothing: its certificate may name a public host
                  // rather than the loopback address (tested).
                  b.sslContext(
                      GrpcSslContexts.forClient()
                          .trustManager(InsecureTrustManagerFactory.INSTANCE)
                          .build());
                } else {
                  b.usePlaintext();
                }
                channel = b.build();
                result =
                    warmUp.run(
                        channel,
                        options.apiKeys() == null
                            ? null
                            : "Bearer " + options.apiKeys().internalKey());
              } catch (SSLException | RuntimeException e) {
                LOG.warn("warm-up failed: {}", e.toString());
                result = new WarmUp.Result(0, 0, 0, e.toString());
              } finally {
                if (channel != null) {
                  channel.shutdownNow();
                }
                servingHealth.warmingUp(null);
              }
              warmedUp.complete(result);
            },
            "fletch-warm-up");
    t.setDaemon(true);
    t.start();
  }

  /** Whether the built-in warm-up is running now (health reports NOT_SERVING meanwhile). */
  public boolean warmingUp() {
    return warmUp != null && !warmedUp.isDone();
  }

  /** Completes when the warm-up has finished (at once without one); for tests. */
  CompletableFuture<WarmUp.Result> warmedUp() {
    return warmedUp;
  }

  /** Whether calls need an API key. */
  public boolean requiresApiKeys() {
    return options.apiKeys() != null;
  }

  /** One thread re-reads the files that may change under a running server: TLS, API keys. */
  private void startFileChecks() {
    boolean tls = tlsReloader != null && !options.tlsReload().isZero();
    if (!tls && options.apiKeys() == null) {
      return;
    }
    fileChecks = DaemonScheduler.named("fletch-file-reload");
    if (tls) {
      long every = options.tlsReload().toMillis();
      fileChecks.scheduleWithFixedDelay(tlsReloader::check, every, every, TimeUnit.MILLISECONDS);
    }
    if (options.apiKeys() != null) {
      fileChecks.scheduleWithFixedDelay(options.apiKeys()::reload, 5, 5, TimeUnit.SECONDS);
    }
  }

  /** The TLS files' watcher (null without TLS); tests ask it to check now. */
  TlsReloader tlsReloader() {
    return tlsReloader;
  }

  private HttpServerOptions httpOptions(int port) {
    HttpServerOptions o = new HttpServerOptions().setHost(options.host()).setPort(port);
    if (!options.idleTimeout().isZero()) {
      o.setIdleTimeout((int) Math.min(Integer.MAX_VALUE, options.idleTimeout().toSeconds()))
          .setIdleTimeoutUnit(TimeUnit.SECONDS);
    }
    if (tlsReloader != null) {
      ServerSSLOptions ssl = tlsReloader.httpOptions();
      o.setSsl(true).setKeyCertOptions(ssl.getKeyCertOptions());
      if (tlsReloader.tls().mutual()) {
        o.setClientAuth(ssl.getClientAuth()).setTrustOptions(ssl.getTrustOptions());
      }
    }
    return o;
  }

  private static SslContext grpcSslContext(TlsReloader tls) {
    try {
      SslContextBuilder b =
          GrpcSslContexts.configure(SslContextBuilder.forServer(tls.keyManager()));
      if (tls.tls().mutual()) {
        b.trustManager(tls.trustManager()).clientAuth(io.netty.handler.ssl.ClientAuth.REQUIRE);
      }
      return b.build();
    } catch (SSLException | RuntimeException e) {
      throw new InvalidRequestException(
          "cannot use TLS certificate "
              + tls.tls().certChain()
              + " with key "
              + tls.tls().privateKey()
              + " for gRPC: "
              + e.getMessage());
    }
  }

  /** Whether both ports speak TLS (see {@link ServerTls#mutual} for client certificates). */
  public boolean tls() {
    return options.tls() != null;
  }

  /** The bound gRPC port, or 0 when gRPC is off. */
  public int grpcPort() {
    return grpc == null ? 0 : grpc.getPort();
  }

  /**
   * Null while every started listener accepts a TCP connection, else which one does not (its socket
   * closed under the server: out of file descriptors, an acceptor thread that died).
   */
  private String listenerProblem() {
    long now = System.nanoTime();
    if (now - listenersCheckedAt < LISTENER_CHECK_EVERY_NANOS) {
      return lastListenerProblem;
    }
    listenersCheckedAt = now;
    String probeHost =
        options.host().equals("0.0.0.0") || options.host().equals("::")
            ? "127.0.0.1"
            : options.host();
    String problem = null;
    // Only the HTTP port is probed by connecting: a gRPC connection that never speaks HTTP/2 would
    // hold the server's shutdown until its handshake timeout. gRPC's own health answers over it.
    if (http != null && !accepts(probeHost, boundHttpPort)) {
      problem = "the HTTP listener on " + options.host() + ":" + boundHttpPort + " is gone";
    } else if (grpc != null && grpc.isShutdown() && !closed) {
      problem = "the gRPC listener on " + options.host() + ":" + grpc.getPort() + " is gone";
    }
    lastListenerProblem = problem;
    return problem;
  }

  private static final long LISTENER_CHECK_EVERY_NANOS = TimeUnit.SECONDS.toNanos(2);
  private volatile long listenersCheckedAt = System.nanoTime() - LISTENER_CHECK_EVERY_NANOS;
  private volatile String lastListenerProblem;

  private static boolean accepts(String host, int port) {
    try (java.net.Socket s = new java.net.Socket()) {
      s.connect(new InetSocketAddress(host, port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** The readiness this server reports (tests). */
  ServingHealth health() {
    return servingHealth;
  }

  /** Closes the HTTP listener alone, as a fault would (tests of health). */
  void closeHttpListenerForTest() throws Exception {
    http.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** The bound HTTP port, or 0 when HTTP is off. */
  public int httpPort() {
    return http == null ? 0 : http.actualPort();
  }

  public String host() {
    return options.host();
  }

  public String project() {
    return options.project();
  }

  /** The definitions being served (e.g. to force a refresh in tests). */
  public RegistryCache definitions() {
    return definitions;
  }

  public ServingMetrics metrics() {
    return metrics;
  }

  /**
   * The online store this server reads and writes, measured: give it to whatever else of the
   * process uses the store (the scheduler, streams), so their calls show in the store's metrics.
   * Closing the server does not close it.
   */
  public OnlineStore onlineStore() {
    return online;
  }

  /**
   * Stops accepting calls, waits up to the shutdown grace for in-flight ones, then releases
   * resources.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (warmUp != null) {
      warmUp.stop();
    }
    if (servingHealth != null) {
      if (options.drainDelay().isZero()) {
        servingHealth.close();
      } else {
        // Health says NOT_SERVING (gRPC Health watchers are told at once) while calls are still
        // answered, until load balancers have moved new calls elsewhere.
        servingHealth.drain();
        LOG.info(
            "draining for {} ms before closing the listeners", options.drainDelay().toMillis());
        try {
          Thread.sleep(options.drainDelay().toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
    long deadline = System.nanoTime() + options.shutdownGrace().toNanos();
    if (health != null) {
      health.enterTerminalState();
    }
    if (grpc != null) {
      grpc.shutdown();
    }
    if (http != null) {
      try {
        // Vert.x 5 shutdown: stop accepting, let open requests finish within the grace period.
        http.shutdown(options.shutdownGrace().toMillis(), TimeUnit.MILLISECONDS)
            .toCompletionStage()
            .toCompletableFuture()
            .get(options.shutdownGrace().toMillis() + 1000, TimeUnit.MILLISECONDS);
      } catch (Exception ignored) {
        // closing anyway below
      }
    }
    if (grpc != null) {
      try {
        if (!grpc.awaitTermination(
            Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
          grpc.shutdownNow();
        }
      } catch (InterruptedException e) {
        grpc.shutdownNow();
        Thread.currentThread().interrupt();
      }
    }
    if (vertx != null) {
      try {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // best effort: its threads are daemons
      }
    }
    if (fileChecks != null) {
      fileChecks.shutdownNow();
    }
    if (grpcLoops != null) {
      // The server has terminated (or was forced to): nothing is left on these loops.
      grpcLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
    grpcExecutor.shutdown();
    pushExecutor.shutdown();
    definitions.close();
    metrics.close();
    if (allocator != null) {
      allocator.close();
    }
  }

  /**
   * The transport's threads. When the online store offers its event loops (Redis), gRPC runs on
   * them: a call is read, looked up in the store and answered on one thread, with no hand-off (the
   * store sends a command issued on a loop over its connection on that loop). Otherwise the server
   * makes its own few loops (fewer wake-ups than gRPC's shared pool of twice the cores), on native
   * epoll where the platform has it. {@code -Dfletch.grpc.ownLoops=true} keeps gRPC off the store's
   * loops; {@code -Dfletch.grpc.eventLoops=N} sets the own loops' thread count; {@code
   * -Dfletch.grpc.window=BYTES} fixes the HTTP/2 flow-control window (default: auto-tuned).
   */
  private NettyServerBuilder transport(NettyServerBuilder builder) {
    int window = Integer.getInteger("fletch.grpc.window", 0);
    if (window > 0) {
      builder.flowControlWindow(window);
    }
    IoThreads shared =
        Boolean.getBoolean("fletch.grpc.ownLoops")
            ? null
            : options.onlineStore().ioThreads().orElse(null);
    if (shared != null) {
      return builder
          .bossEventLoopGroup(shared.group())
          .workerEventLoopGroup(shared.group())
          .channelFactory(
              connectionLimit.wrap(new ReflectiveChannelFactory<>(shared.serverChannel()), false));
    }
    IoThreads own =
        IoThreads.create(
            "fletch-grpc",
            Integer.getInteger(
                "fletch.grpc.eventLoops", Math.min(2, Runtime.getRuntime().availableProcessors())));
    grpcLoops = own.group();
    return builder
        .bossEventLoopGroup(grpcLoops)
        .workerEventLoopGroup(grpcLoops)
        .channelFactory(
            connectionLimit.wrap(new ReflectiveChannelFactory<>(own.serverChannel()), false));
  }

  /**
   * The connection cap in force: the one asked for, lowered to leave 256 file descriptors free when
   * the process may open fewer than it plus 256 (so that the cap, not the descriptor limit, is what
   * a flood of connections meets, and the store and files still open).
   */
  static int connectionCap(int asked) {
    long fds = -1;
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
      fds = unix.getMaxFileDescriptorCount();
    }
    if (asked == 0 || fds <= 0 || asked + 256L <= fds) {
      return asked;
    }
    int lowered = (int) Math.max(16, fds - 256);
    LOG.warn(
        "the connection cap is {} instead of {}: the process may open {} files (ulimit -n)",
        lowered,
        asked,
        fds);
    return lowered;
  }

  /** The connection cap in force and the connections open now (for tests). */
  ConnectionLimit connectionLimit() {
    return connectionLimit;
  }

  /** A free TCP port on the loopback interface (for tests and benchmarks). */
  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new FletchException("no free port: " + e.getMessage(), e);
    }
  }

  /**
   * Reflection as {@code grpc.reflection.v1alpha} too: older grpcurl and many GUI clients speak
   * only that version (deprecated in grpc-java, still what they call).
   */
  @SuppressWarnings("deprecation")
  private static io.grpc.BindableService reflectionV1Alpha() {
    return io.grpc.protobuf.services.ProtoReflectionService.newInstance();
  }
}
