package dev.fletch.registry;

import dev.fletch.core.model.Entity;
import dev.fletch.core.model.Feature;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.model.FeatureService;
import dev.fletch.core.model.FeatureView;
import dev.fletch.core.model.JoinKey;
import dev.fletch.core.model.Source;
import dev.fletch.core.model.SourceFormat;
import dev.fletch.core.model.ValueType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/** A small payments repository and helpers to derive edited copies of it. */
final class Fixtures {
  private Fixtures() {}

  static FeatureRepo payments(String project) {
    Entity customer =
        new Entity(
            "customer",
            List.of(new JoinKey("customer_id", ValueType.INT64)),
            "a customer",
            Map.of());
    Source txns =
        new Source(
            "transactions",
            SourceFormat.PARQUET,
            "data/txns/*.parquet",
            "event_ts",
            "created_ts",
            Map.of(),
            "");
    FeatureView profile =
        new FeatureView(
            "customer_profile",
            List.of("customer"),
            "transactions",
            Duration.ofDays(30),
            true,
            List.of(
                new Feature("age", ValueType.INT32, null, "", Map.of()),
                new Feature("amount", ValueType.INT32, null, "", Map.of()),
                new Feature(
                    "avg_amount",
                    ValueType.DOUBLE,
                    "amount_sum / nullif(txn_count, 0)",
                    "",
                    Map.of())),
            "profile",
            "risk-team",
            Map.of("tier", "gold"),
            null);
    FeatureService fraud =
        new FeatureService(
            "fraud_v1",
            List.of("customer_profile:age", "customer_profile:amount"),
            "",
            "",
            Map.of());
    return new FeatureRepo(
        project, List.of(customer), List.of(txns), List.of(profile), List.of(fraud), null);
  }

  static FeatureRepo withView(FeatureRepo repo, UnaryOperator<FeatureView> edit) {
    List<FeatureView> views = new ArrayList<>();
    repo.featureViews().forEach(v -> views.add(edit.apply(v)));
    return new FeatureRepo(
        repo.project(), repo.entities(), repo.sources(), views, repo.featureServices(), null);
  }

  static FeatureRepo withServices(FeatureRepo repo, List<FeatureService> services) {
    return new FeatureRepo(
        repo.project(), repo.entities(), repo.sources(), repo.featureViews(), services, null);
  }

  static FeatureRepo withEntities(FeatureRepo repo, List<Entity> entities) {
    return new FeatureRepo(
        repo.project(),
        entities,
        repo.sources(),
        repo.featureViews(),
        repo.featureServices(),
        null);
  }

  static FeatureView ttl(FeatureView v, Duration ttl) {
    return new FeatureView(
        v.name(),
        v.entities(),
        v.source(),
        ttl,
        v.online(),
        v.features(),
        v.description(),
        v.owner(),
        v.tags(),
        v.schedule());
  }

  static FeatureView features(FeatureView v, List<Feature> features) {
    return new FeatureView(
        v.name(),
        v.entities(),
        v.source(),
        v.ttl(),
        v.online(),
        features,
        v.description(),
        v.owner(),
        v.tags(),
        v.schedule());
  }

  static FeatureView retype(FeatureView v, String feature, ValueType type) {
    List<Feature> fs = new ArrayList<>();
    for (Feature f : v.features()) {
      fs.add(
          f.name().equals(feature)
              ? new Feature(f.name(), type, f.expression(), f.description(), f.tags())
              : f);
    }
    return features(v, fs);
  }

  static FeatureView withoutFeature(FeatureView v, String feature) {
    return features(v, v.features().stream().filter(f -> !f.name().equals(feature)).toList());
  }
}
