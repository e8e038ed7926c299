package dev.fletch.offline;

import static dev.fletch.offline.Sql.ident;

import dev.fletch.core.model.Aggregation;
import dev.fletch.core.model.Feature;
import dev.fletch.core.model.FeatureView;
import dev.fletch.core.window.TileLayout;
import dev.fletch.core.window.Windows;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The SQL of aggregated views: window aggregations over a view's source events, with the semantics
 * of {@link Windows} (events with event time in [floor_hop(t - w), t]).
 *
 * <p>Every microsecond value is a BIGINT and every window start integer arithmetic, so boundaries
 * are exact. With a created timestamp, rows with the same join keys and event time are versions of
 * one event: only the one created last counts (equal created times: the largest inputs).
 */
final class WindowSql {
  static final String INPUT = "__fletch_in";
  static final String ROW_US = "__fletch_t_us";

  private WindowSql() {}

  /** The distinct inputs of some aggregations (column or expression, with its declared type). */
  record Inputs(List<Feature> features, Map<String, String> aliasByKey) {
    String alias(Aggregation a) {
      return aliasByKey.get(TileLayout.inputKey(a));
    }
  }

  /**
   * One input column per distinct input of {@code aggregations} (in {@link TileLayout#inputs}
   * order), named {@code __fletch_in<i>}.
   */
  static Inputs inputs(List<Aggregation> aggregations) {
    List<Feature> features = new ArrayList<>();
    Map<String, String> aliases = new LinkedHashMap<>();
    for (Aggregation a : TileLayout.inputs(aggregations)) {
      String alias = INPUT + aliases.size();
      String expression =
          a.column() != null ? "\"" + a.column().replace("\"", "\"\"") + "\"" : a.expression();
      features.add(new Feature(alias, a.inputType(), expression, null, null));
      aliases.put(TileLayout.inputKey(a), alias);
    }
    return new Inputs(features, aliases);
  }

  /** The first microsecond of the window of {@code w} ending at {@code t} (a BIGINT SQL term). */
  static String windowStart(String t, long w, long h) {
    String shifted = "(" + t + " - CAST(" + w + " AS BIGINT))";
    return "(" + shifted + " - ((" + shifted + " % " + h + ") + " + h + ") % " + h + ")";
  }

  /**
   * The source events of an aggregated view, one version per event: {@code relation} plus {@code
   * __fletch_event_us}.
   */
  static String events(FeatureSql.ViewRelation relation, Inputs inputs) {
    String withMicros =
        "SELECT *, epoch_us("
            + ident(FeatureSql.EVENT_TIME)
            + ") AS "
            + ident(FeatureSql.EVENT_MICROS)
            + " FROM ("
            + relation.sql()
            + ") WHERE "
            + ident(FeatureSql.EVENT_TIME)
            + " IS NOT NULL";
    if (!relation.hasCreated()) {
      return withMicros;
    }
    StringJoiner partition = new StringJoiner(", ");
    for (int k = 0; k < relation.keys().size(); k++) {
      partition.add(ident(FeatureSql.key(k)));
    }
    partition.add(ident(FeatureSql.EVENT_MICROS));
    StringJoiner order = new StringJoiner(", ");
    order.add(ident(FeatureSql.CREATED_TIME) + " DESC NULLS LAST");
    for (Feature f : inputs.features()) {
      order.add(ident(f.name()) + " DESC NULLS LAST");
    }
    return "SELECT * FROM ("
        + withMicros
        + ") QUALIFY row_number() OVER (PARTITION BY "
        + partition
        + " ORDER BY "
        + order
        + ") = 1";
  }

  /**
   * The events of an aggregated view with event time in [?, ?] (epoch microseconds, both inclusive)
   * and every join key set, ordered by entity, then event time: the keys, the event and created
   * times in epoch microseconds, then the inputs (TIMESTAMP inputs as epoch microseconds).
   */
  static String eventScan(FeatureSql.ViewRelation relation, Inputs inputs) {
    StringJoiner keys = new StringJoiner(", ");
    StringJoiner where = new StringJoiner(" AND ");
    where.add(ident(FeatureSql.EVENT_MICROS) + " BETWEEN ? AND ?");
    for (int k = 0; k < relation.keys().size(); k++) {
      keys.add(ident(FeatureSql.key(k)));
      where.add(ident(FeatureSql.key(k)) + " IS NOT NULL");
    }
    StringJoiner cols = new StringJoiner(", ");
    cols.add(keys.toString());
    cols.add(ident(FeatureSql.EVENT_MICROS));
    cols.add("epoch_us(" + ident(FeatureSql.CREATED_TIME) + ")");
    for (Feature f : inputs.features()) {
      cols.add(
          f.type() == dev.fletch.core.model.ValueType.TIMESTAMP
              ? "epoch_us(" + ident(f.name()) + ")"
              : ident(f.name()));
    }
    return "SELECT "
        + cols
        + " FROM ("
        + events(relation, inputs)
        + ") WHERE "
        + where
        + " ORDER BY "
        + keys
        + ", "
        + ident(FeatureSql.EVENT_MICROS);
  }

  /**
   * One aggregate over the events {@code s} that pass {@code filter}, cast to the output type and
   * aliased by the aggregation's name.
   */
  static String aggregate(Aggregation a, Inputs inputs, String filter) {
    String in = a.countsEvents() ? null : "s." + ident(inputs.alias(a));
    String f = " FILTER (WHERE " + filter + ")";
    String value =
        switch (a.function()) {
          case COUNT -> (in == null ? "count(*)" : "count(" + in + ")") + f;
          case SUM -> "sum(" + in + ")" + f;
          case AVG -> "avg(" + in + ")" + f;
          case MIN -> "min(" + in + ")" + f;
          case MAX -> "max(" + in + ")" + f;
          case STDDEV -> "stddev_samp(" + in + ")" + f;
          case COUNT_DISTINCT -> "count(DISTINCT " + in + ")" + f;
          case LAST ->
              "arg_max("
                  + in
                  + ", {'t': s."
                  + ident(FeatureSql.EVENT_MICROS)
                  + ", 'c': coalesce(epoch_us(s."
                  + ident(FeatureSql.CREATED_TIME)
                  + "), CAST(-9223372036854775807 AS BIGINT)), 'v': "
                  + in
                  + "}) FILTER (WHERE "
                  + filter
                  + " AND "
                  + in
                  + " IS NOT NULL)";
        };
    return "CAST(" + value + " AS " + Sql.duckType(a.outputType()) + ") AS " + ident(a.name());
  }

  /**
   * Per entity row of {@code entities} (columns {@code __fletch_row}, {@code __fletch_t} and the
   * view's keys as {@code keyColumns}), the requested aggregations of the view at the row's time.
   * Rows without events in any window are absent (the caller reads count 0, NULL otherwise).
   */
  static String historical(
      FeatureSql.ViewRelation relation,
      String events,
      String entities,
      List<String> keyColumns,
      List<Aggregation> aggregations,
      Inputs inputs) {
    FeatureView view = relation.view();
    long h = Windows.micros(view.hop());
    long longest = aggregations.stream().mapToLong(a -> Windows.micros(a.window())).max().orElse(0);
    String t = "e." + ident(ROW_US);
    StringJoiner select = new StringJoiner(", ");
    select.add("e." + ident(FeatureSql.ROW) + " AS " + ident(FeatureSql.ROW));
    for (Aggregation a : aggregations) {
      String filter =
          "s."
              + ident(FeatureSql.EVENT_MICROS)
              + " >= "
              + windowStart(t, Windows.micros(a.window()), h);
      select.add(aggregate(a, inputs, filter));
    }
    StringJoiner on = new StringJoiner(" AND ");
    for (int k = 0; k < keyColumns.size(); k++) {
      on.add("e." + ident(keyColumns.get(k)) + " = s." + ident(FeatureSql.key(k)));
    }
    on.add("s." + ident(FeatureSql.EVENT_MICROS) + " <= " + t);
    on.add("s." + ident(FeatureSql.EVENT_MICROS) + " >= " + windowStart(t, longest, h));
    return "SELECT "
        + select
        + " FROM (SELECT *, epoch_us("
        + ident(FeatureSql.ENTITY_TIME)
        + ") AS "
        + ident(ROW_US)
        + " FROM "
        + entities
        + " WHERE "
        + ident(FeatureSql.ENTITY_TIME)
        + " IS NOT NULL) AS e JOIN ("
        + events
        + ") AS s ON "
        + on
        + " GROUP BY e."
        + ident(FeatureSql.ROW);
  }

  /** The output term of one aggregated feature in the final select ({@code a} the CTE's alias). */
  static String output(Aggregation a, String alias) {
    String value = alias + "." + ident(a.name());
    if (a.function().zeroWhenEmpty()) {
      return "CASE WHEN e."
          + ident(FeatureSql.ENTITY_TIME)
          + " IS NULL THEN NULL ELSE coalesce("
          + value
          + ", 0) END";
    }
    return value;
  }
}
