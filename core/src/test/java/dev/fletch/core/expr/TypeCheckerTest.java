package dev.fletch.core.expr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fletch.core.expr.TypeChecker.Input;
import dev.fletch.core.expr.TypeChecker.Resolver;
import dev.fletch.core.expr.TypeChecker.Target;
import dev.fletch.core.model.ValueType;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The types DuckDB gives each node (the differential test in offline-store checks every case
 * against DuckDB's typeof; these pin the rules users meet) and the problems the checker reports, at
 * the offending token.
 */
class TypeCheckerTest {
  private static final Map<String, ValueType> COLUMNS = new LinkedHashMap<>();

  static {
    COLUMNS.put("i", ValueType.INT32);
    COLUMNS.put("l", ValueType.INT64);
    COLUMNS.put("f", ValueType.FLOAT);
    COLUMNS.put("d", ValueType.DOUBLE);
    COLUMNS.put("s", ValueType.STRING);
    COLUMNS.put("b", ValueType.BOOL);
    COLUMNS.put("ts", ValueType.TIMESTAMP);
    COLUMNS.put("tags", ValueType.STRING_LIST);
    COLUMNS.put("x", ValueType.BYTES);
  }

  private static Typed check(String text, Target target) {
    return TypeChecker.check(ExprParser.parse(text), Resolver.of(COLUMNS), target);
  }

  private static ExpressionException problem(String text, Target target) {
    return assertThrows(ExpressionException.class, () -> check(text, target));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = ';',
      quoteCharacter = '`',
      value = {
        "1 ; INTEGER",
        "2147483648 ; BIGINT",
        "-2147483648 ; INTEGER",
        "170141183460469231731687303715884105727 ; HUGEINT",
        "2.5 ; DECIMAL(2,1)",
        "00.50 ; DECIMAL(4,2)",
        "1e3 ; DOUBLE",
        "'x' ; VARCHAR",
        "NULL ; \"NULL\"",
        "INTERVAL 2 HOUR ; INTERVAL",
        "[1, 2] ; INTEGER[]",
        "i + l ; BIGINT",
        "i + 1 ; INTEGER",
        "i / 2 ; DOUBLE",
        "f / f ; FLOAT",
        "f + d ; DOUBLE",
        "i % 3 ; INTEGER",
        "i * 1.5 ; DECIMAL(12,1)",
        "l + 2.25 ; DECIMAL(22,2)",
        "sign(d) + 1 ; TINYINT",
        "s || i ; VARCHAR",
        "i = l ; BOOLEAN",
        "CASE WHEN b THEN 1 ELSE 2.5 END ; DECIMAL(11,1)",
        "coalesce(i, l) ; BIGINT",
        "nullif(i, 0) ; INTEGER",
        "ts + INTERVAL 1 DAY ; TIMESTAMP WITH TIME ZONE",
        "DATE '2024-02-29' + 1 ; DATE",
        "DATE '2024-02-29' + INTERVAL 1 MONTH ; TIMESTAMP",
        "date_part('hour', ts) ; BIGINT",
        "date_part('epoch', ts) ; DOUBLE",
        "epoch_ms(l) ; TIMESTAMP",
        "epoch_ms(ts) ; BIGINT",
        "list_sum([i, i]) ; HUGEINT",
        "list_extract(tags, 1) ; VARCHAR",
        "length(s) ; BIGINT",
        "round(2.555, 2) ; DECIMAL(4,2)",
        "ceil(i) ; DOUBLE",
        "CAST(d AS INT) ; INTEGER"
      })
  void typesAsDuckDbDoes(String text, String type) {
    assertEquals(type, check(text, Target.DUCKDB).type().toString());
  }

  @Test
  void anUnknownColumnIsReportedWhereItIsWritten() {
    ExpressionException e = problem("i * 2 + nope", Target.JAVA);
    assertEquals("unknown column 'nope'", e.problem());
    assertEquals(8, e.offset());
  }

  @Test
  void aFunctionGivenATypeItDoesNotTakeIsReportedAtTheArgument() {
    ExpressionException e = problem("upper(s) || lower(i)", Target.DUCKDB);
    assertEquals("lower() takes VARCHAR, not INTEGER", e.problem());
    assertEquals(18, e.offset());
    assertEquals(
        "+ does not take VARCHAR and INTEGER (cast the values explicitly)",
        problem("s + 1", Target.DUCKDB).problem());
    assertEquals(
        "date_part() takes a DATE, TIMESTAMP or TIMESTAMP WITH TIME ZONE, not DOUBLE",
        problem("date_part('hour', d)", Target.DUCKDB).problem());
  }

  @Test
  void aConstantThatDoesNotConvertFailsAtTheCheckNotPerRow() {
    ExpressionException e = problem("ts > DATE '2024-13-01'", Target.DUCKDB);
    assertTrue(e.problem().contains("2024-13-01"), e.problem());
    assertEquals(10, e.offset());
  }

  @Test
  void textIsOrderedAgainstNumbersOnlyWithACast() {
    assertEquals(
        "cannot compare values of type VARCHAR and INTEGER with < (write a CAST)",
        problem("s < i", Target.DUCKDB).problem());
    // equality converts the text, as DuckDB does
    assertEquals(SqlType.BOOLEAN, check("s = i", Target.DUCKDB).type());
  }

  @Test
  void theResultMustCastToTheDeclaredType() {
    Typed t = check("b AND i > 0", Target.JAVA);
    ExpressionException e =
        assertThrows(
            ExpressionException.class, () -> TypeChecker.castTo(t, ValueType.TIMESTAMP, 4));
    assertEquals(
        "computes a BOOLEAN, which cannot be cast to the declared type TIMESTAMP", e.problem());
    assertEquals(4, e.offset());
    assertEquals(SqlType.BIGINT, TypeChecker.castTo(t, ValueType.INT64, 0).type());
  }

  @Test
  void qualifiedColumnsAreTheResolversToAllow() {
    Resolver onDemand =
        c ->
            "profile".equals(c.qualifier()) && c.name().equals("age")
                ? new Input(3, SqlType.INTEGER)
                : null;
    Typed t = TypeChecker.check(ExprParser.parse("profile.age + 1"), onDemand, Target.JAVA);
    assertEquals(SqlType.INTEGER, t.type());
    assertEquals(3, t.arg(0).value());
    ExpressionException e =
        assertThrows(
            ExpressionException.class,
            () -> TypeChecker.check(ExprParser.parse("other.age"), onDemand, Target.JAVA));
    assertEquals("unknown column 'other.age'", e.problem());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = ';',
      quoteCharacter = '`',
      value = {
        "regexp_matches(s, s) ; regexp_matches()'s pattern must be a string written in the expression",
        "regexp_matches(s, '(?=a)') ; look-around",
        "regexp_matches(s, '(a)\\1') ; back-references",
        "strftime(ts, '%c') ; the specifier %c",
        "list_distinct(tags) ; list_sort(list_distinct(x))",
        "cbrt(d) ; pow(x, 1.0 / 3)",
        "log10(d) ; ln(x) / ln(10)",
        "date_part(s, ts) ; date_part()'s part must be a string written in the expression",
        "ts - ts ; date_diff('second', a, b)",
        "INTERVAL 1 DAY * 1.5 ; multiply by a whole number"
      })
  void whatJavaCannotMatchIsRefusedOnlineWithTheWayOut(String text, String hint) {
    check(text.startsWith("regexp_matches(s, '(") ? "regexp_matches(s, 'a')" : text, Target.DUCKDB);
    ExpressionException e = problem(text, Target.JAVA);
    assertTrue(e.problem().contains(hint), e.problem());
  }

  @Test
  void listDistinctIsFineWhereOrderDoesNotMatter() {
    assertEquals(SqlType.BIGINT, check("len(list_distinct(tags))", Target.JAVA).type());
  }
}
