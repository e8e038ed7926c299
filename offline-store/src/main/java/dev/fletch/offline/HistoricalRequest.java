package dev.fletch.offline;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A historical retrieval: entity rows, the features (refs such as {@code view:feature} / {@code
 * view:*}, or a feature service name), and where the result goes.
 *
 * @param features feature references; empty when {@code service} is given
 * @param service a feature service name, or null
 * @param eventTimestampColumn the entity set's timestamp column (default {@code event_timestamp})
 * @param fullNames name every output feature {@code view__feature}
 * @param output the output file (for file outputs); format from {@code format}
 * @param metadata lineage the caller knows (e.g. {@link TrainingSetMetadata#REGISTRY_VERSION}),
 *     written into Parquet outputs and Arrow schemas beside what the store records itself
 */
public record HistoricalRequest(
    EntitySet entities,
    List<String> features,
    String service,
    String eventTimestampColumn,
    boolean fullNames,
    Path output,
    OutputFormat format,
    Map<String, String> metadata) {

  public static final String DEFAULT_EVENT_TIMESTAMP = "event_timestamp";

  public enum OutputFormat {
    PARQUET,
    CSV
  }

  public HistoricalRequest {
    requireNonNull(entities, "entities is null");
    features = features == null ? List.of() : List.copyOf(features);
    eventTimestampColumn =
        eventTimestampColumn == null || eventTimestampColumn.isBlank()
            ? DEFAULT_EVENT_TIMESTAMP
            : eventTimestampColumn;
    format = format == null ? OutputFormat.PARQUET : format;
    metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
  }

  /** A request without caller metadata. */
  public HistoricalRequest(
      EntitySet entities,
      List<String> features,
      String service,
      String eventTimestampColumn,
      boolean fullNames,
      Path output,
      OutputFormat format) {
    this(entities, features, service, eventTimestampColumn, fullNames, output, format, Map.of());
  }

  /** This request with {@code more} lineage metadata. */
  public HistoricalRequest withMetadata(Map<String, String> more) {
    Map<String, String> all = new java.util.LinkedHashMap<>(metadata);
    all.putAll(more);
    return new HistoricalRequest(
        entities, features, service, eventTimestampColumn, fullNames, output, format, all);
  }
}
