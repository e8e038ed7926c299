package dev.fletch.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fletch.cli.CliContext;
import dev.fletch.cli.CommonOptions;
import dev.fletch.cli.ExitCodes;
import dev.fletch.core.DefinitionJson;
import dev.fletch.registry.ObjectKind;
import dev.fletch.registry.StoredObject;
import java.io.PrintStream;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Shows one object as the registry stored it, at the latest or any past version; or a data file (a
 * training set's lineage, its columns and rows).
 */
@Command(
    name = "describe",
    description = {
      "Show one entity, source, feature view or feature service from the registry.",
      "describe file PATH shows a training set's lineage (project, registry version, the feature"
          + " of each column, entity source, retrieval time, Fletch version), columns and row count;"
          + " also any Parquet, CSV or JSON file's columns and rows."
    })
public final class DescribeCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Parameters(
      index = "0",
      paramLabel = "KIND",
      description = "entity | source | feature-view | feature-service | file")
  String kind;

  @Parameters(
      index = "1",
      paramLabel = "NAME",
      description = "The object's name, or a file's path.")
  String name;

  @Mixin ProjectOption project;

  @Option(
      names = "--version",
      paramLabel = "N",
      description = "A past registry version (default: the latest).")
  long version;

  @Option(names = "--json", description = "Print the stored JSON definition.")
  boolean json;

  @Override
  public Integer call() {
    if (kind.equalsIgnoreCase("file")) {
      try (CliContext ctx = common.newContext()) {
        return FileDescriber.describe(ctx, java.nio.file.Path.of(name), json);
      }
    }
    try (CliContext ctx = common.newContext()) {
      ObjectKind k = ObjectKind.parse(kind);
      String p = project.resolve(ctx);
      StoredObject o = ctx.registry().object(p, k, name, version);
      PrintStream out = ctx.out();
      List<dev.fletch.core.model.FeatureRef> resolved = null;
      dev.fletch.core.model.FeatureRepo repo = null;
      if (k == ObjectKind.FEATURE_SERVICE) {
        repo = version > 0 ? ctx.registry().load(p, version) : ctx.registry().load(p);
        resolved = repo.resolveService(o.name());
      }
      if (json) {
        if (resolved == null) {
          out.println(ListCommand.prettyJson(o));
        } else {
          com.fasterxml.jackson.databind.node.ObjectNode tree =
              DefinitionJson.mapper().valueToTree(o);
          com.fasterxml.jackson.databind.node.ArrayNode features =
              tree.putArray("resolvedFeatures");
          for (dev.fletch.core.model.FeatureRef ref : resolved) {
            dev.fletch.core.model.Feature f = repo.feature(ref);
            features
                .addObject()
                .put("feature", ref.view() + ":" + ref.feature())
                .put("type", f.type().toString());
          }
          out.println(ListCommand.prettyJson(tree));
        }
        return ExitCodes.OK;
      }
      out.println(k.label() + " " + o.name());
      out.println(
          "  project: "
              + p
              + ", version "
              + o.version()
              + ", content hash "
              + o.contentHash().substring(0, 12));
      JsonNode tree = DefinitionJson.mapper().valueToTree(o.value());
      block(out, tree, "  ");
      if (resolved != null) {
        // Wildcards expanded: what a GetFeatures or historical call with this service returns.
        out.println("  resolved features (" + resolved.size() + "):");
        for (dev.fletch.core.model.FeatureRef ref : resolved) {
          dev.fletch.core.model.FeatureView v = repo.findView(ref.view()).orElse(null);
          dev.fletch.core.model.Feature f = repo.feature(ref);
          out.println(
              "    - "
                  + ref.view()
                  + ":"
                  + ref.feature()
                  + "  "
                  + f.type()
                  + (v == null
                      ? "  on demand"
                      : v.aggregated()
                          ? ""
                          : v.hasTtl() ? "  ttl " + ListCommand.duration(v.ttl()) : ""));
        }
      }
    }
    return ExitCodes.OK;
  }

  /**
   * A YAML-like rendering in the words of the feature repository's YAML (snake_case keys, durations
   * as {@code 7d}, function names as written): one field a line, nested objects indented, empty
   * values left out.
   */
  private static void block(PrintStream out, JsonNode node, String indent) {
    Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
    // A count of events has no input: its input type means nothing.
    boolean noInput = node.has("function") && absent(node, "column") && absent(node, "expression");
    // An aggregated view has no ttl: its windows say how far back it looks.
    boolean aggregated = !absent(node, "aggregations") && !node.get("aggregations").isEmpty();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> f = fields.next();
      JsonNode v = f.getValue();
      if (f.getKey().equals("name")
          || v.isNull()
          || (v.isContainerNode() && v.isEmpty())
          || (v.isTextual() && v.asText().isEmpty())
          || (noInput && f.getKey().equals("inputType"))
          || (aggregated && f.getKey().equals("ttl"))) {
        continue;
      }
      String key = DefinitionJson.yamlKey(f.getKey());
      if (v.isArray() && v.get(0).isObject()) {
        out.println(indent + key + ":");
        for (JsonNode item : v) {
          out.println(indent + "  - " + (item.has("name") ? item.get("name").asText() : ""));
          block(out, item, indent + "    ");
        }
      } else if (v.isObject() && f.getKey().equals("fieldMapping")) {
        // Column names are data, not keys: printed as they are.
        out.println(indent + key + ":");
        v.fields()
            .forEachRemaining(
                m -> out.println(indent + "  " + m.getKey() + ": " + m.getValue().asText()));
      } else if (v.isObject()) {
        out.println(indent + key + ":");
        block(out, v, indent + "  ");
      } else if (v.isArray()) {
        StringBuilder sb = new StringBuilder();
        v.forEach(e -> sb.append(sb.length() == 0 ? "" : ", ").append(e.asText()));
        out.println(indent + key + ": [" + sb + "]");
      } else {
        out.println(indent + key + ": " + scalar(f.getKey(), v));
      }
    }
  }

  private static boolean absent(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v == null || v.isNull();
  }

  /**
   * Durations as YAML writes them ({@code 7d}) rather than ISO-8601 ({@code PT168H}); aggregation
   * functions as written ({@code count_distinct}).
   */
  private static String scalar(String key, JsonNode v) {
    if (key.equals("function") && v.isTextual()) {
      return v.asText().toLowerCase(java.util.Locale.ROOT);
    }
    if (DefinitionJson.DURATION_FIELDS.contains(key) && v.isTextual()) {
      try {
        java.time.Duration d = java.time.Duration.parse(v.asText());
        return d.isZero() ? "none" : ListCommand.duration(d);
      } catch (java.time.format.DateTimeParseException e) {
        return v.asText();
      }
    }
    return v.asText();
  }
}
