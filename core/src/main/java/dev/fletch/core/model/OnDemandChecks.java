package dev.fletch.core.model;

import static java.util.Objects.requireNonNull;

import dev.fletch.core.expr.Expr;
import dev.fletch.core.expr.ExprParser;
import dev.fletch.core.expr.ExpressionException;
import dev.fletch.core.expr.Expressions;
import dev.fletch.core.expr.SqlType;
import dev.fletch.core.expr.TypeChecker;
import dev.fletch.core.expr.Typed;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The rules of on-demand features that span definitions, written once for the YAML loader (which
 * adds file positions) and the registry (which checks every apply): what an expression may read,
 * and that on-demand views do not read each other in a cycle.
 */
public final class OnDemandChecks {
  private OnDemandChecks() {}

  /**
   * One on-demand feature's expression checked and typed for evaluation in Java (and in DuckDB: the
   * same tree): {@code slots} are its distinct inputs in the order the evaluator takes them, a
   * request field ({@code qualifier} null) or {@code view.feature}; {@code typed} is cast to the
   * declared type.
   */
  public record Checked(Expr expr, List<Expr.Column> slots, Typed typed) {}

  /**
   * {@link #expression} and then its types: every function and operator applied to what it takes,
   * nothing the Java evaluator cannot compute as DuckDB does, and a result that casts to {@code
   * declared}. Throws {@link ExpressionException} at the offending token. A column of a view {@code
   * featuresOf} does not know (reported elsewhere) leaves the types unchecked ({@code typed} null).
   */
  public static Checked check(
      String text,
      OnDemandFeatureView odfv,
      Function<String, List<Feature>> featuresOf,
      ValueType declared) {
    requireNonNull(declared, "declared is null");
    Expr e = expression(text, odfv, featuresOf);
    List<Expr.Column> slots = new ArrayList<>();
    List<SqlType> types = new ArrayList<>();
    for (Expr.Column c : Expressions.columns(e)) {
      if (slots.stream().anyMatch(s -> same(s, c))) {
        continue;
      }
      ValueType type;
      if (c.qualifier() == null) {
        type = odfv.requestField(c.name()).orElseThrow().type();
      } else {
        List<Feature> features = featuresOf.apply(c.qualifier());
        if (features == null) {
          return new Checked(e, List.of(), null);
        }
        type =
            features.stream()
                .filter(f -> f.name().equals(c.name()))
                .findFirst()
                .orElseThrow()
                .type();
      }
      slots.add(c);
      types.add(SqlType.of(type));
    }
    Typed typed =
        TypeChecker.check(
            e,
            column -> {
              for (int i = 0; i < slots.size(); i++) {
                if (same(slots.get(i), column)) {
                  return new TypeChecker.Input(i, types.get(i));
                }
              }
              return null;
            },
            TypeChecker.Target.JAVA);
    return new Checked(e, List.copyOf(slots), TypeChecker.castTo(typed, declared, e.pos()));
  }

  private static boolean same(Expr.Column a, Expr.Column b) {
    return a.name().equals(b.name()) && java.util.Objects.equals(a.qualifier(), b.qualifier());
  }

  /**
   * The checked tree of one on-demand feature's expression. A plain name must be one of the view's
   * request fields; {@code view.feature} must name a view listed in its {@code views} and a feature
   * of it ({@code featuresOf} gives a view's or on-demand view's features, null for an unknown
   * name, which is reported where the view is listed). Throws {@link ExpressionException} at the
   * offending name.
   */
  public static Expr expression(
      String text, OnDemandFeatureView odfv, Function<String, List<Feature>> featuresOf) {
    requireNonNull(odfv, "odfv is null");
    requireNonNull(featuresOf, "featuresOf is null");
    Expr e = ExprParser.parse(requireNonNull(text, "text is null"));
    for (Expr.Column c : Expressions.columns(e)) {
      if (c.qualifier() == null) {
        if (odfv.requestField(c.name()).isEmpty()) {
          throw new ExpressionException(
              "reads '"
                  + c.name()
                  + "', which is not a request field of '"
                  + odfv.name()
                  + "' (request fields: "
                  + odfv.requestFields().stream().map(RequestField::name).toList()
                  + "); a feature of another view is read as view.feature",
              c.pos());
        }
        continue;
      }
      String view = c.qualifier();
      if (!odfv.views().contains(view)) {
        throw new ExpressionException(
            "reads '"
                + view
                + "."
                + c.name()
                + "', but '"
                + view
                + "' is not in the 'views' of '"
                + odfv.name()
                + "' "
                + odfv.views(),
            c.pos());
      }
      List<Feature> features = featuresOf.apply(view);
      if (features != null && features.stream().noneMatch(f -> f.name().equals(c.name()))) {
        throw new ExpressionException(
            "reads '"
                + view
                + "."
                + c.name()
                + "', but '"
                + view
                + "' has no feature '"
                + c.name()
                + "' (features: "
                + features.stream().map(Feature::name).toList()
                + ")",
            c.pos());
      }
    }
    return e;
  }

  /**
   * The on-demand views that read themselves through their {@code views}, each with the path of the
   * cycle ({@code a -> b -> a}); empty when there is none.
   */
  public static Map<String, String> cycles(List<OnDemandFeatureView> odfvs) {
    Map<String, OnDemandFeatureView> byName = new java.util.LinkedHashMap<>();
    odfvs.forEach(o -> byName.putIfAbsent(o.name(), o));
    Map<String, String> out = new java.util.LinkedHashMap<>();
    for (OnDemandFeatureView start : byName.values()) {
      String path = cycleFrom(start, byName);
      if (path != null) {
        out.put(start.name(), path);
      }
    }
    return out;
  }

  // A depth-first walk from start that looks for start again; the path found, or null.
  private static String cycleFrom(OnDemandFeatureView start, Map<String, OnDemandFeatureView> all) {
    Deque<List<String>> stack = new ArrayDeque<>();
    stack.push(List.of(start.name()));
    Set<String> visited = new HashSet<>();
    while (!stack.isEmpty()) {
      List<String> path = stack.pop();
      OnDemandFeatureView at = all.get(path.get(path.size() - 1));
      if (at == null) {
        continue;
      }
      for (String next : at.views()) {
        if (next.equals(start.name())) {
          List<String> cycle = new ArrayList<>(path);
          cycle.add(next);
          return String.join(" -> ", cycle);
        }
        if (all.containsKey(next) && visited.add(next)) {
          List<String> longer = new ArrayList<>(path);
          longer.add(next);
          stack.push(longer);
        }
      }
    }
    return null;
  }
}
