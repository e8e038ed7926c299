package dev.fletch.core;

import static java.util.Objects.requireNonNull;

/**
 * One problem found in a feature repository, located by file, line and column (1-based; 0 when
 * unknown).
 */
public record Problem(String file, int line, int column, String message) {
  public Problem {
    requireNonNull(file, "file is null");
    requireNonNull(message, "message is null");
  }

  @Override
  public String toString() {
    return file + ":" + line + ":" + column + ": " + message;
  }
}
