package dev.fletch.registry;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonRawValue;
import dev.fletch.core.DefinitionJson;

/** One object as stored at one version: its canonical JSON ({@link DefinitionJson}) and hash. */
public record StoredObject(
    ObjectKind kind,
    String name,
    long version,
    String contentHash,
    @JsonRawValue String definition) {

  /** The definition as its model record (Entity, Source, FeatureView or FeatureService). */
  @JsonIgnore
  public Object value() {
    return DefinitionJson.read(definition, kind.type());
  }
}
