package dev.fletch.core;

import dev.fletch.core.model.FeatureRepo;

/**
 * Where applied definitions come from (the registry). Serving polls {@link #currentVersion} cheaply
 * and reloads only when it changes.
 */
public interface DefinitionSource {
  /** The latest applied registry version of the project, 0 when nothing was applied yet. */
  long currentVersion(String project);

  /** The definitions as of the latest applied version; NotFoundException if none were applied. */
  FeatureRepo load(String project);
}
