package dev.fletch.core;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The one JSON form of definitions: how the registry stores them, how the HTTP API shows them, and
 * what content hashes are computed over. Keys are sorted so that equal definitions give equal
 * bytes; durations are ISO-8601 text ({@code PT720H}).
 */
public final class DefinitionJson {
  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .addModule(new JavaTimeModule())
          .configure(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY, true)
          .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true)
          .configure(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS, false)
          .configure(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS, false)
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
          .serializationInclusion(JsonInclude.Include.ALWAYS)
          .build();

  private DefinitionJson() {}

  /** The stored model's camelCase field names as the YAML writes them; others are the same. */
  private static final java.util.Map<String, String> YAML_KEYS =
      java.util.Map.ofEntries(
          java.util.Map.entry("timestampField", "timestamp_field"),
          java.util.Map.entry("createdTimestampField", "created_timestamp_field"),
          java.util.Map.entry("fieldMapping", "field_mapping"),
          java.util.Map.entry("joinKeys", "join_keys"),
          java.util.Map.entry("inputType", "type"),
          java.util.Map.entry("pushLog", "push_log"),
          java.util.Map.entry("bootstrapServers", "bootstrap_servers"),
          java.util.Map.entry("groupId", "group_id"),
          java.util.Map.entry("ksPvalue", "ks_pvalue"),
          java.util.Map.entry("chi2Pvalue", "chi2_pvalue"),
          java.util.Map.entry("jsDistance", "js_distance"),
          java.util.Map.entry("nullFractionDelta", "null_fraction_delta"),
          java.util.Map.entry("nullStrings", "null_strings"));

  /** The fields stored as ISO-8601 durations that the YAML writes as {@code 7d}. */
  public static final java.util.Set<String> DURATION_FIELDS =
      java.util.Set.of("ttl", "schedule", "window", "hop", "lateness");

  /**
   * The YAML key of a stored field ({@code timestampField} -> {@code timestamp_field}); a name that
   * is not a model field (a tag, a column) comes back unchanged.
   */
  public static String yamlKey(String field) {
    return YAML_KEYS.getOrDefault(field, field);
  }

  public static ObjectMapper mapper() {
    return MAPPER;
  }

  public static String write(Object definition) {
    try {
      return MAPPER.writeValueAsString(definition);
    } catch (JsonProcessingException e) {
      throw new FletchException("cannot serialise " + definition.getClass().getSimpleName(), e);
    }
  }

  public static <T> T read(String json, Class<T> type) {
    try {
      return MAPPER.readValue(json, type);
    } catch (JsonProcessingException e) {
      throw new FletchException(
          "cannot read a stored " + type.getSimpleName() + ": " + e.getOriginalMessage(), e);
    }
  }

  /**
   * A stable content hash (SHA-256 of the canonical JSON, hex): unchanged definition, unchanged
   * hash.
   */
  public static String contentHash(Object definition) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of()
          .formatHex(digest.digest(write(definition).getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always available", e);
    }
  }
}
