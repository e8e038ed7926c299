package dev.fletch.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.fletch.core.DefinitionJson;
import dev.fletch.core.FletchException;
import dev.fletch.core.model.Entity;
import dev.fletch.core.model.Feature;
import dev.fletch.core.model.FeatureRef;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.model.FeatureService;
import dev.fletch.core.model.FeatureView;
import dev.fletch.core.model.JoinKey;
import dev.fletch.core.model.OnDemandFeatureView;
import dev.fletch.core.model.ValueType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Diffs a feature repository against a stored snapshot and finds the breaking changes. */
final class Planner {
  /**
   * One object of a snapshot: canonical JSON and its hash; {@code position} keeps declared order.
   */
  record Snap(ObjectKind kind, String name, int position, String hash, String json) {
    String key() {
      return kind.label() + "/" + name;
    }

    Object value() {
      return DefinitionJson.read(json, kind.type());
    }
  }

  private Planner() {}

  /** The objects of a repository in declared order: entities, sources, views, services. */
  static List<Snap> snapshot(FeatureRepo repo) {
    List<Snap> out = new ArrayList<>();
    add(out, ObjectKind.ENTITY, repo.entities(), Entity::name);
    add(out, ObjectKind.SOURCE, repo.sources(), s -> s.name());
    add(out, ObjectKind.FEATURE_VIEW, repo.featureViews(), FeatureView::name);
    add(
        out,
        ObjectKind.ON_DEMAND_FEATURE_VIEW,
        repo.onDemandFeatureViews(),
        OnDemandFeatureView::name);
    add(out, ObjectKind.FEATURE_SERVICE, repo.featureServices(), FeatureService::name);
    return out;
  }

  private static <T> void add(
      List<Snap> out,
      ObjectKind kind,
      List<T> objects,
      java.util.function.Function<T, String> name) {
    for (T o : objects) {
      String json = DefinitionJson.write(o);
      out.add(new Snap(kind, name.apply(o), out.size(), sha256(json), json));
    }
  }

  /** The hash of a whole repository: independent of the order objects are declared in. */
  static String repoHash(List<Snap> snaps) {
    StringBuilder sb = new StringBuilder();
    snaps.stream()
        .sorted(Comparator.comparing(Snap::kind).thenComparing(Snap::name))
        .forEach(s -> sb.append(s.key()).append('=').append(s.hash()).append('\n'));
    return sha256(sb.toString());
  }

  static String sha256(String text) {
    try {
      var digest = java.security.MessageDigest.getInstance("SHA-256");
      return java.util.HexFormat.of()
          .formatHex(digest.digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always available", e);
    }
  }

  static Plan plan(String project, long baseVersion, List<Snap> stored, FeatureRepo repo) {
    List<Snap> fresh = snapshot(repo);
    Map<String, Snap> before = index(stored);
    Map<String, Snap> after = index(fresh);

    List<FeatureService> storedServices = new ArrayList<>();
    for (Snap s : stored) {
      if (s.kind() == ObjectKind.FEATURE_SERVICE) {
        storedServices.add((FeatureService) s.value());
      }
    }

    List<Plan.Change> changes = new ArrayList<>();
    for (Snap now : fresh) {
      Snap was = before.get(now.key());
      if (was == null) {
        changes.add(
            change(
                now.kind(), now.name(), Plan.Action.ADDED, null, now.hash(), List.of(), List.of()));
      } else if (was.hash().equals(now.hash())) {
        changes.add(
            change(
                now.kind(),
                now.name(),
                Plan.Action.UNCHANGED,
                was.hash(),
                now.hash(),
                List.of(),
                List.of()));
      } else {
        List<String> fields = JsonDiff.diff(tree(was.json()), tree(now.json()));
        List<String> breaking =
            breakingChange(
                now.kind(),
                was.value(),
                DefinitionJson.read(now.json(), now.kind().type()),
                repo,
                storedServices);
        changes.add(
            change(
                now.kind(),
                now.name(),
                Plan.Action.CHANGED,
                was.hash(),
                now.hash(),
                fields,
                breaking));
      }
    }
    for (Snap was : stored) {
      if (!after.containsKey(was.key())) {
        List<String> breaking = List.of();
        if (was.kind() == ObjectKind.FEATURE_VIEW
            || was.kind() == ObjectKind.ON_DEMAND_FEATURE_VIEW) {
          breaking = usages(was.name(), null, repo.featureServices(), storedServices);
        }
        changes.add(
            change(
                was.kind(),
                was.name(),
                Plan.Action.REMOVED,
                was.hash(),
                null,
                List.of(),
                breaking));
      }
    }
    changes.sort(Comparator.comparing(Plan.Change::kind).thenComparing(Plan.Change::name));
    List<String> all = new ArrayList<>();
    changes.forEach(c -> all.addAll(c.breaking()));
    return new Plan(project, baseVersion, changes, all);
  }

  private static Plan.Change change(
      ObjectKind kind,
      String name,
      Plan.Action action,
      String oldHash,
      String newHash,
      List<String> fields,
      List<String> breaking) {
    return new Plan.Change(kind, name, action, oldHash, newHash, fields, breaking);
  }

  private static List<String> breakingChange(
      ObjectKind kind,
      Object before,
      Object after,
      FeatureRepo repo,
      List<FeatureService> storedServices) {
    List<String> reasons = new ArrayList<>();
    if (kind == ObjectKind.ENTITY) {
      Entity a = (Entity) before;
      Entity b = (Entity) after;
      if (!a.joinKeys().equals(b.joinKeys())) {
        reasons.add(
            "entity '"
                + a.name()
                + "': join keys changed "
                + keys(a.joinKeys())
                + " -> "
                + keys(b.joinKeys()));
      }
    } else if (kind == ObjectKind.FEATURE_VIEW) {
      FeatureView a = (FeatureView) before;
      FeatureView b = (FeatureView) after;
      if (!a.entities().equals(b.entities())) {
        reasons.add(
            "feature view '"
                + a.name()
                + "': entities changed "
                + a.entities()
                + " -> "
                + b.entities());
      }
      featureChanges(a.name(), a.features(), b.features(), repo, storedServices, reasons);
    } else if (kind == ObjectKind.ON_DEMAND_FEATURE_VIEW) {
      OnDemandFeatureView a = (OnDemandFeatureView) before;
      OnDemandFeatureView b = (OnDemandFeatureView) after;
      featureChanges(a.name(), a.features(), b.features(), repo, storedServices, reasons);
    }
    return reasons;
  }

  /** Removed features that a service uses, and type changes that stored values do not read as. */
  private static void featureChanges(
      String view,
      List<Feature> before,
      List<Feature> after,
      FeatureRepo repo,
      List<FeatureService> storedServices,
      List<String> reasons) {
    for (Feature f : before) {
      var now = after.stream().filter(n -> n.name().equals(f.name())).findFirst();
      if (now.isEmpty()) {
        reasons.addAll(usages(view, f.name(), repo.featureServices(), storedServices));
      } else if (now.get().type() != f.type() && !widens(f.type(), now.get().type())) {
        reasons.add(
            "feature view '"
                + view
                + "': feature '"
                + f.name()
                + "' changed type "
                + f.type()
                + " -> "
                + now.get().type());
      }
    }
  }

  /**
   * Whether values of {@code from} read as {@code to} without loss (what the online store's decoder
   * does for entries written before the change): INT32 to INT64, FLOAT to DOUBLE, and lists of
   * them.
   */
  static boolean widens(ValueType from, ValueType to) {
    if (from.isList() && to.isList()) {
      return widens(from.elementType(), to.elementType());
    }
    return (from == ValueType.INT32 && to == ValueType.INT64)
        || (from == ValueType.FLOAT && to == ValueType.DOUBLE);
  }

  /**
   * Reasons why removing a feature ({@code feature} null: the whole view) breaks a feature service
   * that still serves it after the apply: one of the new repository that names it, or one that
   * serves {@code view:*} now as its stored version did (its consumers received the feature and
   * would lose it without any change to the service). A service that the same apply changes to no
   * longer use it (a rename of the view or feature with the services updated), or removes, breaks
   * nothing here.
   */
  private static List<String> usages(
      String view,
      String feature,
      List<FeatureService> newServices,
      List<FeatureService> storedServices) {
    Set<String> users = new LinkedHashSet<>();
    collect(view, feature, newServices, false, users);
    if (feature != null) {
      Set<String> servedIt = new LinkedHashSet<>();
      collect(view, feature, storedServices, true, servedIt);
      for (FeatureService s : newServices) {
        if (servedIt.contains("'" + s.name() + "'") && servesWhole(s, view)) {
          users.add("'" + s.name() + "'");
        }
      }
    }
    String what =
        feature == null ? "feature view '" + view + "'" : "feature '" + view + ":" + feature + "'";
    List<String> reasons = new ArrayList<>();
    for (String user : users) {
      reasons.add(what + " removed but feature service " + user + " uses it");
    }
    return reasons;
  }

  /** Whether {@code service} lists {@code view:*}. */
  private static boolean servesWhole(FeatureService service, String view) {
    for (String text : service.features()) {
      try {
        FeatureRef ref = FeatureRef.parse(text);
        if (ref.view().equals(view) && ref.isWildcard()) {
          return true;
        }
      } catch (FletchException e) {
        // validation reports malformed references
      }
    }
    return false;
  }

  private static void collect(
      String view,
      String feature,
      List<FeatureService> services,
      boolean stored,
      Set<String> users) {
    for (FeatureService s : services) {
      for (String text : s.features()) {
        FeatureRef ref;
        try {
          ref = FeatureRef.parse(text);
        } catch (FletchException e) {
          continue; // validation reports malformed references; nothing to match here
        }
        boolean match =
            ref.view().equals(view)
                && (feature == null
                    || ref.feature().equals(feature)
                    || (stored && ref.isWildcard()));
        if (match) {
          users.add("'" + s.name() + "'");
          break;
        }
      }
    }
  }

  private static String keys(List<JoinKey> keys) {
    return keys.stream().map(k -> k.name() + " " + k.type()).toList().toString();
  }

  private static Map<String, Snap> index(List<Snap> snaps) {
    Map<String, Snap> map = new LinkedHashMap<>();
    snaps.forEach(s -> map.put(s.key(), s));
    return map;
  }

  private static com.fasterxml.jackson.databind.JsonNode tree(String json) {
    try {
      return DefinitionJson.mapper().readTree(json);
    } catch (JsonProcessingException e) {
      throw new FletchException("cannot read a stored definition: " + e.getOriginalMessage(), e);
    }
  }
}
