package dev.fletch.offline;

import static dev.fletch.offline.Sql.ident;
import static dev.fletch.offline.Sql.literal;

import dev.fletch.core.InvalidRequestException;
import dev.fletch.core.expr.Expr;
import dev.fletch.core.expr.ExpressionException;
import dev.fletch.core.expr.Expressions;
import dev.fletch.core.model.Aggregation;
import dev.fletch.core.model.CsvOptions;
import dev.fletch.core.model.Feature;
import dev.fletch.core.model.FeatureView;
import dev.fletch.core.model.JoinKey;
import dev.fletch.core.model.Source;
import dev.fletch.core.model.ValueType;
import dev.fletch.core.window.Windows;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.function.Function;

/**
 * Every SQL text the offline store runs is generated here, so that historical retrieval and the
 * latest-value scan behind materialization compute features from the same expressions. Identifiers
 * are always quoted; the only literals are file paths (escaped) and numbers computed here; times
 * are bound as parameters.
 *
 * <p>Inside a query every time is a naive {@code TIMESTAMP} holding UTC: naive inputs are taken as
 * UTC, zone-aware inputs and ISO text with an offset are converted. Outputs turn times back into
 * {@code TIMESTAMPTZ} (UTC).
 */
final class FeatureSql {
  static final String ENTITIES = "__fletch_entities";
  static final String ROW = "__fletch_row";
  static final String EVENT_TIME = "__fletch_ts";
  static final String CREATED_TIME = "__fletch_created";
  static final String ENTITY_TIME = "__fletch_t";
  static final String EVENT_MICROS = "__fletch_event_us";

  private FeatureSql() {}

  static String key(int i) {
    return "__fletch_k" + i;
  }

  /** The table function that reads a source's files (or an entity file). */
  static String scan(Source source, String resolvedPath) {
    return source.format() == dev.fletch.core.model.SourceFormat.CSV
        ? csvScan(resolvedPath, source.csv())
        : parquetScan(resolvedPath);
  }

  /**
   * {@code read_csv} of a CSV source with its options: every value a quoted literal (checked
   * beforehand by {@link CsvOptions#problems()}, escaped here all the same), never pasted text.
   */
  static String csvScan(String path, CsvOptions csv) {
    if (csv == null) {
      return csvScan(path);
    }
    StringBuilder b = new StringBuilder("read_csv(").append(literal(path));
    b.append(", header = ").append(csv.header() == null || csv.header());
    if (csv.delimiter() != null) {
      b.append(", delim = ").append(literal(csv.delimiter()));
    }
    if (csv.quote() != null) {
      b.append(", quote = ").append(literal(csv.quote()));
    }
    if (csv.escape() != null) {
      b.append(", escape = ").append(literal(csv.escape()));
    }
    if (!csv.nullStrings().isEmpty()) {
      StringJoiner nulls = new StringJoiner(", ", "[", "]");
      csv.nullStrings().forEach(n -> nulls.add(literal(n)));
      b.append(", nullstr = ").append(nulls);
    }
    if (!csv.types().isEmpty()) {
      StringJoiner types = new StringJoiner(", ", "{", "}");
      csv.types().forEach((c, t) -> types.add(literal(c) + ": " + literal(Sql.duckType(t))));
      b.append(", types = ").append(types);
    }
    return b.append(')').toString();
  }

  static String parquetScan(String path) {
    return "read_parquet(" + literal(path) + ")";
  }

  static String csvScan(String path) {
    return "read_csv(" + literal(path) + ", header = true)";
  }

  static String jsonScan(String path) {
    return "read_json(" + literal(path) + ")";
  }

  /**
   * A source as features and join keys see it: its files with the field mapping (source column ->
   * new name) applied. A mapping that names a column the files do not have is reported here.
   */
  static String sourceSelect(Source source, String resolvedPath, Columns raw) {
    return sourceSelect(source, resolvedPath, scan(source, resolvedPath), raw);
  }

  /** {@link #sourceSelect} over a relation of the source's rows ({@code scan}). */
  static String sourceSelect(Source source, String resolvedPath, String scan, Columns raw) {
    String from = " FROM " + scan;
    if (source.fieldMapping().isEmpty()) {
      return "SELECT *" + from;
    }
    StringJoiner renames = new StringJoiner(", ", " RENAME (", ")");
    for (Map.Entry<String, String> m : source.fieldMapping().entrySet()) {
      if (!raw.has(m.getKey())) {
        throw new InvalidRequestException(
            "source '"
                + source.name()
                + "': field_mapping renames column '"
                + m.getKey()
                + "', which "
                + resolvedPath
                + " does not have (columns: "
                + raw
                + ")");
      }
      renames.add(ident(m.getKey()) + " AS " + ident(m.getValue()));
    }
    return "SELECT *" + renames + from;
  }

  /** One view's rows as joins and scans use them: keys, times, and the requested features. */
  record ViewRelation(
      FeatureView view,
      List<JoinKey> keys,
      List<Feature> features,
      boolean hasCreated,
      String sql,
      List<Aggregation> aggregations,
      WindowSql.Inputs inputs) {
    ViewRelation(
        FeatureView view,
        List<JoinKey> keys,
        List<Feature> features,
        boolean hasCreated,
        String sql) {
      this(view, keys, features, hasCreated, sql, List.of(), null);
    }

    /** Whether this relation feeds window aggregations (its features are their inputs). */
    boolean aggregated() {
      return !aggregations.isEmpty();
    }

    /** The same relation feeding {@code aggregations} of its view, through {@code inputs}. */
    ViewRelation aggregating(List<Aggregation> aggregations, WindowSql.Inputs inputs) {
      return new ViewRelation(view, keys, features, hasCreated, sql, aggregations, inputs);
    }
  }

  /**
   * The relation of {@code view} over its source: join keys cast to their declared types (aliased
   * {@code __fletch_k<i>}), the event and created times as naive UTC, and each feature's expression
   * (or the column of its name) cast to the feature's type. Missing columns are reported by name.
   */
  static ViewRelation viewRelation(
      FeatureView view,
      List<JoinKey> keys,
      List<Feature> features,
      Source source,
      String sourceSelect,
      Columns columns) {
    return viewRelation(
        view, keys, features, source, sourceSelect, columns, f -> "feature '" + f.name() + "'");
  }

  /**
   * Like {@link #viewRelation(FeatureView, List, List, Source, String, Columns)}, with messages
   * naming each computed column as {@code label} says (an aggregation's input as written).
   */
  static ViewRelation viewRelation(
      FeatureView view,
      List<JoinKey> keys,
      List<Feature> features,
      Source source,
      String sourceSelect,
      Columns columns,
      Function<Feature, String> label) {
    List<String> select = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      JoinKey k = keys.get(i);
      if (!columns.has(k.name())) {
        throw new InvalidRequestException(
            "feature view '"
                + view.name()
                + "': source '"
                + source.name()
                + "' has no join-key column '"
                + k.name()
                + "' (columns: "
                + columns
                + ")");
      }
      select.add(
          "CAST(src."
              + ident(k.name())
              + " AS "
              + Sql.duckType(k.type())
              + ") AS "
              + ident(key(i)));
    }
    select.add(
        timeColumn(view, source, columns, source.timestampField(), "timestamp_field")
            + " AS "
            + ident(EVENT_TIME));
    boolean hasCreated =
        source.createdTimestampField() != null && !source.createdTimestampField().isBlank();
    select.add(
        (hasCreated
                ? timeColumn(
                    view,
                    source,
                    columns,
                    source.createdTimestampField(),
                    "created_timestamp_field")
                : "CAST(NULL AS TIMESTAMP)")
            + " AS "
            + ident(CREATED_TIME));
    for (Feature f : features) {
      String expr;
      if (f.hasExpression()) {
        expr = expression(view, f, label.apply(f), source, columns);
      } else if (columns.has(f.name())) {
        expr = "src." + ident(f.name());
        if (f.type() == ValueType.TIMESTAMP) {
          // A time column of any precision or zone, floored to microseconds like event times.
          expr = TimeTypes.asUtcMicros(expr, columns.typeOf(f.name()).orElseThrow()).orElse(expr);
        }
      } else {
        throw new InvalidRequestException(
            "feature view '"
                + view.name()
                + "': feature '"
                + f.name()
                + "' has no expression and source '"
                + source.name()
                + "' has no column of that name"
                + " (columns: "
                + columns
                + ")");
      }
      select.add("CAST(" + expr + " AS " + Sql.duckType(f.type()) + ") AS " + ident(f.name()));
    }
    String sql = "SELECT " + String.join(", ", select) + " FROM (" + sourceSelect + ") AS src";
    return new ViewRelation(view, keys, features, hasCreated, sql);
  }

  /**
   * A feature's expression as DuckDB SQL over {@code src}: parsed and checked again here (stored
   * definitions may predate a rule, or come from elsewhere), each column it reads looked up in the
   * source, and rendered from the tree, never from the text.
   */
  private static String expression(
      FeatureView view, Feature f, String label, Source source, Columns columns) {
    Expr e;
    try {
      e = Expressions.parseRowExpression(f.expression());
    } catch (ExpressionException ex) {
      throw new InvalidRequestException(
          "feature view '" + view.name() + "': " + label + ": expression " + ex.getMessage(), ex);
    }
    return DuckDbExpressions.render(
        e,
        c -> {
          if (!columns.has(c.name())) {
            throw new InvalidRequestException(
                "feature view '"
                    + view.name()
                    + "': "
                    + label
                    + ": expression reads column '"
                    + c.name()
                    + "', which source '"
                    + source.name()
                    + "' does not have (columns: "
                    + columns
                    + ")");
          }
          return "src." + ident(c.name());
        });
  }

  private static String timeColumn(
      FeatureView view, Source source, Columns columns, String column, String setting) {
    String type =
        columns
            .typeOf(column)
            .orElseThrow(
                () ->
                    new InvalidRequestException(
                        "feature view '"
                            + view.name()
                            + "': source '"
                            + source.name()
                            + "' has no "
                            + setting
                            + " column '"
                            + column
                            + "' (columns: "
                            + columns
                            + ")"));
    return TimeTypes.asUtcMicros("src." + ident(column), type)
        .orElseThrow(
            () ->
                new InvalidRequestException(
                    "source '"
                        + source.name()
                        + "': "
                        + setting
                        + " column '"
                        + column
                        + "' has type "
                        + type
                        + "; expected "
                        + TimeTypes.ACCEPTED));
  }

  static final String ORDER = "__fletch_order";
  static final String ENTITY_ORDER = "__fletch_t_order";

  /**
   * A view as the as-of join reads it. With a created timestamp, each row also gets a sort key
   * (event time, created time) so that the join itself picks, among rows with the greatest event
   * time {@code <= t}, the one created last (a NULL created time loses); the entity side compares
   * with (t, +infinity). This is about twice as fast as de-duplicating the source with a window
   * first.
   */
  static String joinable(ViewRelation v) {
    if (!v.hasCreated()) {
      return v.sql();
    }
    return "SELECT *, CASE WHEN "
        + ident(EVENT_TIME)
        + " IS NULL THEN NULL ELSE {'t': "
        + ident(EVENT_TIME)
        + ", 'c': coalesce("
        + ident(CREATED_TIME)
        + ", TIMESTAMP '-infinity')} END AS "
        + ident(ORDER)
        + " FROM ("
        + v.sql()
        + ")";
  }

  /**
   * One output feature of a historical query: its name and the SQL of its value over the entity row
   * {@code e} and the joined views {@code v<i>} ({@link #featureValue}, or an on-demand feature's
   * expression over those).
   */
  record OutputFeature(String outputName, String sql) {}

  /**
   * The value of {@code feature} of view {@code v} for an entity row of a historical query: the
   * matched row's value, NULL when that row is older than the view's ttl; for an aggregated view,
   * the aggregation over its window.
   */
  static String featureValue(List<ViewRelation> views, int v, Feature feature) {
    String alias = viewAlias(v);
    ViewRelation relation = views.get(v);
    if (relation.aggregated()) {
      Aggregation a = relation.view().aggregation(feature.name()).orElseThrow();
      return WindowSql.output(a, alias);
    }
    String value = alias + "." + ident(feature.name());
    Optional<Long> ttl = ttlMicros(relation.view().ttl());
    if (ttl.isEmpty()) {
      return value;
    }
    return "CASE WHEN "
        + alias
        + "."
        + ident(EVENT_TIME)
        + " >= e."
        + ident(ENTITY_TIME)
        + " - to_microseconds(CAST("
        + ttl.get()
        + " AS BIGINT)) THEN "
        + value
        + " END";
  }

  /**
   * The point-in-time query: entity rows (table {@value #ENTITIES}, with their insertion order as
   * rowid) each as-of joined to every view on its join keys and {@code event time <= t}; features
   * of a match older than the view's ttl become NULL; rows come out in input order with their own
   * columns first (the timestamp as TIMESTAMPTZ) and the features after them.
   */
  static String historical(
      Columns entity,
      String timestampColumn,
      List<ViewRelation> views,
      List<OutputFeature> outputs) {
    int tsIndex = entity.indexOf(timestampColumn);
    String tsExpr =
        TimeTypes.asUtcMicros(
                "e." + ident(entity.names().get(tsIndex)), entity.types().get(tsIndex))
            .orElseThrow();
    StringBuilder sql = new StringBuilder("WITH ");
    StringJoiner entityCols = new StringJoiner(", ");
    entityCols.add("e.rowid AS " + ident(ROW));
    entityCols.add("e.*");
    entityCols.add(tsExpr + " AS " + ident(ENTITY_TIME));
    if (views.stream().anyMatch(ViewRelation::hasCreated)) {
      entityCols.add(
          "CASE WHEN "
              + tsExpr
              + " IS NULL THEN NULL ELSE {'t': "
              + tsExpr
              + ", 'c': TIMESTAMP 'infinity'} END AS "
              + ident(ENTITY_ORDER));
    }
    for (int v = 0; v < views.size(); v++) {
      List<JoinKey> keys = views.get(v).keys();
      for (int k = 0; k < keys.size(); k++) {
        entityCols.add(
            "CAST(e."
                + ident(keys.get(k).name())
                + " AS "
                + Sql.duckType(keys.get(k).type())
                + ") AS "
                + ident(entityKey(v, k)));
      }
    }
    sql.append(ident("__fletch_e"))
        .append(" AS (SELECT ")
        .append(entityCols)
        .append(" FROM ")
        .append(ident(ENTITIES))
        .append(" AS e)");
    for (int v = 0; v < views.size(); v++) {
      ViewRelation view = views.get(v);
      if (view.aggregated()) {
        List<String> keyColumns = new ArrayList<>();
        for (int k = 0; k < view.keys().size(); k++) {
          keyColumns.add(entityKey(v, k));
        }
        sql.append(", ")
            .append(ident("__fletch_a" + v))
            .append(" AS (")
            .append(
                WindowSql.historical(
                    view,
                    WindowSql.events(view, view.inputs()),
                    ident("__fletch_e"),
                    keyColumns,
                    view.aggregations(),
                    view.inputs()))
            .append(")");
        continue;
      }
      sql.append(", ")
          .append(ident("__fletch_v" + v))
          .append(" AS (")
          .append(joinable(view))
          .append(")");
    }
    StringJoiner out = new StringJoiner(", ");
    for (int i = 0; i < entity.names().size(); i++) {
      String name = entity.names().get(i);
      out.add(
          i == tsIndex
              ? "timezone('UTC', e." + ident(ENTITY_TIME) + ") AS " + ident(name)
              : "e." + ident(name));
    }
    for (OutputFeature o : outputs) {
      out.add(o.sql() + " AS " + ident(o.outputName()));
    }
    sql.append(" SELECT ").append(out).append(" FROM ").append(ident("__fletch_e")).append(" AS e");
    for (int v = 0; v < views.size(); v++) {
      String alias = viewAlias(v);
      if (views.get(v).aggregated()) {
        sql.append(" LEFT JOIN ")
            .append(ident("__fletch_a" + v))
            .append(" AS ")
            .append(alias)
            .append(" ON ")
            .append(alias)
            .append(".")
            .append(ident(ROW))
            .append(" = e.")
            .append(ident(ROW));
        continue;
      }
      StringJoiner on = new StringJoiner(" AND ");
      for (int k = 0; k < views.get(v).keys().size(); k++) {
        on.add("e." + ident(entityKey(v, k)) + " = " + alias + "." + ident(key(k)));
      }
      on.add(
          views.get(v).hasCreated()
              ? "e." + ident(ENTITY_ORDER) + " >= " + alias + "." + ident(ORDER)
              : "e." + ident(ENTITY_TIME) + " >= " + alias + "." + ident(EVENT_TIME));
      sql.append(" ASOF LEFT JOIN ")
          .append(ident("__fletch_v" + v))
          .append(" AS ")
          .append(alias)
          .append(" ON ")
          .append(on);
    }
    sql.append(" ORDER BY e.").append(ident(ROW));
    return sql.toString();
  }

  private static String viewAlias(int v) {
    return "v" + v;
  }

  private static String entityKey(int view, int key) {
    return "__fletch_v" + view + "_k" + key;
  }

  /** A ttl in microseconds; empty for no ttl, or one so long that nothing can be older. */
  static Optional<Long> ttlMicros(Duration ttl) {
    if (ttl.isZero() || ttl.isNegative()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Windows.micros(ttl));
    } catch (ArithmeticException e) {
      return Optional.empty();
    }
  }

  private static String rangeFilter(int keyCount) {
    return rangeFilter(keyCount, false);
  }

  /**
   * Rows with event time in [?, ?] (epoch microseconds); with {@code lateRows}, also rows created
   * at or after the third parameter whose event time is at most the fourth (rows that arrived late,
   * with an event time before the range).
   */
  private static String rangeFilter(int keyCount, boolean lateRows) {
    StringJoiner where = new StringJoiner(" AND ");
    String inRange =
        ident(EVENT_TIME)
            + " BETWEEN make_timestamp(CAST(? AS BIGINT))"
            + " AND make_timestamp(CAST(? AS BIGINT))";
    if (lateRows) {
      inRange =
          "("
              + inRange
              + " OR ("
              + ident(CREATED_TIME)
              + " >= make_timestamp(CAST(? AS BIGINT)) AND "
              + ident(EVENT_TIME)
              + " <= make_timestamp(CAST(? AS BIGINT))))";
    }
    where.add(inRange);
    for (int i = 0; i < keyCount; i++) {
      where.add(ident(key(i)) + " IS NOT NULL");
    }
    return where.toString();
  }

  /**
   * The latest row per entity with event time in [?, ?] (epoch microseconds, both inclusive), ties
   * on event time broken by the greatest created time (a NULL created time loses). Columns: keys,
   * {@value #EVENT_MICROS}, then features in order, TIMESTAMP features as epoch microseconds.
   *
   * <p>An {@code arg_max} aggregate keeps one candidate per entity, so DuckDB's memory grows with
   * the number of entities, not of rows in the range (and it is several times faster than a
   * window).
   */
  static String latest(ViewRelation v) {
    return latest(v, false);
  }

  /**
   * {@link #latest(ViewRelation)}; with {@code lateRows}, over the rows of {@link #rangeFilter(int,
   * boolean)}: also those created at or after a third parameter with an event time at most a fourth
   * (the range end).
   */
  static String latest(ViewRelation v, boolean lateRows) {
    StringJoiner keys = new StringJoiner(", ");
    for (int i = 0; i < v.keys().size(); i++) {
      keys.add(ident(key(i)));
    }
    StringJoiner row = new StringJoiner(", ", "{", "}");
    row.add("'t': " + ident(EVENT_TIME));
    for (int f = 0; f < v.features().size(); f++) {
      row.add("'v" + f + "': " + ident(v.features().get(f).name()));
    }
    String newest =
        "{'t': "
            + ident(EVENT_TIME)
            + ", 'c': coalesce("
            + ident(CREATED_TIME)
            + ", TIMESTAMP '-infinity')}";
    StringJoiner cols = new StringJoiner(", ");
    cols.add(keys.toString());
    cols.add("epoch_us(m.t) AS " + ident(EVENT_MICROS));
    for (int f = 0; f < v.features().size(); f++) {
      Feature feature = v.features().get(f);
      String value = "m.v" + f;
      cols.add(feature.type() == ValueType.TIMESTAMP ? "epoch_us(" + value + ")" : value);
    }
    return "SELECT "
        + cols
        + " FROM (SELECT "
        + keys
        + ", arg_max("
        + row
        + ", "
        + newest
        + ") AS m FROM ("
        + v.sql()
        + ") AS v WHERE "
        + rangeFilter(v.keys().size(), lateRows)
        + " GROUP BY "
        + keys
        + ")";
  }

  /** How many entities have rows with event time in [?, ?] (epoch microseconds). */
  static String entityCount(ViewRelation v) {
    StringJoiner keys = new StringJoiner(", ");
    for (int i = 0; i < v.keys().size(); i++) {
      keys.add(ident(key(i)));
    }
    return "SELECT count(*) FROM (SELECT DISTINCT "
        + keys
        + " FROM ("
        + v.sql()
        + ") AS v WHERE "
        + rangeFilter(v.keys().size())
        + ")";
  }

  /**
   * Every distinct (join keys, event time) of a view's source in [?, ?], in time then key order:
   * the entity rows of a range retrieval. Keys keep their names; the time is named {@code
   * timestampColumn}.
   */
  static String viewRange(ViewRelation v, String timestampColumn) {
    StringJoiner cols = new StringJoiner(", ");
    StringJoiner order = new StringJoiner(", ");
    order.add(ident(timestampColumn));
    for (int i = 0; i < v.keys().size(); i++) {
      cols.add(ident(key(i)) + " AS " + ident(v.keys().get(i).name()));
      order.add(ident(v.keys().get(i).name()));
    }
    cols.add(ident(EVENT_TIME) + " AS " + ident(timestampColumn));
    return "SELECT DISTINCT "
        + cols
        + " FROM ("
        + v.sql()
        + ") AS v WHERE "
        + rangeFilter(v.keys().size())
        + " ORDER BY "
        + order;
  }
}
