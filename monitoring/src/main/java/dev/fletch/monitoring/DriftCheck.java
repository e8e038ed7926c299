package dev.fletch.monitoring;

import static java.util.Objects.requireNonNull;

import dev.fletch.core.InvalidRequestException;
import dev.fletch.core.model.FeatureRef;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.model.FeatureView;
import dev.fletch.core.model.JoinKey;
import dev.fletch.core.model.Monitoring;
import dev.fletch.core.stats.ColumnKind;
import dev.fletch.monitoring.math.ChiSquare;
import dev.fletch.monitoring.math.JensenShannon;
import dev.fletch.monitoring.math.KolmogorovSmirnov;
import dev.fletch.monitoring.math.PopulationStability;
import dev.fletch.offline.ColumnComparison;
import dev.fletch.offline.ColumnComparison.Categorical;
import dev.fletch.offline.ColumnComparison.Numeric;
import dev.fletch.offline.DataSlice;
import dev.fletch.offline.OfflineStore;
import dev.fletch.offline.OfflineStore.ComparedColumn;
import dev.fletch.offline.OfflineStore.SliceColumn;
import dev.fletch.offline.TrainingSetMetadata;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Compares the current side of a feature's data with a reference side (a training set, a view's
 * source over a range, logged serving values) and says, per feature, how far it drifted and whether
 * a threshold was crossed: PSI and a Kolmogorov-Smirnov test for numbers, a chi-square test and the
 * Jensen-Shannon distance for categories, and the change of the null fraction for both. The engine
 * counts; this class matches columns, computes the measures and applies each view's thresholds.
 *
 * <p>{@link #run} is a plain function of its request: the CLI calls it once, a scheduler may call
 * it on a timer. Failures: {@link InvalidRequestException} for sides or features that cannot be
 * compared; the offline store's exceptions for unreadable data.
 */
public final class DriftCheck {
  private final OfflineStore offline;
  private final LoggedValues logged;

  public DriftCheck(OfflineStore offline, LoggedValues logged) {
    this.offline = requireNonNull(offline, "offline is null");
    this.logged = requireNonNull(logged, "logged is null");
  }

  /**
   * What to compare. {@code repo} (the applied definitions; may be null when both sides are files)
   * resolves view ranges and the thresholds of each feature's view; {@code features} names the
   * features to compare ({@code view:feature} or a column name), empty for every column both sides
   * have (except times, join keys and columns that are neither numbers nor categories).
   */
  public record Request(
      FeatureRepo repo, DriftSource reference, DriftSource current, List<String> features) {
    public Request {
      requireNonNull(reference, "reference is null");
      requireNonNull(current, "current is null");
      features = features == null ? List.of() : List.copyOf(features);
    }
  }

  /** Hears how the check goes (long work shows progress). */
  public interface Listener {
    void step(String message);

    Listener NONE = message -> {};
  }

  /** A side resolved to the rows the engine reads and what its columns hold. */
  private record Side(DriftSource source, DataSlice slice, List<Column> columns) {}

  /** A column of a side and the feature it holds ({@code ref} null when unknown). */
  private record Column(String name, ColumnKind kind, String type, FeatureRef ref) {}

  public DriftReport run(Request request, Listener listener) {
    requireNonNull(request, "request is null");
    Listener l = listener == null ? Listener.NONE : listener;
    FeatureRepo repo = request.repo();
    l.step("reading the columns of both sides");
    Side ref = side(repo, request.reference());
    Side cur = side(repo, request.current());
    List<DriftReport.Skipped> skipped = new ArrayList<>();
    List<Match> matches =
        request.features().isEmpty()
            ? allMatches(repo, ref, cur, skipped)
            : requested(repo, ref, cur, request.features());
    if (matches.isEmpty()) {
      throw new InvalidRequestException(
          "nothing to compare: "
              + ref.source().describe()
              + " and "
              + cur.source().describe()
              + " have no number or category column in common"
              + (skipped.isEmpty() ? "" : " (left out: " + describe(skipped) + ")"));
    }
    l.step("comparing " + matches.size() + (matches.size() == 1 ? " feature" : " features"));
    List<ComparedColumn> columns =
        matches.stream()
            .map(m -> new ComparedColumn(m.reference().name(), m.current().name(), m.kind()))
            .toList();
    List<ColumnComparison> counted =
        offline.compare(
            repo,
            ref.slice(),
            cur.slice(),
            columns,
            (column, index, total) ->
                l.step("  " + column + " (" + (index + 1) + " of " + total + ")"));
    List<FeatureDrift> out = new ArrayList<>(counted.size());
    for (int i = 0; i < counted.size(); i++) {
      Match m = matches.get(i);
      out.add(measure(m, thresholds(repo, m), counted.get(i)));
    }
    long refRows = counted.isEmpty() ? 0 : counted.get(0).referenceCounts().rows();
    long curRows = counted.isEmpty() ? 0 : counted.get(0).currentCounts().rows();
    return new DriftReport(
        ref.source().describe(), cur.source().describe(), refRows, curRows, out, skipped);
  }

  private static String describe(List<DriftReport.Skipped> skipped) {
    return String.join(
        ", ", skipped.stream().map(s -> s.column() + ": " + s.reason()).limit(10).toList());
  }

  // ---------------------------------------------------------------- sides and columns

  private Side side(FeatureRepo repo, DriftSource source) {
    if (source instanceof DriftSource.TrainingSet t) {
      DataSlice slice = new DataSlice.Files(t.file());
      Map<String, String> features = t.features().isEmpty() ? lineage(t) : t.features();
      return new Side(source, slice, columns(repo, slice, features, null));
    }
    if (source instanceof DriftSource.ViewRange v) {
      if (repo == null) {
        throw new InvalidRequestException(
            "comparing view '" + v.view() + "' needs the project's applied definitions");
      }
      FeatureView view = repo.view(v.view());
      DataSlice slice = new DataSlice.ViewRange(v.view(), v.start(), v.end());
      return new Side(source, slice, columns(repo, slice, Map.of(), view));
    }
    DriftSource.Logged g = (DriftSource.Logged) source;
    String project = repo == null ? null : repo.project();
    LoggedValues.Found found =
        logged
            .find(project, g.name(), g.start(), g.end())
            .orElseThrow(
                () ->
                    new InvalidRequestException(
                        "no logged serving values of '"
                            + g.name()
                            + "'"
                            + (project == null ? "" : " in project '" + project + "'")
                            + " between "
                            + g.start()
                            + " and "
                            + g.end()
                            + ": serving does not log the values it answers with yet; compare a"
                            + " training set or a view's range instead"));
    return new Side(source, found.slice(), columns(repo, found.slice(), found.features(), null));
  }

  /**
   * What a training set's own footer says each column holds (Fletch writes it into every Parquet
   * training set), so that a copied or moved one still matches by feature; empty for other files.
   */
  private Map<String, String> lineage(DriftSource.TrainingSet t) {
    java.nio.file.Path file = t.file();
    if (!java.nio.file.Files.isRegularFile(file)) {
      return Map.of();
    }
    try {
      return TrainingSetMetadata.featureRefs(offline.describeFile(file).metadata());
    } catch (dev.fletch.core.FletchException e) {
      return Map.of();
    }
  }

  /** A slice's columns and, where known, the feature each holds. */
  private List<Column> columns(
      FeatureRepo repo, DataSlice slice, Map<String, String> known, FeatureView view) {
    List<Column> out = new ArrayList<>();
    for (SliceColumn c : offline.columns(repo, slice)) {
      FeatureRef ref = null;
      if (view != null) {
        ref = new FeatureRef(view.name(), c.name());
      } else if (known.containsKey(c.name())) {
        ref = FeatureRef.parse(known.get(c.name()));
      } else if (repo != null) {
        ref = guess(repo, c.name()).orElse(null);
      }
      out.add(new Column(c.name(), c.kind(), c.type(), ref));
    }
    return out;
  }

  /**
   * The feature a column of unknown origin most likely holds: {@code view__feature} names one, a
   * plain name one when exactly one view has a feature of that name.
   */
  static Optional<FeatureRef> guess(FeatureRepo repo, String column) {
    int sep = column.indexOf("__");
    if (sep > 0) {
      Optional<FeatureView> v = repo.findView(column.substring(0, sep));
      String feature = column.substring(sep + 2);
      if (v.isPresent() && v.get().feature(feature).isPresent()) {
        return Optional.of(new FeatureRef(v.get().name(), feature));
      }
    }
    List<FeatureRef> found = new ArrayList<>();
    for (FeatureView v : repo.featureViews()) {
      if (v.feature(column).isPresent()) {
        found.add(new FeatureRef(v.name(), column));
      }
    }
    return found.size() == 1 ? Optional.of(found.get(0)) : Optional.empty();
  }

  // ---------------------------------------------------------------- matching

  /** A reference column and a current column that hold the same feature. */
  private record Match(Column reference, Column current, ColumnKind kind, FeatureRef ref) {
    String feature() {
      return ref != null ? ref.toString() : current.name();
    }
  }

  private static boolean same(Column a, Column b) {
    if (a.ref() != null && b.ref() != null) {
      return a.ref().equals(b.ref());
    }
    return names(a).stream().anyMatch(names(b)::contains);
  }

  /** What a column may be called on the other side: its name, and its feature's names. */
  private static Set<String> names(Column c) {
    Set<String> out = new HashSet<>();
    out.add(c.name().toLowerCase(Locale.ROOT));
    if (c.ref() != null) {
      out.add(c.ref().feature().toLowerCase(Locale.ROOT));
      out.add(c.ref().fullName().toLowerCase(Locale.ROOT));
    }
    return out;
  }

  private static boolean comparable(ColumnKind kind) {
    return kind == ColumnKind.NUMERIC || kind == ColumnKind.CATEGORICAL;
  }

  private static List<Match> allMatches(
      FeatureRepo repo, Side ref, Side cur, List<DriftReport.Skipped> skipped) {
    Set<String> joinKeys = new HashSet<>();
    if (repo != null) {
      repo.entities()
          .forEach(
              e ->
                  e.joinKeys().stream()
                      .map(JoinKey::name)
                      .forEach(k -> joinKeys.add(k.toLowerCase(Locale.ROOT))));
    }
    Map<String, Match> out = new LinkedHashMap<>();
    for (Column c : cur.columns()) {
      Optional<Column> r = ref.columns().stream().filter(x -> same(x, c)).findFirst();
      if (r.isEmpty()) {
        skipped.add(new DriftReport.Skipped(c.name(), "not in the reference"));
        continue;
      }
      if (c.ref() == null
          && r.get().ref() == null
          && joinKeys.contains(c.name().toLowerCase(Locale.ROOT))) {
        skipped.add(new DriftReport.Skipped(c.name(), "a join key"));
        continue;
      }
      if (!comparable(c.kind()) || !comparable(r.get().kind())) {
        ColumnKind k = comparable(c.kind()) ? r.get().kind() : c.kind();
        skipped.add(
            new DriftReport.Skipped(
                c.name(), k.name().toLowerCase(Locale.ROOT) + " values are not compared"));
        continue;
      }
      if (c.kind() != r.get().kind()) {
        skipped.add(
            new DriftReport.Skipped(
                c.name(),
                "a " + kindName(r.get()) + " in the reference, a " + kindName(c) + " now"));
        continue;
      }
      Match m = new Match(r.get(), c, c.kind(), c.ref() != null ? c.ref() : r.get().ref());
      out.putIfAbsent(m.feature(), m);
    }
    ref.columns().stream()
        .filter(r -> cur.columns().stream().noneMatch(c -> same(r, c)))
        .forEach(r -> skipped.add(new DriftReport.Skipped(r.name(), "not in the current side")));
    return new ArrayList<>(out.values());
  }

  private static String kindName(Column c) {
    return c.kind() == ColumnKind.NUMERIC
        ? "number (" + c.type() + ")"
        : "category (" + c.type() + ")";
  }

  private static List<Match> requested(
      FeatureRepo repo, Side ref, Side cur, List<String> features) {
    List<Match> out = new ArrayList<>();
    for (String wanted : features) {
      String w = wanted.trim();
      Column r = find(ref, w);
      Column c = find(cur, w);
      if (!comparable(c.kind()) || !comparable(r.kind())) {
        throw new InvalidRequestException(
            "feature '"
                + w
                + "' is not a number or a category ("
                + c.type()
                + "): it cannot be compared");
      }
      if (c.kind() != r.kind()) {
        throw new InvalidRequestException(
            "feature '"
                + w
                + "' is a "
                + kindName(r)
                + " in the reference but a "
                + kindName(c)
                + " now");
      }
      FeatureRef ref0 = c.ref() != null ? c.ref() : r.ref();
      if (ref0 == null && w.contains(":")) {
        ref0 = FeatureRef.parse(w);
      }
      out.add(new Match(r, c, c.kind(), ref0));
    }
    return out;
  }

  /** The column of a side that {@code wanted} (a column name or {@code view:feature}) names. */
  private static Column find(Side side, String wanted) {
    String w = wanted.toLowerCase(Locale.ROOT);
    FeatureRef asRef = null;
    if (wanted.contains(":")) {
      asRef = FeatureRef.parse(wanted);
    }
    for (Column c : side.columns()) {
      if (asRef != null && asRef.equals(c.ref())) {
        return c;
      }
    }
    for (Column c : side.columns()) {
      if (c.name().toLowerCase(Locale.ROOT).equals(w)
          || (asRef != null
              && c.ref() == null
              && (c.name().equalsIgnoreCase(asRef.feature())
                  || c.name().equalsIgnoreCase(asRef.fullName())))) {
        return c;
      }
    }
    throw new InvalidRequestException(
        side.source().describe()
            + " has no column for '"
            + wanted
            + "' (columns: "
            + side.columns().stream().map(Column::name).toList()
            + ")");
  }

  // ---------------------------------------------------------------- measures

  private static Monitoring thresholds(FeatureRepo repo, Match m) {
    if (repo == null || m.ref() == null) {
      return Monitoring.DEFAULTS;
    }
    return repo.findView(m.ref().view()).map(FeatureView::thresholds).orElse(Monitoring.DEFAULTS);
  }

  static FeatureDrift measure(Match m, Monitoring t, ColumnComparison c) {
    double nullDelta = c.currentCounts().nullFraction() - c.referenceCounts().nullFraction();
    List<String> crossed = new ArrayList<>();
    Double psi = null;
    Double ksD = null;
    Double ksP = null;
    String ksMethod = null;
    Double chi2 = null;
    Integer dof = null;
    Double chi2P = null;
    Double js = null;
    String note = null;
    if (c.distribution() instanceof Numeric n) {
      psi = PopulationStability.index(longs(n.reference()), longs(n.current()));
      ksD = n.ksStatistic();
      KolmogorovSmirnov.PValue p =
          KolmogorovSmirnov.pValue(
              Math.min(1, ksD), c.referenceCounts().values(), c.currentCounts().values());
      ksP = p.value();
      ksMethod = p.method().name().toLowerCase(Locale.ROOT);
      if (psi > t.psi()) {
        crossed.add(String.format(Locale.ROOT, "psi %.3f > %s", psi, fmt(t.psi())));
      }
      if (ksP < t.ksPvalue()) {
        crossed.add(String.format(Locale.ROOT, "ks_pvalue %.3g < %s", ksP, fmt(t.ksPvalue())));
      }
    } else if (c.distribution() instanceof Categorical k) {
      long[] r = withOther(k.reference(), k.referenceOther(), k.currentOther());
      long[] cur = withOther(k.current(), k.currentOther(), k.referenceOther());
      ChiSquare.Result test = ChiSquare.homogeneity(r, cur);
      chi2 = test.statistic();
      dof = test.degreesOfFreedom();
      chi2P = test.pValue();
      js = JensenShannon.distance(r, cur);
      if (chi2P < t.chi2Pvalue()) {
        crossed.add(
            String.format(Locale.ROOT, "chi2_pvalue %.3g < %s", chi2P, fmt(t.chi2Pvalue())));
      }
      if (js > t.jsDistance()) {
        crossed.add(String.format(Locale.ROOT, "js_distance %.3f > %s", js, fmt(t.jsDistance())));
      }
    } else {
      note =
          c.referenceCounts().values() == 0 && c.currentCounts().values() == 0
              ? "no values on either side"
              : c.referenceCounts().values() == 0 ? "no values in the reference" : "no values now";
    }
    if (Math.abs(nullDelta) > t.nullFractionDelta()) {
      crossed.add(
          String.format(
              Locale.ROOT,
              "null_fraction_delta %+.3f > %s",
              nullDelta,
              fmt(t.nullFractionDelta())));
    }
    return new FeatureDrift(
        m.feature(),
        m.ref() == null ? null : m.ref().view(),
        c.reference(),
        c.current(),
        m.kind(),
        c.referenceCounts(),
        c.currentCounts(),
        psi,
        ksD,
        ksP,
        ksMethod,
        chi2,
        dof,
        chi2P,
        js,
        nullDelta,
        t,
        crossed,
        note);
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%s", v).replaceAll("\\.0$", "");
  }

  private static long[] longs(List<Long> values) {
    return values.stream().mapToLong(Long::longValue).toArray();
  }

  /** The counts with the "other" bucket appended when either side has one. */
  private static long[] withOther(List<Long> counts, long other, long otherSide) {
    boolean any = other > 0 || otherSide > 0;
    long[] out = new long[counts.size() + (any ? 1 : 0)];
    for (int i = 0; i < counts.size(); i++) {
      out[i] = counts.get(i);
    }
    if (any) {
      out[counts.size()] = other;
    }
    return out;
  }
}
