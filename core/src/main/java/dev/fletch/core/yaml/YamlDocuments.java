package dev.fletch.core.yaml;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads a YAML file into node trees (one per document) without constructing Java objects, so every
 * value keeps its line and column. Syntax errors become problems located where the parser stopped.
 */
final class YamlDocuments {
  /** Definitions files larger than this are refused before they are read (no repo needs them). */
  static final long MAX_FILE_BYTES = 16L * 1024 * 1024;

  /** Aliases to collections in one file: enough for real reuse, too few for an alias bomb. */
  static final int MAX_ALIASES = 50;

  private YamlDocuments() {}

  static List<Node> read(Path path, String file, Problems problems) {
    List<Node> docs = new ArrayList<>();
    try {
      long size = Files.size(path);
      if (size > MAX_FILE_BYTES) {
        problems.add(
            new Loc(file, 1, 1),
            "the file is "
                + String.format(java.util.Locale.ROOT, "%.1f", size / 1048576.0)
                + " MB; a definitions file may be at most "
                + (MAX_FILE_BYTES >> 20)
                + " MB");
        return docs;
      }
    } catch (IOException e) {
      problems.add(new Loc(file, 1, 1), "cannot read file: " + rootMessage(e));
      return docs;
    }
    LoaderOptions options = new LoaderOptions();
    options.setAllowRecursiveKeys(false);
    options.setMaxAliasesForCollections(MAX_ALIASES);
    options.setNestingDepthLimit(100);
    options.setCodePointLimit((int) MAX_FILE_BYTES);
    String text;
    try {
      text = decodeUtf8(Files.readAllBytes(path), file, problems);
    } catch (IOException e) {
      problems.add(new Loc(file, 1, 1), "cannot read file: " + rootMessage(e));
      return docs;
    }
    if (text == null) {
      return docs;
    }
    try (Reader reader = new java.io.StringReader(text)) {
      for (Node doc : new Yaml(options).composeAll(reader)) {
        if (doc != null) {
          docs.add(doc);
        }
      }
    } catch (MarkedYAMLException e) {
      Loc at = Loc.of(file, e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark());
      String context = e.getContext() == null ? "" : e.getContext() + ": ";
      problems.add(at, "YAML syntax error: " + context + e.getProblem());
    } catch (YAMLException e) {
      problems.add(new Loc(file, 1, 1), "cannot read YAML: " + rootMessage(e));
    } catch (IOException e) {
      problems.add(new Loc(file, 1, 1), "cannot read file: " + rootMessage(e));
    }
    return docs;
  }

  /**
   * The file's text, or null after reporting where the first byte that is not UTF-8 is (line and
   * column counted in the bytes before it).
   */
  private static String decodeUtf8(byte[] bytes, String file, Problems problems) {
    java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(bytes);
    java.nio.charset.CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
            .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT);
    java.nio.CharBuffer out = java.nio.CharBuffer.allocate(bytes.length);
    java.nio.charset.CoderResult result = decoder.decode(in, out, true);
    if (result.isError()) {
      int at = in.position();
      int line = 1;
      int lineStart = 0;
      for (int i = 0; i < at; i++) {
        if (bytes[i] == '\n') {
          line++;
          lineStart = i + 1;
        }
      }
      problems.add(
          new Loc(file, line, at - lineStart + 1),
          String.format(
              java.util.Locale.ROOT,
              "the file is not UTF-8: byte 0x%02X cannot start or continue a character here;"
                  + " save the file as UTF-8",
              bytes[at] & 0xFF));
      return null;
    }
    decoder.flush(out);
    return out.flip().toString();
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }
}
