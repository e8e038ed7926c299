package dev.fletch.offline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fletch.core.FletchException;
import dev.fletch.core.FletchVersion;
import dev.fletch.core.model.FeatureRepo;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The lineage a training set carries: Parquet key/value metadata (written by DuckDB's {@code COPY
 * ... (KV_METADATA ...)}) and the schema metadata of the Arrow stream, under the same keys, so that
 * a file found on a disk months later says where it came from. pyarrow shows them as {@code
 * pq.read_schema(path).metadata}, DuckDB as {@code parquet_kv_metadata(path)}, Fletch as {@code
 * fletch describe file PATH}.
 */
public final class TrainingSetMetadata {
  /** The project whose definitions were used. */
  public static final String PROJECT = "fletch.project";

  /** The registry version of those definitions (when the caller knows it). */
  public static final String REGISTRY_VERSION = "fletch.registry_version";

  /** A JSON object: output column -> the feature it holds ({@code view:feature}), in order. */
  public static final String FEATURES = "fletch.features";

  /** The feature service asked for, if one was. */
  public static final String FEATURE_SERVICE = "fletch.feature_service";

  /** Where the entity rows came from: a file, a query, a view's range, inline rows. */
  public static final String ENTITY_SOURCE = "fletch.entity_source";

  /** The entity rows' timestamp column: the "as of" of every row. */
  public static final String ENTITY_TIMESTAMP_COLUMN = "fletch.entity_timestamp_column";

  /** When the retrieval ran (UTC, ISO-8601). */
  public static final String RETRIEVED_AT = "fletch.retrieved_at";

  /** The Fletch version that wrote it. */
  public static final String FLETCH_VERSION = "fletch.version";

  /** Arrow streams only: each feature column's own metadata, its {@code view:feature}. */
  public static final String FEATURE_REF = "fletch.feature_ref";

  private static final ObjectMapper JSON = new ObjectMapper();

  private TrainingSetMetadata() {}

  /** The metadata of one retrieval: what the store knows, then what the caller added. */
  static Map<String, String> of(
      FeatureRepo repo, HistoricalRequest request, HistoricalRetrieval.Plan plan, Instant at) {
    Map<String, String> out = new LinkedHashMap<>();
    out.put(PROJECT, repo.project());
    out.put(FEATURES, featuresJson(plan.featureColumns(), plan.featureRefs()));
    if (request.service() != null && !request.service().isBlank()) {
      out.put(FEATURE_SERVICE, request.service());
    }
    out.put(ENTITY_SOURCE, entitySource(request.entities()));
    out.put(ENTITY_TIMESTAMP_COLUMN, plan.timestampColumn());
    out.put(RETRIEVED_AT, at.truncatedTo(java.time.temporal.ChronoUnit.MICROS).toString());
    out.put(FLETCH_VERSION, FletchVersion.VERSION);
    out.putAll(request.metadata());
    return out;
  }

  private static String entitySource(EntitySet set) {
    if (set instanceof EntitySet.FromFile f) {
      return "file " + f.path().toAbsolutePath().normalize();
    }
    return EntityTables.describe(set);
  }

  private static String featuresJson(List<String> columns, List<String> refs) {
    Map<String, String> byColumn = new LinkedHashMap<>();
    for (int i = 0; i < columns.size(); i++) {
      byColumn.put(columns.get(i), refs.get(i));
    }
    try {
      return JSON.writeValueAsString(byColumn);
    } catch (JsonProcessingException e) {
      throw new FletchException("cannot write the feature list of a training set", e);
    }
  }

  /**
   * The output column -> {@code view:feature} map of {@link #FEATURES} (empty when the value is
   * missing or not such an object: a file Fletch did not write).
   */
  public static Map<String, String> featureRefs(Map<String, String> metadata) {
    String json = metadata.get(FEATURES);
    if (json == null) {
      return Map.of();
    }
    try {
      return JSON.readValue(json, new TypeReference<LinkedHashMap<String, String>>() {});
    } catch (JsonProcessingException e) {
      return Map.of();
    }
  }
}
