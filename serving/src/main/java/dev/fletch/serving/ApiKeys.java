package dev.fletch.serving;

import static java.util.Objects.requireNonNull;

import dev.fletch.core.InvalidRequestException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API keys a server accepts, read from a file: one key per line as {@code <role> <key>}, role
 * {@code read} (serving calls, historical retrieval, registry reads and plans), {@code write} (also
 * pushing rows: the Push API) or {@code admin} (also registry applies); blank lines and lines
 * starting with {@code #} are ignored. Keys are at least 20 characters of {@code
 * [A-Za-z0-9._~+/=-]}. Only SHA-256 digests are kept in memory. The file is re-read on {@link
 * #reload()} (the server calls it every few seconds), so keys are added and revoked without a
 * restart; a file that cannot be used then is logged and the last good keys stay in force.
 */
public final class ApiKeys {
  private static final Logger LOG = LoggerFactory.getLogger(ApiKeys.class);
  static final int MIN_LENGTH = 20;

  /** What a key may do. */
  public enum Role {
    READ,
    WRITE,
    ADMIN;

    boolean allows(Role needed) {
      return compareTo(needed) >= 0;
    }
  }

  private final Path file;
  private final String internalKey;
  private volatile Map<String, Role> byDigest;
  private volatile String loadedText;

  private ApiKeys(Path file, String text) {
    this.file = file;
    byte[] random = new byte[24];
    new SecureRandom().nextBytes(random);
    this.internalKey = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    this.byDigest = parse(file, text);
    this.loadedText = text;
  }

  /** Reads and checks the file; InvalidRequestException naming the file and line if unusable. */
  public static ApiKeys load(Path file) {
    requireNonNull(file, "file is null");
    return new ApiKeys(file, read(file));
  }

  public Path file() {
    return file;
  }

  /**
   * A key known only to this process (role read), for the server's calls to itself (warm-up). It is
   * never written anywhere.
   */
  String internalKey() {
    return internalKey;
  }

  /** The role of a presented key, or null when it is not (or no longer) accepted. */
  public Role roleOf(String key) {
    if (key == null || key.isEmpty()) {
      return null;
    }
    if (MessageDigest.isEqual(
        key.getBytes(StandardCharsets.UTF_8), internalKey.getBytes(StandardCharsets.UTF_8))) {
      return Role.READ;
    }
    return byDigest.get(digest(key));
  }

  /**
   * The key in an {@code Authorization: Bearer <key>} header value, or null when the value is
   * missing or of another scheme.
   */
  static String bearer(String authorization) {
    if (authorization == null || authorization.length() < 7) {
      return null;
    }
    return authorization.regionMatches(true, 0, "Bearer ", 0, 7)
        ? authorization.substring(7).trim()
        : null;
  }

  /** Re-reads the file if its content changed; keeps the current keys if it cannot be used. */
  public void reload() {
    String text;
    try {
      text = read(file);
    } catch (InvalidRequestException e) {
      LOG.warn("API keys not reloaded, keeping the current ones: {}", e.getMessage());
      return;
    }
    if (text.equals(loadedText)) {
      return;
    }
    try {
      Map<String, Role> next = parse(file, text);
      byDigest = next;
      loadedText = text;
      LOG.info("reloaded API keys from {}: {} keys", file, next.size());
    } catch (InvalidRequestException e) {
      LOG.warn("API keys not reloaded, keeping the current ones: {}", e.getMessage());
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new InvalidRequestException("API keys file " + file + " does not exist");
    } catch (IOException | RuntimeException e) {
      throw new InvalidRequestException("cannot read API keys file " + file + ": " + e);
    }
  }

  private static Map<String, Role> parse(Path file, String text) {
    Map<String, Role> out = new HashMap<>();
    List<String> lines = text.lines().toList();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String where = "API keys file " + file + " line " + (i + 1) + ": ";
      String[] parts = line.split("\\s+");
      if (parts.length != 2) {
        throw new InvalidRequestException(
            where
                + "expected '<role> <key>' (role read, write or admin), got "
                + parts.length
                + " words");
      }
      Role role =
          switch (parts[0]) {
            case "read" -> Role.READ;
            case "write" -> Role.WRITE;
            case "admin" -> Role.ADMIN;
            default ->
                throw new InvalidRequestException(
                    where + "unknown role '" + parts[0] + "' (read, write or admin)");
          };
      String key = parts[1];
      if (key.length() < MIN_LENGTH) {
        // Never echo the key itself: the message ends up in logs.
        throw new InvalidRequestException(
            where
                + "the key is "
                + key.length()
                + " characters; use at least "
                + MIN_LENGTH
                + " (e.g. openssl rand -base64 30)");
      }
      if (!key.matches("[A-Za-z0-9._~+/=-]+")) {
        throw new InvalidRequestException(
            where + "the key may only hold letters, digits and . _ ~ + / = -");
      }
      if (out.put(digest(key), role) != null) {
        throw new InvalidRequestException(where + "the same key is listed twice");
      }
    }
    if (out.isEmpty()) {
      throw new InvalidRequestException(
          "API keys file " + file + " lists no key: every call would be refused");
    }
    return Map.copyOf(out);
  }

  private static String digest(String key) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JVM", e);
    }
  }
}
