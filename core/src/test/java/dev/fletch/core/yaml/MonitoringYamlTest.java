package dev.fletch.core.yaml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fletch.core.DefinitionJson;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.model.FeatureView;
import dev.fletch.core.model.ModelChecks;
import dev.fletch.core.model.Monitoring;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A view's monitoring thresholds: defaults, the full mapping, storage, and located mistakes. */
class MonitoringYamlTest {
  @TempDir Path dir;

  private static final String AFTER = "    tags: {tier: gold}\n";

  private RepoFiles repo(String monitoring) {
    return RepoFiles.valid(dir).edit("b_views.yaml", AFTER, AFTER + monitoring);
  }

  @Test
  void defaultsAreTheDocumentedOnes() {
    FeatureView v = RepoLoader.load(RepoFiles.valid(dir).root).view("customer_profile");
    assertNull(v.monitoring());
    Monitoring t = v.thresholds();
    assertEquals(0.2, t.psi());
    assertEquals(0.01, t.ksPvalue());
    assertEquals(0.01, t.chi2Pvalue());
    assertEquals(0.1, t.jsDistance());
    assertEquals(0.05, t.nullFractionDelta());
  }

  @Test
  void everyKeyIsReadAndOnlyWrittenOnesAreStored() {
    repo(
        "    monitoring: {psi: 0.1, ks_pvalue: 0.001, chi2_pvalue: 0.05, js_distance: 0.2,"
            + " null_fraction_delta: 0.02}\n");
    FeatureView v = RepoLoader.load(dir).view("customer_profile");
    assertEquals(new Monitoring(0.1, 0.001, 0.05, 0.2, 0.02), v.monitoring());
    assertEquals(v.monitoring(), v.thresholds());
    assertEquals(v, DefinitionJson.read(DefinitionJson.write(v), FeatureView.class));

    RepoFiles partial =
        RepoFiles.valid(dir)
            .edit("b_views.yaml", AFTER, AFTER + "    monitoring:\n      psi: 0.3\n");
    FeatureView p = RepoLoader.load(partial.root).view("customer_profile");
    assertEquals(new Monitoring(0.3, null, null, null, null), p.monitoring());
    assertEquals(new Monitoring(0.3, 0.01, 0.01, 0.1, 0.05), p.thresholds());
    String json = DefinitionJson.write(p);
    assertTrue(json.contains("\"monitoring\":{\"psi\":0.3}"), json);
  }

  @Test
  void aViewWithoutMonitoringIsStoredExactlyAsBefore() {
    FeatureView v = RepoLoader.load(RepoFiles.valid(dir).root).view("customer_profile");
    String json = DefinitionJson.write(v);
    assertFalse(json.contains("monitoring"), json);
    // The same view built with the constructor that predates thresholds: same bytes, same hash.
    FeatureView old =
        new FeatureView(
            v.name(),
            v.entities(),
            v.source(),
            v.ttl(),
            v.online(),
            v.features(),
            v.description(),
            v.owner(),
            v.tags(),
            v.schedule(),
            v.aggregations(),
            v.hop());
    assertEquals(DefinitionJson.contentHash(old), DefinitionJson.contentHash(v));
    // An empty mapping is no thresholds at all.
    RepoFiles empty =
        RepoFiles.valid(dir).edit("b_views.yaml", AFTER, AFTER + "    monitoring: {}\n");
    assertEquals(
        DefinitionJson.contentHash(v),
        DefinitionJson.contentHash(RepoLoader.load(empty.root).view("customer_profile")));
  }

  @Test
  void mistakesAreLocated() {
    RepoFiles f =
        repo(
            "    monitoring: {psi: -1, ks_pvalue: 2, js_distance: lots,"
                + " null_fraction_delta: 0.5, ks_p: 0.1}\n");
    f.expectProblem("b_views.yaml", "-1", "'psi' must be greater than 0, not -1.0");
    f.expectProblem("b_views.yaml", "2,", "'ks_pvalue' must be between 0 and 1, not 2.0");
    f.expectProblem("b_views.yaml", "lots", "'js_distance' must be a number, not 'lots'");
    f.expectProblem("b_views.yaml", "ks_p:", "unknown key 'ks_p'");
    RepoFiles g =
        RepoFiles.valid(dir).edit("b_views.yaml", AFTER, AFTER + "    monitoring: strict\n");
    g.expectProblem("b_views.yaml", "strict", "expected a mapping");
  }

  @Test
  void definitionsThatComeAnotherWayAreCheckedToo() {
    FeatureRepo repo = RepoLoader.load(RepoFiles.valid(dir).root);
    Monitoring bad = new Monitoring(0.0, 1.5, null, 3.0, null);
    List<FeatureView> views =
        repo.featureViews().stream()
            .map(v -> v.name().equals("customer_profile") ? v.withMonitoring(bad) : v)
            .toList();
    FeatureRepo given =
        new FeatureRepo(
            repo.project(),
            repo.entities(),
            repo.sources(),
            views,
            repo.featureServices(),
            repo.root());
    List<String> problems = new ArrayList<>();
    FeatureRepo checked = ModelChecks.check(given, problems::add);
    assertEquals(bad, checked.view("customer_profile").monitoring());
    assertEquals(
        List.of(
            "feature_views[customer_profile].monitoring.psi: must be greater than 0, not 0.0",
            "feature_views[customer_profile].monitoring.ks_pvalue: must be between 0 and 1, not"
                + " 1.5",
            "feature_views[customer_profile].monitoring.js_distance: must be greater than 0 and at"
                + " most 1, not 3.0"),
        problems);
  }
}
