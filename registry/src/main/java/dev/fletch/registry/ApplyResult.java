package dev.fletch.registry;

import static java.util.Objects.requireNonNull;

/**
 * The outcome of an apply. {@code applied} is false when the plan had no changes: nothing new was
 * recorded and {@code version} is the unchanged current version.
 */
public record ApplyResult(String project, long version, boolean applied, Plan plan) {
  public ApplyResult {
    requireNonNull(project, "project is null");
    requireNonNull(plan, "plan is null");
  }

  /** One line for humans: what happened. */
  public String summary() {
    return applied
        ? "Applied version " + version + " of project '" + project + "'."
        : "No changes: project '" + project + "' stays at version " + version + ".";
  }
}
