package dev.fletch.core.stats;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.Map;

/**
 * A file Fletch wrote (a training set), as the registry remembers it: where, when, from which
 * applied version, what each feature column holds, and its statistics.
 *
 * @param id the registry's id (0 before it is recorded)
 * @param path the file's absolute path when it was written
 * @param kind what wrote it ({@value #TRAINING_SET})
 * @param sizeBytes the file's size when it was written (to tell whether it changed since)
 * @param modifiedAt the file's modification time when it was written
 * @param registryVersion the applied version of the definitions it was built from
 * @param features output column -> the feature it holds ({@code view:feature})
 * @param stats its statistics, or null when none were computed
 */
public record Dataset(
    long id,
    String project,
    String path,
    String kind,
    long rows,
    long sizeBytes,
    Instant modifiedAt,
    Instant createdAt,
    long registryVersion,
    Map<String, String> features,
    @JsonInclude(JsonInclude.Include.NON_NULL) DatasetStats stats) {
  public static final String TRAINING_SET = "training_set";

  public Dataset {
    requireNonNull(project, "project is null");
    requireNonNull(path, "path is null");
    requireNonNull(kind, "kind is null");
    requireNonNull(modifiedAt, "modifiedAt is null");
    requireNonNull(createdAt, "createdAt is null");
    features = features == null ? Map.of() : Map.copyOf(features);
  }

  /** This record without its statistics (for listings). */
  public Dataset withoutStats() {
    return new Dataset(
        id,
        project,
        path,
        kind,
        rows,
        sizeBytes,
        modifiedAt,
        createdAt,
        registryVersion,
        features,
        null);
  }
}
