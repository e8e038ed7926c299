package dev.fletch.serving;

import dev.fletch.core.InvalidRequestException;
import dev.fletch.core.expr.CompiledExpression;
import dev.fletch.core.expr.EvaluationException;
import dev.fletch.core.expr.Expr;
import dev.fletch.core.expr.ExprCompiler;
import dev.fletch.core.expr.ExpressionException;
import dev.fletch.core.model.Feature;
import dev.fletch.core.model.FeatureRef;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.model.OnDemandChecks;
import dev.fletch.core.model.OnDemandFeatureView;
import java.util.List;

/**
 * On-demand features as serving computes them: each expression checked, typed and compiled once per
 * registry version (plans are cached per version), then evaluated per entity row with the same
 * results as DuckDB gives in training sets.
 */
final class OnDemandFeatures {
  private OnDemandFeatures() {}

  /**
   * One input of a compiled expression: a request field ({@code view} null) or a view's feature.
   */
  record Slot(String view, String name) {}

  /** An on-demand feature ready to evaluate: its inputs in order, and the compiled expression. */
  record Compiled(FeatureRef ref, List<Slot> slots, CompiledExpression expression) {
    /**
     * The value for one entity row ({@code inputs} by slot, Fletch's Java values); a row whose
     * values make the expression fail (an overflow, text that is not a number) is
     * InvalidRequestException naming the feature and the row.
     */
    Object evaluate(Object[] inputs, int row) {
      try {
        return expression.evaluate(inputs);
      } catch (EvaluationException e) {
        throw new InvalidRequestException(
            "on-demand feature "
                + ref
                + " cannot be computed for entity row "
                + row
                + ": "
                + e.getMessage(),
            e);
      }
    }
  }

  static Compiled compile(FeatureRepo repo, FeatureRef ref) {
    OnDemandFeatureView odfv = repo.onDemandView(ref.view());
    Feature f = repo.feature(ref);
    OnDemandChecks.Checked checked;
    try {
      checked =
          OnDemandChecks.check(
              f.expression(),
              odfv,
              view ->
                  repo.findView(view).isPresent() || repo.findOnDemandView(view).isPresent()
                      ? repo.featuresOf(view)
                      : null,
              f.type());
      if (checked.typed() == null) {
        throw new ExpressionException("reads a view that does not exist", 0);
      }
    } catch (ExpressionException e) {
      // The registry checks every apply, so this is a definition stored before a rule existed.
      throw new InvalidRequestException(
          "on-demand feature " + ref + " cannot be served: its expression " + e.getMessage(), e);
    }
    List<Slot> slots =
        checked.slots().stream().map((Expr.Column c) -> new Slot(c.qualifier(), c.name())).toList();
    return new Compiled(ref, slots, ExprCompiler.compile(checked.typed(), f.type(), 0));
  }
}
