package dev.fletch.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fletch.core.model.FeatureRef;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.model.FeatureView;
import dev.fletch.core.yaml.RepoLoader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PaymentsExampleTest {
  @TempDir Path dir;

  @Test
  void theExampleRepositoryLoadsAndHasWhatTheDocsPromise() {
    PaymentsExample.create(dir, PaymentsDataGenerator.Options.defaults());
    FeatureRepo repo = RepoLoader.load(dir);

    assertEquals(PaymentsExample.PROJECT, repo.project());
    assertEquals(
        List.of("customer", "merchant"), repo.entities().stream().map(e -> e.name()).toList());
    assertEquals(5, repo.sources().size());
    assertTrue(repo.view("customer_activity").aggregated(), "computed from raw transactions");
    assertEquals("data/transactions/*.parquet", repo.source("transactions").path());
    FeatureView pair = repo.view("customer_merchant");
    assertEquals(
        List.of("customer_id", "merchant_id"),
        repo.joinKeys(pair).stream().map(k -> k.name()).toList());
    assertTrue(repo.view("customer_merchant").feature("pair_is_new").orElseThrow().hasExpression());
    assertFalse(repo.view("customer_disputes").online());
    Set<Duration> ttls =
        repo.featureViews().stream().map(FeatureView::ttl).collect(Collectors.toSet());
    assertTrue(ttls.size() >= 4, "different ttls: " + ttls);
    assertEquals(Duration.ofDays(7), repo.view("merchant_risk").ttl());
    assertEquals(
        "chargeback_rate_30d",
        repo.source("merchant_daily_stats").fieldMapping().get("cb_rate_30d"));

    List<FeatureRef> service = repo.resolveService(PaymentsExample.SERVICE);
    assertEquals(15, service.size(), service.toString());
    // One on-demand feature, computed at request time from the amount being scored.
    assertTrue(
        service.contains(new FeatureRef("txn_risk", "amount_vs_avg_24h")), service.toString());
    assertEquals(
        List.of("customer_activity", "customer_profile"),
        repo.baseViews(repo.onDemandView("txn_risk")).stream().map(FeatureView::name).toList());
    // Every output name is the bare feature name: no collisions inside the service.
    assertEquals(
        service.stream().map(FeatureRef::feature).toList(),
        FeatureRepo.outputNames(service, false));
  }
}
