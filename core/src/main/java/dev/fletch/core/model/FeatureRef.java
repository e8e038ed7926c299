package dev.fletch.core.model;

import static java.util.Objects.requireNonNull;

import dev.fletch.core.InvalidRequestException;

/** A reference to one feature of one view, written {@code view:feature}. */
public record FeatureRef(String view, String feature) {
  public FeatureRef {
    requireNonNull(view, "view is null");
    requireNonNull(feature, "feature is null");
  }

  /** Parses {@code view:feature} (or {@code view:*}, which callers expand through the repo). */
  public static FeatureRef parse(String text) {
    requireNonNull(text, "text is null");
    int colon = text.indexOf(':');
    if (colon <= 0 || colon == text.length() - 1 || text.indexOf(':', colon + 1) >= 0) {
      throw new InvalidRequestException(
          "bad feature reference '" + text + "': expected 'view:feature' or 'view:*'");
    }
    return new FeatureRef(text.substring(0, colon).trim(), text.substring(colon + 1).trim());
  }

  public boolean isWildcard() {
    return feature.equals("*");
  }

  /** The name the feature gets in an output when full names are used: {@code view__feature}. */
  public String fullName() {
    return view + "__" + feature;
  }

  @Override
  public String toString() {
    return view + ":" + feature;
  }
}
