package dev.fletch.registry;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.List;

/**
 * The difference between a feature repository and the latest applied version of its project, object
 * by object. {@code baseVersion} is the version planned against (0 = nothing applied yet); an apply
 * of this plan must name it. Plain data: serialises to JSON as is.
 */
public record Plan(
    String project, long baseVersion, List<Change> changes, List<String> breakingChanges) {

  public enum Action {
    ADDED,
    CHANGED,
    REMOVED,
    UNCHANGED
  }

  /**
   * What happens to one object. {@code changedFields} lists, for a CHANGED object, each difference
   * as {@code path: old -> new} (e.g. {@code features[amount].type: INT32 -> INT64}); {@code
   * breaking} the reasons this change breaks consumers.
   */
  public record Change(
      ObjectKind kind,
      String name,
      Action action,
      String oldHash,
      String newHash,
      List<String> changedFields,
      List<String> breaking) {
    public Change {
      requireNonNull(kind, "kind is null");
      requireNonNull(name, "name is null");
      requireNonNull(action, "action is null");
      changedFields = changedFields == null ? List.of() : List.copyOf(changedFields);
      breaking = breaking == null ? List.of() : List.copyOf(breaking);
    }
  }

  public Plan {
    requireNonNull(project, "project is null");
    changes = List.copyOf(requireNonNull(changes, "changes is null"));
    breakingChanges = breakingChanges == null ? List.of() : List.copyOf(breakingChanges);
  }

  /** Whether applying this plan would record a new version. */
  @JsonIgnore
  public boolean hasChanges() {
    return changes.stream().anyMatch(c -> c.action() != Action.UNCHANGED);
  }

  @JsonIgnore
  public boolean isBreaking() {
    return !breakingChanges.isEmpty();
  }

  public int count(Action action) {
    return (int) changes.stream().filter(c -> c.action() == action).count();
  }

  /** The changes that are not UNCHANGED. */
  @JsonIgnore
  public List<Change> effectiveChanges() {
    return changes.stream().filter(c -> c.action() != Action.UNCHANGED).toList();
  }

  /** Human-readable text, as printed by {@code fletch plan}. */
  public String render() {
    StringBuilder sb = new StringBuilder();
    String base = baseVersion == 0 ? "an empty registry" : "version " + baseVersion;
    if (!hasChanges()) {
      return sb.append("No changes: project '")
          .append(project)
          .append("' is up to date with ")
          .append(base)
          .append(" (")
          .append(changes.size())
          .append(changes.size() == 1 ? " object" : " objects")
          .append(").\n")
          .toString();
    }
    sb.append("Plan for project '").append(project).append("' against ").append(base).append(":\n");
    for (Change c : effectiveChanges()) {
      String sign =
          switch (c.action()) {
            case ADDED -> "+";
            case CHANGED -> "~";
            case REMOVED -> "-";
            case UNCHANGED -> " ";
          };
      sb.append("  ")
          .append(sign)
          .append(' ')
          .append(c.kind().label())
          .append(' ')
          .append(c.name());
      if (!c.breaking().isEmpty()) {
        sb.append("  [BREAKING]");
      }
      sb.append('\n');
      for (String field : c.changedFields()) {
        sb.append("      ").append(field).append('\n');
      }
    }
    if (isBreaking()) {
      sb.append("Breaking changes (apply needs --allow-breaking):\n");
      for (String reason : breakingChanges) {
        sb.append("  ! ").append(reason).append('\n');
      }
    }
    sb.append(count(Action.ADDED))
        .append(" to add, ")
        .append(count(Action.CHANGED))
        .append(" to change, ")
        .append(count(Action.REMOVED))
        .append(" to remove, ")
        .append(count(Action.UNCHANGED))
        .append(" unchanged.\n");
    return sb.toString();
  }
}
