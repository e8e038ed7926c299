package dev.fletch.registry;

import dev.fletch.core.DefinitionSource;
import dev.fletch.core.JobHistory;
import dev.fletch.core.model.FeatureRepo;

/** STUB: the registry issue replaces this. Applied definitions, versions and history (JDBI). */
public final class Registry implements DefinitionSource, AutoCloseable {
  private Registry() {}

  /** Opens (creating and migrating the schema) a registry at a {@code jdbc:sqlite:} or {@code jdbc:postgresql:} URL. */
  public static Registry open(String jdbcUrl) {
    throw new UnsupportedOperationException("registry not implemented yet");
  }

  @Override
  public long currentVersion(String project) {
    throw new UnsupportedOperationException();
  }

  @Override
  public FeatureRepo load(String project) {
    throw new UnsupportedOperationException();
  }

  public JobHistory jobHistory() {
    throw new UnsupportedOperationException();
  }

  @Override
  public void close() {}
}
