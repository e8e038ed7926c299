package dev.fletch.core.settings;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Where a repository's registry and online store live, and where {@code fletch serve} listens.
 *
 * <p>Read from the optional {@value #FILE_NAME} at the repository root; the environment variables
 * {@code FLETCH_REGISTRY_URL} and {@code FLETCH_REDIS_URL} override the file; with neither, the
 * embedded defaults apply (a SQLite registry and a SQLite online store under {@code .fletch/} in
 * the repository).
 *
 * @param registryUrl JDBC URL of the registry ({@code jdbc:sqlite:...} or {@code
 *     jdbc:postgresql://...})
 * @param onlineStore {@code embedded} or {@code redis}
 * @param redisUrl {@code redis://}, {@code rediss://} or {@code redis-cluster://host:port,...};
 *     null unless redis
 * @param embeddedOnlinePath the SQLite file of the embedded online store
 * @param host the address {@code fletch serve} binds to
 * @param httpPort HTTP port of {@code fletch serve} (registry API, HTTP twin, metrics); 0 = off
 * @param grpcPort gRPC port of {@code fletch serve}; 0 = off
 * @param maxEntityRows the most entity rows one online request may carry
 * @param registryRefresh how often serving checks the registry for a newly applied version
 */
public record Settings(
    String registryUrl,
    String onlineStore,
    String redisUrl,
    Path embeddedOnlinePath,
    String host,
    int httpPort,
    int grpcPort,
    int maxEntityRows,
    Duration registryRefresh) {

  public static final String FILE_NAME = "fletch_settings.yaml";
  public static final String ONLINE_EMBEDDED = "embedded";
  public static final String ONLINE_REDIS = "redis";

  public Settings {
    requireNonNull(registryUrl, "registryUrl is null");
    requireNonNull(onlineStore, "onlineStore is null");
    requireNonNull(host, "host is null");
    requireNonNull(registryRefresh, "registryRefresh is null");
  }

  /**
   * The settings of the repository at {@code root}: defaults, then {@value #FILE_NAME} if present,
   * then the environment ({@code FLETCH_REGISTRY_URL}, {@code FLETCH_REDIS_URL}).
   */
  public static Settings load(Path root, Map<String, String> env) {
    requireNonNull(root, "root is null");
    requireNonNull(env, "env is null");
    return dev.fletch.core.yaml.SettingsLoader.load(root, env);
  }

  /** These settings with another registry URL (the CLI's {@code --registry}). */
  public Settings withRegistryUrl(String url) {
    return new Settings(
        requireNonNull(url, "url is null"),
        onlineStore,
        redisUrl,
        embeddedOnlinePath,
        host,
        httpPort,
        grpcPort,
        maxEntityRows,
        registryRefresh);
  }

  /** The embedded defaults for a repository at {@code root}. */
  public static Settings defaults(Path root) {
    Path state = root.toAbsolutePath().normalize().resolve(".fletch");
    return new Settings(
        "jdbc:sqlite:" + state.resolve("registry.db"),
        ONLINE_EMBEDDED,
        null,
        state.resolve("online.db"),
        "127.0.0.1",
        6566,
        6565,
        1000,
        Duration.ofSeconds(2));
  }
}
