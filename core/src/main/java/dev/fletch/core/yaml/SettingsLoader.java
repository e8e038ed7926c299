package dev.fletch.core.yaml;

import static java.util.Objects.requireNonNull;

import dev.fletch.core.settings.OfflineSettings;
import dev.fletch.core.settings.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads {@code fletch_settings.yaml} (optional) over the embedded defaults, then applies the
 * environment: {@code FLETCH_REGISTRY_URL} replaces the registry URL, {@code FLETCH_REDIS_URL}
 * selects the Redis online store at that URL. Use {@link Settings#load} rather than this class.
 */
public final class SettingsLoader {
  static final List<String> TOP_KEYS =
      List.of("registry", "online_store", "offline_store", "serve");
  static final List<String> OFFLINE_KEYS =
      List.of("allowed_directories", "memory_limit", "threads", "max_concurrent_jobs");
  private static final java.util.regex.Pattern MEMORY =
      java.util.regex.Pattern.compile(
          "[0-9]{1,9}(\\.[0-9]{1,3})?\\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)");
  static final List<String> REGISTRY_KEYS = List.of("url");
  static final List<String> ONLINE_KEYS = List.of("type", "url", "path");
  static final List<String> SERVE_KEYS =
      List.of("host", "http_port", "grpc_port", "max_entity_rows", "registry_refresh");

  private SettingsLoader() {}

  public static Settings load(Path root, Map<String, String> env) {
    requireNonNull(root, "root is null");
    requireNonNull(env, "env is null");
    Path dir = root.toAbsolutePath().normalize();
    Builder b = new Builder(Settings.defaults(dir));
    Path file = dir.resolve(Settings.FILE_NAME);
    Problems problems = new Problems();
    if (Files.isRegularFile(file)) {
      for (Node doc : YamlDocuments.read(file, Settings.FILE_NAME, problems)) {
        readFile(doc, dir, b, problems);
      }
    }
    String registry = env.get("FLETCH_REGISTRY_URL");
    if (registry != null && !registry.isBlank()) {
      b.registryUrl = resolveJdbc(dir, registry.trim());
    }
    String redis = env.get("FLETCH_REDIS_URL");
    if (redis != null && !redis.isBlank()) {
      b.onlineStore = Settings.ONLINE_REDIS;
      b.redisUrl = redis.trim();
    }
    if (Settings.ONLINE_REDIS.equals(b.onlineStore) && b.redisUrl == null && !b.redisUrlWritten) {
      problems.add(
          b.onlineTypeAt == null ? new Loc(Settings.FILE_NAME, 1, 1) : b.onlineTypeAt,
          "online_store: type redis needs a 'url' (or the FLETCH_REDIS_URL environment variable)");
    }
    problems.throwIfAny();
    return b.build();
  }

  /** The {@code offline_store} section of the settings file at {@code root}, over the defaults. */
  public static OfflineSettings loadOffline(Path root) {
    requireNonNull(root, "root is null");
    Path dir = root.toAbsolutePath().normalize();
    Path file = dir.resolve(Settings.FILE_NAME);
    Problems problems = new Problems();
    OfflineSettings[] out = {OfflineSettings.defaults()};
    if (Files.isRegularFile(file)) {
      for (Node doc : YamlDocuments.read(file, Settings.FILE_NAME, problems)) {
        MappingReader top =
            MappingReader.of(problems, Settings.FILE_NAME, doc, "settings", TOP_KEYS);
        if (top != null) {
          section(top, "offline_store", OFFLINE_KEYS, problems)
              .ifPresent(m -> out[0] = readOffline(m, dir));
        }
      }
    }
    problems.throwIfAny();
    return out[0];
  }

  private static OfflineSettings readOffline(MappingReader m, Path dir) {
    OfflineSettings d = OfflineSettings.defaults();
    List<Path> dirs = new java.util.ArrayList<>();
    List<String> urls = new java.util.ArrayList<>();
    for (MappingReader.Located entry : m.scalarList("allowed_directories", false)) {
      String v = entry.value().trim();
      if (OfflineSettings.isUrl(v)) {
        urls.add(v.endsWith("/") ? v : v + "/");
      } else {
        String local = v.startsWith("file://") ? v.substring("file://".length()) : v;
        Path p = dir.resolve(local).normalize();
        if (p.getParent() == null) {
          m.problem(entry.at(), "'" + v + "' would allow the whole file system; name a folder");
        } else {
          dirs.add(p);
        }
      }
    }
    String memory = m.string("memory_limit", false);
    if (memory != null && !MEMORY.matcher(memory.trim()).matches()) {
      m.problem(
          m.valueAt("memory_limit"),
          "'memory_limit' must be an amount such as 512MB, 4GB or 2GiB, not '" + memory + "'");
      memory = null;
    }
    Integer threads = m.integer("threads", 0, 1024);
    Integer jobs = m.integer("max_concurrent_jobs", 1, 64);
    return new OfflineSettings(
        dirs,
        urls,
        memory == null ? d.memoryLimit() : memory.trim(),
        threads == null ? d.threads() : threads,
        jobs == null ? d.maxConcurrentJobs() : jobs);
  }

  private static void readFile(Node doc, Path dir, Builder b, Problems problems) {
    MappingReader top = MappingReader.of(problems, Settings.FILE_NAME, doc, "settings", TOP_KEYS);
    if (top == null) {
      return;
    }
    // Read for its problems only: OfflineSettings.load gives the section to the offline store.
    section(top, "offline_store", OFFLINE_KEYS, problems).ifPresent(m -> readOffline(m, dir));
    section(top, "registry", REGISTRY_KEYS, problems)
        .ifPresent(
            m -> {
              String url = m.string("url", false);
              if (url != null) {
                if (!url.startsWith("jdbc:sqlite:") && !url.startsWith("jdbc:postgresql:")) {
                  m.problem(
                      m.valueAt("url"),
                      "'url' must be a jdbc:sqlite: or jdbc:postgresql: URL, not '" + url + "'");
                } else {
                  b.registryUrl = resolveJdbc(dir, url.trim());
                }
              }
            });
    section(top, "online_store", ONLINE_KEYS, problems)
        .ifPresent(
            m -> {
              String type = m.string("type", false);
              if (type != null) {
                String t = type.trim().toLowerCase(Locale.ROOT);
                if (t.equals(Settings.ONLINE_EMBEDDED) || t.equals(Settings.ONLINE_REDIS)) {
                  b.onlineStore = t;
                  b.onlineTypeAt = m.valueAt("type");
                } else {
                  m.problem(
                      m.valueAt("type"),
                      "'type' must be embedded or redis, not '"
                          + type
                          + "'"
                          + Names.suggestion(t, List.of("embedded", "redis")));
                }
              }
              String url = m.string("url", false);
              if (url != null) {
                b.redisUrlWritten = true; // a bad url is its own problem, not also "missing"
                String u = url.trim();
                if (!u.startsWith("redis://")
                    && !u.startsWith("rediss://")
                    && !u.startsWith("redis-cluster://")
                    && !u.startsWith("rediss-cluster://")) {
                  // Show only the scheme: a mistyped URL may still carry a password.
                  int colon = u.indexOf(':');
                  m.problem(
                      m.valueAt("url"),
                      "'url' must start with redis://, rediss://, redis-cluster:// or"
                          + " rediss-cluster://, not '"
                          + (colon > 0 ? u.substring(0, colon + 1) + "..." : "...")
                          + "'");
                } else {
                  b.redisUrl = u;
                }
              }
              String path = m.string("path", false);
              if (path != null) {
                b.embeddedOnlinePath = dir.resolve(path.trim()).normalize();
              }
            });
    section(top, "serve", SERVE_KEYS, problems)
        .ifPresent(
            m -> {
              String host = m.string("host", false);
              if (host != null) {
                b.host = host.trim();
              }
              Integer http = m.integer("http_port", 0, 65535);
              if (http != null) {
                b.httpPort = http;
              }
              Integer grpc = m.integer("grpc_port", 0, 65535);
              if (grpc != null) {
                b.grpcPort = grpc;
              }
              Integer max = m.integer("max_entity_rows", 1, Integer.MAX_VALUE);
              if (max != null) {
                b.maxEntityRows = max;
              }
              Duration refresh = m.duration("registry_refresh");
              if (refresh != null) {
                if (refresh.isZero()) {
                  m.problem(
                      m.valueAt("registry_refresh"), "'registry_refresh' must be longer than 0");
                } else {
                  b.registryRefresh = refresh;
                }
              }
            });
  }

  private static Optional<MappingReader> section(
      MappingReader top, String key, List<String> keys, Problems problems) {
    Node node = top.value(key);
    if (node == null) {
      return Optional.empty();
    }
    return Optional.ofNullable(MappingReader.of(problems, Settings.FILE_NAME, node, key, keys));
  }

  /** A relative SQLite file in a JDBC URL is relative to the repository, not the working folder. */
  static String resolveJdbc(Path dir, String url) {
    String prefix = "jdbc:sqlite:";
    if (!url.startsWith(prefix)) {
      return url;
    }
    String rest = url.substring(prefix.length());
    if (rest.isEmpty() || rest.startsWith(":") || rest.startsWith("file:")) {
      return url; // :memory:, :resource:, or a file: URI the driver interprets itself
    }
    int query = rest.indexOf('?');
    String file = query < 0 ? rest : rest.substring(0, query);
    String params = query < 0 ? "" : rest.substring(query);
    Path p = Path.of(file);
    return p.isAbsolute() ? url : prefix + dir.resolve(p).normalize() + params;
  }

  private static final class Builder {
    String registryUrl;
    String onlineStore;
    String redisUrl;
    Path embeddedOnlinePath;
    String host;
    int httpPort;
    int grpcPort;
    int maxEntityRows;
    Duration registryRefresh;
    Loc onlineTypeAt;
    boolean redisUrlWritten;

    Builder(Settings d) {
      registryUrl = d.registryUrl();
      onlineStore = d.onlineStore();
      redisUrl = d.redisUrl();
      embeddedOnlinePath = d.embeddedOnlinePath();
      host = d.host();
      httpPort = d.httpPort();
      grpcPort = d.grpcPort();
      maxEntityRows = d.maxEntityRows();
      registryRefresh = d.registryRefresh();
    }

    Settings build() {
      return new Settings(
          registryUrl,
          onlineStore,
          Settings.ONLINE_REDIS.equals(onlineStore) ? redisUrl : null,
          embeddedOnlinePath,
          host,
          httpPort,
          grpcPort,
          maxEntityRows,
          registryRefresh);
    }
  }
}
