package dev.fletch.serving;

import static java.util.Objects.requireNonNull;

import dev.fletch.core.BoundedCache;
import dev.fletch.core.InvalidRequestException;
import dev.fletch.core.ingest.RowShape;
import dev.fletch.core.model.Feature;
import dev.fletch.core.model.FeatureRef;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.model.FeatureView;
import dev.fletch.core.model.JoinKey;
import dev.fletch.core.window.TileLayout;
import dev.fletch.online.StreamTiles;
import dev.fletch.online.TileEntries;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One registry version of a project's definitions, with request plans cached: resolving refs and
 * finding join keys happens once per distinct request shape, not once per request.
 */
public final class ServingCatalog {
  /**
   * Bounds the plan cache; request shapes are few in practice, so a full cache is simply cleared.
   */
  private static final int MAX_PLANS = 1024;

  private final long version;
  private final FeatureRepo repo;
  private final BoundedCache<PlanKey, Plan> plans = new BoundedCache<>(MAX_PLANS);
  private final BoundedCache<String, RowShape> rowShapes = new BoundedCache<>(MAX_PLANS);

  private final java.util.Set<String> services;

  ServingCatalog(long version, FeatureRepo repo) {
    this.version = version;
    this.repo = requireNonNull(repo, "repo is null");
    this.services =
        repo.featureServices().stream()
            .map(dev.fletch.core.model.FeatureService::name)
            .collect(java.util.stream.Collectors.toUnmodifiableSet());
  }

  /** Whether this version defines the feature service (for metric labels: no unknown names). */
  public boolean hasService(String name) {
    return services.contains(name);
  }

  public long version() {
    return version;
  }

  public FeatureRepo repo() {
    return repo;
  }

  /**
   * One view to read: the view, its join keys (the EntityKey layout), what the store keeps it as
   * (an aggregated view: its tile entries) and, for an aggregated view, its tile layout and what
   * its streamed tiles are kept as.
   */
  public record ViewRead(
      FeatureView view,
      List<JoinKey> joinKeys,
      FeatureView stored,
      TileLayout tiles,
      FeatureView streamed) {
    ViewRead(FeatureView view, List<JoinKey> joinKeys) {
      this(
          view,
          joinKeys,
          view.aggregated() ? TileEntries.storageView(view) : view,
          view.aggregated() ? TileLayout.of(view) : null,
          view.aggregated() ? StreamTiles.storageView(view) : null);
    }
  }

  /** One output column: its name, ref, and where its value sits (view index, feature index). */
  public record OutputColumn(
      String name, FeatureRef ref, Feature feature, int viewIndex, int featureIndex) {}

  /** The resolved shape of a request. */
  public record Plan(List<ViewRead> views, List<OutputColumn> columns) {}

  private record PlanKey(List<String> features, String service, boolean fullNames) {}

  /**
   * The shape of rows pushed to {@code view} (one per view of this version, built once: a push
   * checks its rows against it); InvalidRequestException for a view that cannot take rows.
   */
  public RowShape rowShape(FeatureView view) {
    return rowShapes.get(view.name(), name -> RowShape.of(repo, view));
  }

  /**
   * Resolves refs (or a service) into a plan; NotFoundException / InvalidRequestException on bad
   * input.
   */
  public Plan plan(List<String> features, String service, boolean fullNames) {
    return plans.get(
        new PlanKey(features, service, fullNames),
        k -> build(k.features(), k.service(), k.fullNames()));
  }

  private Plan build(List<String> features, String service, boolean fullNames) {
    boolean hasFeatures = features != null && !features.isEmpty();
    if (hasFeatures == (service != null)) {
      throw new InvalidRequestException(
          hasFeatures
              ? "give either features or feature_service, not both"
              : "no features requested: give features (view:feature refs) or feature_service");
    }
    List<FeatureRef> refs = hasFeatures ? repo.resolve(features) : repo.resolveService(service);
    List<String> names = FeatureRepo.outputNames(refs, fullNames);
    Map<String, Integer> viewIndex = new LinkedHashMap<>();
    List<ViewRead> views = new ArrayList<>();
    Map<String, Map<String, Integer>> featureIndexes = new HashMap<>();
    List<OutputColumn> columns = new ArrayList<>(refs.size());
    for (int i = 0; i < refs.size(); i++) {
      FeatureRef ref = refs.get(i);
      FeatureView view = repo.view(ref.view());
      if (!view.online()) {
        throw new InvalidRequestException(
            "feature view '"
                + view.name()
                + "' is not online (online: false), so it cannot be served");
      }
      Integer vi = viewIndex.get(view.name());
      if (vi == null) {
        vi = views.size();
        viewIndex.put(view.name(), vi);
        views.add(new ViewRead(view, List.copyOf(repo.joinKeys(view))));
        Map<String, Integer> fi = new HashMap<>();
        for (int f = 0; f < view.features().size(); f++) {
          fi.put(view.features().get(f).name(), f);
        }
        featureIndexes.put(view.name(), fi);
      }
      int fi = featureIndexes.get(view.name()).get(ref.feature());
      columns.add(new OutputColumn(names.get(i), ref, view.features().get(fi), vi, fi));
    }
    return new Plan(List.copyOf(views), List.copyOf(columns));
  }
}
