package dev.fletch.core.stats;

import java.util.List;
import java.util.Optional;

/**
 * The files Fletch wrote and their statistics, kept in the registry database beside the job
 * history. Records are never changed; writing a file again records it again, and the newest record
 * of a path is the one that describes it.
 */
public interface DatasetCatalog {
  /** Records a dataset and returns its id. */
  long record(Dataset dataset);

  /** One dataset of a project, with its statistics. */
  Optional<Dataset> find(String project, long id);

  /** The newest record of the file at {@code path} (absolute, normalised), with its statistics. */
  Optional<Dataset> latest(String project, String path);

  /** The newest datasets of a project first, without their statistics. */
  List<Dataset> recent(String project, int limit);
}
