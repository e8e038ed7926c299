package dev.fletch.registry;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.fletch.core.InvalidRequestException;
import dev.fletch.core.model.Entity;
import dev.fletch.core.model.FeatureService;
import dev.fletch.core.model.FeatureView;
import dev.fletch.core.model.OnDemandFeatureView;
import dev.fletch.core.model.Source;
import java.util.Arrays;
import java.util.Locale;

/** The kinds of definition the registry stores, in the order they are listed and planned. */
public enum ObjectKind {
  ENTITY("entity", "entities", Entity.class),
  SOURCE("source", "sources", Source.class),
  FEATURE_VIEW("feature_view", "feature-views", FeatureView.class),
  ON_DEMAND_FEATURE_VIEW(
      "on_demand_feature_view", "on-demand-feature-views", OnDemandFeatureView.class),
  FEATURE_SERVICE("feature_service", "feature-services", FeatureService.class);

  private final String label;
  private final String plural;
  private final Class<?> type;

  ObjectKind(String label, String plural, Class<?> type) {
    this.label = label;
    this.plural = plural;
    this.type = type;
  }

  /** The stored and displayed name: {@code entity}, {@code feature_view}, ... */
  @JsonValue
  public String label() {
    return label;
  }

  /**
   * The plural as used in URLs and on the command line: {@code entities}, {@code feature-views}.
   */
  public String plural() {
    return plural;
  }

  /** The model record this kind is stored as. */
  public Class<?> type() {
    return type;
  }

  /**
   * Parses a kind as a user writes it: singular or plural, with {@code -} or {@code _}, any case
   * ({@code feature-views}, {@code feature_view}, {@code FEATURE_VIEW}).
   */
  @JsonCreator
  public static ObjectKind parse(String text) {
    if (text != null) {
      String t = text.trim().toLowerCase(Locale.ROOT).replace('-', '_');
      for (ObjectKind k : values()) {
        if (t.equals(k.label) || t.equals(k.plural.replace('-', '_'))) {
          return k;
        }
      }
    }
    throw new InvalidRequestException(
        "unknown kind '"
            + text
            + "': expected one of "
            + Arrays.stream(values()).map(ObjectKind::plural).toList());
  }

  @Override
  public String toString() {
    return label;
  }
}
