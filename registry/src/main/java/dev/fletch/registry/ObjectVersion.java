package dev.fletch.registry;

import java.time.Instant;

/**
 * One step in the history of an object: the version at which it was added, changed or removed.
 * {@code contentHash} is null for a removal.
 */
public record ObjectVersion(
    ObjectKind kind,
    String name,
    long version,
    Plan.Action action,
    String contentHash,
    Instant appliedAt,
    String appliedBy) {}
