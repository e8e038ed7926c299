package dev.fletch.registry;

import static java.util.Objects.requireNonNull;

import dev.fletch.core.ConflictException;
import java.util.List;

/** An apply would make breaking changes and was not allowed to; nothing was written. */
public class BreakingChangeException extends ConflictException {
  private final transient Plan plan;

  public BreakingChangeException(Plan plan) {
    super(message(requireNonNull(plan, "plan is null")));
    this.plan = plan;
  }

  public Plan plan() {
    return plan;
  }

  /** The reasons, one per breaking change. */
  public List<String> reasons() {
    return plan.breakingChanges();
  }

  private static String message(Plan plan) {
    StringBuilder sb =
        new StringBuilder("the plan has ")
            .append(plan.breakingChanges().size())
            .append(plan.breakingChanges().size() == 1 ? " breaking change" : " breaking changes")
            .append(" (re-run with --allow-breaking to apply anyway):");
    for (String reason : plan.breakingChanges()) {
      sb.append("\n  - ").append(reason);
    }
    return sb.toString();
  }
}
