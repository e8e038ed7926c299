package dev.fletch.stream;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fletch.core.FletchException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;

/**
 * Messages a stream could not use, one JSON line each in a file: when, where from (topic,
 * partition, offset), why, and the message itself (as text, cut at 64 KiB). The file is appended to
 * and never read by Fletch; a replay of the same offsets appends them again.
 */
public final class DeadLetters {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final int MAX_VALUE_CHARS = 64 * 1024;

  private final Path file;
  private final Clock clock;

  public DeadLetters(Path file, Clock clock) {
    this.file = requireNonNull(file, "file is null");
    this.clock = requireNonNull(clock, "clock is null");
  }

  public Path file() {
    return file;
  }

  /** Appends one dead letter. */
  public synchronized void add(
      String topic, int partition, long offset, String reason, byte[] value) {
    ObjectNode line = JSON.createObjectNode();
    line.put("time", clock.instant().toString());
    line.put("topic", topic);
    line.put("partition", partition);
    line.put("offset", offset);
    line.put("reason", reason);
    String text = value == null ? null : new String(value, StandardCharsets.UTF_8);
    if (text != null && text.length() > MAX_VALUE_CHARS) {
      text = text.substring(0, MAX_VALUE_CHARS);
      line.put("truncated", true);
    }
    line.put("value", text);
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.writeString(
          file,
          JSON.writeValueAsString(line) + "\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new FletchException("cannot write the dead-letter file " + file + ": " + e, e);
    }
  }
}
