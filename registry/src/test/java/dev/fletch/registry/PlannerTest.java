package dev.fletch.registry;

import static dev.fletch.registry.Fixtures.payments;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fletch.core.DefinitionJson;
import dev.fletch.core.model.Feature;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.model.FeatureView;
import dev.fletch.core.model.ValueType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The diff itself, without a database: field paths, renames, order, JSON form. */
class PlannerTest {
  private static Plan diff(FeatureRepo before, FeatureRepo after) {
    return Planner.plan(before.project(), 1, Planner.snapshot(before), after);
  }

  private static List<String> viewFields(Plan plan) {
    return plan.changes().stream()
        .filter(c -> c.kind() == ObjectKind.FEATURE_VIEW)
        .findFirst()
        .orElseThrow()
        .changedFields();
  }

  private static <T> List<T> reversed(List<T> list) {
    List<T> copy = new ArrayList<>(list);
    java.util.Collections.reverse(copy);
    return copy;
  }

  @Test
  void tagsAndDescriptionsAreReportedByPath() {
    FeatureRepo a = payments("p");
    FeatureRepo b =
        Fixtures.withView(
            a,
            v ->
                new FeatureView(
                    v.name(),
                    v.entities(),
                    v.source(),
                    java.time.Duration.ofHours(8),
                    false,
                    v.features(),
                    "new words",
                    v.owner(),
                    Map.of("tier", "silver", "team", "risk"),
                    v.schedule()));
    assertEquals(
        List.of(
            "description: profile -> new words",
            "online: true -> false",
            "tags.team: (none) -> risk",
            "tags.tier: gold -> silver",
            // Durations as the YAML writes them, not ISO-8601 (PT720H).
            "ttl: "
                + dev.fletch.core.Durations.format(
                    a.featureViews().stream()
                        .filter(x -> x.name().equals(b.featureViews().get(0).name()))
                        .findFirst()
                        .orElseThrow()
                        .ttl())
                + " -> 8h"),
        viewFields(diff(a, b)));
    assertFalse(diff(a, b).isBreaking());
  }

  @Test
  void thresholdsAddedToAViewAreListedKeyByKeyAndBreakNothing() {
    FeatureRepo a = Fixtures.payments("p");
    FeatureRepo b =
        Fixtures.withView(
            a,
            v ->
                v.withMonitoring(
                    new dev.fletch.core.model.Monitoring(0.5, 1e-4, null, null, null)));
    Plan plan = diff(a, b);
    assertEquals(
        List.of("monitoring.ks_pvalue: (none) -> 1.0E-4", "monitoring.psi: (none) -> 0.5"),
        viewFields(plan));
    assertFalse(plan.isBreaking());
    FeatureRepo c =
        Fixtures.withView(
            a,
            v ->
                v.withMonitoring(
                    new dev.fletch.core.model.Monitoring(0.3, 1e-4, null, null, null)));
    assertEquals(List.of("monitoring.psi: 0.5 -> 0.3"), viewFields(diff(b, c)));
  }

  @Test
  void renamedFeatureIsARemovalAndAnAddition() {
    FeatureRepo a = payments("p");
    FeatureRepo b =
        Fixtures.withView(
            a,
            v -> {
              List<Feature> fs = new ArrayList<>(v.features());
              fs.set(
                  2,
                  new Feature(
                      "mean_amount", ValueType.DOUBLE, fs.get(2).expression(), "", Map.of()));
              return Fixtures.features(v, fs);
            });
    assertEquals(
        List.of("features[avg_amount]: removed", "features[mean_amount]: added"),
        viewFields(diff(a, b)));
  }

  @Test
  void reorderedFeaturesAreAChangeOfOrderOnly() {
    FeatureRepo a = payments("p");
    FeatureRepo b = Fixtures.withView(a, v -> Fixtures.features(v, reversed(v.features())));
    assertEquals(
        List.of("features: order [age, amount, avg_amount] -> [avg_amount, amount, age]"),
        viewFields(diff(a, b)));
  }

  @Test
  void repositoryHashIgnoresDeclarationOrderOfObjects() {
    FeatureRepo a = payments("p");
    assertEquals(
        Planner.repoHash(Planner.snapshot(a)), Planner.repoHash(reversed(Planner.snapshot(a))));
  }

  @Test
  void planRoundTripsThroughJson() {
    FeatureRepo a = payments("p");
    Plan plan = diff(a, Fixtures.withView(a, v -> Fixtures.retype(v, "amount", ValueType.INT64)));
    String json = DefinitionJson.write(plan);
    assertTrue(json.contains("\"kind\":\"feature_view\""), json);
    assertEquals(plan, DefinitionJson.read(json, Plan.class));
  }
}
