package dev.fletch.cli.commands;

import dev.fletch.cli.CliContext;
import dev.fletch.cli.ExitCodes;
import dev.fletch.cli.Fletch;
import dev.fletch.cli.StatsTable;
import dev.fletch.core.FletchException;
import dev.fletch.core.InvalidRequestException;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.settings.Settings;
import dev.fletch.core.stats.Dataset;
import dev.fletch.core.stats.DatasetStats;
import dev.fletch.examples.PaymentsDataGenerator;
import dev.fletch.examples.PaymentsExample;
import dev.fletch.examples.TrainingSetExplainer;
import dev.fletch.materializer.Materializer;
import dev.fletch.monitoring.DriftCheck;
import dev.fletch.monitoring.DriftReport;
import dev.fletch.monitoring.DriftSource;
import dev.fletch.monitoring.LoggedValues;
import dev.fletch.monitoring.TrainingSets;
import dev.fletch.offline.EntitySet;
import dev.fletch.offline.HistoricalRequest;
import dev.fletch.proto.serving.v1.PushResponse;
import dev.fletch.proto.serving.v1.PushTarget;
import dev.fletch.registry.ApplyResult;
import dev.fletch.registry.Plan;
import dev.fletch.registry.http.RegistryRoutes;
import dev.fletch.serving.FletchServer;
import dev.fletch.serving.OnlineResult;
import dev.fletch.serving.client.FletchClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code fletch quickstart}: the whole story on embedded defaults, in one command. Generates the
 * payments example, applies it, materializes it, writes a training set and explains a few of its
 * rows, shows its statistics and one drift check, serves it and makes one GetFeatures call.
 */
@Command(
    name = "quickstart",
    mixinStandardHelpOptions = true,
    description = {
      "Create the payments-fraud example in a folder and run it end to end: generate data, apply the",
      "definitions, materialize them online, build a point-in-time training set, show its statistics",
      "and check it for drift, start the server and call GetFeatures over gRPC. Uses the embedded",
      "stores, or Redis when FLETCH_REDIS_URL is set."
    })
public final class QuickstartCommand implements Callable<Integer> {
  static final String MARKER = ".fletch-quickstart";

  /** Columns of the training set worth showing on a terminal (the rest is in the file). */
  static final List<String> SHOWN_COLUMNS =
      List.of(
          "transaction_id",
          "customer_id",
          "merchant_id",
          "event_timestamp",
          "is_fraud",
          "credit_limit",
          "txn_count_1h",
          "txn_count_24h",
          "avg_amount_24h",
          "chargeback_rate_30d",
          "pair_txn_count_90d");

  @Spec CommandSpec spec;

  @Option(
      names = "--dir",
      paramLabel = "DIR",
      description =
          "Folder to create the example in (default: ./fletch-quickstart). Must be empty or a"
              + " previous quickstart folder, which is reset.")
  Path dir;

  @Option(
      names = "--serve",
      description = "Keep serving after the tour (until Ctrl-C) and print how to call the server.")
  boolean serve;

  @Option(
      names = "--scale",
      paramLabel = "N",
      defaultValue = "1",
      description =
          "Data size: N x 1,000 customers and N x 100 merchants over 28 days (default: 1).")
  int scale;

  @Option(
      names = "--grpc-port",
      paramLabel = "PORT",
      description = "gRPC port (default: a free port; with --serve: the settings' port, 6565).")
  Integer grpcPort;

  @Option(
      names = "--http-port",
      paramLabel = "PORT",
      description = "HTTP port (default: a free port; with --serve: the settings' port, 6566).")
  Integer httpPort;

  @Option(names = "--verbose", description = "Print stack traces of errors.")
  boolean verbose;

  private PrintStream out;
  private PrintStream err;
  private CountDownLatch shutdownLatch;

  @Override
  public Integer call() {
    Object root = spec == null ? null : spec.root().userObject();
    out = root instanceof Fletch f ? f.out() : System.out;
    err = root instanceof Fletch f ? f.err() : System.err;
    if (scale < 1) {
      throw new InvalidRequestException("--scale must be at least 1, got " + scale);
    }
    Path folder = (dir == null ? Path.of("fletch-quickstart") : dir).toAbsolutePath().normalize();
    prepare(folder);
    Steps steps = new Steps(out, 7);
    PaymentsDataGenerator.Options options =
        PaymentsDataGenerator.Options.defaults()
            .withScale(scale)
            .withEnd(Instant.now().truncatedTo(ChronoUnit.HOURS));

    steps.begin("Writing the payments-fraud example to " + folder);
    PaymentsDataGenerator.Summary data = PaymentsExample.create(folder, options);
    out.printf("    definitions: %s%n", String.join(", ", PaymentsExample.YAML_FILES));
    out.printf(
        "    data from %s to %s (seed %d):%n", options.start(), options.end(), options.seed());
    data.rowsPerFile().entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> out.printf("      data/%-40s %,9d rows%n", e.getKey(), e.getValue()));
    steps.end();

    try (CliContext ctx =
        new CliContext(folder, () -> Settings.load(folder, System.getenv()), out, err)) {
      tour(ctx, folder, options, steps);
    } finally {
      if (shutdownLatch != null) {
        shutdownLatch.countDown();
      }
    }
    return ExitCodes.OK;
  }

  private void tour(
      CliContext ctx, Path folder, PaymentsDataGenerator.Options options, Steps steps) {
    steps.begin("Validating and applying the definitions to the registry");
    FeatureRepo repo = ctx.loadRepo();
    Plan plan = ctx.registry().plan(repo);
    out.println(indent(plan.render()));
    ApplyResult applied =
        ctx.registry().apply(repo, plan.baseVersion(), false, "fletch quickstart");
    out.println("    " + applied.summary());
    out.println("    registry: " + redact(ctx.settings().registryUrl()));
    // From here on, as in `fletch materialize` and `fletch historical`: the applied version (what
    // serving reads), not the local YAML.
    repo = ctx.registry().load(repo.project()).withRoot(folder);
    steps.end();

    steps.begin(
        "Materializing the latest values into the online store ("
            + ctx.onlineStore().describe()
            + ")");
    materialize(ctx, repo, options);
    steps.end();

    steps.begin(
        "Building a point-in-time training set from the labels (feature service "
            + PaymentsExample.SERVICE
            + ")");
    train(ctx, repo, folder);
    steps.end();

    steps.begin("Monitoring the features: statistics and a drift check");
    monitor(ctx, repo, folder, options);
    steps.end();

    serveAndCall(ctx, repo, folder, steps);
  }

  private void materialize(
      CliContext ctx, FeatureRepo repo, PaymentsDataGenerator.Options options) {
    Materializer materializer =
        new Materializer(ctx.offlineStore(), ctx.onlineStore(), ctx.registry().jobHistory());
    // From the beginning (profiles of older customers go back years) to the end of the data.
    List<Materializer.ViewResult> results =
        materializer.materialize(
            repo, Instant.EPOCH, options.end(), List.of(), (view, rows, rate) -> {});
    for (Materializer.ViewResult r : results) {
      out.printf(
          "    %-20s %,9d entities written in %d ms%n", r.view(), r.rows(), r.took().toMillis());
    }
    repo.featureViews().stream()
        .filter(v -> !v.online())
        .forEach(v -> out.printf("    %-20s (offline only: online: false)%n", v.name()));
  }

  private void train(CliContext ctx, FeatureRepo repo, Path folder) {
    Path training = folder.resolve("training").resolve(PaymentsExample.SERVICE + ".parquet");
    createDirectories(training.getParent());
    // As fletch historical: the file is written, summarised and recorded in the registry.
    long rows =
        TrainingSets.write(
                ctx.offlineStore(),
                ctx.registry().datasets(),
                repo,
                ctx.registry().currentVersion(repo.project()),
                new HistoricalRequest(
                    new EntitySet.FromFile(folder.resolve(PaymentsExample.LABELS)),
                    List.of(),
                    PaymentsExample.SERVICE,
                    null,
                    false,
                    training,
                    HistoricalRequest.OutputFormat.PARQUET),
                true)
            .rows();
    out.printf("    %,d rows written to %s%n", rows, folder.relativize(training));
    printTable(ctx.offlineStore().preview(training, 5));
    out.println(
        "    (the first rows are the oldest labels: at the very start of the data no nightly stats");
    out.println(
        "    exist yet, so the merchant and pair features are NULL there; customer_activity, computed");
    out.println("    by Fletch from the transactions themselves, already counts them)");
    out.println();
    out.println(
        "    Why these values? Each label row gets, per feature view, the row with the same key and");
    out.println(
        "    the greatest event time at or before the label's event_timestamp; among rows with that");
    out.println(
        "    event time the latest created wins; a row older than the view's ttl gives NULL:");
    for (TrainingSetExplainer.Explanation e :
        TrainingSetExplainer.explain(folder, training, repo.view("merchant_risk").ttl())) {
      out.printf(
          "    - [%s] transaction %d, chargeback_rate_30d = %s%n",
          e.kind(),
          e.transactionId(),
          e.actual() == null ? "NULL" : String.format("%.4f", e.actual()));
      out.println("      " + e.why() + (e.agrees() ? "" : "  (MISMATCH with the training set!)"));
    }
    out.println();
    out.println(
        "    customer_activity is computed by Fletch from the raw transactions: the value at t over a");
    out.println(
        "    window w aggregates the events from t - w (rounded down to the hop, 1h) up to t itself:");
    TrainingSetExplainer.WindowExplanation w = TrainingSetExplainer.explainWindow(folder, training);
    out.printf(
        "    - [WINDOW] transaction %d, txn_count_1h = %s%n",
        w.transactionId(), w.actual() == null ? "NULL" : w.actual());
    out.println("      " + w.why() + (w.agrees() ? "" : "  (MISMATCH with the training set!)"));
  }

  /** Columns of the training set's statistics worth showing on a terminal. */
  static final List<String> STATS_COLUMNS =
      List.of(
          "is_fraud",
          "amount",
          "txn_count_24h",
          "amount_sum_7d",
          "merchant_category",
          "chargeback_rate_30d",
          "pair_txn_count_90d");

  /**
   * The training set's recorded statistics, a materialization job's, and one drift check: the
   * training set against what customer_activity computes over the last three days.
   */
  private void monitor(
      CliContext ctx, FeatureRepo repo, Path folder, PaymentsDataGenerator.Options options) {
    Path training = folder.resolve("training").resolve(PaymentsExample.SERVICE + ".parquet");
    Dataset recorded =
        TrainingSets.unchanged(ctx.registry().datasets(), repo.project(), training).orElseThrow();
    DatasetStats stats = recorded.stats();
    out.printf(
        "    Statistics of %s, recorded in the registry when it was written (dataset %d):%n",
        folder.relativize(training), recorded.id());
    DatasetStats shown =
        new DatasetStats(
            stats.rows(),
            stats.computedAt(),
            STATS_COLUMNS.stream().map(c -> stats.column(c).orElseThrow()).toList());
    ByteArrayOutputStream table = new ByteArrayOutputStream();
    StatsTable.print(new PrintStream(table, true, StandardCharsets.UTF_8), shown);
    out.print(indent(table.toString(StandardCharsets.UTF_8)) + "\n");
    ctx.registry()
        .jobHistory()
        .latestStats(repo.project(), "merchant_risk")
        .ifPresent(
            j ->
                out.printf(
                    "    Each materialization job records the same of the rows it wrote: fletch stats"
                        + " merchant_risk (job %d, %,d merchants).%n",
                    j.job().id(), j.stats().rows()));
    Instant end = options.end();
    Instant start = end.minus(Duration.ofDays(3));
    out.println();
    out.printf(
        "    Drift: the training set against customer_activity over the last 3 days (%s to %s):%n",
        start, end);
    DriftReport report =
        new DriftCheck(ctx.offlineStore(), LoggedValues.NONE)
            .run(
                new DriftCheck.Request(
                    repo,
                    new DriftSource.TrainingSet(training, recorded.features()),
                    new DriftSource.ViewRange("customer_activity", start, end),
                    List.of()),
                null);
    ByteArrayOutputStream drift = new ByteArrayOutputStream();
    DriftCommand.print(new PrintStream(drift, true, StandardCharsets.UTF_8), report, repo);
    out.println(indent(drift.toString(StandardCharsets.UTF_8)));
    out.println(
        "    PSI compares the shares of the reference's deciles; the KS test asks whether both sides"
            + " could");
    out.println(
        "    come from one distribution, so on thousands of rows it flags even small, steady"
            + " shifts: here");
    out.println(
        "    the oldest labels' 7-day sums cover less than 7 days of data. Same check from a"
            + " shell, exit");
    out.println("    status 3 when a threshold is crossed:");
    out.printf(
        "      fletch drift --reference %s --current 'customer_activity:-3d..now'%n",
        folder.relativize(training));
  }

  private void serveAndCall(CliContext ctx, FeatureRepo repo, Path folder, Steps steps) {
    steps.begin("Serving: starting the server and calling GetFeatures over gRPC");
    Settings settings = ctx.settings();
    int grpc = grpcPort != null ? grpcPort : serve ? settings.grpcPort() : FletchServer.EPHEMERAL;
    int http = httpPort != null ? httpPort : serve ? settings.httpPort() : FletchServer.EPHEMERAL;
    FletchServer.Options options =
        FletchServer.builder()
            .settings(settings)
            .grpcPort(grpc)
            .httpPort(http)
            .definitions(ctx.registry())
            .project(repo.project())
            .onlineStore(ctx.onlineStore())
            .offlineStore(ctx.offlineStore())
            .repoRoot(folder)
            .addRoutes(router -> RegistryRoutes.mount(router, ctx.registry()))
            // The tour pushes one live transaction to its own short-lived server on a free port;
            // with --serve writes stay closed as on any server without API keys.
            .allowUnauthenticatedWrites(!serve)
            .build();
    String host = options.host();
    List<PaymentsExample.ServingExample> examples = PaymentsExample.servingExamples(folder);
    try (FletchServer server = FletchServer.start(options);
        FletchClient client =
            FletchClient.builder()
                .target(host, server.grpcPort())
                .plaintext(true)
                .deadline(Duration.ofSeconds(10))
                .build()) {
      out.printf(
          "    gRPC on %s:%d, HTTP on http://%s:%d (project '%s')%n",
          host, server.grpcPort(), host, server.httpPort(), repo.project());
      out.printf(
          "    GetFeatures(feature_service=%s) for %d entity rows:%n",
          PaymentsExample.SERVICE, examples.size());
      OnlineResult result =
          client.getServiceFeatures(
              PaymentsExample.SERVICE,
              Map.of(
                  "customer_id",
                      examples.stream().map(PaymentsExample.ServingExample::customerId).toList(),
                  "merchant_id",
                      examples.stream().map(PaymentsExample.ServingExample::merchantId).toList(),
                  // txn_risk's request field: the amount of the payment being scored
                  "amount",
                      examples.stream().map(PaymentsExample.ServingExample::amount).toList()));
      printAnswer(result, examples);
      out.println(
          "    PRESENT: stored and within the view's ttl; OUTSIDE_MAX_AGE: older than the ttl (the");
      out.println(
          "    value is still returned; a training set at this instant would have NULL); NULL_VALUE:");
      out.println(
          "    stored as null; NOT_FOUND: nothing stored for that entity (a window count then reads 0:");
      out.println("    no events in the window).");
      out.println(
          "    amount_vs_avg_24h is on demand (txn_risk): computed for this call from the amount sent");
      out.println(
          "    with each row and avg_amount_24h, by the expression a training set computes it with.");
      if (!serve) {
        pushLive(client, examples.get(0));
      }
      steps.end();
      if (serve) {
        printHowToCall(host, server.grpcPort(), server.httpPort(), examples.get(0));
        awaitShutdownSignal();
      }
      steps.begin("Stopping the server");
    }
    steps.end();
  }

  /**
   * Pushes one live transaction for the example customer (to the online store and the push log) and
   * shows the window features change in the next GetFeatures.
   */
  private void pushLive(FletchClient client, PaymentsExample.ServingExample e) {
    List<String> shown =
        List.of("customer_activity:txn_count_1h", "customer_activity:amount_sum_7d");
    Map<String, List<Long>> entity = Map.of("customer_id", List.of(e.customerId()));
    OnlineResult before = client.getFeatures(shown, entity);
    Instant now = Instant.now();
    double amount = 42.50;
    PushResponse pushed =
        client.push(
            "customer_activity",
            List.of(
                Map.of(
                    "customer_id",
                    e.customerId(),
                    "event_ts",
                    now,
                    "amount",
                    amount,
                    "merchant_id",
                    e.merchantId())),
            PushTarget.BOTH);
    OnlineResult after = client.getFeatures(shown, entity);
    out.println();
    out.printf(
        "    Push (gRPC, to: both): customer %d pays %.2f at %s now (%s); %d event added online,"
            + " %d row kept in the push log%n",
        e.customerId(),
        amount,
        e.merchantId(),
        now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
        pushed.getOnlineRows(),
        pushed.getOfflineRows());
    for (String f : List.of("txn_count_1h", "amount_sum_7d")) {
      out.printf("      %-13s %s -> %s%n", f, cell(before.value(f, 0)), cell(after.value(f, 0)));
    }
    out.println(
        "    (the next GetFeatures counts it at once; historical retrieval and the next materialize"
            + " read it from data/pushed/transactions/)");
  }

  private void printAnswer(OnlineResult result, List<PaymentsExample.ServingExample> examples) {
    int width = result.featureNames().stream().mapToInt(String::length).max().orElse(10);
    for (int row = 0; row < result.entityRows(); row++) {
      PaymentsExample.ServingExample e = examples.get(row);
      out.printf(
          "    customer_id=%d, merchant_id=%s, amount=%.2f (%s):%n",
          e.customerId(), e.merchantId(), e.amount(), e.note());
      for (OnlineResult.Column c : result.columns()) {
        out.printf(
            "      %-" + width + "s = %-12s %s%n",
            c.name(),
            cell(c.values().get(row)),
            c.statuses().get(row));
      }
    }
  }

  private void printHowToCall(String host, int grpc, int http, PaymentsExample.ServingExample e) {
    out.println();
    out.println("    Serving until Ctrl-C. Try it:");
    if (grpc > 0) {
      out.printf(
          "      grpcurl -plaintext -d '{\"feature_service\": \"%s\", \"entities\": {"
              + "\"customer_id\": {\"values\": [{\"int64_value\": \"%d\"}]}, "
              + "\"merchant_id\": {\"values\": [{\"string_value\": \"%s\"}]}, "
              + "\"amount\": {\"values\": [{\"double_value\": %.2f}]}}}' "
              + "%s:%d fletch.serving.v1.FeatureServing/GetFeatures%n",
          PaymentsExample.SERVICE, e.customerId(), e.merchantId(), e.amount(), host, grpc);
    }
    if (http > 0) {
      out.printf(
          "      curl -s http://%s:%d/api/v1/features/online -H 'content-type: application/json' "
              + "-d '{\"feature_service\": \"%s\", \"entities\": {\"customer_id\": [%d], "
              + "\"merchant_id\": [\"%s\"], \"amount\": [%.2f]}}'%n",
          host, http, PaymentsExample.SERVICE, e.customerId(), e.merchantId(), e.amount());
      out.printf("      curl -s http://%s:%d/metrics%n", host, http);
    }
    out.flush();
  }

  // Blocks until the JVM is asked to stop (Ctrl-C, SIGTERM); the hook then waits for the server to
  // close so in-flight calls finish before the process exits.
  private void awaitShutdownSignal() {
    CountDownLatch stop = new CountDownLatch(1);
    CountDownLatch closed = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              stop.countDown();
              try {
                closed.await(30, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "fletch-quickstart-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    shutdownLatch = closed;
    try {
      stop.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // A re-run of the quickstart starts over; any other non-empty folder is the user's and stays
  // untouched.
  private void prepare(Path folder) {
    try {
      if (Files.isDirectory(folder) && !isEmpty(folder)) {
        if (!Files.exists(folder.resolve(MARKER))) {
          throw new InvalidRequestException(
              folder + " is not empty and is not a quickstart folder; choose another --dir");
        }
        deleteRecursively(folder.resolve(".fletch"));
        deleteRecursively(folder.resolve("data"));
        deleteRecursively(folder.resolve("training"));
      }
      Files.createDirectories(folder);
      Files.writeString(
          folder.resolve(MARKER), "created by fletch quickstart; a re-run resets this folder\n");
    } catch (IOException e) {
      throw new FletchException("cannot prepare " + folder + ": " + e.getMessage(), e);
    }
  }

  private static boolean isEmpty(Path folder) throws IOException {
    try (Stream<Path> s = Files.list(folder)) {
      return s.findAny().isEmpty();
    }
  }

  private static void deleteRecursively(Path path) throws IOException {
    if (!Files.exists(path)) {
      return;
    }
    try (Stream<Path> s = Files.walk(path)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  private static void createDirectories(Path p) {
    try {
      Files.createDirectories(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void printTable(List<Map<String, Object>> rows) {
    if (rows.isEmpty()) {
      return;
    }
    List<String> columns = new ArrayList<>();
    for (String c : SHOWN_COLUMNS) {
      if (rows.get(0).containsKey(c)) {
        columns.add(c);
      }
    }
    List<List<String>> cells = new ArrayList<>();
    int[] width = new int[columns.size()];
    for (int i = 0; i < columns.size(); i++) {
      width[i] = columns.get(i).length();
    }
    for (Map<String, Object> row : rows) {
      List<String> line = new ArrayList<>();
      for (int i = 0; i < columns.size(); i++) {
        String cell = cell(row.get(columns.get(i)));
        width[i] = Math.max(width[i], cell.length());
        line.add(cell);
      }
      cells.add(line);
    }
    StringBuilder header = new StringBuilder("    ");
    for (int i = 0; i < columns.size(); i++) {
      header.append(String.format("%-" + width[i] + "s  ", columns.get(i)));
    }
    out.println(header.toString().stripTrailing());
    for (List<String> line : cells) {
      StringBuilder sb = new StringBuilder("    ");
      for (int i = 0; i < line.size(); i++) {
        sb.append(String.format("%-" + width[i] + "s  ", line.get(i)));
      }
      out.println(sb.toString().stripTrailing());
    }
  }

  static String cell(Object v) {
    if (v == null) {
      return "NULL";
    }
    if (v instanceof Double || v instanceof Float) {
      double d = ((Number) v).doubleValue();
      // Rates are small numbers: keep four decimals there, two for amounts.
      return Math.abs(d) < 1 && d != 0 ? String.format("%.4f", d) : String.format("%.2f", d);
    }
    return String.valueOf(v);
  }

  static String indent(String text) {
    return "    " + text.strip().replace("\n", "\n    ");
  }

  /** A JDBC URL without its password, for printing. */
  static String redact(String url) {
    return dev.fletch.core.Secrets.url(url);
  }

  /** Numbered step headers with their timing. */
  static final class Steps {
    private final PrintStream out;
    private final int total;
    private int current;
    private long started;

    Steps(PrintStream out, int total) {
      this.out = out;
      this.total = total;
    }

    void begin(String title) {
      current++;
      started = System.nanoTime();
      out.println();
      out.printf("[%d/%d] %s%n", current, total, title);
    }

    void end() {
      out.printf("    ... done in %.1f s%n", (System.nanoTime() - started) / 1e9);
    }
  }
}
