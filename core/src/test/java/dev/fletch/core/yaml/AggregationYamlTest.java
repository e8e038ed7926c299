package dev.fletch.core.yaml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fletch.core.DefinitionJson;
import dev.fletch.core.model.Aggregation;
import dev.fletch.core.model.AggregationFunction;
import dev.fletch.core.model.Feature;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.model.FeatureView;
import dev.fletch.core.model.ValueType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Aggregated views in YAML: names, types and hop as documented, every mistake located. */
class AggregationYamlTest {
  @TempDir Path dir;

  private static final String AGGREGATED =
      """
        - name: customer_txn
          entities: [customer]
          source: transactions
          aggregations:
            - {column: amount, function: sum, windows: [1h, 24h, 7d]}
            - {column: amount, function: avg, windows: [24h]}
            - {function: count, windows: [1h]}
            - {column: txn_count, function: max, type: INT64, windows: [24h]}
            - {expression: "amount * 2", function: last, name: doubled_last, windows: [7d]}
            - {column: merchant_id, function: count_distinct, type: STRING, windows: [24h]}
      feature_services:""";

  private RepoFiles repo(String aggregations) {
    return RepoFiles.valid(dir)
        .edit("b_views.yaml", "feature_services:", aggregations.replace("AGG", ""));
  }

  @Test
  void anAggregatedViewLoadsWithDerivedFeatures() {
    repo(AGGREGATED);
    FeatureRepo loaded = RepoLoader.load(dir);
    FeatureView v = loaded.view("customer_txn");
    assertTrue(v.aggregated());
    assertEquals(Duration.ofHours(1), v.hop(), "default hop: gcd of the windows and 1h");
    assertEquals(
        List.of(
            "amount_sum_1h",
            "amount_sum_24h",
            "amount_sum_7d",
            "amount_avg_24h",
            "count_1h",
            "txn_count_max_24h",
            "doubled_last",
            "merchant_id_count_distinct_24h"),
        v.features().stream().map(Feature::name).toList());
    assertEquals(
        List.of(
            ValueType.DOUBLE,
            ValueType.DOUBLE,
            ValueType.DOUBLE,
            ValueType.DOUBLE,
            ValueType.INT64,
            ValueType.INT64,
            ValueType.DOUBLE,
            ValueType.INT64),
        v.features().stream().map(Feature::type).toList());
    Aggregation last = v.aggregation("doubled_last").orElseThrow();
    assertEquals(AggregationFunction.LAST, last.function());
    assertEquals("amount * 2", last.expression());
    assertEquals(Duration.ofDays(7), v.longestWindow());
    // Stored and read back as the registry does; a plain view's JSON has no aggregation keys.
    String json = DefinitionJson.write(v);
    assertEquals(v, DefinitionJson.read(json, FeatureView.class));
    String plain = DefinitionJson.write(loaded.view("merchant_stats"));
    assertTrue(!plain.contains("aggregations") && !plain.contains("hop"), plain);
  }

  @Test
  void defaultHopIsTheCommonDivisor() {
    repo(
        """
        - name: short
          entities: [customer]
          source: transactions
          aggregations:
            - {column: amount, function: sum, windows: [5m, 90m]}
      feature_services:""");
    assertEquals(Duration.ofMinutes(5), RepoLoader.load(dir).view("short").hop());
  }

  @Test
  void mistakesAreLocated() {
    RepoFiles f =
        repo(
            """
        - name: bad_txn
          entities: [customer]
          source: transactions
          hop: 2h
          lateness: 1h
          aggregations:
            - {column: amount, function: summ, windows: [24h]}
            - {column: amount, function: sum, windows: [3h]}
            - {column: amount, function: avg, windows: [0h]}
            - {column: merchant_id, function: sum, type: STRING, windows: [24h]}
            - {column: amount, function: max, name: top, windows: [2h, 4h]}
            - {expression: "amount + 1", function: sum, windows: [2h]}
            - {function: avg, windows: [2h]}
            - {column: amount, function: min, windows: [2h, 2h]}
            - {column: amount, function: count_distinct, windows: [4h]}
      feature_services:""");
    f.expectProblem(
        "b_views.yaml", "summ", "unknown aggregation function 'summ' (did you mean 'sum'?)");
    f.expectProblem("b_views.yaml", "3h", "window 3h is not a multiple of the hop 2h");
    f.expectProblem("b_views.yaml", "lateness", "an aggregated view has no 'lateness'");
    f.expectProblem("b_views.yaml", "0h", "window '0h' must be longer than 0");
    f.expectProblem("b_views.yaml", "STRING", "'sum' cannot aggregate STRING");
    f.expectProblem("b_views.yaml", "top", "'name' names one feature");
    f.expectProblem(
        "b_views.yaml",
        "{expression: \"amount + 1\"",
        "an aggregation of an expression needs a 'name'");
    f.expectProblem("b_views.yaml", "{function: avg", "'avg' needs a 'column' or an 'expression'");
    f.expectProblem("b_views.yaml", "2h]}", 3, "duplicate window '2h'");
    f.expectProblem(
        "b_views.yaml",
        "function: count_distinct, windows: [4h]",
        "'count_distinct' cannot aggregate DOUBLE (the default input type; set 'type'): it takes"
            + " integers, STRING, BOOL or TIMESTAMP");
  }

  @Test
  void featuresAndAggregationsDoNotMix() {
    RepoFiles f =
        repo(
            """
        - name: mixed
          entities: [customer]
          source: transactions
          ttl: 1d
          features:
            - {name: age, type: INT32}
          aggregations:
            - {column: amount, function: sum, windows: [1h]}
      feature_services:""");
    f.expectProblem("b_views.yaml", "features:\n      - {name: age", 2, "either 'features'");
    f.expectProblem("b_views.yaml", "1d\n    features", "an aggregated view has no 'ttl'");
  }
}
