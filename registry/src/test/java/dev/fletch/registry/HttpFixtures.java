package dev.fletch.registry;

import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.model.ValueType;
import java.time.Duration;

/** Public doors to the package-private fixtures, for tests in other packages. */
public final class HttpFixtures {
  private HttpFixtures() {}

  public static FeatureRepo payments(String project) {
    return Fixtures.payments(project);
  }

  public static FeatureRepo longerTtl(FeatureRepo repo) {
    return Fixtures.withView(repo, v -> Fixtures.ttl(v, Duration.ofDays(90)));
  }

  public static FeatureRepo retypedAmount(FeatureRepo repo) {
    // INT32 -> STRING: stored values do not read as the new type (a widening would not break).
    return Fixtures.withView(repo, v -> Fixtures.retype(v, "amount", ValueType.STRING));
  }

  public static dev.fletch.core.stats.DatasetStats sampleStats(long rows, double mean) {
    return AbstractRegistryContract.sampleStats(rows, mean);
  }
}
