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
import dev.fletch.core.model.OnDemandFeatureView;
import dev.fletch.core.model.RequestField;
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

  /**
   * One column read from the store: its name, ref, and where its value sits (view index, feature
   * index). A column only on-demand features read (not asked for) has a null name.
   */
  public record OutputColumn(
      String name, FeatureRef ref, Feature feature, int viewIndex, int featureIndex) {}

  /**
   * Where an on-demand expression's input comes from: a read column, a request field, or another
   * on-demand column.
   */
  public enum InputKind {
    READ,
    REQUEST,
    COMPUTED
  }

  /**
   * One input of an on-demand expression: its kind and index among the plan's columns of that kind.
   */
  public record Input(InputKind kind, int index) {}

  /**
   * A request field the caller sends in {@code entities}, with the on-demand view that needs it.
   */
  public record RequestInput(RequestField field, String odfv) {}

  /**
   * One on-demand feature computed after the reads: {@code inputs} in the order {@code feature}'s
   * compiled expression takes them. A column only other on-demand features read has a null name.
   */
  public record OnDemandColumn(
      String name,
      FeatureRef ref,
      Feature feature,
      OnDemandFeatures.Compiled compiled,
      List<Input> inputs) {}

  /**
   * The resolved shape of a request: the views to read, the columns read from them, the request
   * fields and on-demand columns computed after the reads (in dependency order), and the answer's
   * columns in request order ({@code output}: indexes into the read columns, then the on-demand
   * ones).
   */
  public record Plan(
      List<ViewRead> views,
      List<OutputColumn> columns,
      List<RequestInput> requestFields,
      List<OnDemandColumn> onDemand,
      int[] output) {
    /** A plan of read columns only, all of them in the answer. */
    Plan(List<ViewRead> views, List<OutputColumn> columns) {
      this(
          views,
          columns,
          List.of(),
          List.of(),
          java.util.stream.IntStream.range(0, columns.size()).toArray());
    }

    /** The number of columns in the answer. */
    public int outputSize() {
      return output.length;
    }
  }

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
    PlanBuilder b = new PlanBuilder();
    int[] output = new int[refs.size()];
    List<Integer> computedOutputs = new ArrayList<>();
    for (int i = 0; i < refs.size(); i++) {
      FeatureRef ref = refs.get(i);
      if (repo.findOnDemandView(ref.view()).isPresent()) {
        output[i] = b.computed(ref, names.get(i));
        computedOutputs.add(i);
      } else {
        output[i] = b.read(ref, names.get(i));
      }
    }
    // On-demand columns are numbered after the read ones, whose count is known only now.
    for (int i : computedOutputs) {
      output[i] += b.columns.size();
    }
    return new Plan(
        List.copyOf(b.views),
        List.copyOf(b.columns),
        List.copyOf(b.requestFields),
        List.copyOf(b.onDemand),
        output);
  }

  /** Collects a plan's reads and on-demand columns, each once. */
  private final class PlanBuilder {
    final Map<String, Integer> viewIndex = new LinkedHashMap<>();
    final List<ViewRead> views = new ArrayList<>();
    final Map<String, Map<String, Integer>> featureIndexes = new HashMap<>();
    final List<OutputColumn> columns = new ArrayList<>();
    final Map<FeatureRef, Integer> readIndex = new HashMap<>();
    final List<RequestInput> requestFields = new ArrayList<>();
    final Map<String, Integer> requestIndex = new HashMap<>();
    final List<OnDemandColumn> onDemand = new ArrayList<>();
    final Map<FeatureRef, Integer> computedIndex = new HashMap<>();

    /** The read column of a view feature (added once; named when asked for). */
    int read(FeatureRef ref, String name) {
      Integer known = readIndex.get(ref);
      if (known != null) {
        if (name != null && columns.get(known).name() == null) {
          OutputColumn c = columns.get(known);
          columns.set(
              known, new OutputColumn(name, c.ref(), c.feature(), c.viewIndex(), c.featureIndex()));
        }
        return known;
      }
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
      columns.add(new OutputColumn(name, ref, view.features().get(fi), vi, fi));
      readIndex.put(ref, columns.size() - 1);
      return columns.size() - 1;
    }

    /** The on-demand column of {@code ref}, after the columns it reads (added once). */
    int computed(FeatureRef ref, String name) {
      Integer known = computedIndex.get(ref);
      if (known != null) {
        if (name != null && onDemand.get(known).name() == null) {
          OnDemandColumn c = onDemand.get(known);
          onDemand.set(
              known, new OnDemandColumn(name, c.ref(), c.feature(), c.compiled(), c.inputs()));
        }
        return known;
      }
      OnDemandFeatureView odfv = repo.onDemandView(ref.view());
      OnDemandFeatures.Compiled compiled = OnDemandFeatures.compile(repo, ref);
      List<Input> inputs = new ArrayList<>();
      for (OnDemandFeatures.Slot slot : compiled.slots()) {
        if (slot.view() == null) {
          RequestField field = odfv.requestField(slot.name()).orElseThrow();
          Integer k = requestIndex.get(field.name());
          if (k == null) {
            k = requestFields.size();
            requestFields.add(new RequestInput(field, odfv.name()));
            requestIndex.put(field.name(), k);
          } else if (requestFields.get(k).field().type() != field.type()) {
            throw new InvalidRequestException(
                "request field '"
                    + field.name()
                    + "' is "
                    + requestFields.get(k).field().type()
                    + " in on-demand feature view '"
                    + requestFields.get(k).odfv()
                    + "' but "
                    + field.type()
                    + " in '"
                    + odfv.name()
                    + "': one request cannot send both");
          }
          inputs.add(new Input(InputKind.REQUEST, k));
        } else {
          FeatureRef input = new FeatureRef(slot.view(), slot.name());
          inputs.add(
              repo.findOnDemandView(slot.view()).isPresent()
                  ? new Input(InputKind.COMPUTED, computed(input, null))
                  : new Input(InputKind.READ, read(input, null)));
        }
      }
      onDemand.add(new OnDemandColumn(name, ref, repo.feature(ref), compiled, List.copyOf(inputs)));
      computedIndex.put(ref, onDemand.size() - 1);
      return onDemand.size() - 1;
    }
  }
}
