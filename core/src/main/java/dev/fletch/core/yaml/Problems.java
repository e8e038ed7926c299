package dev.fletch.core.yaml;

import dev.fletch.core.DefinitionException;
import dev.fletch.core.Problem;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Collects every problem of a load so that the user sees them all at once, sorted by place. */
final class Problems {
  private final List<Problem> list = new ArrayList<>();

  void add(Loc at, String message) {
    list.add(new Problem(at.file(), at.line(), at.column(), message));
  }

  int count() {
    return list.size();
  }

  void throwIfAny() {
    if (!list.isEmpty()) {
      List<Problem> sorted = new ArrayList<>(list);
      sorted.sort(
          Comparator.comparing(Problem::file)
              .thenComparingInt(Problem::line)
              .thenComparingInt(Problem::column));
      throw new DefinitionException(sorted);
    }
  }
}
