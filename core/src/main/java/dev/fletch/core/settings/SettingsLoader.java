package dev.fletch.core.settings;

import java.nio.file.Path;
import java.util.Map;

/** Reads {@code fletch_settings.yaml} and applies environment overrides. */
final class SettingsLoader {
  private SettingsLoader() {}

  static Settings load(Path root, Map<String, String> env) {
    Settings s = Settings.defaults(root);
    String registry = env.get("FLETCH_REGISTRY_URL");
    if (registry != null && !registry.isBlank()) {
      s = s.withRegistryUrl(registry.trim());
    }
    String redis = env.get("FLETCH_REDIS_URL");
    if (redis != null && !redis.isBlank()) {
      s =
          new Settings(
              s.registryUrl(),
              Settings.ONLINE_REDIS,
              redis.trim(),
              s.embeddedOnlinePath(),
              s.host(),
              s.httpPort(),
              s.grpcPort(),
              s.maxEntityRows(),
              s.registryRefresh());
    }
    return s;
  }
}
