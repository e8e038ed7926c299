package dev.fletch.monitoring;

import static java.util.Objects.requireNonNull;

import dev.fletch.core.FletchException;
import dev.fletch.core.model.FeatureRef;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.stats.Dataset;
import dev.fletch.core.stats.DatasetCatalog;
import dev.fletch.core.stats.DatasetStats;
import dev.fletch.offline.DataSlice;
import dev.fletch.offline.HistoricalRequest;
import dev.fletch.offline.OfflineStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Writes a training set and remembers it: the engine writes the file (rows never pass through the
 * JVM), then summarises the written file (a second, columnar read of the output only, a fraction of
 * the join's cost: see docs/monitoring.md), and the registry records where it is, what each column
 * holds and its statistics.
 */
public final class TrainingSets {
  private TrainingSets() {}

  /**
   * What was written: rows, the statistics (null when not computed), the registry id of the record
   * (0 when not recorded), and how long the join and the statistics took.
   */
  public record Written(
      long rows, DatasetStats stats, long datasetId, Duration retrieval, Duration statistics) {}

  /**
   * Runs {@code request} (its output a file) on {@code offline}; with {@code stats}, summarises the
   * file; with a {@code catalog}, records it as version {@code registryVersion}'s training set.
   */
  public static Written write(
      OfflineStore offline,
      DatasetCatalog catalog,
      FeatureRepo repo,
      long registryVersion,
      HistoricalRequest request,
      boolean stats) {
    requireNonNull(offline, "offline is null");
    requireNonNull(repo, "repo is null");
    requireNonNull(request, "request is null");
    long t0 = System.nanoTime();
    long rows = offline.historicalToFile(repo, request);
    Duration retrieval = Duration.ofNanos(System.nanoTime() - t0);
    Path file = request.output().toAbsolutePath().normalize();
    DatasetStats summary = null;
    long t1 = System.nanoTime();
    if (stats) {
      summary = offline.stats(null, new DataSlice.Files(file));
    }
    Duration statistics = Duration.ofNanos(System.nanoTime() - t1);
    long id = 0;
    if (catalog != null) {
      id = catalog.record(dataset(repo, registryVersion, request, file, rows, summary));
    }
    return new Written(rows, summary, id, retrieval, statistics);
  }

  /** The record of a training set just written to {@code file}. */
  static Dataset dataset(
      FeatureRepo repo,
      long registryVersion,
      HistoricalRequest request,
      Path file,
      long rows,
      DatasetStats stats) {
    List<FeatureRef> refs =
        request.service() != null && !request.service().isBlank()
            ? repo.resolveService(request.service())
            : repo.resolve(request.features());
    List<String> names = FeatureRepo.outputNames(refs, request.fullNames());
    Map<String, String> features = new LinkedHashMap<>();
    for (int i = 0; i < refs.size(); i++) {
      features.put(names.get(i), refs.get(i).toString());
    }
    try {
      return new Dataset(
          0,
          repo.project(),
          file.toString(),
          Dataset.TRAINING_SET,
          rows,
          Files.size(file),
          modified(file),
          Instant.now(),
          registryVersion,
          features,
          stats);
    } catch (IOException e) {
      throw new FletchException("cannot read back " + file + ": " + e.getMessage(), e);
    }
  }

  /** A file's modification time as the registry keeps times, to the microsecond. */
  private static Instant modified(Path file) throws IOException {
    return Files.getLastModifiedTime(file).toInstant().truncatedTo(ChronoUnit.MICROS);
  }

  /**
   * The record of {@code file} if it is a training set Fletch wrote and it has not changed since
   * (same size and modification time).
   */
  public static Optional<Dataset> unchanged(DatasetCatalog catalog, String project, Path file) {
    requireNonNull(catalog, "catalog is null");
    Path p = file.toAbsolutePath().normalize();
    Optional<Dataset> d = catalog.latest(project, p.toString());
    if (d.isEmpty() || !Files.isRegularFile(p)) {
      return Optional.empty();
    }
    try {
      boolean same =
          Files.size(p) == d.get().sizeBytes()
              && modified(p).equals(d.get().modifiedAt().truncatedTo(ChronoUnit.MICROS));
      return same ? d : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
