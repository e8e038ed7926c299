package dev.fletch.registry;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.fletch.core.DefinitionJson;
import dev.fletch.core.FletchException;

/**
 * One object as stored at one version: its canonical JSON ({@link DefinitionJson}) and hash. As
 * JSON, {@code definition} is the definition object itself (not a string).
 */
public record StoredObject(
    ObjectKind kind, String name, long version, String contentHash, @JsonIgnore String definition) {

  /** The definition as its model record (Entity, Source, FeatureView or FeatureService). */
  @JsonIgnore
  public Object value() {
    return DefinitionJson.read(definition, kind.type());
  }

  /** The definition as a JSON tree. */
  @JsonProperty("definition")
  public JsonNode definitionTree() {
    try {
      return DefinitionJson.mapper().readTree(definition);
    } catch (JsonProcessingException e) {
      throw new FletchException(
          "cannot read the stored definition of " + kind + " '" + name + "'", e);
    }
  }
}
