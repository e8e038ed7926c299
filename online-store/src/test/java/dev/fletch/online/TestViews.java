package dev.fletch.online;

import dev.fletch.core.model.Feature;
import dev.fletch.core.model.FeatureView;
import dev.fletch.core.model.ValueType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Feature views for the online store tests. */
final class TestViews {
  private TestViews() {}

  static Feature feature(String name, ValueType type) {
    return new Feature(name, type, null, null, null);
  }

  static FeatureView view(String name, Duration ttl, List<Feature> features) {
    return new FeatureView(
        name, List.of("customer"), "src", ttl, true, features, null, null, null, null);
  }

  /** One feature per value type, named after the type in lower case. */
  static FeatureView everyType(String name) {
    List<Feature> features = new ArrayList<>();
    for (ValueType t : ValueType.values()) {
      features.add(feature(t.name().toLowerCase(java.util.Locale.ROOT), t));
    }
    return view(name, Duration.ZERO, features);
  }
}
