package dev.fletch.online;

import static java.util.Objects.requireNonNull;

import dev.fletch.core.model.EntityKey;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The text form of an entity key, used as the Redis key ({@code fletch:<project>:<entity>}) and as
 * the embedded store's entity column. Unambiguous and ASCII only:
 *
 * <pre>
 * redis key := "fletch:" esc(project) ":" entity
 * entity    := part ("," part)*          parts sorted by esc(name), bytewise
 * part      := esc(name) "=" ("i" decimal-int64 | "s" esc(string))
 * esc(x)    := the UTF-8 bytes of x, each byte outside [A-Za-z0-9_.-] written as %XX (upper-case hex)
 * </pre>
 *
 * <p>Sorting makes a key independent of the order in which a view lists its entities, so views over
 * the same entities share one hash. Escaping keeps {@code :}, {@code ,}, {@code =} and the cluster
 * hash-tag braces out of names and values, so each key hashes to its own slot.
 */
public final class EntityKeyCodec {
  public static final String PREFIX = "fletch:";
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private EntityKeyCodec() {}

  /** {@code fletch:<project>:<entity>}. */
  public static String redisKey(String project, EntityKey key) {
    return projectPrefix(project) + entity(key);
  }

  /**
   * {@code fletch:<project>:} — every key of a project starts with it (glob-safe: no * ? [ ] \).
   */
  public static String projectPrefix(String project) {
    requireNonNull(project, "project is null");
    return PREFIX + escape(project) + ":";
  }

  /** The entity part of the key. */
  public static String entity(EntityKey key) {
    requireNonNull(key, "key is null");
    int n = key.names().size();
    if (n == 1) {
      // The common case (one join key) without the sort: served keys are built per call.
      return part(key.names().get(0), key.values().get(0));
    }
    List<String[]> parts = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      parts.add(new String[] {escape(key.names().get(i)), value(key.values().get(i))});
    }
    parts.sort((a, b) -> a[0].compareTo(b[0]));
    StringBuilder out = new StringBuilder();
    for (String[] part : parts) {
      if (out.length() > 0) {
        out.append(',');
      }
      out.append(part[0]).append('=').append(part[1]);
    }
    return out.toString();
  }

  private static String part(String name, Object v) {
    return escape(name) + "=" + value(v);
  }

  /** {@code "i" decimal-int64} or {@code "s" esc(string)}. */
  private static String value(Object v) {
    return v instanceof Long l ? "i" + l : "s" + escape((String) v);
  }

  static String escape(String text) {
    if (isSafe(text)) {
      return text;
    }
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    StringBuilder out = new StringBuilder(bytes.length + 8);
    for (byte b : bytes) {
      int c = b & 0xFF;
      if (kept(c)) {
        out.append((char) c);
      } else {
        out.append('%').append(HEX[c >>> 4]).append(HEX[c & 0xF]);
      }
    }
    return out.toString();
  }

  /** Whether every character is one that escape() keeps as is. */
  private static boolean isSafe(String text) {
    for (int i = 0; i < text.length(); i++) {
      if (!kept(text.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  /** [A-Za-z0-9_.-]: the characters (and UTF-8 bytes) escape() writes as they are. */
  private static boolean kept(int c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '_'
        || c == '.'
        || c == '-';
  }
}
