package dev.fletch.monitoring;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

/** One side of a drift check: what is compared with what. */
public sealed interface DriftSource {

  /** What the side is, for reports. */
  String describe();

  /**
   * A training set (or any Parquet, CSV or JSON-lines file, folder or glob). {@code features} maps
   * its columns to the features they hold ({@code view:feature}) where that is known (the registry
   * records it for the training sets Fletch writes): it picks each feature's thresholds and matches
   * columns named differently on the other side.
   */
  record TrainingSet(Path file, Map<String, String> features) implements DriftSource {
    public TrainingSet {
      requireNonNull(file, "file is null");
      features = features == null ? Map.of() : Map.copyOf(features);
    }

    public TrainingSet(Path file) {
      this(file, Map.of());
    }

    @Override
    public String describe() {
      return file.toString();
    }
  }

  /**
   * A view's source over [start, end]: its feature values for every source row in the range (for an
   * aggregated view, its window values at every event in the range).
   */
  record ViewRange(String view, Instant start, Instant end) implements DriftSource {
    public ViewRange {
      requireNonNull(view, "view is null");
      requireNonNull(start, "start is null");
      requireNonNull(end, "end is null");
    }

    @Override
    public String describe() {
      return view + ":" + start + ".." + end;
    }
  }

  /**
   * The values served for {@code name} (a feature service or a view) between start and end, as
   * serving logged them; found through {@link LoggedValues}.
   */
  record Logged(String name, Instant start, Instant end) implements DriftSource {
    public Logged {
      requireNonNull(name, "name is null");
      requireNonNull(start, "start is null");
      requireNonNull(end, "end is null");
    }

    @Override
    public String describe() {
      return "logged:" + name + ":" + start + ".." + end;
    }
  }
}
