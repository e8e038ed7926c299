package dev.fletch.core;

import java.util.List;
import java.util.stream.Collectors;

/** A feature repository is invalid. Carries every problem found, not just the first. */
public class DefinitionException extends FletchException {
  private final List<Problem> problems;

  public DefinitionException(List<Problem> problems) {
    super(summary(problems));
    this.problems = List.copyOf(problems);
  }

  public List<Problem> problems() {
    return problems;
  }

  private static String summary(List<Problem> problems) {
    return problems.size()
        + (problems.size() == 1 ? " problem" : " problems")
        + " in the feature repository:\n"
        + problems.stream().map(p -> "  " + p).collect(Collectors.joining("\n"));
  }
}
