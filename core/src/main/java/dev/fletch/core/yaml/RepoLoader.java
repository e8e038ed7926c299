package dev.fletch.core.yaml;

import dev.fletch.core.model.FeatureRepo;
import java.nio.file.Path;

/** STUB: the foundation issue replaces this. Loads and validates a folder of YAML definitions. */
public final class RepoLoader {
  private RepoLoader() {}

  /**
   * Loads every {@code *.yaml}/{@code *.yml} file of {@code root} (except the settings file) as one
   * repository; throws DefinitionException listing every problem with file, line and column.
   */
  public static FeatureRepo load(Path root) {
    throw new UnsupportedOperationException("not implemented yet");
  }
}
