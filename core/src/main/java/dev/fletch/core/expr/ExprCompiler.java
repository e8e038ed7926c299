package dev.fletch.core.expr;

import static java.util.Objects.requireNonNull;

import dev.fletch.core.expr.Compiled.Node;
import dev.fletch.core.expr.Expr.BinaryOp;
import dev.fletch.core.expr.SqlType.Kind;
import dev.fletch.core.model.ValueType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Compiles a {@link Typed} tree (checked for {@link TypeChecker.Target#JAVA}) once into a tree of
 * closures that evaluates one row at a time: inputs by slot, no name lookups, no reflection, every
 * operator already specialized to its operand types. SQL's rules throughout: NULL in, NULL out
 * (except IS [NOT] NULL, IS [NOT] DISTINCT FROM, coalesce, concat, AND/OR's three-valued logic,
 * IN's NULL when nothing matched and a NULL was listed). Like DuckDB, every operand of an operator,
 * of AND and OR, and every argument of a function is evaluated (so {@code x <> 0 AND 10 % x = 1}
 * fails where x is 0, as in DuckDB), while CASE evaluates a branch only for a row that takes it.
 */
public final class ExprCompiler {
  private ExprCompiler() {}

  /** {@code t} compiled; evaluation returns values as {@link SqlType} describes for its type. */
  public static CompiledExpression compile(Typed t) {
    requireNonNull(t, "t is null");
    return new CompiledExpression(node(t), t.type(), null);
  }

  /**
   * {@code t} cast to the feature's declared type as the offline store casts it, compiled;
   * evaluation returns Fletch's Java value of {@code declared} (see {@link ValueType}). {@code pos}
   * is where a type that does not fit is reported.
   */
  public static CompiledExpression compile(Typed t, ValueType declared, int pos) {
    requireNonNull(declared, "declared is null");
    OnlineRules.checkCast(t.type(), SqlType.of(declared), pos);
    Typed cast = TypeChecker.castTo(t, declared, pos);
    return new CompiledExpression(node(cast), cast.type(), declared);
  }

  static Node node(Typed t) {
    switch (t.op()) {
      case LITERAL:
        {
          Object v = t.value();
          return row -> v;
        }
      case COLUMN:
        {
          int slot = (Integer) t.value();
          SqlType type = t.type();
          return switch (type.kind()) {
            case BOOLEAN, VARCHAR, DOUBLE, BLOB -> row -> row[slot];
            case BIGINT ->
                row -> {
                  Object v = row[slot];
                  return v == null || v instanceof Long ? v : Values.in(v, type);
                };
            default -> row -> Values.in(row[slot], type);
          };
        }
      case CAST:
        return FunctionImpls.strict(node(t.arg(0)), Casts.compile(t.arg(0).type(), t.type()));
      case TRY_CAST:
        {
          Node x = node(t.arg(0));
          Compiled.Unary c = Casts.compile(t.arg(0).type(), t.type());
          return row -> {
            Object v = x.eval(row);
            if (v == null) {
              return null;
            }
            try {
              return c.apply(v);
            } catch (UnsupportedValueException e) {
              throw e;
            } catch (EvaluationException | ArithmeticException e) {
              return null;
            }
          };
        }
      case NEGATE:
        return FunctionImpls.strict(node(t.arg(0)), Arithmetic.negate(t.type()));
      case NOT:
        {
          Node x = node(t.arg(0));
          return row -> {
            Object v = x.eval(row);
            return v == null ? null : !(Boolean) v;
          };
        }
      case AND:
        {
          Node l = node(t.arg(0));
          Node r = node(t.arg(1));
          // DuckDB evaluates both sides (an error on the right is raised even where the left
          // is FALSE), then applies three-valued logic
          return row -> {
            Object a = l.eval(row);
            Object b = r.eval(row);
            if (a == Boolean.FALSE || b == Boolean.FALSE) {
              return false;
            }
            return a == null || b == null ? null : true;
          };
        }
      case OR:
        {
          Node l = node(t.arg(0));
          Node r = node(t.arg(1));
          return row -> {
            Object a = l.eval(row);
            Object b = r.eval(row);
            if (a == Boolean.TRUE || b == Boolean.TRUE) {
              return true;
            }
            return a == null || b == null ? null : false;
          };
        }
      case ARITHMETIC:
        return FunctionImpls.strict2(node(t.arg(0)), node(t.arg(1)), Arithmetic.compile(t));
      case CONCAT:
        if (t.type().isList()) {
          return FunctionImpls.strict2(
              node(t.arg(0)),
              node(t.arg(1)),
              (x, y) -> {
                List<Object> out = new ArrayList<>((List<?>) x);
                out.addAll((List<?>) y);
                return out;
              });
        }
        return FunctionImpls.strict2(node(t.arg(0)), node(t.arg(1)), (x, y) -> (String) x + y);
      case COMPARE:
        return compare(t);
      case LIKE:
        return Like.compile(t, node(t.arg(0)), node(t.arg(1)));
      case IS_NULL:
        {
          Node x = node(t.arg(0));
          return row -> x.eval(row) == null;
        }
      case IS_NOT_NULL:
        {
          Node x = node(t.arg(0));
          return row -> x.eval(row) != null;
        }
      case IN:
      case NOT_IN:
        return in(t);
      case CASE:
        return caseWhen(t);
      case CALL:
        {
          Node[] args = new Node[t.args().size()];
          for (int i = 0; i < args.length; i++) {
            args[i] = node(t.arg(i));
          }
          return FunctionImpls.compile(t, args);
        }
      default:
        throw new IllegalStateException("no evaluation for " + t.op());
    }
  }

  private static Node compare(Typed t) {
    BinaryOp op = (BinaryOp) t.value();
    Node l = node(t.arg(0));
    Node r = node(t.arg(1));
    Comparator<Object> cmp = Values.comparator(t.arg(0).type());
    if (op == BinaryOp.DISTINCT || op == BinaryOp.NOT_DISTINCT) {
      boolean distinct = op == BinaryOp.DISTINCT;
      return row -> {
        Object a = l.eval(row);
        Object b = r.eval(row);
        boolean same = a == null ? b == null : b != null && cmp.compare(a, b) == 0;
        return distinct != same;
      };
    }
    if (t.arg(0).type().kind() == Kind.DOUBLE) {
      // the common case without the comparator's indirection
      return FunctionImpls.strict2(
          l, r, (a, b) -> test(op, Values.compareDouble((Double) a, (Double) b)));
    }
    return FunctionImpls.strict2(l, r, (a, b) -> test(op, cmp.compare(a, b)));
  }

  private static boolean test(BinaryOp op, int c) {
    return switch (op) {
      case EQ -> c == 0;
      case NE -> c != 0;
      case LT -> c < 0;
      case LE -> c <= 0;
      case GT -> c > 0;
      case GE -> c >= 0;
      default -> throw new IllegalStateException(op.name());
    };
  }

  private static Node in(Typed t) {
    boolean negated = t.op() == Typed.Op.NOT_IN;
    Node x = node(t.arg(0));
    Node[] values = new Node[t.args().size() - 1];
    for (int i = 0; i < values.length; i++) {
      values[i] = node(t.arg(i + 1));
    }
    Comparator<Object> cmp = Values.comparator(t.arg(0).type());
    return row -> {
      Object v = x.eval(row);
      if (v == null) {
        return null;
      }
      boolean sawNull = false;
      for (Node n : values) {
        Object w = n.eval(row);
        if (w == null) {
          sawNull = true;
        } else if (cmp.compare(v, w) == 0) {
          return !negated;
        }
      }
      return sawNull ? null : negated;
    };
  }

  private static Node caseWhen(Typed t) {
    int pairs = (t.args().size() - 1) / 2;
    Node[] conditions = new Node[pairs];
    Node[] results = new Node[pairs];
    for (int i = 0; i < pairs; i++) {
      conditions[i] = node(t.arg(2 * i));
      results[i] = node(t.arg(2 * i + 1));
    }
    Node otherwise = node(t.arg(t.args().size() - 1));
    return row -> {
      for (int i = 0; i < conditions.length; i++) {
        if (conditions[i].eval(row) == Boolean.TRUE) {
          return results[i].eval(row);
        }
      }
      return otherwise.eval(row);
    };
  }
}
