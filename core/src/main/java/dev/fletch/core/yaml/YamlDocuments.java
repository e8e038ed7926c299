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
  private YamlDocuments() {}

  static List<Node> read(Path path, String file, Problems problems) {
    List<Node> docs = new ArrayList<>();
    LoaderOptions options = new LoaderOptions();
    options.setAllowRecursiveKeys(false);
    options.setCodePointLimit(16 * 1024 * 1024);
    try (Reader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
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

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }
}
