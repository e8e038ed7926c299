package dev.fletch.core.model;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.fletch.core.InvalidRequestException;
import dev.fletch.core.NotFoundException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Every definition of one project. {@code root} is the folder the YAML was loaded from (null when
 * the definitions came from the registry); it is not part of the definitions and is never stored.
 */
public record FeatureRepo(
    String project,
    List<Entity> entities,
    List<Source> sources,
    List<FeatureView> featureViews,
    List<FeatureService> featureServices,
    @JsonIgnore Path root,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<OnDemandFeatureView> onDemandFeatureViews) {
  public FeatureRepo {
    requireNonNull(project, "project is null");
    entities = List.copyOf(requireNonNull(entities, "entities is null"));
    sources = List.copyOf(requireNonNull(sources, "sources is null"));
    featureViews = List.copyOf(requireNonNull(featureViews, "featureViews is null"));
    featureServices = List.copyOf(requireNonNull(featureServices, "featureServices is null"));
    onDemandFeatureViews =
        onDemandFeatureViews == null ? List.of() : List.copyOf(onDemandFeatureViews);
  }

  /** A repository without on-demand feature views. */
  public FeatureRepo(
      String project,
      List<Entity> entities,
      List<Source> sources,
      List<FeatureView> featureViews,
      List<FeatureService> featureServices,
      Path root) {
    this(project, entities, sources, featureViews, featureServices, root, List.of());
  }

  public FeatureRepo withRoot(Path newRoot) {
    return new FeatureRepo(
        project, entities, sources, featureViews, featureServices, newRoot, onDemandFeatureViews);
  }

  public Optional<Entity> findEntity(String name) {
    return entities.stream().filter(e -> e.name().equals(name)).findFirst();
  }

  public Optional<Source> findSource(String name) {
    return sources.stream().filter(s -> s.name().equals(name)).findFirst();
  }

  public Optional<FeatureView> findView(String name) {
    return featureViews.stream().filter(v -> v.name().equals(name)).findFirst();
  }

  public Optional<OnDemandFeatureView> findOnDemandView(String name) {
    return onDemandFeatureViews.stream().filter(v -> v.name().equals(name)).findFirst();
  }

  public Optional<FeatureService> findService(String name) {
    return featureServices.stream().filter(s -> s.name().equals(name)).findFirst();
  }

  public FeatureView view(String name) {
    return findView(name).orElseThrow(() -> new NotFoundException("feature view", name));
  }

  public OnDemandFeatureView onDemandView(String name) {
    return findOnDemandView(name)
        .orElseThrow(() -> new NotFoundException("on-demand feature view", name));
  }

  /**
   * The features of the feature view or on-demand feature view of that name (the two share one
   * namespace); NotFoundException when neither exists.
   */
  public List<Feature> featuresOf(String viewName) {
    Optional<FeatureView> view = findView(viewName);
    if (view.isPresent()) {
      return view.get().features();
    }
    return findOnDemandView(viewName)
        .map(OnDemandFeatureView::features)
        .orElseThrow(() -> new NotFoundException("feature view", viewName));
  }

  /** The feature a resolved reference names, in a feature view or an on-demand view. */
  public Feature feature(FeatureRef ref) {
    return featuresOf(ref.view()).stream()
        .filter(f -> f.name().equals(ref.feature()))
        .findFirst()
        .orElseThrow(() -> new NotFoundException("feature", ref.toString()));
  }

  /**
   * The feature views (plain or aggregated) whose features an on-demand view reads, directly or
   * through other on-demand views, each once, in the order first reached.
   */
  public List<FeatureView> baseViews(OnDemandFeatureView odfv) {
    Set<String> seen = new LinkedHashSet<>();
    List<FeatureView> out = new ArrayList<>();
    collectBaseViews(odfv, seen, out);
    return out;
  }

  private void collectBaseViews(OnDemandFeatureView odfv, Set<String> seen, List<FeatureView> out) {
    if (!seen.add(odfv.name())) {
      return;
    }
    for (String name : odfv.views()) {
      Optional<FeatureView> view = findView(name);
      if (view.isPresent()) {
        if (seen.add(name)) {
          out.add(view.get());
        }
      } else {
        findOnDemandView(name).ifPresent(o -> collectBaseViews(o, seen, out));
      }
    }
  }

  public Source source(String name) {
    return findSource(name).orElseThrow(() -> new NotFoundException("source", name));
  }

  public Entity entity(String name) {
    return findEntity(name).orElseThrow(() -> new NotFoundException("entity", name));
  }

  public FeatureService service(String name) {
    return findService(name).orElseThrow(() -> new NotFoundException("feature service", name));
  }

  /**
   * The join keys of a view: its entities in declared order, each entity's keys in declared order.
   */
  public List<JoinKey> joinKeys(FeatureView view) {
    List<JoinKey> keys = new ArrayList<>();
    for (String entityName : view.entities()) {
      keys.addAll(entity(entityName).joinKeys());
    }
    return keys;
  }

  /**
   * Expands feature references ({@code view:feature}, {@code view:*}) into concrete, de-duplicated
   * references in request order. Unknown views and features raise {@link NotFoundException}.
   */
  public List<FeatureRef> resolve(List<String> refs) {
    requireNonNull(refs, "refs is null");
    if (refs.isEmpty()) {
      throw new InvalidRequestException("no features requested");
    }
    Set<FeatureRef> out = new LinkedHashSet<>();
    for (String text : refs) {
      FeatureRef ref = FeatureRef.parse(text);
      List<Feature> features = featuresOf(ref.view());
      if (ref.isWildcard()) {
        features.forEach(f -> out.add(new FeatureRef(ref.view(), f.name())));
      } else if (features.stream().anyMatch(f -> f.name().equals(ref.feature()))) {
        out.add(ref);
      } else {
        throw new NotFoundException(
            "feature",
            ref.toString(),
            "view '" + ref.view() + "' has " + features.stream().map(Feature::name).toList());
      }
    }
    return List.copyOf(out);
  }

  /** The features of a feature service, expanded. */
  public List<FeatureRef> resolveService(String serviceName) {
    return resolve(service(serviceName).features());
  }

  /**
   * Output column names for resolved references: the bare feature name, or {@code view__feature}
   * when {@code fullNames} is set or when two references share a feature name.
   */
  public static List<String> outputNames(List<FeatureRef> refs, boolean fullNames) {
    Set<String> seen = new LinkedHashSet<>();
    Set<String> collisions = new LinkedHashSet<>();
    for (FeatureRef r : refs) {
      if (!seen.add(r.feature())) {
        collisions.add(r.feature());
      }
    }
    List<String> names = new ArrayList<>(refs.size());
    for (FeatureRef r : refs) {
      names.add(fullNames || collisions.contains(r.feature()) ? r.fullName() : r.feature());
    }
    return names;
  }
}
