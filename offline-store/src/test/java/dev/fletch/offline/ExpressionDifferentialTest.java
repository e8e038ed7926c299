package dev.fletch.offline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.fletch.core.expr.CastType;
import dev.fletch.core.expr.CompiledExpression;
import dev.fletch.core.expr.EvaluationException;
import dev.fletch.core.expr.Expr;
import dev.fletch.core.expr.ExprCompiler;
import dev.fletch.core.expr.ExprParser;
import dev.fletch.core.expr.ExpressionException;
import dev.fletch.core.expr.Expressions;
import dev.fletch.core.expr.Functions;
import dev.fletch.core.expr.SqlType;
import dev.fletch.core.expr.TypeChecker;
import dev.fletch.core.expr.TypeChecker.Target;
import dev.fletch.core.expr.Typed;
import dev.fletch.core.expr.UnsupportedValueException;
import dev.fletch.core.model.ValueType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Array;
import java.sql.Blob;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The evaluator against DuckDB (issue #23's proof): every case of {@link DifferentialCases} is
 * typed by {@link TypeChecker} and by DuckDB ({@code typeof}), which must agree; then evaluated by
 * the compiled Java evaluator and by DuckDB (the same tree rendered by {@link DuckDbExpressions})
 * over the same generated rows, value by value: doubles bit for bit (NaN equal to NaN, -0.0 apart
 * from 0.0), errors where DuckDB errs. Every allowed function, operator and node kind must have a
 * case.
 */
class ExpressionDifferentialTest {
  private static final long SEED = 20240229L;
  private static final int ROWS = 160;
  private static final List<DifferentialInputs.Column> COLUMNS = DifferentialInputs.COLUMNS;
  private static final Object ERROR =
      new Object() {
        @Override
        public String toString() {
          return "<error>";
        }
      };

  private static Connection duck;
  private static List<Object[]> rows;

  @BeforeAll
  static void table() throws SQLException {
    duck = DriverManager.getConnection("jdbc:duckdb:");
    try (Statement st = duck.createStatement()) {
      st.execute("SET TimeZone = 'UTC'");
      // thousands of tiny queries: one thread avoids waking a pool for each
      st.execute("SET threads = 1");
      String columns =
          COLUMNS.stream()
              .map(c -> Sql.ident(c.name()) + " " + duckType(c.type()))
              .collect(Collectors.joining(", "));
      st.execute("CREATE TABLE t (k INTEGER, " + columns + ")");
    }
    rows = new DifferentialInputs(SEED).rows(ROWS);
    String binds =
        COLUMNS.stream().map(DifferentialInputs.Column::bind).collect(Collectors.joining(", "));
    try (PreparedStatement ps = duck.prepareStatement("INSERT INTO t SELECT ?, " + binds)) {
      for (int r = 0; r < rows.size(); r++) {
        int p = 1;
        ps.setInt(p++, r);
        Object[] row = rows.get(r);
        for (int c = 0; c < COLUMNS.size(); c++) {
          Object v = bindValue(row[c], COLUMNS.get(c).type());
          ps.setObject(p++, v);
          if (COLUMNS.get(c).name().equals("ls")) {
            ps.setObject(p++, v);
          }
        }
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  @AfterAll
  static void close() throws SQLException {
    duck.close();
  }

  private static String duckType(SqlType t) {
    return t.kind() == SqlType.Kind.TIMESTAMPTZ ? "TIMESTAMPTZ" : t.toString();
  }

  /** A value as a JDBC parameter for the column's bind expression. */
  private static Object bindValue(Object v, SqlType type) {
    if (v instanceof Instant i) {
      return i.getEpochSecond() * 1_000_000L + i.getNano() / 1000;
    }
    if (v instanceof List<?> l) {
      if (type.element().kind() == SqlType.Kind.VARCHAR) {
        // string_split of '' is an empty list; a list of one '' cannot be written this way
        return l.stream().map(Object::toString).collect(Collectors.joining("\u001f"));
      }
      return l.stream()
          .map(e -> e == null ? "NULL" : e.toString())
          .collect(Collectors.joining(", ", "[", "]"));
    }
    return v;
  }

  private static TypeChecker.Input resolve(Expr.Column c) {
    for (int i = 0; i < COLUMNS.size(); i++) {
      if (COLUMNS.get(i).name().equals(c.name())) {
        return new TypeChecker.Input(i, COLUMNS.get(i).type());
      }
    }
    return null;
  }

  private static String render(Expr e) {
    return DuckDbExpressions.render(e, c -> Sql.ident(c.name()));
  }

  /** What happened to one case, for the report. */
  private static final class Tally {
    int cases;
    int refusedOnline;
    int refusedByBoth;
    int values;
    int errorsAgreed;
    int finalCasts;
    int infinite;
    final List<String> mismatches = new ArrayList<>();
    final java.util.Map<String, Integer> perCase = new java.util.HashMap<>();

    /** Records a mismatch; at most 3 are listed per case, all are counted. */
    void mismatch(String s) {
      String key = s.contains(" on {") ? s.substring(0, s.indexOf(" on {")) : s;
      int n = perCase.merge(key, 1, Integer::sum);
      if (n <= 3) {
        mismatches.add(s);
      }
    }
  }

  @Test
  void everyCaseEvaluatesAsInDuckDb() throws SQLException {
    Tally tally = new Tally();
    for (String written : DifferentialCases.all()) {
      runCase(written, tally);
    }
    finalCasts(tally);
    System.out.printf(
        "expression differential: %d cases (%d refused online as documented, %d refused by both"
            + " checker and DuckDB), %d rows each, %d values equal (%d of them errors in both),"
            + " %d final casts, %d documented deviations (an error in Java: an infinite date, a text over"
            + " 1 MiB); %d DuckDB queries; %d mismatches%n",
        tally.cases,
        tally.refusedOnline,
        tally.refusedByBoth,
        rows.size(),
        tally.values,
        tally.errorsAgreed,
        tally.finalCasts,
        tally.infinite,
        queries,
        tally.mismatches.size());
    tally.mismatches.forEach(System.out::println);
    assertEquals(0, tally.mismatches.size(), "mismatches (printed above)");
    assertTrue(tally.values > 50_000, "too few values compared: " + tally.values);
  }

  private void runCase(String written, Tally tally) throws SQLException {
    boolean refusedOnline = written.startsWith("!");
    String text = refusedOnline ? written.substring(1) : written;
    tally.cases++;
    Expr e = ExprParser.parse(text);
    if (refusedOnline) {
      try {
        TypeChecker.check(e, ExpressionDifferentialTest::resolve, Target.JAVA);
        tally.mismatch(text + ": expected to be refused online, but it checks");
      } catch (ExpressionException ex) {
        tally.refusedOnline++;
      }
    }
    String duckTypeName;
    try (Statement st = duck.createStatement();
        ResultSet rs = st.executeQuery("SELECT typeof(" + render(e) + ") FROM t LIMIT 1")) {
      rs.next();
      duckTypeName = rs.getString(1);
    } catch (SQLException ex) {
      duckTypeName = null;
    }
    Typed typed;
    try {
      typed = TypeChecker.check(e, ExpressionDifferentialTest::resolve, Target.DUCKDB);
    } catch (ExpressionException ex) {
      if (duckTypeName == null) {
        tally.refusedByBoth++;
      } else if (duckFailsOnEveryValue(render(e))) {
        // DuckDB binds a cast it has no conversion for (BOOLEAN to DATE) and fails on every row
        // that has a value; the checker refuses it up front
        tally.refusedByBoth++;
      } else {
        tally.mismatch(
            text
                + ": the checker refuses ("
                + ex.getMessage()
                + ") what DuckDB types as "
                + duckTypeName);
      }
      return;
    }
    if (duckTypeName == null) {
      if (!refusedOnline) {
        // (a pattern RE2 refuses is refused online, checked above)
        tally.mismatch(text + ": DuckDB refuses what the checker types as " + typed.type());
      }
      return;
    }
    if (!duckTypeName.equals(typed.type().toString())) {
      tally.mismatch(text + ": type " + typed.type() + ", DuckDB says " + duckTypeName);
      return;
    }
    if (refusedOnline) {
      return;
    }
    Typed online;
    try {
      online = TypeChecker.check(e, ExpressionDifferentialTest::resolve, Target.JAVA);
    } catch (ExpressionException ex) {
      tally.mismatch(text + ": refused online: " + ex.getMessage());
      return;
    }
    compareValues(text, e, online, tally);
  }

  /**
   * Evaluates {@code text} in both engines. Dates and timestamps are compared as numbers (days,
   * epoch microseconds), intervals and lists of them as DuckDB's text, through the same wrapper
   * expression in both engines.
   */
  private void compareValues(String text, Expr e, Typed typed, Tally tally) throws SQLException {
    SqlType type = typed.type();
    String wrapped = wrap(text, type);
    if (!wrapped.equals(text)) {
      e = ExprParser.parse(wrapped);
      typed = TypeChecker.check(e, ExpressionDifferentialTest::resolve, Target.JAVA);
      type = typed.type();
    }
    CompiledExpression compiled = ExprCompiler.compile(typed);
    List<Object> theirs = duckValues(render(e), type);
    for (int r = 0; r < rows.size(); r++) {
      Object mine;
      try {
        mine = compiled.evaluate(rows.get(r).clone());
      } catch (EvaluationException ex) {
        mine = ERROR;
        if (ex instanceof UnsupportedValueException && theirs.get(r) != ERROR) {
          tally.infinite++;
          continue;
        }
      } catch (RuntimeException ex) {
        tally.mismatch(text + " row " + describe(rows.get(r)) + ": evaluator threw " + ex);
        continue;
      }
      Object other = theirs.get(r);
      if (same(mine, other)) {
        tally.values++;
        if (mine == ERROR) {
          tally.errorsAgreed++;
        }
      } else {
        tally.mismatch(
            text
                + " on "
                + describe(rows.get(r))
                + ": Java "
                + show(mine)
                + ", DuckDB "
                + show(other));
      }
    }
  }

  /** Whether DuckDB fails (or, for TRY_CAST, returns NULL) on every row. */
  private static boolean duckFailsOnEveryValue(String sql) {
    List<Object> values = query("SELECT TRY(" + sql + ") FROM t", SqlType.NULL);
    return values != null && values.stream().allMatch(Objects::isNull);
  }

  private static String wrap(String text, SqlType type) {
    switch (type.kind()) {
      case DATE:
        return "(" + text + ") - DATE '1970-01-01'";
      case TIMESTAMP:
      case TIMESTAMPTZ:
        return "epoch_us(" + text + ")";
      case INTERVAL:
        return "CAST(" + text + " AS VARCHAR)";
      case LIST:
        {
          SqlType.Kind k = type.element().kind();
          if (k == SqlType.Kind.DATE
              || k == SqlType.Kind.TIMESTAMP
              || k == SqlType.Kind.TIMESTAMPTZ
              || k == SqlType.Kind.INTERVAL
              || k == SqlType.Kind.NULL) {
            return "CAST(" + text + " AS VARCHAR)";
          }
          return text;
        }
      default:
        return text;
    }
  }

  /**
   * DuckDB's value per row (ERROR where it fails). One query; where it fails, TRY(...) gives every
   * value with NULL where a row fails, and the NULL rows are split in halves until each failing row
   * is found (DuckDB's JDBC closes a statement that failed: one statement per query).
   */
  private static List<Object> duckValues(String sql, SqlType type) throws SQLException {
    List<Object> out = query("SELECT " + sql + " FROM t ORDER BY k", type);
    if (out != null) {
      return out;
    }
    out = query("SELECT TRY(" + sql + ") FROM t ORDER BY k", type);
    if (out == null) {
      // some failures escape TRY (a result too large to build): halve the row range instead
      out = new ArrayList<>(java.util.Collections.nCopies(rows.size(), null));
      bisect(sql, type, 0, rows.size(), out);
      return out;
    }
    List<Integer> candidates = new ArrayList<>();
    for (int r = 0; r < out.size(); r++) {
      if (out.get(r) == null) {
        candidates.add(r);
      }
    }
    findErrors(sql, candidates, out);
    return out;
  }

  private static void findErrors(String sql, List<Integer> rowsToTry, List<Object> out)
      throws SQLException {
    if (rowsToTry.isEmpty()) {
      return;
    }
    String in = rowsToTry.stream().map(String::valueOf).collect(Collectors.joining(", "));
    if (query("SELECT " + sql + " FROM t WHERE k IN (" + in + ")", SqlType.NULL) != null) {
      return;
    }
    if (rowsToTry.size() == 1) {
      out.set(rowsToTry.get(0), ERROR);
      return;
    }
    int mid = rowsToTry.size() / 2;
    findErrors(sql, rowsToTry.subList(0, mid), out);
    findErrors(sql, rowsToTry.subList(mid, rowsToTry.size()), out);
  }

  private static void bisect(String sql, SqlType type, int from, int to, List<Object> out) {
    List<Object> part =
        query(
            "SELECT " + sql + " FROM t WHERE k >= " + from + " AND k < " + to + " ORDER BY k",
            type);
    if (part != null) {
      for (int i = 0; i < part.size(); i++) {
        out.set(from + i, part.get(i));
      }
    } else if (to - from == 1) {
      out.set(from, ERROR);
    } else {
      bisect(sql, type, from, (from + to) / 2, out);
      bisect(sql, type, (from + to) / 2, to, out);
    }
  }

  /** The query's values, or null when DuckDB fails. */
  private static int queries;

  private static List<Object> query(String query, SqlType type) {
    queries++;
    List<Object> out = new ArrayList<>();
    try (Statement st = duck.createStatement();
        ResultSet rs = st.executeQuery(query)) {
      while (rs.next()) {
        out.add(fetch(rs, type));
      }
      return out;
    } catch (SQLException e) {
      return null;
    }
  }

  private static Object fetch(ResultSet rs, SqlType type) throws SQLException {
    Object v = rs.getObject(1);
    return v == null ? null : convert(v, type);
  }

  /** A JDBC value as the evaluator represents values of {@code type}. */
  private static Object convert(Object v, SqlType type) throws SQLException {
    if (v == null) {
      return null;
    }
    switch (type.kind()) {
      case TINYINT, SMALLINT, INTEGER, BIGINT:
        return ((Number) v).longValue();
      case HUGEINT:
        return v instanceof BigInteger b ? b : new BigInteger(v.toString());
      case DECIMAL:
        return (BigDecimal) v;
      case FLOAT:
        return ((Number) v).floatValue();
      case DOUBLE:
        return ((Number) v).doubleValue();
      case BLOB:
        {
          Blob b = (Blob) v;
          return b.getBytes(1, (int) b.length());
        }
      case LIST:
        {
          Object[] items = (Object[]) ((Array) v).getArray();
          List<Object> out = new ArrayList<>();
          for (Object item : items) {
            out.add(convert(item, type.element()));
          }
          return out;
        }
      default:
        return v;
    }
  }

  private static boolean same(Object a, Object b) {
    if (a == ERROR || b == ERROR) {
      return a == b;
    }
    if (a == null || b == null) {
      return a == b;
    }
    if (a instanceof BigDecimal x && b instanceof BigDecimal y) {
      return x.compareTo(y) == 0;
    }
    if (a instanceof byte[] x && b instanceof byte[] y) {
      return Arrays.equals(x, y);
    }
    if (a instanceof List<?> x && b instanceof List<?> y) {
      if (x.size() != y.size()) {
        return false;
      }
      for (int i = 0; i < x.size(); i++) {
        if (!same(x.get(i), y.get(i))) {
          return false;
        }
      }
      return true;
    }
    // Double.equals and Float.equals: bit-exact, NaN equals NaN, -0.0 differs from 0.0
    return a.equals(b);
  }

  private static String show(Object v) {
    if (v instanceof byte[] b) {
      return Arrays.toString(b);
    }
    if (v instanceof String s) {
      return "'" + s + "'";
    }
    return String.valueOf(v);
  }

  private static String describe(Object[] row) {
    StringBuilder b = new StringBuilder("{");
    for (int i = 0; i < row.length; i++) {
      if (row[i] != null) {
        b.append(COLUMNS.get(i).name()).append('=').append(show(row[i])).append(' ');
      }
    }
    return b.append('}').toString();
  }

  /** The cast to each declared feature type, as the offline store writes it. */
  private void finalCasts(Tally tally) throws SQLException {
    List<ValueType> declared =
        List.of(
            ValueType.BOOL,
            ValueType.INT32,
            ValueType.INT64,
            ValueType.FLOAT,
            ValueType.DOUBLE,
            ValueType.STRING,
            ValueType.TIMESTAMP,
            ValueType.INT64_LIST,
            ValueType.STRING_LIST,
            ValueType.DOUBLE_LIST);
    for (String text :
        List.of(
            "b", "i", "l", "f", "d", "n", "s", "dt", "ts", "tz", "i * 1.5", "li", "ls", "ld",
            "l + i", "d * 2")) {
      Expr e = ExprParser.parse(text);
      Typed typed = TypeChecker.check(e, ExpressionDifferentialTest::resolve, Target.JAVA);
      for (ValueType vt : declared) {
        CompiledExpression compiled;
        try {
          compiled = ExprCompiler.compile(typed, vt, 0);
        } catch (ExpressionException ex) {
          continue; // no such cast: DuckDB refuses it too (checked below for one pair)
        }
        String sql = "CAST(" + render(e) + " AS " + Sql.duckType(vt) + ")";
        SqlType type = SqlType.of(vt);
        if (vt == ValueType.TIMESTAMP) {
          sql = "epoch_us(" + sql + ")";
          type = SqlType.BIGINT;
        }
        List<Object> theirs = duckValues(sql, type);
        for (int r = 0; r < rows.size(); r++) {
          Object mine;
          try {
            mine = compiled.evaluate(rows.get(r).clone());
            if (mine instanceof Instant i) {
              mine = i.getEpochSecond() * 1_000_000L + i.getNano() / 1000;
            } else if (mine instanceof Integer n) {
              mine = (long) n;
            } else if (mine instanceof List<?> l && vt == ValueType.INT64_LIST) {
              mine = l;
            }
          } catch (EvaluationException ex) {
            mine = ERROR;
            if (ex instanceof UnsupportedValueException && theirs.get(r) != ERROR) {
              tally.infinite++;
              continue;
            }
          }
          tally.finalCasts++;
          if (!same(mine, theirs.get(r))) {
            tally.mismatch(
                "CAST("
                    + text
                    + " AS "
                    + vt
                    + ") on "
                    + describe(rows.get(r))
                    + ": Java "
                    + show(mine)
                    + ", DuckDB "
                    + show(theirs.get(r)));
          }
        }
      }
    }
  }

  /**
   * upper, lower (and so ILIKE) map every code point as DuckDB does, including the case pairs that
   * Unicode added after Java's tables; and length and reverse agree on every code point.
   */
  @Test
  void everyCodePointChangesCaseAsInDuckDb() throws SQLException {
    Map<String, ValueType> columns = Map.of("s", ValueType.STRING);
    List<String> fns = List.of("upper(s)", "lower(s)", "length(s)", "reverse(s)");
    List<CompiledExpression> compiled = new ArrayList<>();
    for (String fn : fns) {
      compiled.add(
          Expressions.compile(
              ExprParser.parse(fn),
              TypeChecker.Resolver.of(columns),
              fn.startsWith("length") ? ValueType.INT64 : ValueType.STRING));
    }
    int checked = 0;
    try (PreparedStatement ps =
        duck.prepareStatement("SELECT upper(?), lower(?), length(?), reverse(?)")) {
      for (int from = 1; from < 0x110000; from += 0x8000) {
        StringBuilder b = new StringBuilder();
        StringBuilder known = new StringBuilder();
        for (int cp = from; cp < Math.min(0x110000, from + 0x8000); cp++) {
          if (cp < 0xD800 || cp > 0xDFFF) {
            b.appendCodePoint(cp).append(' ');
            if (Character.isDefined(cp)) {
              // reverse() refuses characters newer than Java's tables (tested below)
              known.appendCodePoint(cp).append(' ');
            }
            checked++;
          }
        }
        String text = b.toString();
        for (int p = 1; p <= 3; p++) {
          ps.setString(p, text);
        }
        ps.setString(4, known.toString());
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          for (int i = 0; i < fns.size(); i++) {
            Object duckValue = i == 2 ? (Object) rs.getLong(i + 1) : rs.getString(i + 1);
            Object mine = compiled.get(i).evaluate(new Object[] {i == 3 ? known.toString() : text});
            if (!duckValue.equals(mine)) {
              fail(
                  fns.get(i)
                      + " differs from DuckDB in U+"
                      + Integer.toHexString(from)
                      + "..: "
                      + firstDifference(String.valueOf(mine), String.valueOf(duckValue)));
            }
          }
        }
      }
    }
    assertEquals(0x110000 - 1 - 0x800, checked);
    // grapheme clusters: each code point after a letter, before a combining mark, around emoji
    // joiners, skin tones, flags, Hangul jamo
    CompiledExpression reverse = compiled.get(3);
    String[][] templates = {
      {"'a' || chr(r::INT) || 'b'", "a", "b"},
      {"'x' || chr(r::INT) || '\u0301'", "x", "\u0301"},
      {"'\uD83D\uDE00\u200D' || chr(r::INT)", "\uD83D\uDE00\u200D", ""},
      {
        "'\uD83D\uDE00' || chr(r::INT) || '\u200D\uD83D\uDE00'",
        "\uD83D\uDE00",
        "\u200D\uD83D\uDE00"
      },
      {"chr(r::INT) || '\uD83C\uDFFD'", "", "\uD83C\uDFFD"},
      {"'\uD83C\uDDFA' || chr(r::INT) || '\uD83C\uDDF8'", "\uD83C\uDDFA", "\uD83C\uDDF8"},
      {"'\u1100' || chr(r::INT) || '\u11A8'", "\u1100", "\u11A8"}
    };
    int clusters = 0;
    for (String[] t : templates) {
      try (Statement st = duck.createStatement();
          ResultSet rs =
              st.executeQuery(
                  "SELECT r, reverse("
                      + t[0]
                      + ") FROM range(1, 1114112) t(r) WHERE r < 55296 OR r > 57343")) {
        while (rs.next()) {
          int cp = rs.getInt(1);
          if (!Character.isDefined(cp)) {
            continue;
          }
          String in = t[1] + new String(Character.toChars(cp)) + t[2];
          Object mine = reverse.evaluate(new Object[] {in});
          if (!rs.getString(2).equals(mine)) {
            fail("reverse(" + t[0] + ") differs from DuckDB for U+" + Integer.toHexString(cp));
          }
          clusters++;
        }
      }
    }
    assertTrue(clusters > 7 * 280_000, "code points checked in clusters: " + clusters);
    assertThrows(
        UnsupportedValueException.class, () -> compiled.get(3).evaluate(new Object[] {"a\u1DFA"}));
  }

  private static String firstDifference(String a, String b) {
    int i = 0;
    while (i < a.length() && i < b.length() && a.charAt(i) == b.charAt(i)) {
      i++;
    }
    int from = Math.max(0, i - 2);
    return "Java "
        + a.substring(from, Math.min(a.length(), i + 4))
            .codePoints()
            .mapToObj(Integer::toHexString)
            .toList()
        + ", DuckDB "
        + b.substring(from, Math.min(b.length(), i + 4))
            .codePoints()
            .mapToObj(Integer::toHexString)
            .toList();
  }

  /** A new allowed function, operator or node kind without a differential case fails here. */
  @Test
  void everyFunctionOperatorAndNodeKindHasACase() {
    Set<String> functions = new TreeSet<>();
    Set<Expr.BinaryOp> binary = EnumSet.noneOf(Expr.BinaryOp.class);
    Set<Expr.UnaryOp> unary = EnumSet.noneOf(Expr.UnaryOp.class);
    Set<String> kinds = new TreeSet<>();
    Set<CastType> casts = EnumSet.noneOf(CastType.class);
    for (String written : DifferentialCases.all()) {
      Expr e = ExprParser.parse(written.startsWith("!") ? written.substring(1) : written);
      walk(e, functions, binary, unary, kinds, casts);
    }
    Set<String> missing = new TreeSet<>(Functions.all().keySet());
    missing.removeAll(functions);
    assertEquals(Set.of(), missing, "allowed functions without a differential case");
    assertEquals(EnumSet.allOf(Expr.BinaryOp.class), binary);
    assertEquals(EnumSet.allOf(Expr.UnaryOp.class), unary);
    assertEquals(EnumSet.allOf(CastType.class), casts);
    assertEquals(
        new TreeSet<>(
            List.of(
                "Between", "Call", "Case", "Cast", "Column", "InList", "IsNull", "Literal",
                "Binary", "Unary")),
        kinds);
  }

  private static void walk(
      Expr e,
      Set<String> functions,
      Set<Expr.BinaryOp> binary,
      Set<Expr.UnaryOp> unary,
      Set<String> kinds,
      Set<CastType> casts) {
    kinds.add(e.getClass().getSimpleName());
    List<Expr> children = new ArrayList<>();
    if (e instanceof Expr.Call c) {
      functions.add(c.function());
      children.addAll(c.args());
    } else if (e instanceof Expr.Binary b) {
      binary.add(b.op());
      children.add(b.left());
      children.add(b.right());
    } else if (e instanceof Expr.Unary u) {
      unary.add(u.op());
      children.add(u.operand());
    } else if (e instanceof Expr.Cast c) {
      casts.add(c.type());
      children.add(c.operand());
    } else if (e instanceof Expr.IsNull n) {
      children.add(n.operand());
    } else if (e instanceof Expr.InList in) {
      children.add(in.operand());
      children.addAll(in.values());
    } else if (e instanceof Expr.Between b) {
      children.addAll(List.of(b.operand(), b.low(), b.high()));
    } else if (e instanceof Expr.Case c) {
      if (c.operand() != null) {
        children.add(c.operand());
      }
      for (Expr.When w : c.whens()) {
        children.add(w.condition());
        children.add(w.result());
      }
      if (c.otherwise() != null) {
        children.add(c.otherwise());
      }
    }
    for (Expr child : children) {
      walk(child, functions, binary, unary, kinds, casts);
    }
    Objects.requireNonNull(e);
  }
}
