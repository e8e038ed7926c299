package dev.fletch.offline;

import static dev.fletch.offline.Sql.ident;

import dev.fletch.core.InvalidRequestException;
import dev.fletch.core.expr.Expr;
import dev.fletch.core.expr.ExpressionException;
import dev.fletch.core.model.Feature;
import dev.fletch.core.model.FeatureRef;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.model.OnDemandChecks;
import dev.fletch.core.model.OnDemandFeatureView;
import dev.fletch.core.model.RequestField;
import dev.fletch.core.model.ValueType;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * On-demand features in a historical query: each expression rendered over the entity row's
 * request-field columns and the point-in-time values of the views it reads, in the same query as
 * the join. A view feature that is NULL in the training row (no match, older than its ttl) is NULL
 * in the expression, as serving does with a value it would not return.
 */
final class OnDemandSql {
  private final FeatureRepo repo;
  private final Map<FeatureRef, Expr> parsed = new LinkedHashMap<>();

  OnDemandSql(FeatureRepo repo) {
    this.repo = repo;
  }

  /** The checked expression of an on-demand feature (parsed once per retrieval). */
  Expr expression(FeatureRef ref) {
    return parsed.computeIfAbsent(
        ref,
        r -> {
          OnDemandFeatureView odfv = repo.onDemandView(r.view());
          Feature f = repo.feature(r);
          try {
            return OnDemandChecks.expression(f.expression(), odfv, this::featuresOrNull);
          } catch (ExpressionException e) {
            throw new InvalidRequestException(
                "on-demand feature view '"
                    + odfv.name()
                    + "': feature '"
                    + f.name()
                    + "': expression "
                    + e.getMessage(),
                e);
          }
        });
  }

  private java.util.List<Feature> featuresOrNull(String view) {
    return repo.findView(view).isPresent() || repo.findOnDemandView(view).isPresent()
        ? repo.featuresOf(view)
        : null;
  }

  /**
   * What computing {@code refs} needs from the feature views: each view feature an on-demand
   * feature reads, directly or through another on-demand feature, and each request field, by
   * on-demand view.
   */
  record Needs(Set<FeatureRef> viewFeatures, Map<String, Set<RequestField>> requestFields) {}

  Needs needs(Iterable<FeatureRef> refs) {
    Set<FeatureRef> viewFeatures = new LinkedHashSet<>();
    Map<String, Set<RequestField>> fields = new LinkedHashMap<>();
    Set<FeatureRef> seen = new LinkedHashSet<>();
    for (FeatureRef ref : refs) {
      collect(ref, viewFeatures, fields, seen);
    }
    return new Needs(viewFeatures, fields);
  }

  private void collect(
      FeatureRef ref,
      Set<FeatureRef> viewFeatures,
      Map<String, Set<RequestField>> fields,
      Set<FeatureRef> seen) {
    if (!seen.add(ref)) {
      return;
    }
    if (repo.findOnDemandView(ref.view()).isEmpty()) {
      viewFeatures.add(ref);
      return;
    }
    OnDemandFeatureView odfv = repo.onDemandView(ref.view());
    for (Expr.Column c : dev.fletch.core.expr.Expressions.columns(expression(ref))) {
      if (c.qualifier() == null) {
        fields
            .computeIfAbsent(odfv.name(), n -> new LinkedHashSet<>())
            .add(odfv.requestField(c.name()).orElseThrow());
      } else {
        collect(new FeatureRef(c.qualifier(), c.name()), viewFeatures, fields, seen);
      }
    }
  }

  /**
   * The SQL of an on-demand feature's value, cast to its type: request fields read from the entity
   * row {@code e} (cast to their declared types), view features through {@code viewValue}, other
   * on-demand features inlined.
   */
  String value(FeatureRef ref, Function<FeatureRef, String> viewValue, Columns entity) {
    OnDemandFeatureView odfv = repo.onDemandView(ref.view());
    Feature f = repo.feature(ref);
    String sql =
        DuckDbExpressions.render(
            expression(ref),
            c -> {
              if (c.qualifier() == null) {
                return requestField(odfv.requestField(c.name()).orElseThrow(), entity);
              }
              FeatureRef input = new FeatureRef(c.qualifier(), c.name());
              return "("
                  + (repo.findOnDemandView(input.view()).isPresent()
                      ? value(input, viewValue, entity)
                      : viewValue.apply(input))
                  + ")";
            });
    return "CAST(" + sql + " AS " + Sql.duckType(f.type()) + ")";
  }

  private static String requestField(RequestField field, Columns entity) {
    String column = entity.names().get(entity.indexOf(field.name()));
    String ref = "e." + ident(column);
    if (field.type() == ValueType.TIMESTAMP) {
      // A TIMESTAMP value is a TIMESTAMPTZ in UTC, as view features of that type are.
      return TimeTypes.asUtcMicros(ref, entity.typeOf(column).orElseThrow())
          .map(naive -> "timezone('UTC', " + naive + ")")
          .orElseThrow(
              () ->
                  new InvalidRequestException(
                      "request field '"
                          + field.name()
                          + "' is a TIMESTAMP but the entity rows' column '"
                          + column
                          + "' has type "
                          + entity.typeOf(column).orElseThrow()
                          + "; expected "
                          + TimeTypes.ACCEPTED));
    }
    return "CAST(" + ref + " AS " + Sql.duckType(field.type()) + ")";
  }
}
