package dev.fletch.registry;

import java.time.Instant;

/** One applied version of a project, with how many objects it added, changed and removed. */
public record VersionInfo(
    String project,
    long version,
    Instant appliedAt,
    String appliedBy,
    String message,
    String contentHash,
    int added,
    int changed,
    int removed) {}
