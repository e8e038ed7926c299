package dev.fletch.registry;

import dev.fletch.core.DefinitionException;
import dev.fletch.core.FletchException;
import dev.fletch.core.Problem;
import dev.fletch.core.model.Entity;
import dev.fletch.core.model.Feature;
import dev.fletch.core.model.FeatureRef;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.model.FeatureService;
import dev.fletch.core.model.FeatureView;
import dev.fletch.core.model.ModelChecks;
import dev.fletch.core.model.OnDemandChecks;
import dev.fletch.core.model.OnDemandFeatureView;
import dev.fletch.core.model.Source;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * The consistency the registry insists on before storing a repository, whoever sends it (the CLI
 * has validated its YAML already; an HTTP client may not have): names present and unique per kind,
 * and every reference resolvable. Problems carry no line numbers: the input is JSON, not a file.
 */
final class RepoChecks {
  private RepoChecks() {}

  /**
   * {@code repo} as it is to be stored (expressions in canonical form), or DefinitionException
   * listing every problem: the rules of {@link ModelChecks} (the ones the YAML loader applies),
   * then names unique per kind and references resolvable. Source paths are confined where jobs read
   * them, against the settings of the machine that runs the job.
   */
  static FeatureRepo check(FeatureRepo repo, String origin) {
    List<Problem> problems = new ArrayList<>();
    if (repo.project().isBlank()) {
      problems.add(problem(origin, "project: the project name is empty"));
    } else {
      repo = ModelChecks.check(repo, p -> problems.add(problem(origin, p)));
    }
    Set<String> entities = names(repo.entities(), Entity::name, "entities", origin, problems);
    Set<String> sources = names(repo.sources(), Source::name, "sources", origin, problems);
    names(repo.featureViews(), FeatureView::name, "feature_views", origin, problems);
    names(repo.featureServices(), FeatureService::name, "feature_services", origin, problems);
    names(
        repo.onDemandFeatureViews(),
        OnDemandFeatureView::name,
        "on_demand_feature_views",
        origin,
        problems);
    checkOnDemandViews(repo, origin, problems);
    for (Entity e : repo.entities()) {
      if (e.joinKeys().isEmpty()) {
        problems.add(
            problem(origin, "entities[" + e.name() + "]: an entity needs at least one join key"));
      }
    }
    for (FeatureView v : repo.featureViews()) {
      String at = "feature_views[" + v.name() + "]";
      for (String entity : v.entities()) {
        if (!entities.contains(entity)) {
          problems.add(problem(origin, at + ".entities: unknown entity '" + entity + "'"));
        }
      }
      if (!sources.contains(v.source())) {
        problems.add(problem(origin, at + ".source: unknown source '" + v.source() + "'"));
      }
      Set<String> features = new HashSet<>();
      v.features()
          .forEach(
              f -> {
                if (!features.add(f.name())) {
                  problems.add(
                      problem(origin, at + ".features: duplicate feature '" + f.name() + "'"));
                }
              });
    }
    for (FeatureService s : repo.featureServices()) {
      String at = "feature_services[" + s.name() + "].features";
      for (String text : s.features()) {
        try {
          FeatureRef ref = FeatureRef.parse(text);
          List<Feature> features = featuresOf(repo, ref.view());
          if (features == null) {
            problems.add(problem(origin, at + ": '" + text + "' names an unknown feature view"));
          } else if (!ref.isWildcard()
              && features.stream().noneMatch(f -> f.name().equals(ref.feature()))) {
            problems.add(problem(origin, at + ": '" + text + "' names an unknown feature"));
          }
        } catch (FletchException e) {
          problems.add(problem(origin, at + ": " + e.getMessage()));
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new DefinitionException(problems);
    }
    return repo;
  }

  /** The features of a view or an on-demand view, or null when neither has that name. */
  private static List<Feature> featuresOf(FeatureRepo repo, String name) {
    var view = repo.findView(name);
    if (view.isPresent()) {
      return view.get().features();
    }
    return repo.findOnDemandView(name).map(OnDemandFeatureView::features).orElse(null);
  }

  private static void checkOnDemandViews(FeatureRepo repo, String origin, List<Problem> problems) {
    for (OnDemandFeatureView o : repo.onDemandFeatureViews()) {
      String at = "on_demand_feature_views[" + o.name() + "]";
      if (repo.findView(o.name()).isPresent()) {
        problems.add(problem(origin, at + ": a feature view has the same name"));
      }
      for (String v : o.views()) {
        if (featuresOf(repo, v) == null) {
          problems.add(problem(origin, at + ".views: unknown feature view '" + v + "'"));
        }
      }
      for (Feature f : o.features()) {
        if (f.expression() == null) {
          continue; // reported by ModelChecks
        }
        try {
          OnDemandChecks.check(f.expression(), o, name -> featuresOf(repo, name), f.type());
        } catch (FletchException e) {
          problems.add(
              problem(origin, at + ".features[" + f.name() + "].expression: " + e.getMessage()));
        }
      }
    }
    OnDemandChecks.cycles(repo.onDemandFeatureViews())
        .forEach(
            (name, path) ->
                problems.add(
                    problem(
                        origin,
                        "on_demand_feature_views["
                            + name
                            + "]: reads itself through its views: "
                            + path)));
  }

  private static <T> Set<String> names(
      List<T> objects,
      Function<T, String> name,
      String kind,
      String origin,
      List<Problem> problems) {
    Set<String> seen = new HashSet<>();
    for (T o : objects) {
      String n = name.apply(o);
      if (n.isBlank()) {
        problems.add(problem(origin, kind + ": a name is empty"));
      } else if (!seen.add(n)) {
        problems.add(problem(origin, kind + ": duplicate name '" + n + "'"));
      }
    }
    return seen;
  }

  private static Problem problem(String origin, String message) {
    return new Problem(origin, 0, 0, message);
  }
}
