package dev.fletch.core.expr;

import dev.fletch.core.expr.Expr.BinaryOp;
import dev.fletch.core.expr.Expr.LiteralKind;
import dev.fletch.core.expr.Expr.UnaryOp;
import dev.fletch.core.expr.Lexer.Kind;
import dev.fletch.core.expr.Lexer.Token;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Parses the expression language of definitions: one scalar value computed from the columns of a
 * row, written as in SQL (operators, comparisons, {@code CASE}, {@code CAST}, {@code IN}, {@code
 * BETWEEN}, {@code LIKE}, {@code IS NULL}, calls of the allowed {@link Functions}). There is no way
 * to write a query, a statement, a table, a file or a setting: the grammar has none.
 *
 * <p>Binding, loosest first: {@code OR}; {@code AND}; {@code NOT}; one comparison ({@code = <> < <=
 * > >= IS LIKE ILIKE IN BETWEEN}); {@code ||}; {@code + -}; {@code * / %}; unary {@code -}; {@code
 * ::type}.
 */
public final class ExprParser {
  /** Longer expressions are refused: no feature needs them and they cost every engine. */
  public static final int MAX_LENGTH = 10_000;

  /** Nesting deeper than this is refused, so no input can exhaust the parser's stack. */
  public static final int MAX_DEPTH = 100;

  /** Words of the language itself: a column of such a name must be quoted. */
  static final Set<String> KEYWORDS =
      Set.of(
          "AND",
          "OR",
          "NOT",
          "IS",
          "NULL",
          "TRUE",
          "FALSE",
          "IN",
          "BETWEEN",
          "LIKE",
          "ILIKE",
          "CASE",
          "WHEN",
          "THEN",
          "ELSE",
          "END",
          "CAST",
          "TRY_CAST",
          "AS",
          "DISTINCT",
          "FROM");

  /** Words that start queries, statements or clauses: named in the refusal. */
  private static final Set<String> STATEMENT_WORDS =
      Set.of(
          "SELECT",
          "WITH",
          "WHERE",
          "UNION",
          "EXCEPT",
          "INTERSECT",
          "JOIN",
          "OVER",
          "FILTER",
          "WINDOW",
          "QUALIFY",
          "GROUP",
          "ORDER",
          "HAVING",
          "LIMIT",
          "OFFSET",
          "VALUES",
          "TABLE",
          "EXISTS",
          "PRAGMA",
          "COPY",
          "ATTACH",
          "DETACH",
          "INSTALL",
          "LOAD",
          "SET",
          "RESET",
          "USE",
          "CREATE",
          "DROP",
          "INSERT",
          "UPDATE",
          "DELETE",
          "ALTER",
          "CALL",
          "EXPORT",
          "IMPORT",
          "CHECKPOINT",
          "VACUUM",
          "SUMMARIZE",
          "DESCRIBE",
          "SHOW",
          "EXPLAIN",
          "PIVOT",
          "UNPIVOT",
          "LAMBDA");

  /** Units of {@code INTERVAL n unit}, singular (a trailing s is accepted). */
  static final Set<String> INTERVAL_UNITS =
      Set.of(
          "microsecond", "millisecond", "second", "minute", "hour", "day", "week", "month", "year");

  /** Whether a bare word of that spelling would not read as a column name. */
  static boolean isReserved(String word) {
    String upper = word.toUpperCase(Locale.ROOT);
    return KEYWORDS.contains(upper) || STATEMENT_WORDS.contains(upper);
  }

  private final List<Token> tokens;
  private int at;
  private int depth;

  private ExprParser(List<Token> tokens) {
    this.tokens = tokens;
  }

  /** The checked form of {@code text}; throws {@link ExpressionException} naming the problem. */
  public static Expr parse(String text) {
    if (text == null || text.isBlank()) {
      throw new ExpressionException("the expression is empty", 0);
    }
    if (text.length() > MAX_LENGTH) {
      throw new ExpressionException(
          "the expression is " + text.length() + " characters long; at most " + MAX_LENGTH, 0);
    }
    ExprParser p = new ExprParser(Lexer.tokens(text));
    Expr e = p.expression();
    Token rest = p.peek();
    if (rest.kind() != Kind.END) {
      throw p.unexpected(rest, "the expression ends before it");
    }
    // Long chains (a + b + c ...) are parsed by loops but still nest in the tree, and every engine
    // has a nesting limit of its own.
    if (depth(e) > MAX_DEPTH) {
      throw new ExpressionException("the expression nests deeper than " + MAX_DEPTH + " levels", 0);
    }
    return e;
  }

  private Expr expression() {
    if (++depth > MAX_DEPTH) {
      throw new ExpressionException(
          "the expression nests deeper than " + MAX_DEPTH + " levels", peek().pos());
    }
    try {
      return or();
    } finally {
      depth--;
    }
  }

  private Expr or() {
    Expr left = and();
    while (peek().is("OR")) {
      int pos = take().pos();
      left = new Expr.Binary(BinaryOp.OR, left, and(), pos);
    }
    return left;
  }

  private Expr and() {
    Expr left = not();
    while (peek().is("AND")) {
      int pos = take().pos();
      left = new Expr.Binary(BinaryOp.AND, left, not(), pos);
    }
    return left;
  }

  private Expr not() {
    if (peek().is("NOT")) {
      int pos = take().pos();
      if (++depth > MAX_DEPTH) {
        throw new ExpressionException(
            "the expression nests deeper than " + MAX_DEPTH + " levels", pos);
      }
      try {
        return new Expr.Unary(UnaryOp.NOT, not(), pos);
      } finally {
        depth--;
      }
    }
    return comparison();
  }

  private Expr comparison() {
    Expr left = concat();
    Token t = peek();
    int pos = t.pos();
    if (t.is("IS")) {
      take();
      boolean negated = accept("NOT");
      if (accept("NULL")) {
        return new Expr.IsNull(left, negated, pos);
      }
      if (accept("DISTINCT")) {
        expect("FROM", "after IS DISTINCT");
        return new Expr.Binary(
            negated ? BinaryOp.NOT_DISTINCT : BinaryOp.DISTINCT, left, concat(), pos);
      }
      throw unexpected(peek(), "expected NULL or DISTINCT FROM after IS");
    }
    boolean negated = false;
    if (t.is("NOT") && isAny(peekAt(1), "IN", "BETWEEN", "LIKE", "ILIKE")) {
      take();
      negated = true;
      t = peek();
    }
    if (t.is("IN")) {
      take();
      expect("(", "after IN");
      if (peek().is("SELECT") || peek().is("WITH")) {
        throw statement(peek());
      }
      List<Expr> values = new ArrayList<>();
      do {
        values.add(expression());
      } while (accept(","));
      expect(")", "to close the IN list");
      return new Expr.InList(left, values, negated, pos);
    }
    if (t.is("BETWEEN")) {
      take();
      Expr low = concat();
      expect("AND", "between the bounds of BETWEEN");
      return new Expr.Between(left, low, concat(), negated, pos);
    }
    if (t.is("LIKE") || t.is("ILIKE")) {
      take();
      boolean ilike = t.is("ILIKE");
      BinaryOp op =
          ilike
              ? (negated ? BinaryOp.NOT_ILIKE : BinaryOp.ILIKE)
              : (negated ? BinaryOp.NOT_LIKE : BinaryOp.LIKE);
      return new Expr.Binary(op, left, concat(), pos);
    }
    BinaryOp op = comparisonOp(t);
    if (op == null) {
      return left;
    }
    take();
    Expr result = new Expr.Binary(op, left, concat(), pos);
    if (comparisonOp(peek()) != null) {
      throw unexpected(peek(), "compare two values at a time (join comparisons with AND)");
    }
    return result;
  }

  private static BinaryOp comparisonOp(Token t) {
    if (t.kind() != Kind.SYMBOL) {
      return null;
    }
    return switch (t.text()) {
      case "=", "==" -> BinaryOp.EQ;
      case "<>", "!=" -> BinaryOp.NE;
      case "<" -> BinaryOp.LT;
      case "<=" -> BinaryOp.LE;
      case ">" -> BinaryOp.GT;
      case ">=" -> BinaryOp.GE;
      default -> null;
    };
  }

  private Expr concat() {
    Expr left = additive();
    while (peek().is("||")) {
      int pos = take().pos();
      left = new Expr.Binary(BinaryOp.CONCAT, left, additive(), pos);
    }
    return left;
  }

  private Expr additive() {
    Expr left = multiplicative();
    while (peek().is("+") || peek().is("-")) {
      Token t = take();
      BinaryOp op = t.is("+") ? BinaryOp.ADD : BinaryOp.SUBTRACT;
      left = new Expr.Binary(op, left, multiplicative(), t.pos());
    }
    return left;
  }

  private Expr multiplicative() {
    Expr left = unary();
    while (peek().is("*") || peek().is("/") || peek().is("%")) {
      Token t = take();
      BinaryOp op = t.is("*") ? BinaryOp.MULTIPLY : t.is("/") ? BinaryOp.DIVIDE : BinaryOp.MODULO;
      left = new Expr.Binary(op, left, unary(), t.pos());
    }
    return left;
  }

  private Expr unary() {
    if (peek().is("-") || peek().is("+")) {
      Token t = take();
      if (++depth > MAX_DEPTH) {
        throw new ExpressionException(
            "the expression nests deeper than " + MAX_DEPTH + " levels", t.pos());
      }
      try {
        return new Expr.Unary(t.is("-") ? UnaryOp.NEGATE : UnaryOp.PLUS, unary(), t.pos());
      } finally {
        depth--;
      }
    }
    return postfix();
  }

  private Expr postfix() {
    Expr e = primary();
    while (peek().is("::")) {
      int pos = take().pos();
      e = new Expr.Cast(e, castType(), false, pos);
    }
    return e;
  }

  private Expr primary() {
    Token t = take();
    switch (t.kind()) {
      case STRING:
        return new Expr.Literal(LiteralKind.STRING, t.text(), t.pos());
      case INTEGER:
        return new Expr.Literal(LiteralKind.INTEGER, t.text(), t.pos());
      case DECIMAL:
        return new Expr.Literal(LiteralKind.DECIMAL, t.text(), t.pos());
      case QUOTED:
        return column(t);
      case SYMBOL:
        if (t.is("[")) {
          // A list, [a, b]: the same as list_value(a, b).
          List<Expr> items = new ArrayList<>();
          if (!peek().is("]")) {
            do {
              items.add(expression());
            } while (accept(","));
          }
          expect("]", "to close the list opened at character " + (t.pos() + 1));
          Functions.checkCall("list_value", items.size(), t.pos());
          return new Expr.Call("list_value", items, t.pos());
        }
        if (t.is("(")) {
          if (peek().is("SELECT") || peek().is("WITH") || peek().is("VALUES")) {
            throw statement(peek());
          }
          Expr inner = expression();
          expect(")", "to close the parenthesis opened at character " + (t.pos() + 1));
          return inner;
        }
        throw unexpected(t, "expected a value");
      case END:
        throw new ExpressionException("the expression ends where a value is expected", t.pos());
      case WORD:
        return word(t);
      default:
        throw unexpected(t, "expected a value");
    }
  }

  private Expr word(Token t) {
    String upper = t.text().toUpperCase(Locale.ROOT);
    switch (upper) {
      case "NULL":
        return new Expr.Literal(LiteralKind.NULL, "NULL", t.pos());
      case "TRUE":
      case "FALSE":
        return new Expr.Literal(LiteralKind.BOOLEAN, upper, t.pos());
      case "CASE":
        return caseWhen(t);
      case "CAST":
      case "TRY_CAST":
        {
          expect("(", "after " + upper);
          Expr operand = expression();
          expect("AS", "in " + upper + "(value AS type)");
          CastType type = castType();
          expect(")", "to close " + upper + "(");
          return new Expr.Cast(operand, type, upper.equals("TRY_CAST"), t.pos());
        }
      default:
        break;
    }
    if ((upper.equals("DATE") || upper.equals("TIMESTAMP") || upper.equals("TIMESTAMPTZ"))
        && peek().kind() == Kind.STRING) {
      // A typed literal, DATE '2024-01-31': the same as a cast of the text.
      Token value = take();
      return new Expr.Cast(
          new Expr.Literal(LiteralKind.STRING, value.text(), value.pos()),
          CastType.of(upper).orElseThrow(),
          false,
          t.pos());
    }
    if (upper.equals("INTERVAL")) {
      return interval(t);
    }
    if (STATEMENT_WORDS.contains(upper)) {
      throw statement(t);
    }
    if (KEYWORDS.contains(upper)) {
      throw unexpected(t, "expected a value (quote a column of that name: \"" + t.text() + "\")");
    }
    if (peek().is("(")) {
      return call(t);
    }
    return column(t);
  }

  private Expr column(Token first) {
    if (!peek().is(".")) {
      return new Expr.Column(null, first.text(), first.pos());
    }
    take();
    Token second = take();
    if (second.kind() != Kind.WORD && second.kind() != Kind.QUOTED) {
      throw unexpected(second, "expected a name after '" + first.text() + ".'");
    }
    if (peek().is(".") || peek().is("(")) {
      throw unexpected(peek(), "a name has at most two parts: view.feature");
    }
    return new Expr.Column(first.text(), second.text(), first.pos());
  }

  private Expr call(Token name) {
    String fn = name.text().toLowerCase(Locale.ROOT);
    if (Functions.find(fn).isEmpty()) {
      Functions.checkCall(name.text(), 0, name.pos()); // throws: not an allowed function
    }
    take(); // (
    List<Expr> args = new ArrayList<>();
    if (!peek().is(")")) {
      if (peek().is("DISTINCT") || peek().is("*")) {
        throw unexpected(peek(), "aggregates are not allowed in an expression");
      }
      do {
        args.add(expression());
      } while (accept(","));
    }
    expect(")", "to close the arguments of " + fn + "(");
    Functions.checkCall(fn, args.size(), name.pos());
    return new Expr.Call(fn, args, name.pos());
  }

  private Expr caseWhen(Token caseToken) {
    if (peek().is("END")) {
      throw unexpected(peek(), "CASE needs at least one WHEN ... THEN ...");
    }
    Expr operand = peek().is("WHEN") ? null : expression();
    List<Expr.When> whens = new ArrayList<>();
    while (accept("WHEN")) {
      Expr condition = expression();
      expect("THEN", "after CASE ... WHEN condition");
      whens.add(new Expr.When(condition, expression()));
    }
    if (whens.isEmpty()) {
      throw unexpected(peek(), "CASE needs at least one WHEN ... THEN ...");
    }
    Expr otherwise = accept("ELSE") ? expression() : null;
    expect("END", "to close the CASE opened at character " + (caseToken.pos() + 1));
    return new Expr.Case(operand, whens, otherwise, caseToken.pos());
  }

  /** {@code INTERVAL 1 HOUR} or {@code INTERVAL '1 hour'}: a whole number and one unit. */
  private Expr interval(Token start) {
    String amount;
    String unit;
    int unitPos;
    Token t = take();
    if (t.kind() == Kind.STRING) {
      String[] parts = t.text().trim().split("\\s+");
      if (parts.length != 2) {
        throw new ExpressionException(
            "an interval is a whole number and one unit, such as INTERVAL '2 hours'", t.pos());
      }
      amount = parts[0];
      unit = parts[1];
      unitPos = t.pos();
    } else if (t.kind() == Kind.INTEGER) {
      amount = t.text();
      Token u = take();
      if (u.kind() != Kind.WORD) {
        throw unexpected(u, "expected a unit after INTERVAL " + amount);
      }
      unit = u.text();
      unitPos = u.pos();
    } else {
      throw unexpected(t, "expected a whole number after INTERVAL, such as INTERVAL 2 HOUR");
    }
    if (!amount.matches("[0-9]{1,9}")) {
      throw new ExpressionException(
          "an interval's amount must be a whole number of at most 9 digits, not '" + amount + "'",
          t.pos());
    }
    String u = unit.toLowerCase(Locale.ROOT);
    if (u.endsWith("s") && INTERVAL_UNITS.contains(u.substring(0, u.length() - 1))) {
      u = u.substring(0, u.length() - 1);
    }
    if (!INTERVAL_UNITS.contains(u)) {
      throw new ExpressionException(
          "unknown interval unit '" + unit + "' (units: " + String.join(", ", INTERVAL_UNITS) + ")",
          unitPos);
    }
    return new Expr.Literal(LiteralKind.INTERVAL, Long.parseLong(amount) + " " + u, start.pos());
  }

  private CastType castType() {
    Token t = take();
    if (t.kind() != Kind.WORD) {
      throw unexpected(t, "expected a type name");
    }
    CastType type =
        CastType.of(t.text())
            .orElseThrow(
                () ->
                    new ExpressionException(
                        "unknown type '" + t.text() + "' (types: " + CastType.spellings() + ")",
                        t.pos()));
    if (type == CastType.TIMESTAMP && peek().is("WITH")) {
      take();
      expect("TIME", "in TIMESTAMP WITH TIME ZONE");
      expect("ZONE", "in TIMESTAMP WITH TIME ZONE");
      return CastType.TIMESTAMPTZ;
    }
    return type;
  }

  private ExpressionException statement(Token t) {
    return new ExpressionException(
        "uses "
            + t.text().toUpperCase(Locale.ROOT)
            + ", which is not allowed: an expression computes one value from its row's columns"
            + " and cannot hold a query, a statement or a clause",
        t.pos());
  }

  private ExpressionException unexpected(Token t, String hint) {
    if (t.kind() == Kind.END) {
      return new ExpressionException("the expression ends too early: " + hint, t.pos());
    }
    String shown = t.kind() == Kind.STRING ? "'" + t.text() + "'" : t.text();
    if (shown.length() > 40) {
      shown = shown.substring(0, 40) + "...";
    }
    return new ExpressionException("unexpected " + quote(t, shown) + ": " + hint, t.pos());
  }

  private static String quote(Token t, String shown) {
    return t.kind() == Kind.STRING ? shown : "'" + shown + "'";
  }

  private Token peek() {
    Token t = tokens.get(at);
    if (t.kind() == Kind.ERROR) {
      throw t.error();
    }
    return t;
  }

  private static int depth(Expr e) {
    int below = 0;
    if (e instanceof Expr.Unary u) {
      below = depth(u.operand());
    } else if (e instanceof Expr.Binary b) {
      below = Math.max(depth(b.left()), depth(b.right()));
    } else if (e instanceof Expr.IsNull n) {
      below = depth(n.operand());
    } else if (e instanceof Expr.InList in) {
      below = depth(in.operand());
      for (Expr v : in.values()) {
        below = Math.max(below, depth(v));
      }
    } else if (e instanceof Expr.Between b) {
      below = Math.max(depth(b.operand()), Math.max(depth(b.low()), depth(b.high())));
    } else if (e instanceof Expr.Case c) {
      below = c.operand() == null ? 0 : depth(c.operand());
      for (Expr.When w : c.whens()) {
        below = Math.max(below, Math.max(depth(w.condition()), depth(w.result())));
      }
      below = Math.max(below, c.otherwise() == null ? 0 : depth(c.otherwise()));
    } else if (e instanceof Expr.Cast c) {
      below = depth(c.operand());
    } else if (e instanceof Expr.Call c) {
      for (Expr a : c.args()) {
        below = Math.max(below, depth(a));
      }
    }
    return below + 1;
  }

  private Token peekAt(int ahead) {
    return tokens.get(Math.min(at + ahead, tokens.size() - 1));
  }

  private static boolean isAny(Token t, String... words) {
    for (String w : words) {
      if (t.is(w)) {
        return true;
      }
    }
    return false;
  }

  private Token take() {
    Token t = peek();
    if (t.kind() != Kind.END) {
      at++;
    }
    return t;
  }

  private boolean accept(String symbolOrKeyword) {
    if (peek().is(symbolOrKeyword)) {
      take();
      return true;
    }
    return false;
  }

  private void expect(String symbolOrKeyword, String context) {
    if (!accept(symbolOrKeyword)) {
      throw unexpected(peek(), "expected " + symbolOrKeyword + " " + context);
    }
  }
}
