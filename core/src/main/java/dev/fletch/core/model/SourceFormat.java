package dev.fletch.core.model;

/** File formats an offline source can be stored in. */
public enum SourceFormat {
  PARQUET,
  CSV
}
