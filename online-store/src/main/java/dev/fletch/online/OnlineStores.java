package dev.fletch.online;

import static java.util.Objects.requireNonNull;

import dev.fletch.core.InvalidRequestException;
import dev.fletch.core.settings.Settings;
import java.util.Locale;

/** Picks the OnlineStore implementation named by settings: the one place that knows them all. */
public final class OnlineStores {
  private OnlineStores() {}

  /**
   * {@code embedded} (SQLite at settings.embeddedOnlinePath) or {@code redis} (settings.redisUrl:
   * {@code redis://[user:pass@]host:port[/db]}, {@code rediss://...} for TLS, {@code
   * redis-cluster://host:port,host:port,...}). Redis failures to connect raise {@link
   * dev.fletch.core.UnavailableException}; bad settings raise {@link InvalidRequestException}.
   */
  public static OnlineStore open(Settings settings) {
    requireNonNull(settings, "settings is null");
    String kind = settings.onlineStore().trim().toLowerCase(Locale.ROOT);
    switch (kind) {
      case Settings.ONLINE_EMBEDDED -> {
        if (settings.embeddedOnlinePath() == null) {
          throw new InvalidRequestException(
              "online_store is 'embedded' but no embedded online store path is set");
        }
        return EmbeddedOnlineStore.open(settings.embeddedOnlinePath());
      }
      case Settings.ONLINE_REDIS -> {
        if (settings.redisUrl() == null || settings.redisUrl().isBlank()) {
          throw new InvalidRequestException(
              "online_store is 'redis' but no Redis URL is set (redis_url in "
                  + Settings.FILE_NAME
                  + " or FLETCH_REDIS_URL)");
        }
        return RedisOnlineStore.open(settings.redisUrl());
      }
      default ->
          throw new InvalidRequestException(
              "unknown online_store '"
                  + settings.onlineStore()
                  + "' in "
                  + Settings.FILE_NAME
                  + ": expected 'embedded' or 'redis'");
    }
  }
}
