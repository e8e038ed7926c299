package dev.fletch.cli.commands;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fletch.cli.CliContext;
import dev.fletch.cli.ExitCodes;
import dev.fletch.core.FletchException;
import dev.fletch.offline.OfflineStore.FileDescription;
import dev.fletch.offline.TrainingSetMetadata;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code fletch describe file PATH}: a training set's lineage (the metadata {@code fletch
 * historical} writes into Parquet), its columns with the feature each holds, and its row count.
 * Reads the file's footer and schema only (CSV and JSON files are counted).
 */
final class FileDescriber {
  /** The lineage keys in the order shown, with their labels. */
  private static final List<Map.Entry<String, String>> LINEAGE =
      List.of(
          Map.entry(TrainingSetMetadata.PROJECT, "project"),
          Map.entry(TrainingSetMetadata.REGISTRY_VERSION, "registry version"),
          Map.entry(TrainingSetMetadata.FEATURE_SERVICE, "feature service"),
          Map.entry(TrainingSetMetadata.ENTITY_SOURCE, "entity source"),
          Map.entry(TrainingSetMetadata.ENTITY_TIMESTAMP_COLUMN, "as-of column"),
          Map.entry(TrainingSetMetadata.RETRIEVED_AT, "retrieved at"),
          Map.entry(TrainingSetMetadata.FLETCH_VERSION, "Fletch version"));

  private FileDescriber() {}

  static int describe(CliContext ctx, Path file, boolean json) {
    FileDescription d = ctx.offlineStore().describeFile(file);
    Map<String, String> refs = TrainingSetMetadata.featureRefs(d.metadata());
    PrintStream out = ctx.out();
    if (json) {
      out.println(json(d, refs));
      return ExitCodes.OK;
    }
    out.printf(
        Locale.ROOT,
        "%s: %s, %,d rows, %d columns%n",
        file,
        d.format().equals("parquet") ? "Parquet" : d.format().toUpperCase(Locale.ROOT),
        d.rows(),
        d.columns().size());
    if (d.metadata().containsKey(TrainingSetMetadata.PROJECT)) {
      out.println("lineage:");
      for (Map.Entry<String, String> key : LINEAGE) {
        String value = d.metadata().get(key.getKey());
        if (value != null) {
          out.printf(Locale.ROOT, "  %-18s%s%n", key.getValue(), value);
        }
      }
    } else {
      out.println(
          "no lineage: not a training set written by fletch historical (it writes lineage into"
              + " Parquet files; CSV files carry none)");
    }
    out.println("columns:");
    List<List<String>> rows = new ArrayList<>();
    for (FileDescription.Column c : d.columns()) {
      rows.add(List.of("  " + c.name(), c.type(), refs.getOrDefault(c.name(), "")));
    }
    ListCommand.table(out, List.of("  COLUMN", "TYPE", "FEATURE"), rows);
    List<String> other = new ArrayList<>();
    d.metadata()
        .forEach(
            (k, v) -> {
              if (!k.startsWith("fletch.")) {
                other.add(k + " (" + String.format(Locale.ROOT, "%,d", v.length()) + " bytes)");
              }
            });
    if (!other.isEmpty()) {
      out.println("other metadata: " + String.join(", ", other));
    }
    return ExitCodes.OK;
  }

  private static String json(FileDescription d, Map<String, String> refs) {
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode root = mapper.createObjectNode();
    root.put("path", d.path().toString());
    root.put("format", d.format());
    root.put("rows", d.rows());
    ArrayNode columns = root.putArray("columns");
    for (FileDescription.Column c : d.columns()) {
      ObjectNode col = columns.addObject().put("name", c.name()).put("type", c.type());
      if (refs.containsKey(c.name())) {
        col.put("feature_ref", refs.get(c.name()));
      }
    }
    ObjectNode metadata = root.putObject("metadata");
    d.metadata().forEach(metadata::put);
    try {
      return mapper.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new FletchException("cannot print JSON: " + e.getOriginalMessage(), e);
    }
  }
}
