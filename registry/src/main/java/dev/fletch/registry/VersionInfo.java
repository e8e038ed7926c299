package dev.fletch.registry;

import java.time.Instant;

/**
 * One applied version of a project, with how many objects it added, changed and removed. A {@code
 * deleted} version deleted the project: it holds no objects, and the project leaves the listings
 * until a later apply re-creates it; the versions before it stay readable.
 */
public record VersionInfo(
    String project,
    long version,
    Instant appliedAt,
    String appliedBy,
    String message,
    String contentHash,
    int added,
    int changed,
    int removed,
    boolean deleted) {}
