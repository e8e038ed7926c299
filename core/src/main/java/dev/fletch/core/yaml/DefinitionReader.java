package dev.fletch.core.yaml;

import dev.fletch.core.Durations;
import dev.fletch.core.InvalidRequestException;
import dev.fletch.core.expr.ExprParser;
import dev.fletch.core.expr.ExprPrinter;
import dev.fletch.core.expr.ExpressionException;
import dev.fletch.core.expr.Expressions;
import dev.fletch.core.model.Aggregation;
import dev.fletch.core.model.AggregationFunction;
import dev.fletch.core.model.CsvOptions;
import dev.fletch.core.model.DefinitionPath;
import dev.fletch.core.model.Entity;
import dev.fletch.core.model.Feature;
import dev.fletch.core.model.FeatureService;
import dev.fletch.core.model.FeatureView;
import dev.fletch.core.model.JoinKey;
import dev.fletch.core.model.Monitoring;
import dev.fletch.core.model.OnDemandFeatureView;
import dev.fletch.core.model.RequestField;
import dev.fletch.core.model.Source;
import dev.fletch.core.model.SourceFormat;
import dev.fletch.core.model.StreamSpec;
import dev.fletch.core.model.ValueType;
import dev.fletch.core.yaml.Defs.EntityDef;
import dev.fletch.core.yaml.Defs.FeatureDef;
import dev.fletch.core.yaml.Defs.ServiceDef;
import dev.fletch.core.yaml.Defs.SourceDef;
import dev.fletch.core.yaml.Defs.ViewDef;
import dev.fletch.core.yaml.MappingReader.Located;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;

/** Reads one YAML document into {@link Defs}: each object on its own, references unchecked. */
final class DefinitionReader {
  static final List<String> TOP_KEYS =
      List.of(
          "project",
          "entities",
          "sources",
          "feature_views",
          "on_demand_feature_views",
          "feature_services");
  static final List<String> ENTITY_KEYS = List.of("name", "join_keys", "description", "tags");
  static final List<String> JOIN_KEY_KEYS = List.of("name", "type");
  static final List<String> SOURCE_KEYS =
      List.of(
          "name",
          "type",
          "path",
          "timestamp_field",
          "created_timestamp_field",
          "field_mapping",
          "push_log",
          "stream",
          "csv",
          "description");
  static final List<String> CSV_KEYS =
      List.of("delimiter", "header", "quote", "escape", "null_strings", "types");
  static final List<String> STREAM_KEYS =
      List.of(
          "type",
          "bootstrap_servers",
          "topic",
          "format",
          "timestamp_field",
          "field_mapping",
          "group_id",
          "schema");
  static final List<String> VIEW_KEYS =
      List.of(
          "name",
          "entities",
          "source",
          "ttl",
          "online",
          "features",
          "description",
          "owner",
          "tags",
          "schedule",
          "aggregations",
          "hop",
          "monitoring",
          "lateness");
  static final List<String> AGGREGATION_KEYS =
      List.of("function", "column", "expression", "type", "windows", "name");
  static final List<String> FEATURE_KEYS =
      List.of("name", "type", "expression", "description", "tags");
  static final List<String> ON_DEMAND_KEYS =
      List.of("name", "request_fields", "views", "features", "description", "owner", "tags");
  static final List<String> REQUEST_FIELD_KEYS = List.of("name", "type", "description");
  static final List<String> SERVICE_KEYS =
      List.of("name", "features", "description", "owner", "tags");

  private final Problems problems;
  private final String file;
  private final Defs defs;

  /** Where the csv types of the source being read are written (column -> value position). */
  private final Map<String, Loc> csvTypesAt = new HashMap<>();

  /** A key ({@code null}: the feature itself) of a feature of the view being read, and where. */
  private record FeaturePart(String feature, String key, Loc at) {}

  private final List<FeaturePart> featureParts = new ArrayList<>();

  DefinitionReader(Problems problems, String file, Defs defs) {
    this.problems = problems;
    this.file = file;
    this.defs = defs;
  }

  void read(Node document) {
    if (!(document instanceof MappingNode)) {
      problems.add(
          Loc.of(file, document),
          "a definitions file is a mapping with the keys "
              + String.join(", ", TOP_KEYS)
              + "; found "
              + MappingReader.kind(document));
      return;
    }
    MappingReader top = MappingReader.of(problems, file, document, "file", TOP_KEYS);
    if (top == null) {
      return;
    }
    if (top.has("project")) {
      String project = top.name("project", "project name");
      if (project != null) {
        defs.projects.add(new Defs.Project(project, top.valueAt("project")));
      }
    }
    int i = 0;
    for (Node n : top.list("entities", false)) {
      readEntity(n, ++i);
    }
    i = 0;
    for (Node n : top.list("sources", false)) {
      readSource(n, ++i);
    }
    i = 0;
    for (Node n : top.list("feature_views", false)) {
      readView(n, ++i);
    }
    i = 0;
    for (Node n : top.list("on_demand_feature_views", false)) {
      readOnDemandView(n, ++i);
    }
    i = 0;
    for (Node n : top.list("feature_services", false)) {
      readService(n, ++i);
    }
  }

  private void readEntity(Node node, int index) {
    MappingReader m = named(node, "entity", "entities", index, ENTITY_KEYS);
    if (m == null) {
      return;
    }
    int before = problems.count();
    String name = m.name("name", "entity name");
    List<JoinKey> keys = new ArrayList<>();
    Map<String, Loc> seen = new HashMap<>();
    List<Node> keyNodes = m.list("join_keys", true);
    if (keyNodes.isEmpty() && m.has("join_keys")) {
      m.problem(
          m.valueAt("join_keys"), "'join_keys' is empty: an entity needs at least one join key");
    }
    for (Node k : keyNodes) {
      if (k instanceof ScalarNode s) {
        m.problem(
            Loc.of(file, k),
            "join key '"
                + s.getValue()
                + "' needs a type: write {name: "
                + s.getValue()
                + ", type: INT64} (or INT32, STRING)");
        continue;
      }
      MappingReader km = MappingReader.of(problems, file, k, m.what() + " join key", JOIN_KEY_KEYS);
      if (km == null) {
        continue;
      }
      String keyName = km.name("name", "join key name");
      ValueType type = type(km, "type");
      if (type != null && !type.isJoinKeyType()) {
        km.problem(km.valueAt("type"), "join key type must be INT32, INT64 or STRING, not " + type);
        type = null;
      }
      if (keyName != null) {
        Loc first = seen.putIfAbsent(keyName, km.valueAt("name"));
        if (first != null) {
          km.problem(
              km.valueAt("name"), "duplicate join key '" + keyName + "' (also at " + first + ")");
        }
      }
      if (keyName != null && type != null) {
        keys.add(new JoinKey(keyName, type));
      }
    }
    String description = m.string("description", false);
    Map<String, String> tags = MappingReader.values(m.stringMap("tags"));
    if (name == null) {
      return;
    }
    Entity entity = problems.count() == before ? new Entity(name, keys, description, tags) : null;
    EntityDef def = new EntityDef(name, m.valueAt("name"), entity);
    EntityDef first = defs.entities.get(name);
    Defs.put(
        defs.entities, "entity", name, def.at(), def, first == null ? null : first.at(), problems);
  }

  private void readSource(Node node, int index) {
    MappingReader m = named(node, "source", "sources", index, SOURCE_KEYS);
    if (m == null) {
      return;
    }
    int before = problems.count();
    String name = m.name("name", "source name");
    SourceFormat format = null;
    String type = m.string("type", true);
    if (type != null) {
      format =
          Arrays.stream(SourceFormat.values())
              .filter(f -> f.name().equalsIgnoreCase(type.trim()))
              .findFirst()
              .orElse(null);
      if (format == null) {
        m.problem(m.valueAt("type"), "source type must be parquet or csv, not '" + type + "'");
      }
    }
    String path = m.string("path", true);
    String timestamp = m.name("timestamp_field", "timestamp_field");
    String created = m.optionalName("created_timestamp_field", "created_timestamp_field");
    Map<String, Located> mapping = m.stringMap("field_mapping");
    mapping.forEach(
        (column, target) -> m.checkIdentifier(target.at(), "mapped name", target.value()));
    String description = m.string("description", false);
    String pushLog = m.string("push_log", false);
    if (pushLog != null
        && (pushLog.isBlank() || pushLog.contains("://") || pushLog.matches(".*[*?\\[{].*"))) {
      m.problem(
          m.valueAt("push_log"),
          "'push_log' is a local folder for pushed rows (e.g. data/pushed/transactions), not '"
              + pushLog
              + "': no URL, no glob");
    }
    StreamSpec stream = m.has("stream") ? readStream(m, name) : null;
    csvTypesAt.clear();
    CsvOptions csv = null;
    if (m.has("csv")) {
      if (format != null && format != SourceFormat.CSV) {
        m.problem(
            m.keyAt("csv"),
            "'csv' options are for sources of type csv; this one is " + type.strip());
      } else {
        csv = readCsv(m, name);
      }
    }
    if (name == null) {
      return;
    }
    Source source =
        problems.count() == before
            ? new Source(
                name,
                format,
                path,
                timestamp,
                created,
                MappingReader.values(mapping),
                description,
                pushLog,
                stream,
                csv)
            : null;
    DefinitionPath at = DefinitionPath.source(name);
    defs.locate(at, m.valueAt("name"));
    for (String key : List.of("path", "timestamp_field", "created_timestamp_field")) {
      if (m.has(key)) {
        defs.locate(at.key(key), m.valueAt(key));
      }
    }
    mapping.forEach((column, target) -> defs.locate(at.item("field_mapping", column), target.at()));
    if (m.has("csv")) {
      defs.locate(at.key("csv"), m.keyAt("csv"));
      csvTypesAt.forEach(
          (column, where) -> defs.locate(at.key("csv").item("types", column), where));
    }
    SourceDef def = new SourceDef(name, m.valueAt("name"), source, m);
    SourceDef first = defs.sources.get(name);
    Defs.put(
        defs.sources, "source", name, def.at(), def, first == null ? null : first.at(), problems);
  }

  /** A CSV source's {@code csv:} options, each checked where it is written. */
  private CsvOptions readCsv(MappingReader source, String sourceName) {
    MappingReader m =
        MappingReader.of(
            problems, file, source.value("csv"), "source '" + sourceName + "' csv", CSV_KEYS);
    if (m == null) {
      return null;
    }
    int before = problems.count();
    String delimiter = m.has("delimiter") ? rawString(m, "delimiter") : null;
    Boolean header = m.has("header") ? m.bool("header", true) : null;
    String quote = m.has("quote") ? rawString(m, "quote") : null;
    String escape = m.has("escape") ? rawString(m, "escape") : null;
    List<String> nulls = new ArrayList<>();
    for (Node n : m.list("null_strings", false)) {
      // "" is a value here: the empty field
      if (n instanceof ScalarNode sn && !MappingReader.isNull(sn)) {
        nulls.add(sn.getValue());
      } else {
        m.problem(
            Loc.of(file, n),
            "items of 'null_strings' are texts (\"\" for an empty field), found "
                + MappingReader.kind(n));
      }
    }
    Map<String, ValueType> types = new java.util.LinkedHashMap<>();
    m.stringMap("types")
        .forEach(
            (column, written) -> {
              csvTypesAt.put(column, written.at());
              Optional<ValueType> t = ValueType.parse(written.value());
              if (t.isEmpty() || !CsvOptions.COLUMN_TYPES.contains(t.get())) {
                m.problem(
                    written.at(),
                    "column '"
                        + column
                        + "': a CSV column is read as BOOL, INT32, INT64, FLOAT, DOUBLE, STRING or"
                        + " TIMESTAMP, not '"
                        + written.value()
                        + "'");
              } else {
                types.put(column, t.get());
              }
            });
    CsvOptions csv = new CsvOptions(delimiter, header, quote, escape, nulls, types);
    // The rules every transport shares, located at the key they are about.
    for (String problem : csv.problems()) {
      String key = problem.substring(0, problem.indexOf(':'));
      String base = key.contains("[") ? key.substring(0, key.indexOf('[')) : key;
      m.problem(
          m.has(base) ? m.valueAt(base) : m.at(),
          "'" + base + "'" + problem.substring(key.length()));
    }
    return problems.count() == before ? csv : null;
  }

  /** A scalar's text exactly as written (a tab or a space is a value here, not nothing). */
  private String rawString(MappingReader m, String key) {
    Node v = m.value(key);
    if (v == null) {
      return "";
    }
    if (!(v instanceof ScalarNode s)) {
      m.problem(
          Loc.of(file, v), "'" + key + "' must be one character, found " + MappingReader.kind(v));
      return null;
    }
    return s.getValue();
  }

  private StreamSpec readStream(MappingReader source, String sourceName) {
    MappingReader m =
        MappingReader.of(
            problems,
            file,
            source.value("stream"),
            "source '" + sourceName + "' stream",
            STREAM_KEYS);
    if (m == null) {
      return null;
    }
    String type = m.string("type", true);
    if (type != null && !type.strip().equalsIgnoreCase("kafka")) {
      m.problem(m.valueAt("type"), "stream type must be kafka, not '" + type + "'");
    }
    String servers = m.string("bootstrap_servers", true);
    if (servers != null
        && !servers.matches("[A-Za-z0-9._\\[\\]:-]+:[0-9]+(,[A-Za-z0-9._\\[\\]:-]+:[0-9]+)*")) {
      m.problem(
          m.valueAt("bootstrap_servers"),
          "'bootstrap_servers' is host:port[,host:port...], not '" + servers + "'");
    }
    String topic = m.string("topic", true);
    if (topic != null && !topic.matches("[A-Za-z0-9._-]{1,249}")) {
      m.problem(
          m.valueAt("topic"),
          "'topic' may hold letters, digits, '.', '_' and '-' (at most 249), not '" + topic + "'");
    }
    String format = m.string("format", false);
    String fmt = format == null ? "json" : format.strip().toLowerCase(java.util.Locale.ROOT);
    if (!fmt.equals("json") && !fmt.equals("avro")) {
      m.problem(
          m.valueAt("format"),
          "stream format must be json (one object per message) or avro (one binary record per"
              + " message, with 'schema'), not '"
              + format
              + "': protobuf is not read yet");
    }
    String schema = m.string("schema", false);
    if (fmt.equals("avro") && schema == null) {
      m.problem(
          m.keyAt("format"),
          "an avro stream needs 'schema': the writer schema file (.avsc), e.g."
              + " schemas/transactions.avsc");
    }
    if (fmt.equals("json") && schema != null) {
      m.problem(m.keyAt("schema"), "'schema' is for avro streams; a json stream has none");
    }
    if (schema != null && (schema.contains("://") || schema.isBlank())) {
      m.problem(m.valueAt("schema"), "'schema' is a local .avsc file, not '" + schema + "'");
    }
    String timestamp = m.optionalName("timestamp_field", "timestamp_field");
    Map<String, Located> mapping = m.stringMap("field_mapping");
    mapping.forEach(
        (field, target) -> m.checkIdentifier(target.at(), "mapped name", target.value()));
    String group = m.string("group_id", false);
    if (group != null && !group.matches("[A-Za-z0-9._-]{1,249}")) {
      m.problem(
          m.valueAt("group_id"),
          "'group_id' may hold letters, digits, '.', '_' and '-', not '" + group + "'");
    }
    if (servers == null || topic == null) {
      return null;
    }
    return new StreamSpec(
        servers.strip(), topic, fmt, timestamp, MappingReader.values(mapping), group, schema);
  }

  private void readView(Node node, int index) {
    MappingReader m = named(node, "feature view", "feature_views", index, VIEW_KEYS);
    if (m == null) {
      return;
    }
    int before = problems.count();
    featureParts.clear();
    String name = m.name("name", "feature view name");
    List<Located> entities = m.scalarList("entities", true);
    if (entities.isEmpty() && m.has("entities")) {
      m.problem(
          m.valueAt("entities"), "'entities' is empty: a feature view needs at least one entity");
    }
    String sourceName = m.string("source", true);
    Located source = sourceName == null ? null : new Located(sourceName, m.valueAt("source"));
    Duration ttl = m.duration("ttl");
    boolean online = m.bool("online", true);
    Duration lateness = m.duration("lateness");
    if (lateness != null && m.has("aggregations")) {
      m.problem(
          m.keyAt("lateness"),
          "an aggregated view has no 'lateness': every job re-reads its longest window, late rows"
              + " included");
    }
    Duration schedule = m.duration("schedule");
    if (schedule != null && schedule.isZero()) {
      m.problem(m.valueAt("schedule"), "'schedule' must be longer than 0 (leave it out for none)");
    }
    List<FeatureDef> features = new ArrayList<>();
    List<Aggregation> aggregations = new ArrayList<>();
    Duration hop = null;
    if (m.has("aggregations")) {
      if (m.has("features")) {
        m.problem(
            m.keyAt("features"),
            "a feature view has either 'features' (values read from the source) or 'aggregations'"
                + " (computed over time windows), not both");
      }
      if (ttl != null && !ttl.isZero()) {
        m.problem(
            m.valueAt("ttl"),
            "an aggregated view has no 'ttl': its windows say how far back each feature looks");
      }
      hop = readAggregations(m, features, aggregations);
    } else {
      if (m.has("hop")) {
        m.problem(
            m.keyAt("hop"),
            "'hop' is the tile size of 'aggregations', which this view has none of");
      }
      readFeatures(m, features);
    }
    String description = m.string("description", false);
    String owner = m.string("owner", false);
    Map<String, String> tags = MappingReader.values(m.stringMap("tags"));
    Monitoring monitoring = m.has("monitoring") ? MonitoringReader.read(problems, file, m) : null;
    if (name == null) {
      return;
    }
    FeatureView view = null;
    if (problems.count() == before) {
      view =
          new FeatureView(
              name,
              entities.stream().map(Located::value).toList(),
              sourceName,
              ttl,
              online,
              features.stream().map(FeatureDef::feature).toList(),
              description,
              owner,
              tags,
              schedule,
              aggregations,
              hop,
              monitoring,
              lateness);
    }
    DefinitionPath at = DefinitionPath.view(name);
    defs.locate(at, m.valueAt("name"));
    for (String key : List.of("entities", "source", "lateness")) {
      if (m.has(key)) {
        defs.locate(at.key(key), m.valueAt(key));
      }
    }
    for (Located e : entities) {
      defs.locate(at.item("entities", e.value()), e.at());
    }
    for (FeaturePart part : featureParts) {
      DefinitionPath feature = DefinitionPath.feature(name, part.feature());
      defs.locate(part.key() == null ? feature : feature.key(part.key()), part.at());
    }
    ViewDef def = new ViewDef(name, m.valueAt("name"), view, entities, source, features);
    ViewDef first = defs.views.get(name);
    Defs.put(
        defs.views,
        "feature view",
        name,
        def.at(),
        def,
        first == null ? null : first.at(),
        problems);
  }

  private void readFeatures(MappingReader m, List<FeatureDef> features) {
    List<Node> featureNodes = m.list("features", true);
    if (featureNodes.isEmpty() && m.has("features")) {
      m.problem(
          m.valueAt("features"), "'features' is empty: a feature view needs at least one feature");
    }
    Map<String, Loc> seen = new HashMap<>();
    for (Node f : featureNodes) {
      FeatureDef fd = readFeature(f, m.what());
      if (fd == null) {
        continue;
      }
      Loc first = seen.putIfAbsent(fd.name(), fd.at());
      if (first != null) {
        m.problem(fd.at(), "duplicate feature '" + fd.name() + "' (also at " + first + ")");
      } else {
        features.add(fd);
      }
    }
  }

  /** The longest default hop: windows that are all whole hours tile by the hour. */
  static final Duration MAX_DEFAULT_HOP = Duration.ofHours(1);

  /**
   * Reads {@code aggregations} (one aggregation per window) and returns the hop: as written, or the
   * greatest common divisor of the windows and {@link #MAX_DEFAULT_HOP} (1h for windows of whole
   * hours, 5m for [5m, 1h], 30m for [90m]).
   */
  private Duration readAggregations(
      MappingReader m, List<FeatureDef> features, List<Aggregation> aggregations) {
    List<Node> nodes = m.list("aggregations", true);
    if (nodes.isEmpty()) {
      m.problem(
          m.valueAt("aggregations"),
          "'aggregations' is empty: an aggregated view needs at least one aggregation");
    }
    record Read(Aggregation aggregation, Loc windowAt, Loc at, Map<String, Loc> keys) {}
    List<Read> read = new ArrayList<>();
    for (int i = 0; i < nodes.size(); i++) {
      String what = m.what() + " aggregations[" + i + "]";
      MappingReader a = MappingReader.of(problems, file, nodes.get(i), what, AGGREGATION_KEYS);
      if (a == null) {
        continue;
      }
      int before = problems.count();
      String fnText = a.string("function", true);
      AggregationFunction fn = null;
      if (fnText != null) {
        fn = AggregationFunction.of(fnText.strip().toLowerCase(Locale.ROOT));
        if (fn == null) {
          List<String> names =
              Arrays.stream(AggregationFunction.values()).map(AggregationFunction::key).toList();
          a.problem(
              a.valueAt("function"),
              "unknown aggregation function '"
                  + fnText
                  + "'"
                  + Names.suggestion(fnText.toLowerCase(Locale.ROOT), names)
                  + "; functions are "
                  + String.join(", ", names));
        }
      }
      String column = a.optionalName("column", "column");
      String expression = expression(a);
      if (a.has("column") && a.has("expression")) {
        a.problem(a.keyAt("expression"), "give 'column' or 'expression', not both");
      }
      ValueType input = a.has("type") ? type(a, "type") : ValueType.DOUBLE;
      if (fn != null && input != null) {
        if (column == null && expression == null && !a.has("column") && !a.has("expression")) {
          if (fn != AggregationFunction.COUNT) {
            a.problem(
                a.at(), "'" + fn.key() + "' needs a 'column' or an 'expression' to aggregate");
          }
        } else if (!fn.accepts(input)) {
          a.problem(
              a.has("type") ? a.valueAt("type") : a.keyAt("function"),
              "'"
                  + fn.key()
                  + "' cannot aggregate "
                  + input
                  + (a.has("type") ? "" : " (the default input type; set 'type')")
                  + ": it takes "
                  + fn.inputs());
        }
      }
      String name = a.optionalName("name", "aggregation name");
      if (name == null && a.has("expression")) {
        a.problem(a.at(), "an aggregation of an expression needs a 'name'");
      }
      List<Located> windows = a.scalarList("windows", true);
      if (windows.isEmpty() && a.has("windows")) {
        a.problem(a.valueAt("windows"), "'windows' is empty: give at least one, e.g. [1h, 24h]");
      }
      Map<Duration, Loc> seenWindows = new HashMap<>();
      List<Duration> durations = new ArrayList<>();
      List<Loc> durationAt = new ArrayList<>();
      List<String> labels = new ArrayList<>();
      for (Located w : windows) {
        Duration d;
        try {
          d = Durations.parse(w.value());
        } catch (InvalidRequestException e) {
          a.problem(w.at(), "window '" + w.value() + "': " + e.getMessage());
          continue;
        }
        if (d.isZero() || d.isNegative()) {
          a.problem(w.at(), "window '" + w.value() + "' must be longer than 0");
          continue;
        }
        Loc first = seenWindows.putIfAbsent(d, w.at());
        if (first != null) {
          a.problem(w.at(), "duplicate window '" + w.value() + "' (also at " + first + ")");
          continue;
        }
        durations.add(d);
        durationAt.add(w.at());
        // Names use the window as written (24h stays 24h), when it is one plain amount.
        labels.add(
            w.value().strip().matches("[0-9]+(ms|s|m|h|d|w)")
                ? w.value().strip()
                : Durations.format(d));
      }
      if (name != null && durations.size() > 1) {
        a.problem(
            a.valueAt("name"),
            "'name' names one feature: give one window, or leave 'name' out for names like "
                + (column == null ? "x" : column)
                + "_"
                + (fn == null ? "sum" : fn.key())
                + "_24h");
      }
      if (problems.count() != before || fn == null) {
        continue;
      }
      for (int w = 0; w < durations.size(); w++) {
        Duration d = durations.get(w);
        String featureName =
            name != null
                ? name
                : (column != null ? column + "_" : "") + fn.key() + "_" + labels.get(w);
        Map<String, Loc> keys = new HashMap<>();
        for (String key : List.of("column", "expression", "type", "function")) {
          if (a.has(key)) {
            keys.put(key, a.valueAt(key));
          }
        }
        read.add(
            new Read(
                new Aggregation(featureName, fn, column, expression, input, d),
                durationAt.get(w),
                a.at(),
                keys));
      }
    }
    Duration hop = m.duration("hop");
    if (hop != null && (hop.isZero() || hop.isNegative())) {
      m.problem(m.valueAt("hop"), "'hop' must be longer than 0");
      hop = null;
    } else if (hop == null && !m.has("hop") && !read.isEmpty()) {
      long gcd = MAX_DEFAULT_HOP.toMillis();
      for (Read r : read) {
        gcd = gcd(gcd, r.aggregation().window().toMillis());
      }
      hop = Duration.ofMillis(gcd);
    }
    Map<String, Loc> seen = new HashMap<>();
    for (Read r : read) {
      Aggregation agg = r.aggregation();
      if (hop != null && agg.window().toMillis() % hop.toMillis() != 0) {
        m.problem(
            r.windowAt(),
            "window "
                + Durations.format(agg.window())
                + " is not a multiple of the hop "
                + Durations.format(hop)
                + (m.has("hop") ? "" : " (the default: set 'hop')"));
        continue;
      }
      Loc first = seen.putIfAbsent(agg.name(), r.at());
      if (first != null) {
        m.problem(
            r.at(), "duplicate feature '" + agg.name() + "' (also at " + first + "): set 'name'");
        continue;
      }
      aggregations.add(agg);
      features.add(new FeatureDef(agg.name(), r.at(), agg.feature()));
      featureParts.add(new FeaturePart(agg.name(), null, r.at()));
      r.keys().forEach((key, loc) -> featureParts.add(new FeaturePart(agg.name(), key, loc)));
    }
    return hop;
  }

  private static long gcd(long a, long b) {
    return b == 0 ? a : gcd(b, a % b);
  }

  private FeatureDef readFeature(Node node, String viewWhat) {
    MappingReader m =
        MappingReader.ofNamed(
            problems, file, node, viewWhat + " feature", viewWhat + " feature", FEATURE_KEYS);
    if (m == null) {
      return null;
    }
    int before = problems.count();
    String name = m.name("name", "feature name");
    ValueType type = type(m, "type");
    String expression = expression(m);
    String description = m.string("description", false);
    Map<String, String> tags = MappingReader.values(m.stringMap("tags"));
    if (name == null) {
      return null;
    }
    Feature feature =
        problems.count() == before ? new Feature(name, type, expression, description, tags) : null;
    featureParts.add(new FeaturePart(name, null, m.at()));
    for (String key : List.of("name", "type", "expression")) {
      if (m.has(key)) {
        featureParts.add(new FeaturePart(name, key, m.valueAt(key)));
      }
    }
    return new FeatureDef(name, m.valueAt("name"), feature);
  }

  /**
   * The feature's expression in its checked, canonical form (what is stored and rendered into each
   * engine's SQL), or null; a problem names the position in the file where the expression fails.
   */
  private String expression(MappingReader m) {
    String text = m.string("expression", false);
    if (text == null || text.isBlank()) {
      return null;
    }
    try {
      return ExprPrinter.print(Expressions.parseRowExpression(text));
    } catch (ExpressionException e) {
      m.problem(
          m.valueAt("expression", e.offset()),
          "expression '" + abbreviate(text) + "' " + e.problem());
      return null;
    }
  }

  private static String abbreviate(String text) {
    String oneLine = text.strip().replaceAll("\\s+", " ");
    return oneLine.length() <= 60 ? oneLine : oneLine.substring(0, 57) + "...";
  }

  private void readOnDemandView(Node node, int index) {
    MappingReader m =
        named(node, "on-demand feature view", "on_demand_feature_views", index, ON_DEMAND_KEYS);
    if (m == null) {
      return;
    }
    int before = problems.count();
    String name = m.name("name", "on-demand feature view name");
    List<RequestField> fields = new ArrayList<>();
    Map<String, Loc> seen = new HashMap<>();
    for (Node f : m.list("request_fields", false)) {
      MappingReader fm =
          MappingReader.ofNamed(
              problems,
              file,
              f,
              m.what() + " request field",
              m.what() + " request field",
              REQUEST_FIELD_KEYS);
      if (fm == null) {
        continue;
      }
      String fieldName = fm.name("name", "request field name");
      ValueType type = type(fm, "type");
      String description = fm.string("description", false);
      if (fieldName == null || type == null) {
        continue;
      }
      Loc first = seen.putIfAbsent(fieldName, fm.valueAt("name"));
      if (first != null) {
        fm.problem(
            fm.valueAt("name"),
            "duplicate request field '" + fieldName + "' (also at " + first + ")");
      } else {
        fields.add(new RequestField(fieldName, type, description));
      }
    }
    List<Located> views = m.scalarList("views", false);
    List<Defs.OnDemandFeatureDef> features = new ArrayList<>();
    List<Node> featureNodes = m.list("features", true);
    if (featureNodes.isEmpty() && m.has("features")) {
      m.problem(
          m.valueAt("features"),
          "'features' is empty: an on-demand feature view needs at least one feature");
    }
    Map<String, Loc> seenFeatures = new HashMap<>();
    for (Node f : featureNodes) {
      Defs.OnDemandFeatureDef fd = readOnDemandFeature(f, m.what());
      if (fd == null) {
        continue;
      }
      Loc first = seenFeatures.putIfAbsent(fd.name(), fd.at());
      if (first != null) {
        m.problem(fd.at(), "duplicate feature '" + fd.name() + "' (also at " + first + ")");
      } else if (seen.containsKey(fd.name())) {
        m.problem(
            fd.at(),
            "feature '"
                + fd.name()
                + "' has the name of a request field (at "
                + seen.get(fd.name())
                + ")");
      } else {
        features.add(fd);
      }
    }
    String description = m.string("description", false);
    String owner = m.string("owner", false);
    Map<String, String> tags = MappingReader.values(m.stringMap("tags"));
    if (name == null) {
      return;
    }
    OnDemandFeatureView readable =
        new OnDemandFeatureView(
            name,
            fields,
            views.stream().map(Located::value).toList(),
            features.stream()
                .map(Defs.OnDemandFeatureDef::feature)
                .filter(java.util.Objects::nonNull)
                .toList(),
            description,
            owner,
            tags);
    OnDemandFeatureView view = problems.count() == before ? readable : null;
    Defs.OnDemandDef def =
        new Defs.OnDemandDef(name, m.valueAt("name"), view, readable, views, features);
    Defs.OnDemandDef first = defs.onDemandViews.get(name);
    Defs.put(
        defs.onDemandViews,
        "on-demand feature view",
        name,
        def.at(),
        def,
        first == null ? null : first.at(),
        problems);
  }

  /**
   * One on-demand feature: the expression is required, parsed here (syntax, allowed functions) and
   * stored in canonical form; what it reads is checked with the other definitions.
   */
  private Defs.OnDemandFeatureDef readOnDemandFeature(Node node, String viewWhat) {
    MappingReader m =
        MappingReader.ofNamed(
            problems, file, node, viewWhat + " feature", viewWhat + " feature", FEATURE_KEYS);
    if (m == null) {
      return null;
    }
    int before = problems.count();
    String name = m.name("name", "feature name");
    ValueType type = type(m, "type");
    String text = m.string("expression", true);
    String canonical = null;
    if (text != null && text.isBlank()) {
      m.problem(m.valueAt("expression"), "'expression' is empty");
    } else if (text != null) {
      try {
        canonical = ExprPrinter.print(ExprParser.parse(text));
      } catch (ExpressionException e) {
        m.problem(
            m.valueAt("expression", e.offset()),
            "expression '" + abbreviate(text) + "' " + e.problem());
      }
    }
    String description = m.string("description", false);
    Map<String, String> tags = MappingReader.values(m.stringMap("tags"));
    if (name == null) {
      return null;
    }
    Feature feature =
        problems.count() == before ? new Feature(name, type, canonical, description, tags) : null;
    return new Defs.OnDemandFeatureDef(name, m.valueAt("name"), feature, text, m);
  }

  private void readService(Node node, int index) {
    MappingReader m = named(node, "feature service", "feature_services", index, SERVICE_KEYS);
    if (m == null) {
      return;
    }
    int before = problems.count();
    String name = m.name("name", "feature service name");
    List<Located> refs = m.scalarList("features", true);
    if (refs.isEmpty() && m.has("features")) {
      m.problem(m.valueAt("features"), "'features' is empty: a feature service needs at least one");
    }
    String description = m.string("description", false);
    String owner = m.string("owner", false);
    Map<String, String> tags = MappingReader.values(m.stringMap("tags"));
    if (name == null) {
      return;
    }
    FeatureService service =
        problems.count() == before
            ? new FeatureService(
                name, refs.stream().map(Located::value).toList(), description, owner, tags)
            : null;
    ServiceDef def = new ServiceDef(name, m.valueAt("name"), service, refs);
    ServiceDef first = defs.services.get(name);
    Defs.put(
        defs.services,
        "feature service",
        name,
        def.at(),
        def,
        first == null ? null : first.at(),
        problems);
  }

  /** A reader for one list item, described by its name when it has a readable one. */
  private MappingReader named(
      Node node, String kind, String listKey, int index, List<String> keys) {
    return MappingReader.ofNamed(
        problems, file, node, kind, kind + " #" + index + " of '" + listKey + "'", keys);
  }

  /**
   * What other systems' type names mean here: suggested by meaning, not by spelling (FLOAT64 is
   * closest to FLOAT by its letters, but it is a DOUBLE).
   */
  static final Map<String, String> TYPE_ALIASES =
      Map.ofEntries(
          Map.entry("FLOAT64", "DOUBLE"),
          Map.entry("FLOAT8", "DOUBLE"),
          Map.entry("DOUBLE PRECISION", "DOUBLE"),
          Map.entry("REAL", "FLOAT"),
          Map.entry("FLOAT32", "FLOAT"),
          Map.entry("FLOAT4", "FLOAT"),
          Map.entry("INT", "INT32"),
          Map.entry("INTEGER", "INT32"),
          Map.entry("INT4", "INT32"),
          Map.entry("BIGINT", "INT64"),
          Map.entry("LONG", "INT64"),
          Map.entry("INT8", "INT64"),
          Map.entry("VARCHAR", "STRING"),
          Map.entry("TEXT", "STRING"),
          Map.entry("STR", "STRING"),
          Map.entry("CHAR", "STRING"),
          Map.entry("BOOLEAN", "BOOL"),
          Map.entry("DATETIME", "TIMESTAMP"),
          Map.entry("TIMESTAMPTZ", "TIMESTAMP"),
          Map.entry("BLOB", "BYTES"),
          Map.entry("BINARY", "BYTES"),
          Map.entry("BYTEA", "BYTES"));

  private ValueType type(MappingReader m, String key) {
    String text = m.string(key, true);
    if (text == null) {
      return null;
    }
    Optional<ValueType> type = ValueType.parse(text);
    if (type.isEmpty()) {
      List<String> names =
          Arrays.stream(ValueType.values()).map(t -> t.name().toLowerCase(Locale.ROOT)).toList();
      String meant = TYPE_ALIASES.get(text.strip().toUpperCase(Locale.ROOT));
      m.problem(
          m.valueAt(key),
          "unknown type '"
              + text
              + "'"
              + (meant != null
                  ? " (did you mean '" + meant + "'?)"
                  : Names.suggestion(text.toLowerCase(Locale.ROOT), names))
              + "; types are BOOL, INT32, INT64, FLOAT, DOUBLE, STRING, BYTES, TIMESTAMP and"
              + " list<T> of BOOL, INT32, INT64, FLOAT, DOUBLE or STRING");
    }
    return type.orElse(null);
  }
}
