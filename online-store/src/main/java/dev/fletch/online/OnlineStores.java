package dev.fletch.online;

import dev.fletch.core.settings.Settings;

/** STUB: the online-store issue replaces this. Picks the OnlineStore implementation named by settings. */
public final class OnlineStores {
  private OnlineStores() {}

  /** {@code embedded} (SQLite at settings.embeddedOnlinePath) or {@code redis} (settings.redisUrl). */
  public static OnlineStore open(Settings settings) {
    throw new UnsupportedOperationException("online store not implemented yet");
  }
}
