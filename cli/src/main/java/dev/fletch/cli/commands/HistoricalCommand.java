package dev.fletch.cli.commands;

import dev.fletch.cli.AppliedDefinitions;
import dev.fletch.cli.CliContext;
import dev.fletch.cli.CommonOptions;
import dev.fletch.cli.ExitCodes;
import dev.fletch.cli.TimeArguments;
import dev.fletch.monitoring.TrainingSets;
import dev.fletch.offline.EntitySet;
import dev.fletch.offline.HistoricalRequest;
import dev.fletch.offline.HistoricalRequest.OutputFormat;
import dev.fletch.offline.TrainingSetMetadata;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Writes a point-in-time-correct training set to a Parquet or CSV file. */
@Command(
    name = "historical",
    description = {
      "Build a point-in-time-correct training set: for each entity row, the feature values known at its"
          + " event timestamp, written to a Parquet or CSV file.",
      "Entity rows come from a file (--entities), a SQL query over the sources (--entity-query; each"
          + " source is a table named after it), or every (entity, time) of a view in a range (--view,"
          + " --start, --end)."
    },
    sortOptions = false)
public final class HistoricalCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Spec CommandSpec spec;

  @Option(
      names = "--entities",
      paramLabel = "FILE",
      description = "Entity rows: a .parquet, .csv, .json or .jsonl file.")
  Path entities;

  @Option(
      names = "--entity-query",
      paramLabel = "SQL",
      description = "Entity rows: a DuckDB SQL query; sources are tables named after them.")
  String entityQuery;

  @Option(
      names = "--view",
      paramLabel = "VIEW",
      description =
          "Entity rows: every (entity, event time) of this view's source in [--start, --end].")
  String view;

  @Option(
      names = "--start",
      paramLabel = "TIME",
      description =
          "Range start (inclusive): ISO-8601 instant, date, or date-time (UTC if no offset).")
  String start;

  @Option(names = "--end", paramLabel = "TIME", description = "Range end (inclusive), as --start.")
  String end;

  @Option(
      names = "--features",
      paramLabel = "REFS",
      split = ",",
      description = "Feature references, comma-separated: view:feature or view:*.")
  List<String> features;

  @Option(names = "--service", paramLabel = "NAME", description = "A feature service's features.")
  String service;

  @Option(names = "--out", paramLabel = "FILE", required = true, description = "The output file.")
  Path out;

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      description = "parquet or csv (default: from the --out extension, else parquet).")
  String format;

  @Option(names = "--full-names", description = "Name every feature column view__feature.")
  boolean fullNames;

  @Option(
      names = "--timestamp-column",
      paramLabel = "NAME",
      description = "The entity rows' event timestamp column (default: event_timestamp).")
  String timestampColumn;

  @Option(
      names = "--no-stats",
      description =
          "Do not summarise the written file (statistics are otherwise recorded in the registry;"
              + " see fletch stats FILE).")
  boolean noStats;

  @Option(
      names = "--project",
      paramLabel = "NAME",
      description = "Project whose applied definitions to use (default: the local YAML's project).")
  String project;

  @Override
  public Integer call() {
    EntitySet entitySet = entitySet();
    if ((features == null || features.isEmpty()) == (service == null)) {
      throw usage("give exactly one of --features or --service");
    }
    HistoricalRequest request =
        new HistoricalRequest(
            entitySet,
            features == null ? List.of() : features.stream().map(String::trim).toList(),
            service,
            timestampColumn,
            fullNames,
            out,
            outputFormat());
    long started = System.nanoTime();
    try (CliContext ctx = common.newContext()) {
      AppliedDefinitions.Applied applied = AppliedDefinitions.loadVersioned(ctx, project);
      TrainingSets.Written written =
          TrainingSets.write(
              ctx.offlineStore(),
              ctx.registry().datasets(),
              applied.repo(),
              applied.version(),
              request.withMetadata(
                  Map.of(TrainingSetMetadata.REGISTRY_VERSION, Long.toString(applied.version()))),
              !noStats);
      Duration took = Duration.ofNanos(System.nanoTime() - started);
      ctx.out()
          .printf(
              Locale.ROOT,
              "wrote %d rows to %s in %.2f s%n",
              written.rows(),
              out.toAbsolutePath().normalize(),
              took.toMillis() / 1000.0);
      if (written.stats() != null) {
        ctx.out()
            .printf(
                Locale.ROOT,
                "statistics of %d columns recorded in the registry (dataset %d, %.2f s of the"
                    + " total): fletch stats %s%n",
                written.stats().columns().size(),
                written.datasetId(),
                written.statistics().toMillis() / 1000.0,
                out);
      }
    }
    return ExitCodes.OK;
  }

  private EntitySet entitySet() {
    int given = (entities != null ? 1 : 0) + (entityQuery != null ? 1 : 0) + (view != null ? 1 : 0);
    if (given != 1) {
      throw usage(
          "give exactly one of --entities, --entity-query or --view (with --start and --end)");
    }
    if (view == null && (start != null || end != null)) {
      throw usage("--start and --end go with --view");
    }
    if (entities != null) {
      return new EntitySet.FromFile(entities);
    }
    if (entityQuery != null) {
      return new EntitySet.FromQuery(entityQuery);
    }
    if (start == null || end == null) {
      throw usage("--view needs --start and --end");
    }
    return new EntitySet.FromViewRange(
        view,
        TimeArguments.parse(spec, "--start", start, Clock.systemUTC()),
        TimeArguments.parse(spec, "--end", end, Clock.systemUTC()));
  }

  private OutputFormat outputFormat() {
    if (format == null) {
      return out.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".csv")
          ? OutputFormat.CSV
          : OutputFormat.PARQUET;
    }
    try {
      return OutputFormat.valueOf(format.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw usage("--format must be parquet or csv, got '" + format + "'");
    }
  }

  private CommandLine.ParameterException usage(String message) {
    return new CommandLine.ParameterException(spec.commandLine(), message);
  }
}
