package dev.fletch.core.expr;

import static java.util.Objects.requireNonNull;

import dev.fletch.core.expr.Expr.BinaryOp;
import dev.fletch.core.expr.SqlType.Kind;
import dev.fletch.core.expr.Typed.Op;
import dev.fletch.core.model.ValueType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Infers the SQL type of every node of an expression as DuckDB binds it, and refuses what does not
 * type: a column the {@link Resolver} does not know, an operator or function applied to types it
 * does not take, a cast DuckDB would refuse. Each refusal is an {@link ExpressionException} at the
 * offending token. With {@link Target#JAVA} it also refuses what {@link ExprCompiler}'s evaluator
 * cannot compute exactly as DuckDB does (listed in docs/expressions.md), so an expression that
 * checks for Java evaluates to DuckDB's values.
 */
public final class TypeChecker {
  /** Where the checked expression will be evaluated. */
  public enum Target {
    /** Rendered to DuckDB SQL (offline). */
    DUCKDB,
    /**
     * Compiled by {@link ExprCompiler} (serving, stream ingestion) and, the same tree, by DuckDB.
     */
    JAVA
  }

  /** A column's place in the evaluator's input row and its SQL type. */
  public record Input(int slot, SqlType type) {
    public Input {
      requireNonNull(type, "type is null");
    }
  }

  /**
   * Maps a column reference ({@code qualifier} null for a plain name) to an input; returns null
   * when there is no such column (or throws an {@link ExpressionException} of its own wording).
   */
  @FunctionalInterface
  public interface Resolver {
    Input resolve(Expr.Column column);

    /**
     * Plain names (no qualifier), each at the slot of its place in {@code columns}' iteration
     * order, typed as Fletch types go into expressions ({@link SqlType#of(ValueType)}).
     */
    static Resolver of(Map<String, ValueType> columns) {
      Map<String, Input> inputs = new HashMap<>();
      int slot = 0;
      for (Map.Entry<String, ValueType> c : columns.entrySet()) {
        inputs.put(c.getKey(), new Input(slot++, SqlType.of(c.getValue())));
      }
      return column -> column.qualifier() == null ? inputs.get(column.name()) : null;
    }
  }

  private final Resolver resolver;
  private final Target target;

  private TypeChecker(Resolver resolver, Target target) {
    this.resolver = resolver;
    this.target = target;
  }

  /** The typed tree of {@code e}; throws {@link ExpressionException} naming the first problem. */
  public static Typed check(Expr e, Resolver resolver, Target target) {
    requireNonNull(e, "e is null");
    requireNonNull(resolver, "resolver is null");
    requireNonNull(target, "target is null");
    TypeChecker c = new TypeChecker(resolver, target);
    Typed t = c.type(e);
    if (target == Target.JAVA) {
      OnlineRules.check(t);
    }
    return t;
  }

  /**
   * {@code t} cast to a feature's declared type as the offline store casts it ({@code CAST(expr AS
   * type)}); throws when DuckDB has no such cast (a BOOLEAN to a TIMESTAMP, a list to a number).
   */
  public static Typed castTo(Typed t, ValueType declared, int pos) {
    SqlType to = SqlType.of(declared);
    if (t.type().equals(to)) {
      return t;
    }
    if (!Casts.canCast(t.type(), to)) {
      throw new ExpressionException(
          "computes a " + t.type() + ", which cannot be cast to the declared type " + declared,
          pos);
    }
    if (t.isStringLiteral() || t.isNullLiteral()) {
      return constantCast(t, to, false);
    }
    return new Typed(Op.CAST, to, List.of(t), null, pos);
  }

  private Typed type(Expr e) {
    if (e instanceof Expr.Literal l) {
      return literal(l, false);
    }
    if (e instanceof Expr.Column c) {
      Input in = resolver.resolve(c);
      if (in == null) {
        String name = c.qualifier() == null ? c.name() : c.qualifier() + "." + c.name();
        throw new ExpressionException("unknown column '" + name + "'", c.pos());
      }
      return new Typed(Op.COLUMN, in.type(), List.of(), in.slot(), c.pos());
    }
    if (e instanceof Expr.Unary u) {
      return unary(u);
    }
    if (e instanceof Expr.Binary b) {
      return binary(b.op(), type(b.left()), type(b.right()), b.pos());
    }
    if (e instanceof Expr.IsNull n) {
      return new Typed(
          n.negated() ? Op.IS_NOT_NULL : Op.IS_NULL,
          SqlType.BOOLEAN,
          List.of(type(n.operand())),
          null,
          n.pos());
    }
    if (e instanceof Expr.InList in) {
      List<Typed> all = new ArrayList<>();
      all.add(type(in.operand()));
      for (Expr v : in.values()) {
        all.add(type(v));
      }
      SqlType common = Coercion.common(all, "IN", in.pos());
      comparable(common, "IN", in.pos());
      return new Typed(
          in.negated() ? Op.NOT_IN : Op.IN,
          SqlType.BOOLEAN,
          Coercion.coerceAll(all, common),
          null,
          in.pos());
    }
    if (e instanceof Expr.Between b) {
      List<Typed> all = List.of(type(b.operand()), type(b.low()), type(b.high()));
      SqlType common = Coercion.common(all, "BETWEEN", b.pos());
      comparable(common, "BETWEEN", b.pos());
      List<Typed> c = Coercion.coerceAll(all, common);
      Typed ge =
          new Typed(Op.COMPARE, SqlType.BOOLEAN, List.of(c.get(0), c.get(1)), BinaryOp.GE, b.pos());
      Typed le =
          new Typed(Op.COMPARE, SqlType.BOOLEAN, List.of(c.get(0), c.get(2)), BinaryOp.LE, b.pos());
      Typed both = new Typed(Op.AND, SqlType.BOOLEAN, List.of(ge, le), null, b.pos());
      return b.negated() ? new Typed(Op.NOT, SqlType.BOOLEAN, List.of(both), null, b.pos()) : both;
    }
    if (e instanceof Expr.Case c) {
      return caseWhen(c);
    }
    if (e instanceof Expr.Cast c) {
      return cast(c);
    }
    if (e instanceof Expr.Call c) {
      List<Typed> args = new ArrayList<>();
      for (Expr a : c.args()) {
        args.add(type(a));
      }
      return FunctionTypes.call(c.function(), args, c.pos());
    }
    throw new IllegalStateException("unknown node " + e);
  }

  /** A literal; {@code negate} folds a leading minus in, as DuckDB's parser does. */
  private static Typed literal(Expr.Literal l, boolean negate) {
    String text = l.text();
    switch (l.kind()) {
      case NULL:
        return new Typed(Op.LITERAL, SqlType.NULL, List.of(), null, l.pos());
      case BOOLEAN:
        return new Typed(
            Op.LITERAL, SqlType.BOOLEAN, List.of(), text.equalsIgnoreCase("TRUE"), l.pos());
      case STRING:
        return new Typed(Op.LITERAL, SqlType.VARCHAR, List.of(), text, l.pos());
      case INTERVAL:
        return new Typed(Op.LITERAL, SqlType.INTERVAL, List.of(), interval(text), l.pos());
      case INTEGER:
        {
          BigInteger v = new BigInteger(text);
          if (negate) {
            v = v.negate();
          }
          if (v.bitLength() < 32) {
            return new Typed(Op.LITERAL, SqlType.INTEGER, List.of(), v.longValue(), l.pos());
          }
          if (v.bitLength() < 64) {
            return new Typed(Op.LITERAL, SqlType.BIGINT, List.of(), v.longValue(), l.pos());
          }
          if (v.bitLength() < 128) {
            return new Typed(Op.LITERAL, SqlType.HUGEINT, List.of(), v, l.pos());
          }
          return new Typed(Op.LITERAL, SqlType.DOUBLE, List.of(), v.doubleValue(), l.pos());
        }
      case DECIMAL:
        {
          String digits = text;
          if (digits.contains("e") || digits.contains("E")) {
            double d = Double.parseDouble(text);
            return new Typed(Op.LITERAL, SqlType.DOUBLE, List.of(), negate ? -d : d, l.pos());
          }
          int point = digits.indexOf('.');
          int scale = digits.length() - point - 1;
          int width = digits.length() - 1;
          BigDecimal v = new BigDecimal(text);
          if (negate) {
            v = v.negate();
          }
          if (width > SqlType.MAX_DECIMAL_WIDTH) {
            return new Typed(Op.LITERAL, SqlType.DOUBLE, List.of(), v.doubleValue(), l.pos());
          }
          SqlType t = SqlType.decimal(Math.max(width, 1), scale);
          return new Typed(Op.LITERAL, t, List.of(), v.setScale(scale), l.pos());
        }
      default:
        throw new IllegalStateException("unknown literal " + l);
    }
  }

  private static Interval interval(String text) {
    String[] parts = text.split(" ");
    long n = Long.parseLong(parts[0]);
    return switch (parts[1]) {
      case "microsecond" -> new Interval(0, 0, n);
      case "millisecond" -> new Interval(0, 0, n * 1_000L);
      case "second" -> new Interval(0, 0, n * 1_000_000L);
      case "minute" -> new Interval(0, 0, n * 60_000_000L);
      case "hour" -> new Interval(0, 0, n * 3_600_000_000L);
      case "day" -> new Interval(0, (int) n, 0);
      case "week" -> new Interval(0, Math.toIntExact(n * 7), 0);
      case "month" -> new Interval((int) n, 0, 0);
      case "year" -> new Interval(Math.toIntExact(n * 12), 0, 0);
      default -> throw new IllegalStateException("unit " + parts[1]);
    };
  }

  private Typed unary(Expr.Unary u) {
    if (u.op() == Expr.UnaryOp.NEGATE
        && u.operand() instanceof Expr.Literal l
        && (l.kind() == Expr.LiteralKind.INTEGER || l.kind() == Expr.LiteralKind.DECIMAL)) {
      return literal(l, true);
    }
    Typed x = type(u.operand());
    switch (u.op()) {
      case NOT:
        return new Typed(
            Op.NOT, SqlType.BOOLEAN, List.of(Coercion.toBoolean(x, "NOT")), null, u.pos());
      case PLUS:
        if (!x.type().isNumeric() && x.type().kind() != Kind.INTERVAL) {
          throw new ExpressionException("unary + takes a number, not " + x.type(), u.pos());
        }
        return x;
      case NEGATE:
        if (x.type().kind() == Kind.NULL) {
          return new Typed(Op.LITERAL, SqlType.INTEGER, List.of(), null, u.pos());
        }
        if (!x.type().isNumeric() && x.type().kind() != Kind.INTERVAL) {
          throw new ExpressionException(
              "- takes a number or an interval, not " + x.type(), u.pos());
        }
        return new Typed(Op.NEGATE, x.type(), List.of(x), null, u.pos());
      default:
        throw new IllegalStateException();
    }
  }

  static Typed binary(BinaryOp op, Typed l, Typed r, int pos) {
    switch (op) {
      case AND:
      case OR:
        return new Typed(
            op == BinaryOp.AND ? Op.AND : Op.OR,
            SqlType.BOOLEAN,
            List.of(Coercion.toBoolean(l, op.sql()), Coercion.toBoolean(r, op.sql())),
            null,
            pos);
      case EQ:
      case NE:
      case LT:
      case LE:
      case GT:
      case GE:
      case DISTINCT:
      case NOT_DISTINCT:
        {
          boolean equality =
              op == BinaryOp.EQ
                  || op == BinaryOp.NE
                  || op == BinaryOp.DISTINCT
                  || op == BinaryOp.NOT_DISTINCT;
          SqlType common = Coercion.comparison(l, r, equality, op.sql(), pos);
          comparable(common, op.sql(), pos);
          return new Typed(
              Op.COMPARE,
              SqlType.BOOLEAN,
              List.of(Coercion.coerce(l, common), Coercion.coerce(r, common)),
              op,
              pos);
        }
      case LIKE:
      case NOT_LIKE:
      case ILIKE:
      case NOT_ILIKE:
        return new Typed(
            Op.LIKE,
            SqlType.BOOLEAN,
            List.of(
                Coercion.expect(l, SqlType.VARCHAR, op.sql(), pos),
                Coercion.expect(r, SqlType.VARCHAR, op.sql(), pos)),
            op,
            pos);
      case CONCAT:
        return concat(l, r, pos);
      default:
        return Arithmetic.type(op, l, r, pos);
    }
  }

  private static Typed concat(Typed l, Typed r, int pos) {
    if (l.isNullLiteral() || r.isNullLiteral()) {
      return new Typed(Op.LITERAL, SqlType.NULL, List.of(), null, pos);
    }
    if (l.type().isList() || r.type().isList()) {
      SqlType common = Coercion.common(List.of(l, r), "||", pos);
      if (!common.isList()) {
        throw new ExpressionException(
            "|| joins two texts or two lists, not " + l.type() + " and " + r.type(), pos);
      }
      return new Typed(
          Op.CONCAT,
          common,
          List.of(Coercion.coerce(l, common), Coercion.coerce(r, common)),
          null,
          pos);
    }
    return new Typed(
        Op.CONCAT, SqlType.VARCHAR, List.of(Coercion.toText(l), Coercion.toText(r)), null, pos);
  }

  /** Whether values of {@code t} can be compared: not BLOBs, not BOOLEANs against numbers. */
  static void comparable(SqlType t, String what, int pos) {
    if (t.kind() == Kind.NULL && false) {
      throw new ExpressionException(what + " does not compare " + t + " values", pos);
    }
  }

  private Typed caseWhen(Expr.Case c) {
    Typed operand = c.operand() == null ? null : type(c.operand());
    List<Typed> conditions = new ArrayList<>();
    List<Typed> results = new ArrayList<>();
    for (Expr.When w : c.whens()) {
      Typed cond = type(w.condition());
      if (operand != null) {
        cond = binary(BinaryOp.EQ, operand, cond, w.condition().pos());
      } else {
        cond = Coercion.toBoolean(cond, "CASE WHEN");
      }
      conditions.add(cond);
      results.add(type(w.result()));
    }
    Typed otherwise =
        c.otherwise() == null
            ? new Typed(Op.LITERAL, SqlType.NULL, List.of(), null, c.pos())
            : type(c.otherwise());
    List<Typed> all = new ArrayList<>(results);
    all.add(otherwise);
    SqlType common = Coercion.common(all, "CASE", c.pos());
    return caseOf(conditions, Coercion.coerceAll(all, common), common, c.pos());
  }

  static Typed caseOf(List<Typed> conditions, List<Typed> resultsAndElse, SqlType type, int pos) {
    List<Typed> args = new ArrayList<>();
    for (int i = 0; i < conditions.size(); i++) {
      args.add(conditions.get(i));
      args.add(resultsAndElse.get(i));
    }
    args.add(resultsAndElse.get(resultsAndElse.size() - 1));
    return new Typed(Op.CASE, type, args, null, pos);
  }

  private Typed cast(Expr.Cast c) {
    Typed x = type(c.operand());
    SqlType to = SqlType.of(c.type());
    if (!Casts.canCast(x.type(), to)) {
      throw new ExpressionException(
          "cannot cast "
              + x.type()
              + " to "
              + to
              + (c.tryCast() ? " (not even with TRY_CAST)" : ""),
          c.pos());
    }
    if (x.isStringLiteral() && !c.tryCast()) {
      // DuckDB converts a constant while binding: DATE '2024-13-01' is an error before any row.
      return constantCast(x, to, false, c.pos());
    }
    return new Typed(c.tryCast() ? Op.TRY_CAST : Op.CAST, to, List.of(x), null, c.pos());
  }

  static Typed constantCast(Typed literal, SqlType to, boolean tryCast) {
    return constantCast(literal, to, tryCast, literal.pos());
  }

  /** A literal converted now, as DuckDB converts constants while binding. */
  static Typed constantCast(Typed literal, SqlType to, boolean tryCast, int pos) {
    if (literal.value() == null) {
      return new Typed(Op.LITERAL, to, List.of(), null, pos);
    }
    try {
      return new Typed(
          Op.LITERAL, to, List.of(), Casts.cast(literal.value(), literal.type(), to), pos);
    } catch (EvaluationException ex) {
      if (tryCast) {
        return new Typed(Op.LITERAL, to, List.of(), null, pos);
      }
      throw new ExpressionException(ex.getMessage(), literal.pos());
    }
  }
}
