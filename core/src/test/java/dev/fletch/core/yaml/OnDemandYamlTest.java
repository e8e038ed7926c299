package dev.fletch.core.yaml;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fletch.core.DefinitionJson;
import dev.fletch.core.model.FeatureRef;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.model.OnDemandFeatureView;
import dev.fletch.core.model.RequestField;
import dev.fletch.core.model.ValueType;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** On-demand feature views in YAML: what loads, and every mistake at its place. */
class OnDemandYamlTest {
  @TempDir Path dir;

  private static final String ODFV =
      """
      on_demand_feature_views:
        - name: txn_risk
          description: the payment being scored against the customer's profile
          request_fields:
            - {name: amount, type: DOUBLE}
            - {name: channel, type: STRING}
          views: [customer_profile]
          features:
            - {name: amount_vs_avg, type: DOUBLE, expression: "amount / nullif(customer_profile.avg_amount, 0)"}
            - {name: is_web, type: BOOL, expression: "lower(channel) = 'web'"}
        - name: txn_risk_2
          views: [txn_risk]
          request_fields: [{name: amount, type: DOUBLE}]
          features:
            - {name: doubled, type: DOUBLE, expression: "txn_risk.amount_vs_avg * 2"}
      feature_services:""";

  private RepoFiles repo(String odfvs) {
    return RepoFiles.valid(dir)
        .edit("b_views.yaml", "feature_services:", odfvs)
        .edit(
            "b_views.yaml",
            "merchant_stats:txn_count\"]",
            "merchant_stats:txn_count\", \"txn_risk:is_web\", \"txn_risk_2:*\"]");
  }

  @Test
  void onDemandViewsLoadAndServicesMayListThem() {
    repo(ODFV);
    FeatureRepo loaded = RepoLoader.load(dir);
    OnDemandFeatureView v = loaded.onDemandView("txn_risk");
    assertEquals(
        List.of(
            new RequestField("amount", ValueType.DOUBLE, null),
            new RequestField("channel", ValueType.STRING, null)),
        v.requestFields());
    assertEquals(List.of("customer_profile"), v.views());
    // Stored in canonical form, as feature view expressions are.
    assertEquals(
        "amount / nullif(customer_profile.avg_amount, 0)",
        v.feature("amount_vs_avg").orElseThrow().expression());
    assertEquals(
        List.of(
            new FeatureRef("customer_profile", "age"),
            new FeatureRef("customer_profile", "avg_amount"),
            new FeatureRef("customer_profile", "embedding"),
            new FeatureRef("merchant_stats", "txn_count"),
            new FeatureRef("txn_risk", "is_web"),
            new FeatureRef("txn_risk_2", "doubled")),
        loaded.resolveService("fraud_v1"));
    assertEquals(
        List.of("customer_profile"),
        loaded.baseViews(loaded.onDemandView("txn_risk_2")).stream()
            .map(dev.fletch.core.model.FeatureView::name)
            .toList());
    // The registry stores it as JSON and reads it back unchanged.
    assertEquals(v, DefinitionJson.read(DefinitionJson.write(v), OnDemandFeatureView.class));
  }

  @Test
  void mistakesAreLocated() {
    RepoFiles f =
        repo(
            """
      on_demand_feature_views:
        - name: txn_risk
          request_fields:
            - {name: amount, type: DOUBLE}
            - {name: amount, type: INT64}
          views: [customer_profil, merchant_stats]
          features:
            - {name: a, type: DOUBLE, expression: "amout * 2"}
            - {name: b, type: DOUBLE, expression: "merchant_stats.txn_cnt + 1"}
            - {name: c, type: DOUBLE, expression: "customer_profile.age + 1"}
            - {name: d, type: DOUBLE, expression: "read_csv('x')"}
            - {name: amount, type: DOUBLE, expression: "1"}
        - name: txn_risk_2
          features:
            - {name: doubled, type: DOUBLE}
        - name: customer_profile
          features: [{name: x, type: INT64, expression: "1"}]
        - name: loop_a
          views: [loop_b]
          features: [{name: x, type: INT64, expression: "loop_b.x"}]
        - name: loop_b
          views: [loop_a]
          features: [{name: x, type: INT64, expression: "loop_a.x"}]
      feature_services:""");
    f.expectProblem("b_views.yaml", "amount, type: INT64", "duplicate request field 'amount'");
    f.expectProblem(
        "b_views.yaml",
        "customer_profil,",
        "unknown feature view 'customer_profil' (did you mean 'customer_profile'?)");
    f.expectProblem("b_views.yaml", "amout", "reads 'amout', which is not a request field");
    f.expectProblem(
        "b_views.yaml", "merchant_stats.txn_cnt", "'merchant_stats' has no feature 'txn_cnt'");
    f.expectProblem(
        "b_views.yaml",
        "customer_profile.age",
        "'customer_profile' is not in the 'views' of 'txn_risk'");
    f.expectProblem("b_views.yaml", "read_csv", "uses read_csv(), which is not allowed");
    f.expectProblem(
        "b_views.yaml", "amount, type: DOUBLE, expression", 2, "has the name of a request field");
    f.expectProblem("b_views.yaml", "{name: doubled", "missing required key 'expression'");
    f.expectProblem("b_views.yaml", "customer_profile\n", 2, "a feature view has the same name");
    f.expectProblem(
        "b_views.yaml", "loop_a\n", "reads itself through its views: loop_a -> loop_b -> loop_a");
  }
}
