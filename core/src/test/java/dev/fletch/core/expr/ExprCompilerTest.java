package dev.fletch.core.expr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.fletch.core.expr.TypeChecker.Resolver;
import dev.fletch.core.model.ValueType;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The evaluator with Fletch's Java values in and out. Its agreement with DuckDB on every function
 * is the differential test's (offline-store); these pin what serving relies on: the value types
 * that come out, SQL's NULL rules, errors where DuckDB errs.
 */
class ExprCompilerTest {
  private static final Map<String, ValueType> COLUMNS = new LinkedHashMap<>();

  static {
    COLUMNS.put("amount", ValueType.DOUBLE);
    COLUMNS.put("avg", ValueType.DOUBLE);
    COLUMNS.put("n", ValueType.INT32);
    COLUMNS.put("big", ValueType.INT64);
    COLUMNS.put("channel", ValueType.STRING);
    COLUMNS.put("ts", ValueType.TIMESTAMP);
    COLUMNS.put("flag", ValueType.BOOL);
    COLUMNS.put("tags", ValueType.STRING_LIST);
  }

  private static Object eval(String text, ValueType declared, Object... row) {
    CompiledExpression c =
        Expressions.compile(ExprParser.parse(text), Resolver.of(COLUMNS), declared);
    return c.evaluate(Arrays.copyOf(row, COLUMNS.size()));
  }

  @Test
  void computesTypicalFeatures() {
    assertEquals(2.5, eval("amount / nullif(avg, 0)", ValueType.DOUBLE, 5.0, 2.0));
    assertNull(eval("amount / nullif(avg, 0)", ValueType.DOUBLE, 5.0, 0.0));
    assertEquals(Double.POSITIVE_INFINITY, eval("amount / avg", ValueType.DOUBLE, 5.0, 0.0));
    assertEquals(
        true, eval("lower(channel) = 'web'", ValueType.BOOL, null, null, null, null, "WEB"));
    assertEquals(
        "high",
        eval("CASE WHEN amount >= 100 THEN 'high' ELSE 'low' END", ValueType.STRING, 120.0));
    assertEquals(0.0, eval("coalesce(amount, avg, 0)", ValueType.DOUBLE));
  }

  @Test
  void outputsAreTheDeclaredTypesJavaValues() {
    Instant t = Instant.parse("2024-02-29T10:15:30.123456Z");
    Object hour = eval("date_part('hour', ts)", ValueType.INT32, null, null, null, null, null, t);
    assertEquals(10, hour);
    assertInstanceOf(Integer.class, hour);
    assertEquals(
        Instant.parse("2024-03-29T10:15:30.123456Z"),
        eval("ts + INTERVAL 1 MONTH", ValueType.TIMESTAMP, null, null, null, null, null, t));
    assertEquals(
        Instant.parse("2025-02-28T10:15:30.123456Z"),
        eval("ts + INTERVAL 12 MONTH", ValueType.TIMESTAMP, null, null, null, null, null, t));
    assertEquals(3L, eval("n + 1", ValueType.INT64, null, null, 2));
    assertEquals(2.5f, eval("n * 1.25", ValueType.FLOAT, null, null, 2));
    assertEquals("2.50", eval("n * 1.25", ValueType.STRING, null, null, 2));
    assertEquals(
        List.of("a", "b"),
        eval("string_split(channel, ',')", ValueType.STRING_LIST, null, null, null, null, "a,b"));
  }

  @Test
  void castsRoundAsDuckDbDoes() {
    // a DOUBLE to an integer rounds half to even; a DECIMAL or a text half away from zero
    assertEquals(2, eval("amount", ValueType.INT32, 2.5));
    assertEquals(4, eval("amount", ValueType.INT32, 3.5));
    assertEquals(3, eval("CAST(n * 1.25 AS INTEGER)", ValueType.INT32, null, null, 2));
    assertEquals(
        2, eval("CAST(channel AS INTEGER)", ValueType.INT32, null, null, null, null, "1.5"));
    assertEquals("1e+20", eval("amount", ValueType.STRING, 1e20));
    assertEquals("0.1", eval("amount", ValueType.STRING, 0.1));
    assertNull(
        eval("TRY_CAST(channel AS INTEGER)", ValueType.INT32, null, null, null, null, "web"));
    EvaluationException e =
        assertThrows(
            EvaluationException.class,
            () -> eval("CAST(channel AS INTEGER)", ValueType.INT32, null, null, null, null, "web"));
    assertEquals("Could not convert string 'web' to INT32", e.getMessage());
  }

  @Test
  void integerOverflowAndModuloByZeroFailAsInDuckDb() {
    EvaluationException e =
        assertThrows(
            EvaluationException.class,
            () -> eval("n + 1", ValueType.INT32, null, null, Integer.MAX_VALUE));
    assertEquals("Overflow in addition of INT32 (2147483647 + 1)!", e.getMessage());
    assertThrows(
        EvaluationException.class,
        () -> eval("big * 2", ValueType.INT64, null, null, null, Long.MAX_VALUE));
    assertThrows(EvaluationException.class, () -> eval("n % 0", ValueType.INT32, null, null, 7));
    assertEquals(Double.NaN, eval("amount % 0", ValueType.DOUBLE, 7.0));
    // the declared type's range: BIGINT 2^31 does not fit INT32
    assertThrows(
        EvaluationException.class, () -> eval("big", ValueType.INT32, null, null, null, 1L << 31));
  }

  @Test
  void nullsFollowSqlsRules() {
    assertNull(eval("flag AND n > 0", ValueType.BOOL, null, null, 1));
    assertEquals(false, eval("flag AND n > 0", ValueType.BOOL, null, null, -1));
    assertEquals(true, eval("flag OR n > 0", ValueType.BOOL, null, null, 1));
    assertNull(eval("n IN (1, NULL)", ValueType.BOOL, null, null, 2));
    assertEquals(true, eval("n IN (2, NULL)", ValueType.BOOL, null, null, 2));
    assertEquals(true, eval("n IS DISTINCT FROM NULL", ValueType.BOOL, null, null, 2));
    assertEquals(false, eval("amount IS NOT DISTINCT FROM avg", ValueType.BOOL, 1.0));
    assertEquals("a", eval("concat(channel, NULL, 'a')", ValueType.STRING));
    assertNull(eval("channel || 'a'", ValueType.STRING));
    // NaN equals NaN and sorts above every number, as in DuckDB
    assertEquals(
        true, eval("amount = avg AND amount > 1e308", ValueType.BOOL, Double.NaN, Double.NaN));
  }

  @Test
  void everyOperandIsEvaluatedButOnlyTheTakenCaseBranch() {
    // DuckDB evaluates both sides of AND: 10 % 0 fails even where n <> 0 is false
    assertThrows(
        EvaluationException.class,
        () -> eval("n <> 0 AND 10 % n = 1", ValueType.BOOL, null, null, 0));
    assertNull(eval("CASE WHEN n = 0 THEN NULL ELSE 10 % n END", ValueType.INT32, null, null, 0));
  }

  @Test
  void textAndPatternsFollowDuckDb() {
    Object[] row = {null, null, null, null, "a\\b_c%"};
    assertEquals(true, eval("channel LIKE 'a\\b_c%'", ValueType.BOOL, row));
    assertEquals(false, eval("channel LIKE 'a\\b\\_c%'", ValueType.BOOL, row));
    // RE2's $ is the end of the text, not before a final newline
    assertEquals(
        false,
        eval("regexp_matches(channel, 'x$')", ValueType.BOOL, null, null, null, null, "x\n"));
    // RE2's \s is [\t\n\f\r ], without the vertical tab
    assertEquals(
        false,
        eval("regexp_matches(channel, '\\s')", ValueType.BOOL, null, null, null, null, "\u000B"));
    assertEquals(
        "b-a",
        eval(
            "regexp_replace(channel, '(\\w)-(\\w)', '\\2-\\1')",
            ValueType.STRING,
            null,
            null,
            null,
            null,
            "a-b"));
    assertEquals(3L, eval("length(channel)", ValueType.INT64, null, null, null, null, "a😀b"));
    assertEquals(
        "👍🏽a", eval("reverse(channel)", ValueType.STRING, null, null, null, null, "a👍🏽"));
    assertEquals("ẞ", eval("upper(channel)", ValueType.STRING, null, null, null, null, "ß"));
  }

  @Test
  void anInfiniteDateFailsRatherThanDiffering() {
    assertThrows(
        UnsupportedValueException.class,
        () ->
            eval(
                "TRY_CAST(channel AS DATE)", ValueType.STRING, null, null, null, null, "infinity"));
  }
}
