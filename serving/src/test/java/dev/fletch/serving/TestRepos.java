package dev.fletch.serving;

import dev.fletch.core.DefinitionSource;
import dev.fletch.core.NotFoundException;
import dev.fletch.core.model.Entity;
import dev.fletch.core.model.EntityKey;
import dev.fletch.core.model.Feature;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.model.FeatureRow;
import dev.fletch.core.model.FeatureService;
import dev.fletch.core.model.FeatureView;
import dev.fletch.core.model.JoinKey;
import dev.fletch.core.model.Source;
import dev.fletch.core.model.SourceFormat;
import dev.fletch.core.model.ValueType;
import io.micrometer.core.instrument.Counter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** A small repository built in code, and a definition source whose version the test moves. */
final class TestRepos {
  private TestRepos() {}

  static FeatureView profile() {
    return new FeatureView(
        "customer_profile",
        List.of("customer"),
        "transactions",
        Duration.ofHours(1),
        true,
        List.of(
            new Feature("age", ValueType.INT32, null, null, null),
            new Feature("avg_amount", ValueType.DOUBLE, null, null, null),
            new Feature("tags", ValueType.STRING_LIST, null, null, null)),
        null,
        null,
        null,
        null);
  }

  static FeatureView merchantStats() {
    return new FeatureView(
        "merchant_stats",
        List.of("merchant"),
        "transactions",
        Duration.ZERO,
        true,
        List.of(
            new Feature("avg_amount", ValueType.DOUBLE, null, null, null),
            new Feature("country", ValueType.STRING, null, null, null)),
        null,
        null,
        null,
        null);
  }

  static FeatureRepo repo() {
    return new FeatureRepo(
        "payments",
        List.of(
            new Entity(
                "customer", List.of(new JoinKey("customer_id", ValueType.INT64)), null, null),
            new Entity(
                "merchant", List.of(new JoinKey("merchant_id", ValueType.STRING)), null, null)),
        List.of(
            new Source(
                "transactions",
                SourceFormat.PARQUET,
                "data/t.parquet",
                "event_ts",
                null,
                null,
                null)),
        List.of(profile(), merchantStats()),
        List.of(
            new FeatureService(
                "fraud_v1", List.of("customer_profile:age", "merchant_stats:*"), null, null, null)),
        null);
  }

  /** A DefinitionSource in memory: {@link #apply} bumps the version like the registry does. */
  static final class MemoryDefinitions implements DefinitionSource {
    private volatile FeatureRepo repo;
    private volatile long version;

    MemoryDefinitions(FeatureRepo repo) {
      apply(repo);
    }

    synchronized void apply(FeatureRepo next) {
      repo = next;
      version++;
    }

    @Override
    public long currentVersion(String project) {
      return repo != null && repo.project().equals(project) ? version : 0;
    }

    @Override
    public FeatureRepo load(String project) {
      if (currentVersion(project) == 0) {
        throw new NotFoundException("project", project);
      }
      return repo;
    }
  }

  /** A store in memory holding customer 1 of {@link #profile()} (age 31), stored at {@code at}. */
  static MemoryOnlineStore customerOne(Instant at) {
    MemoryOnlineStore store = new MemoryOnlineStore();
    store.write(
        "payments",
        profile(),
        List.of(new FeatureRow(EntityKey.of("customer_id", 1L), at, List.of(31, 12.5, List.of()))));
    return store;
  }

  /** GetFeatures calls a server counted as OK (over both transports). */
  static double okGetFeatures(FletchServer s) {
    return calls(s, "GetFeatures", "OK");
  }

  /** Calls of a method a server answered with this status (over both transports). */
  /** A GetFeatures call over gRPC answers customer 1's age from {@link #customerOne}. */
  static void assertServesCustomerOne(FletchServer server) {
    try (dev.fletch.serving.client.FletchClient client =
        dev.fletch.serving.client.FletchClient.builder()
            .target("127.0.0.1", server.grpcPort())
            .deadline(java.time.Duration.ofSeconds(5))
            .build()) {
      org.junit.jupiter.api.Assertions.assertEquals(
          31,
          client
              .getFeatures(
                  List.of("customer_profile:age"), java.util.Map.of("customer_id", List.of(1L)))
              .value("age", 0));
    }
  }

  static double calls(FletchServer s, String method, String status) {
    return s
        .metrics()
        .registry()
        .find("fletch.serving.requests")
        .tags("method", method, "status", status)
        .counters()
        .stream()
        .mapToDouble(Counter::count)
        .sum();
  }
}
