package dev.fletch.core.model;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * Offline data: a Parquet or CSV file, folder or glob. {@code path} is kept as written; relative
 * paths are resolved against the feature repository's root. {@code fieldMapping} renames source
 * columns (source column -> name used by features and join keys). {@code createdTimestampField} may
 * be null. {@code pushLog} (may be null) is a local folder where rows pushed to the source's views
 * are kept as Parquet files, read together with {@code path} by historical retrieval. {@code
 * stream} (may be null) is where its events also arrive as they happen (Kafka). {@code csv} (may be
 * null, only for CSV sources) says how its files are written where detection should not guess.
 */
public record Source(
    String name,
    SourceFormat format,
    String path,
    String timestampField,
    String createdTimestampField,
    Map<String, String> fieldMapping,
    String description,
    @JsonInclude(JsonInclude.Include.NON_NULL) String pushLog,
    @JsonInclude(JsonInclude.Include.NON_NULL) StreamSpec stream,
    @JsonInclude(JsonInclude.Include.NON_NULL) CsvOptions csv) {

  /** A source without CSV options. */
  public Source(
      String name,
      SourceFormat format,
      String path,
      String timestampField,
      String createdTimestampField,
      Map<String, String> fieldMapping,
      String description,
      String pushLog,
      StreamSpec stream) {
    this(
        name,
        format,
        path,
        timestampField,
        createdTimestampField,
        fieldMapping,
        description,
        pushLog,
        stream,
        null);
  }

  /** A source without a push log. */
  public Source(
      String name,
      SourceFormat format,
      String path,
      String timestampField,
      String createdTimestampField,
      Map<String, String> fieldMapping,
      String description) {
    this(
        name,
        format,
        path,
        timestampField,
        createdTimestampField,
        fieldMapping,
        description,
        null,
        null);
  }

  public Source {
    requireNonNull(name, "name is null");
    requireNonNull(format, "format is null");
    requireNonNull(path, "path is null");
    requireNonNull(timestampField, "timestampField is null");
    fieldMapping = fieldMapping == null ? Map.of() : Map.copyOf(fieldMapping);
    description = description == null ? "" : description;
  }
}
