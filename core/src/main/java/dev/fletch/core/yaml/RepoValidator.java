package dev.fletch.core.yaml;

import dev.fletch.core.InvalidRequestException;
import dev.fletch.core.expr.ExpressionException;
import dev.fletch.core.model.Entity;
import dev.fletch.core.model.Feature;
import dev.fletch.core.model.FeatureRef;
import dev.fletch.core.model.JoinKey;
import dev.fletch.core.model.OnDemandChecks;
import dev.fletch.core.model.OnDemandFeatureView;
import dev.fletch.core.model.Source;
import dev.fletch.core.settings.OfflineSettings;
import dev.fletch.core.yaml.Defs.FeatureDef;
import dev.fletch.core.yaml.Defs.OnDemandDef;
import dev.fletch.core.yaml.Defs.OnDemandFeatureDef;
import dev.fletch.core.yaml.Defs.ServiceDef;
import dev.fletch.core.yaml.Defs.SourceDef;
import dev.fletch.core.yaml.Defs.ViewDef;
import dev.fletch.core.yaml.MappingReader.Located;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The checks that span objects: project count, references, name clashes, source paths. */
final class RepoValidator {
  private final Defs defs;
  private final Problems problems;
  private final Path root;
  private final boolean checkSourcePaths;
  private final OfflineSettings offline;

  RepoValidator(
      Defs defs, Problems problems, Path root, boolean checkSourcePaths, OfflineSettings offline) {
    this.defs = defs;
    this.problems = problems;
    this.root = root;
    this.checkSourcePaths = checkSourcePaths;
    this.offline = offline;
  }

  void validate(Loc repoAt) {
    checkProject(repoAt);
    defs.sources.values().forEach(this::checkSourcePath);
    defs.views.values().forEach(this::checkView);
    defs.onDemandViews.values().forEach(this::checkOnDemandView);
    checkOnDemandCycles();
    defs.services.values().forEach(this::checkService);
  }

  private void checkProject(Loc repoAt) {
    if (defs.projects.isEmpty()) {
      problems.add(
          repoAt, "no 'project: NAME' in any file: exactly one file must name the project");
    }
    for (int i = 1; i < defs.projects.size(); i++) {
      Defs.Project p = defs.projects.get(i);
      problems.add(
          p.at(),
          "more than one 'project' (also '"
              + defs.projects.get(0).name()
              + "' at "
              + defs.projects.get(0).at()
              + "): a repository holds exactly one project");
    }
  }

  private void checkSourcePath(SourceDef def) {
    Source s = def.source();
    if (s == null) {
      return;
    }
    // Where a source may read is checked even where its data is not expected to be present.
    String confinement = offline.sourcePathProblem(root, s.path());
    if (confinement != null) {
      def.fields().problem(def.fields().valueAt("path"), confinement);
      return;
    }
    if (!checkSourcePaths) {
      return;
    }
    if (!SourcePaths.isLocal(s.path())) {
      return; // object storage (s3://, gs://, https://) is checked by the engine when it reads
    }
    if (!SourcePaths.matchesAnyFile(root, s.path())) {
      def.fields()
          .problem(
              def.fields().valueAt("path"),
              "path '"
                  + s.path()
                  + "' matches no file (paths are relative to the repository root "
                  + root
                  + ")");
    }
  }

  private void checkView(ViewDef def) {
    String what = "feature view '" + def.name() + "'";
    Map<String, String> keyOwner = new LinkedHashMap<>();
    boolean entitiesComplete = true;
    Map<String, Loc> listed = new HashMap<>();
    for (Located e : def.entities()) {
      Loc before = listed.putIfAbsent(e.value(), e.at());
      if (before != null) {
        problems.add(
            e.at(), what + ": entity '" + e.value() + "' is listed twice (also at " + before + ")");
        continue;
      }
      if (!defs.entities.containsKey(e.value())) {
        problems.add(
            e.at(),
            what
                + ": unknown entity '"
                + e.value()
                + "'"
                + Names.suggestion(e.value(), defs.entities.keySet()));
        entitiesComplete = false;
        continue;
      }
      Entity entity = defs.entities.get(e.value()).entity();
      if (entity == null) {
        entitiesComplete = false;
        continue;
      }
      for (JoinKey k : entity.joinKeys()) {
        String other = keyOwner.putIfAbsent(k.name(), entity.name());
        if (other != null && !other.equals(entity.name())) {
          problems.add(
              e.at(),
              what
                  + ": entities '"
                  + other
                  + "' and '"
                  + entity.name()
                  + "' share the join key name '"
                  + k.name()
                  + "'");
        }
      }
    }
    Source source = null;
    Located ref = def.source();
    if (ref != null) {
      SourceDef sd = defs.sources.get(ref.value());
      if (sd == null) {
        problems.add(
            ref.at(),
            what
                + ": unknown source '"
                + ref.value()
                + "'"
                + Names.suggestion(ref.value(), defs.sources.keySet()));
      } else {
        source = sd.source();
      }
    }
    for (FeatureDef f : def.features()) {
      if (entitiesComplete && keyOwner.containsKey(f.name())) {
        problems.add(
            f.at(),
            what
                + ": feature '"
                + f.name()
                + "' has the name of a join key of entity '"
                + keyOwner.get(f.name())
                + "'");
      }
      if (source != null
          && (f.name().equals(source.timestampField())
              || f.name().equals(source.createdTimestampField()))) {
        problems.add(
            f.at(),
            what
                + ": feature '"
                + f.name()
                + "' has the name of a timestamp field of source '"
                + source.name()
                + "'");
      }
    }
  }

  /** The features of a feature view or on-demand view by name; null when unknown or unreadable. */
  private List<Feature> featuresOf(String name) {
    ViewDef view = defs.views.get(name);
    if (view != null) {
      return view.view() == null ? null : view.view().features();
    }
    OnDemandDef odfv = defs.onDemandViews.get(name);
    return odfv == null ? null : odfv.readable().features();
  }

  private void checkOnDemandView(OnDemandDef def) {
    String what = "on-demand feature view '" + def.name() + "'";
    ViewDef clash = defs.views.get(def.name());
    if (clash != null) {
      problems.add(
          def.at(),
          what
              + ": a feature view has the same name (at "
              + clash.at()
              + "); feature references name either, so names are shared");
    }
    Map<String, Loc> listed = new HashMap<>();
    for (Located v : def.views()) {
      Loc before = listed.putIfAbsent(v.value(), v.at());
      if (before != null) {
        problems.add(
            v.at(), what + ": view '" + v.value() + "' is listed twice (also at " + before + ")");
      } else if (v.value().equals(def.name())) {
        problems.add(v.at(), what + ": lists itself in 'views'");
      } else if (!defs.views.containsKey(v.value()) && !defs.onDemandViews.containsKey(v.value())) {
        java.util.Set<String> names = new java.util.LinkedHashSet<>(defs.views.keySet());
        names.addAll(defs.onDemandViews.keySet());
        problems.add(
            v.at(),
            what
                + ": unknown feature view '"
                + v.value()
                + "'"
                + Names.suggestion(v.value(), names));
      }
    }
    for (OnDemandFeatureDef f : def.features()) {
      if (f.feature() == null) {
        continue; // its own problem is reported
      }
      try {
        OnDemandChecks.check(f.expression(), def.readable(), this::featuresOf, f.feature().type());
      } catch (ExpressionException e) {
        f.fields()
            .problem(
                f.fields().valueAt("expression", e.offset()),
                "expression '" + f.expression().strip() + "' " + e.problem());
      }
    }
  }

  private void checkOnDemandCycles() {
    List<OnDemandFeatureView> odfvs =
        defs.onDemandViews.values().stream().map(OnDemandDef::readable).toList();
    OnDemandChecks.cycles(odfvs)
        .forEach(
            (name, path) ->
                problems.add(
                    defs.onDemandViews.get(name).at(),
                    "on-demand feature view '"
                        + name
                        + "' reads itself through its views: "
                        + path));
  }

  private void checkService(ServiceDef def) {
    String what = "feature service '" + def.name() + "'";
    // bare feature name -> the view it came from, and where the first reference is
    Map<String, String> viewOf = new HashMap<>();
    Map<String, Loc> firstAt = new HashMap<>();
    for (Located r : def.refs()) {
      FeatureRef ref;
      try {
        ref = FeatureRef.parse(r.value());
      } catch (InvalidRequestException e) {
        problems.add(r.at(), what + ": " + e.getMessage());
        continue;
      }
      ViewDef view = defs.views.get(ref.view());
      OnDemandDef odfv = defs.onDemandViews.get(ref.view());
      if (view == null && odfv == null) {
        java.util.Set<String> known = new java.util.LinkedHashSet<>(defs.views.keySet());
        known.addAll(defs.onDemandViews.keySet());
        problems.add(
            r.at(),
            what
                + ": unknown feature view '"
                + ref.view()
                + "'"
                + Names.suggestion(ref.view(), known));
        continue;
      }
      String viewName = view != null ? view.name() : odfv.name();
      List<String> names =
          view != null
              ? view.features().stream().map(FeatureDef::name).toList()
              : odfv.features().stream().map(OnDemandFeatureDef::name).toList();
      List<String> resolved;
      if (ref.isWildcard()) {
        resolved = names;
      } else if (names.contains(ref.feature())) {
        resolved = List.of(ref.feature());
      } else {
        problems.add(
            r.at(),
            what
                + ": feature view '"
                + viewName
                + "' has no feature '"
                + ref.feature()
                + "'"
                + Names.suggestion(ref.feature(), names));
        continue;
      }
      for (String feature : resolved) {
        String otherView = viewOf.putIfAbsent(feature, viewName);
        if (otherView != null && !otherView.equals(viewName)) {
          problems.add(
              r.at(),
              what
                  + ": feature name '"
                  + feature
                  + "' comes from both '"
                  + otherView
                  + "' (at "
                  + firstAt.get(feature)
                  + ") and '"
                  + viewName
                  + "'; a service's feature names must be unique");
        } else {
          firstAt.putIfAbsent(feature, r.at());
        }
      }
    }
  }
}
