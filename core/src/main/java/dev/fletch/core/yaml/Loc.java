package dev.fletch.core.yaml;

import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Where something is written: file (relative to the repository root) and 1-based line and column.
 */
record Loc(String file, int line, int column) implements Comparable<Loc> {
  static Loc of(String file, Node node) {
    return of(file, node.getStartMark());
  }

  static Loc of(String file, Mark mark) {
    return mark == null
        ? new Loc(file, 0, 0)
        : new Loc(file, mark.getLine() + 1, mark.getColumn() + 1);
  }

  @Override
  public int compareTo(Loc o) {
    int c = file.compareTo(o.file);
    if (c == 0) {
      c = Integer.compare(line, o.line);
    }
    return c != 0 ? c : Integer.compare(column, o.column);
  }

  @Override
  public String toString() {
    return file + ":" + line + ":" + column;
  }
}
