package dev.fletch.cli.commands;

import dev.fletch.cli.CliContext;
import dev.fletch.cli.CommonOptions;
import dev.fletch.cli.ExitCodes;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.model.FeatureView;
import dev.fletch.core.model.JoinKey;
import dev.fletch.core.model.ValueType;
import dev.fletch.core.settings.Settings;
import dev.fletch.materializer.MaterializationScheduler;
import dev.fletch.materializer.Materializer;
import dev.fletch.offline.OfflineStore;
import dev.fletch.online.OnlineStore;
import dev.fletch.registry.Registry;
import dev.fletch.registry.http.RegistryRoutes;
import dev.fletch.serving.ApiKeys;
import dev.fletch.serving.FletchServer;
import dev.fletch.serving.ServerTls;
import dev.fletch.serving.ServingCatalog;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Runs the serving process: registry API, HTTP twin and gRPC, plus scheduled materialization. */
@Command(
    name = "serve",
    description = {
      "Serve features online: gRPC FeatureServing (with health checking and reflection), its HTTP/JSON"
          + " twin, historical retrieval as an Arrow stream, the registry API and Prometheus /metrics,"
          + " in one process. Views with a 'schedule' are materialized incrementally while it runs.",
      "Definitions come from the registry and are re-read within seconds of a 'fletch apply'."
          + " Ctrl-C or SIGTERM stops it gracefully, finishing calls in flight."
    },
    sortOptions = false)
public final class ServeCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Option(
      names = "--host",
      paramLabel = "ADDR",
      description = "Address to bind (default: host in the settings, 127.0.0.1).")
  String host;

  @Option(
      names = "--http-port",
      paramLabel = "N",
      description = "HTTP port (default: http_port in the settings, 6566).")
  Integer httpPort;

  @Option(
      names = "--grpc-port",
      paramLabel = "M",
      description = "gRPC port (default: grpc_port in the settings, 6565).")
  Integer grpcPort;

  @Option(
      names = "--no-http",
      description = "Do not serve HTTP (registry API, JSON twin, metrics).")
  boolean noHttp;

  @Option(names = "--no-grpc", description = "Do not serve gRPC.")
  boolean noGrpc;

  @Option(names = "--no-schedule", description = "Do not run scheduled materialization.")
  boolean noSchedule;

  @Option(
      names = "--tls-cert",
      paramLabel = "FILE",
      defaultValue = "${env:FLETCH_TLS_CERT}",
      description =
          "Serve gRPC and HTTP over TLS with this PEM certificate chain (server certificate"
              + " first); needs --tls-key. Env: FLETCH_TLS_CERT.")
  Path tlsCert;

  @Option(
      names = "--tls-key",
      paramLabel = "FILE",
      defaultValue = "${env:FLETCH_TLS_KEY}",
      description =
          "The certificate's private key: PEM, PKCS#8 (-----BEGIN PRIVATE KEY-----), RSA or EC,"
              + " not encrypted. Env: FLETCH_TLS_KEY.")
  Path tlsKey;

  @Option(
      names = "--tls-client-ca",
      paramLabel = "FILE",
      defaultValue = "${env:FLETCH_TLS_CLIENT_CA}",
      description =
          "Require client certificates signed by a CA in this PEM file, on both ports (mutual"
              + " TLS); needs --tls-cert. Env: FLETCH_TLS_CLIENT_CA.")
  Path tlsClientCa;

  @Option(
      names = "--tls-reload",
      paramLabel = "SECONDS",
      defaultValue = "60",
      description =
          "How often to check the TLS files for a renewed certificate, served to new connections"
              + " without a restart (default: 60; 0: read them once at start).")
  long tlsReloadSeconds;

  @Option(
      names = "--api-keys",
      paramLabel = "FILE",
      defaultValue = "${env:FLETCH_API_KEYS_FILE}",
      description =
          "Require an API key (Authorization: Bearer KEY) on gRPC and HTTP, except health checks"
              + " and /metrics. FILE holds one '<read|admin> <key>' per line (admin may also apply"
              + " definitions); it is re-read every 5 s. Env: FLETCH_API_KEYS_FILE.")
  Path apiKeysFile;

  @Option(
      names = "--allow-unauthenticated-writes",
      description =
          "Without --api-keys, let anyone who reaches the HTTP port apply definitions. For local"
              + " development only: by default writes are refused (403) until keys are configured.")
  boolean allowUnauthenticatedWrites;

  @Option(
      names = "--drain",
      paramLabel = "SECONDS",
      defaultValue = "0",
      description =
          "On SIGTERM/Ctrl-C, report NOT_SERVING on the health checks but keep answering for this"
              + " long before closing the listeners, so load balancers move traffic away first"
              + " (default: 0).")
  long drainSeconds;

  @Option(
      names = "--warm-up",
      paramLabel = "SECONDS",
      defaultValue = "10",
      description =
          "After start, call itself with every served request shape for this long (made-up keys,"
              + " nothing written) while health reports NOT_SERVING, so the first real calls meet"
              + " compiled code (default: 10; 0: no warm-up). Needs gRPC; skipped with"
              + " --tls-client-ca.")
  long warmUpSeconds;

  @Option(
      names = "--max-connection-age",
      paramLabel = "SECONDS",
      defaultValue = "0",
      description =
          "Ask gRPC clients to reconnect after this long (+-10 %%), so that connections spread over"
              + " replicas added later (default: 0, no limit; else at least 1).")
  long maxConnectionAgeSeconds;

  @Option(
      names = "--max-in-flight",
      paramLabel = "N",
      defaultValue = "0",
      description =
          "Answer GetFeatures UNAVAILABLE (\"overloaded\") at once while N lookups already wait"
              + " for the online store, instead of making every call late; clients retry on"
              + " another replica (default: 0, no limit).")
  int maxInFlight;

  @Option(
      names = "--max-historical-rows",
      paramLabel = "N",
      defaultValue = "100000",
      description =
          "The most entity rows one HTTP historical request may carry (its body may be 256 bytes"
              + " a row); more are refused with 400. Larger sets: a file and fletch historical"
              + " (default: 100000).")
  int maxHistoricalRows;

  @Option(
      names = "--max-historical-in-flight",
      paramLabel = "N",
      defaultValue = "2",
      description =
          "HTTP historical retrievals at once; more are answered 503 'busy' with Retry-After"
              + " (default: 2).")
  int maxHistoricalInFlight;

  @Option(
      names = "--idle-timeout",
      paramLabel = "SECONDS",
      defaultValue = "300",
      description =
          "Close connections without traffic for this long, on both ports (default: 300; 0:"
              + " never).")
  long idleTimeoutSeconds;

  @Option(
      names = "--max-connections",
      paramLabel = "N",
      defaultValue = "10000",
      description =
          "Most TCP connections open at once over both ports; one more is closed when accepted"
              + " (default: 10000, lowered to leave 256 file descriptors free; 0: no cap).")
  int maxConnections;

  @Option(
      names = "--stream",
      description =
          "Also consume the Kafka streams of the served project's sources (as fletch stream does)"
              + " while serving; their counters, lag and freshness appear in /metrics.")
  boolean stream;

  @Spec CommandSpec spec;

  private final CountDownLatch stopRequested = new CountDownLatch(1);
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile FletchServer server;
  private volatile dev.fletch.stream.StreamRunner runningStreams;

  @Override
  public Integer call() throws Exception {
    if ((tlsCert == null) != (tlsKey == null)) {
      throw new ParameterException(
          spec.commandLine(),
          tlsCert == null
              ? "--tls-key needs --tls-cert (the certificate chain it belongs to)"
              : "--tls-cert needs --tls-key (the certificate's private key)");
    }
    if (tlsReloadSeconds < 0) {
      throw new ParameterException(
          spec.commandLine(), "--tls-reload must be 0 or more seconds, got " + tlsReloadSeconds);
    }
    if (drainSeconds < 0) {
      throw new ParameterException(
          spec.commandLine(), "--drain must be 0 or more seconds, got " + drainSeconds);
    }
    if (warmUpSeconds < 0) {
      throw new ParameterException(
          spec.commandLine(), "--warm-up must be 0 or more seconds, got " + warmUpSeconds);
    }
    if (maxConnectionAgeSeconds < 0) {
      throw new ParameterException(
          spec.commandLine(),
          "--max-connection-age must be 0 (no limit) or more seconds, got "
              + maxConnectionAgeSeconds);
    }
    if (maxHistoricalRows < 1 || maxHistoricalInFlight < 1 || idleTimeoutSeconds < 0) {
      throw new ParameterException(
          spec.commandLine(),
          "--max-historical-rows and --max-historical-in-flight must be at least 1, --idle-timeout"
              + " at least 0");
    }
    if (maxConnections < 0) {
      throw new ParameterException(
          spec.commandLine(),
          "--max-connections must be 0 (no cap) or more, got " + maxConnections);
    }
    if (maxInFlight < 0) {
      throw new ParameterException(
          spec.commandLine(), "--max-in-flight must be 0 (no limit) or more, got " + maxInFlight);
    }
    if (tlsClientCa != null && tlsCert == null) {
      throw new ParameterException(
          spec.commandLine(),
          "--tls-client-ca needs --tls-cert and --tls-key (client certificates need TLS)");
    }
    // Checked before anything is opened: an unusable certificate or key is a one-line error.
    ServerTls tls = tlsCert == null ? null : ServerTls.of(tlsCert, tlsKey);
    if (tlsClientCa != null) {
      tls = tls.requireClientCertificates(tlsClientCa);
    }
    ApiKeys apiKeys = apiKeysFile == null ? null : ApiKeys.load(apiKeysFile);
    try (CliContext ctx = common.newContext()) {
      Settings settings = ctx.settings();
      String project = ctx.loadRepo().project();
      Registry registry = ctx.registry();
      OnlineStore online = ctx.onlineStore();
      OfflineStore offline = ctx.offlineStore();
      FletchServer.Builder builder =
          FletchServer.builder()
              .settings(settings)
              .definitions(registry)
              .project(project)
              .onlineStore(online)
              .offlineStore(offline)
              .repoRoot(ctx.repoRoot())
              .jobHistory(registry.jobHistory())
              // plan and apply over HTTP check definitions against the files this server reads
              .addRoutes(
                  router ->
                      RegistryRoutes.mount(
                          router,
                          registry,
                          repo -> offline.checkSources(repo.withRoot(ctx.repoRoot()))))
              .addRoutes(router -> router.get("/api/v1/streams").handler(this::streamsStatus));
      if (host != null) {
        builder.host(host);
      }
      if (httpPort != null) {
        builder.httpPort(httpPort);
      }
      if (grpcPort != null) {
        builder.grpcPort(grpcPort);
      }
      if (noHttp) {
        builder.httpPort(0);
      }
      if (noGrpc) {
        builder.grpcPort(0);
      }
      builder
          .tls(tls)
          .tlsReload(java.time.Duration.ofSeconds(tlsReloadSeconds))
          .apiKeys(apiKeys)
          .allowUnauthenticatedWrites(allowUnauthenticatedWrites && apiKeys == null)
          .drainDelay(java.time.Duration.ofSeconds(drainSeconds))
          .warmUp(java.time.Duration.ofSeconds(noGrpc ? 0 : warmUpSeconds))
          .maxConnectionAge(java.time.Duration.ofSeconds(maxConnectionAgeSeconds))
          .maxInFlight(maxInFlight)
          .maxHistoricalRows(maxHistoricalRows)
          .maxHistoricalInFlight(maxHistoricalInFlight)
          .idleTimeout(java.time.Duration.ofSeconds(idleTimeoutSeconds))
          .maxConnections(maxConnections);
      MaterializationScheduler scheduler = null;
      Thread hook = new Thread(this::requestStop, "fletch-serve-shutdown");
      try (FletchServer started = builder.start()) {
        server = started;
        if (!noSchedule) {
          // Through the server's measured store: the jobs' writes show in its store metrics.
          scheduler =
              new MaterializationScheduler(
                      new Materializer(offline, started.onlineStore(), registry.jobHistory()),
                      () -> {
                        // Nothing applied yet: nothing to schedule (and nothing to warn about
                        // every tick).
                        ServingCatalog catalog = started.definitions().catalogOrNull();
                        return catalog == null ? null : catalog.repo();
                      })
                  .listener(jobMetrics(started.metrics().materialization()));
          scheduler.start();
        }
        dev.fletch.stream.StreamRunner streams = stream ? startStreams(ctx, started) : null;
        runningStreams = streams;
        printWhereItListens(ctx.out(), ctx.err(), started, online.describe(), scheduler != null);
        Runtime.getRuntime().addShutdownHook(hook);
        stopRequested.await();
        ctx.err()
            .println(
                drainSeconds > 0
                    ? "stopping: NOT_SERVING, draining for "
                        + drainSeconds
                        + " s, then finishing calls in flight..."
                    : "stopping: finishing calls in flight...");
        if (streams != null) {
          streams.close();
        }
        if (scheduler != null) {
          scheduler.close();
        }
      } finally {
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
          // the hook itself is running: it waits for `stopped` below
        }
        server = null;
      }
      ctx.err().println("stopped");
    } finally {
      stopped.countDown();
    }
    return ExitCodes.OK;
  }

  /** Counts the scheduler's jobs in the server's materialization metrics. */
  private static MaterializationScheduler.JobListener jobMetrics(
      dev.fletch.serving.MaterializationMetrics metrics) {
    return new MaterializationScheduler.JobListener() {
      @Override
      public void succeeded(Materializer.ViewResult r) {
        metrics.jobSucceeded(r.view(), r.rows(), r.took(), r.end());
      }

      @Override
      public void failed(Materializer.ViewFailure f, java.time.Duration took) {
        metrics.jobFailed(f.view(), took);
      }
    };
  }

  /**
   * GET /api/v1/streams: each stream this server consumes (fletch serve --stream), with its
   * counters, lag per partition, freshness and last error; an empty list without --stream.
   */
  private void streamsStatus(io.vertx.ext.web.RoutingContext ctx) {
    io.vertx.core.json.JsonArray out = new io.vertx.core.json.JsonArray();
    dev.fletch.stream.StreamRunner streams = runningStreams;
    if (streams != null) {
      for (dev.fletch.stream.StreamIngestor i : streams.ingestors()) {
        dev.fletch.stream.StreamIngestor.Stats st = i.stats();
        io.vertx.core.json.JsonObject lag = new io.vertx.core.json.JsonObject();
        st.lag().forEach((p, l) -> lag.put(Integer.toString(p), l));
        io.vertx.core.json.JsonObject o =
            new io.vertx.core.json.JsonObject()
                .put("source", i.source().name())
                .put("topic", i.source().stream().topic())
                .put("messages", st.messages())
                .put("applied_online", st.appliedOnline())
                .put("late", st.late())
                .put("already_applied", st.duplicates())
                .put("logged_rows", st.loggedRows())
                .put("dead_letters", st.deadLetters())
                .put("lag", lag)
                .put("freshness_ms", st.lastFreshness().toMillis());
        if (st.lastError() != null) {
          o.put("last_error", st.lastError());
        }
        out.add(o);
      }
    }
    ctx.response()
        .putHeader("content-type", "application/json")
        .end(new io.vertx.core.json.JsonObject().put("streams", out).encode());
  }

  /** Starts the streams of the served definitions and shows them in the server's metrics. */
  private static dev.fletch.stream.StreamRunner startStreams(CliContext ctx, FletchServer started) {
    ServingCatalog catalog = started.definitions().catalogOrNull();
    if (catalog == null) {
      throw new dev.fletch.core.InvalidRequestException(
          "--stream: nothing is applied yet, so there is no stream to consume; run fletch apply");
    }
    dev.fletch.core.model.FeatureRepo repo = catalog.repo();
    java.util.List<dev.fletch.core.model.Source> streamed =
        StreamCommand.streamedSources(repo, null);
    if (streamed.isEmpty()) {
      throw new dev.fletch.core.InvalidRequestException(
          "--stream: no source of project '" + repo.project() + "' has a 'stream:' block");
    }
    dev.fletch.stream.StreamRunner runner =
        new dev.fletch.stream.StreamRunner(
            StreamCommand.ingestors(ctx, repo, streamed, ctx.err()),
            false,
            StreamCommand.statusDir(ctx.repoRoot()),
            m -> ctx.err().println("warning: " + m),
            java.time.Clock.systemUTC());
    StreamMetrics.register(started.metrics(), runner.ingestors());
    runner.start();
    return runner;
  }

  /**
   * Asks a running {@code serve} to stop (what SIGTERM and Ctrl-C do) and waits until it has closed
   * the server and the stores.
   */
  public void requestStop() {
    stopRequested.countDown();
    try {
      stopped.await(30 + drainSeconds, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The running server, or null before it started and after it stopped (for tests). */
  public FletchServer server() {
    return server;
  }

  /** The client-certificate options of the sample commands, when the server requires one. */
  private String clientCertArgs(String certOption, String keyOption) {
    return tlsClientCa == null
        ? ""
        : " " + certOption + " CLIENT_CERT.pem " + keyOption + " CLIENT_KEY.pem";
  }

  private void printWhereItListens(
      PrintStream out,
      PrintStream err,
      FletchServer server,
      String onlineStore,
      boolean scheduling) {
    ServingCatalog catalog = server.definitions().catalogOrNull();
    out.println(
        "Serving project '"
            + server.project()
            + "' "
            + (catalog == null
                ? "(nothing applied yet: run 'fletch apply'; it is picked up without a restart)"
                : "at registry version " + catalog.version())
            + " from "
            + onlineStore);
    String sampleFeatures = "\"view:*\"";
    String jsonEntities = "{\"customer_id\": [1]}";
    String grpcEntities = "{\"customer_id\": {\"values\": [{\"int64_value\": \"1\"}]}}";
    if (catalog != null) {
      FeatureRepo repo = catalog.repo();
      for (FeatureView v : repo.featureViews()) {
        if (v.online() && !v.features().isEmpty()) {
          sampleFeatures = "\"" + v.name() + ":*\"";
          List<JoinKey> keys = repo.joinKeys(v);
          StringBuilder json = new StringBuilder("{");
          StringBuilder grpc = new StringBuilder("{");
          for (int i = 0; i < keys.size(); i++) {
            JoinKey k = keys.get(i);
            boolean text = k.type() == ValueType.STRING;
            String sep = i == 0 ? "" : ", ";
            json.append(sep)
                .append('"')
                .append(k.name())
                .append("\": [")
                .append(text ? "\"a\"" : "1")
                .append(']');
            grpc.append(sep)
                .append('"')
                .append(k.name())
                .append("\": {\"values\": [{")
                .append(text ? "\"string_value\": \"a\"" : "\"int64_value\": \"1\"")
                .append("}]}");
          }
          jsonEntities = json.append('}').toString();
          grpcEntities = grpc.append('}').toString();
          break;
        }
      }
    }
    String host = server.host();
    if (server.httpPort() != 0) {
      String base = (server.tls() ? "https://" : "http://") + host + ":" + server.httpPort();
      out.println("  HTTP  " + base);
      out.println("        POST " + base + "/api/v1/features/online   (online features, JSON)");
      out.println(
          "        POST " + base + "/api/v1/historical        (training sets, Arrow IPC stream)");
      out.println("        GET  " + base + "/api/v1/projects          (registry API)");
      out.println("        GET  " + base + "/api/v1/serving/health    (readiness: 200 or 503)");
      out.println("        GET  " + base + "/metrics                  (Prometheus)");
    }
    if (server.grpcPort() != 0) {
      out.println(
          "  gRPC  "
              + host
              + ":"
              + server.grpcPort()
              + (server.tls() ? tlsClientCa != null ? "   TLS, client certificates" : "   TLS" : "")
              + "   (fletch.serving.v1.FeatureServing, grpc.health.v1.Health, reflection)");
    }
    out.println("  Materialization schedules: " + (scheduling ? "running" : "off (--no-schedule)"));
    if (server.requiresApiKeys()) {
      out.println(
          "  API keys: from "
              + apiKeysFile
              + " (re-read every 5 s); health checks and /metrics need none");
      if (allowUnauthenticatedWrites) {
        err.println(
            "warning: --allow-unauthenticated-writes is ignored: with --api-keys, writes need an"
                + " admin key");
      }
    } else if (allowUnauthenticatedWrites) {
      err.println(
          "warning: --allow-unauthenticated-writes: anyone who reaches "
              + host
              + ":"
              + server.httpPort()
              + " can apply definitions; use it for local development only");
    } else {
      out.println("  Writes (apply): closed without --api-keys (403); reads need no key");
    }
    if (!server.requiresApiKeys() && !isLoopback(host)) {
      err.println(
          "warning: serving on "
              + host
              + " without --api-keys: anyone who reaches it can read every feature");
    }
    if (server.warmingUp()) {
      out.println(
          "  Warm-up: "
              + warmUpSeconds
              + " s of calls to itself; health reports NOT_SERVING until it is done (--warm-up 0:"
              + " none)");
    }
    out.println("Try:");
    if (server.httpPort() != 0) {
      out.println(
          "  curl -s -X POST "
              + (server.requiresApiKeys() ? "-H \"Authorization: Bearer $FLETCH_API_KEY\" " : "")
              + (server.tls()
                  ? "--cacert " + tlsCert + clientCertArgs("--cert", "--key") + " https://"
                  : "http://")
              + host
              + ":"
              + server.httpPort()
              + "/api/v1/features/online -H 'content-type: application/json' -d '{\"features\": ["
              + sampleFeatures
              + "], \"entities\": "
              + jsonEntities
              + "}'");
    }
    if (server.grpcPort() != 0) {
      out.println(
          "  grpcurl "
              + (server.requiresApiKeys() ? "-H \"authorization: Bearer $FLETCH_API_KEY\" " : "")
              + (server.tls()
                  ? "-cacert " + tlsCert + clientCertArgs("-cert", "-key")
                  : "-plaintext")
              + " -d '{\"features\": ["
              + sampleFeatures
              + "], \"entities\": "
              + grpcEntities
              + "}' "
              + host
              + ":"
              + server.grpcPort()
              + " fletch.serving.v1.FeatureServing/GetFeatures");
    }
    out.println("Press Ctrl-C to stop.");
    out.flush();
    err.flush();
  }

  private static boolean isLoopback(String host) {
    try {
      return java.net.InetAddress.getByName(host).isLoopbackAddress();
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }
}
