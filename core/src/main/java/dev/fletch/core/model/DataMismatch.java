package dev.fletch.core.model;

import static java.util.Objects.requireNonNull;

/**
 * A definition that its source's data does not bear out: a column it names that the files lack, a
 * declared type the files' type does not read as, an expression that does not bind. Found by
 * reading the files' schema (see {@code OfflineStore.checkSources}); {@code at} says where in the
 * definitions. {@code unreadable}: the files themselves could not be read (none there, not allowed,
 * unreachable), so nothing about them was checked.
 */
public record DataMismatch(DefinitionPath at, String message, boolean unreadable) {
  public DataMismatch {
    requireNonNull(at, "at is null");
    requireNonNull(message, "message is null");
  }

  public DataMismatch(DefinitionPath at, String message) {
    this(at, message, false);
  }
}
