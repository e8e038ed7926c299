package dev.fletch.core.yaml;

import static java.util.Objects.requireNonNull;

import dev.fletch.core.Problem;
import dev.fletch.core.model.DefinitionPath;
import java.util.Map;

/**
 * Where each part of a loaded repository is written ({@link DefinitionPath} -> file, line, column),
 * so that problems found after loading, such as a source whose files do not match the definitions,
 * are reported like the loader's own.
 */
public final class DefinitionLocations {
  private final Map<String, Loc> at;
  private final String firstFile;

  DefinitionLocations(Map<String, Loc> at, String firstFile) {
    this.at = Map.copyOf(at);
    this.firstFile = firstFile;
  }

  /**
   * {@code message} as a problem at {@code path}, or at the nearest enclosing part that is written
   * (a key left to its default is reported at its object).
   */
  public Problem problem(DefinitionPath path, String message) {
    requireNonNull(path, "path is null");
    for (DefinitionPath p = path; p != null; p = p.parent()) {
      Loc l = at.get(p.toString());
      if (l != null) {
        return new Problem(l.file(), l.line(), l.column(), message);
      }
    }
    return new Problem(firstFile, 0, 0, message);
  }
}
