package dev.fletch.core.expr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ExprParserTest {

  private static String canonical(String text) {
    return ExprPrinter.print(ExprParser.parse(text));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "amount_sum_24h / nullif(txn_count_24h, 0)",
        "pair_txn_count_90d <= 1",
        "a + b * c",
        "(a + b) * c",
        "a - (b - c)",
        "a - b - c",
        "-a * -(b + 1)",
        "NOT a AND b OR c",
        "NOT (a OR b)",
        "x IS NOT NULL AND y IS NULL",
        "x IN (1, 2, 3)",
        "x NOT IN ('a', 'b''c')",
        "x BETWEEN 1 AND 10",
        "x NOT BETWEEN lo + 1 AND hi",
        "name LIKE 'a%' OR name NOT ILIKE '%B'",
        "a IS DISTINCT FROM b",
        "CASE WHEN amount >= 100 THEN 'high' ELSE 'low' END",
        "CASE channel WHEN 'web' THEN 1 WHEN 'app' THEN 2 END",
        "CAST(amount AS DOUBLE) / 2.5e3",
        "TRY_CAST(code AS INTEGER)",
        "coalesce(a, b, 0) || lower(\"Order Id\")",
        "(a = b) IS NULL",
        "\"select\" + \"from\"",
        "date_trunc('day', ts)",
        "list_contains(tags, 'vip')"
      })
  void canonicalTextParsesBackToItself(String text) {
    String once = canonical(text);
    assertEquals(once, canonical(once), "printing is stable");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "a+b*c | a + b * c",
        "(a+b)*c | (a + b) * c",
        "a - (b - c) | a - (b - c)",
        "(a - b) - c | a - b - c",
        "x::double | CAST(x AS DOUBLE)",
        "NOT a = b | NOT a = b",
        "NOT (a AND b) | NOT (a AND b)",
        "Lower(Name) | lower(Name)",
        "a == b | a = b",
        "a != b | a <> b",
        "- -a | -(-a)",
        "ts::timestamp with time zone | CAST(ts AS TIMESTAMPTZ)",
        "\"a\"\"b\" | \"a\"\"b\"",
        "ts >= TIMESTAMP '2024-01-01' | ts >= CAST('2024-01-01' AS TIMESTAMP)",
        "ts + INTERVAL 1 HOUR | ts + INTERVAL '1 hour'",
        "ts - interval '30 Days' | ts - INTERVAL '30 day'",
        "list_contains([1, 2], x) | list_contains(list_value(1, 2), x)"
      })
  void canonicalForm(String text, String expected) {
    assertEquals(expected, canonical(text));
  }

  @Test
  void bindingFollowsSqlPrecedence() {
    Expr e = ExprParser.parse("a OR b AND c");
    Expr.Binary or = assertInstanceOf(Expr.Binary.class, e);
    assertEquals(Expr.BinaryOp.OR, or.op());
    assertEquals(Expr.BinaryOp.AND, assertInstanceOf(Expr.Binary.class, or.right()).op());

    Expr.Binary lt = assertInstanceOf(Expr.Binary.class, ExprParser.parse("a + 1 < b * 2"));
    assertEquals(Expr.BinaryOp.LT, lt.op());
    assertEquals(Expr.BinaryOp.ADD, assertInstanceOf(Expr.Binary.class, lt.left()).op());

    Expr.Unary not = assertInstanceOf(Expr.Unary.class, ExprParser.parse("NOT a = b"));
    assertInstanceOf(Expr.Binary.class, not.operand());
  }

  @Test
  void columnsAreCollectedInOrder() {
    Expr e = ExprParser.parse("CASE WHEN a > 0 THEN b ELSE coalesce(c, a) END");
    assertEquals(List.of("a", "b", "c"), List.copyOf(Expressions.columnNames(e)));
  }

  /** The reproductions of the sandbox issue and their relatives: each refused, saying why. */
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        // break out of the generated SQL
        "1) AS BIGINT) AS x FROM (SELECT 1 AS customer_id) AS src; COPY (SELECT 'pwned') TO"
            + " '/tmp/pwned.txt' (FORMAT csv); SELECT 1 -- | unexpected ')' | 1",
        "1; COPY (SELECT 1) TO '/tmp/x.csv' | unexpected ';' | 1",
        "amount -- comment | comments are not allowed | 7",
        "amount /* c */ | comments are not allowed | 7",
        // table and file functions, the environment, settings
        "(SELECT count(*) FROM read_csv('/etc/passwd')) | uses SELECT, which is not allowed | 1",
        "read_csv('/etc/passwd') | uses read_csv(), which is not allowed | 0",
        "length(read_text('/etc/passwd')) | uses read_text(), which is not allowed | 7",
        "getenv('HOME') | uses getenv(), which is not allowed | 0",
        "current_setting('threads') | uses current_setting(), which is not allowed | 0",
        "glob('/etc/*') | uses glob(), which is not allowed | 0",
        "x IN (SELECT 1) | uses SELECT, which is not allowed | 6",
        "EXISTS (a) | uses EXISTS, which is not allowed | 0",
        "sum(amount) OVER () | uses sum(), which is not allowed | 0",
        "count(*) | uses count(), which is not allowed | 0",
        "amount FROM t | unexpected 'FROM' | 7",
        "PRAGMA version | uses PRAGMA, which is not allowed | 0",
        "a.b.c | at most two parts | 3",
        // malformed
        "'unterminated | unterminated string | 0",
        "\"\" | an empty quoted name | 0",
        "a < b < c | compare two values at a time | 6",
        "nullif(a) | nullif() takes 2 arguments, not 1 | 0",
        "CAST(a AS BLOB) | unknown type 'BLOB' | 10",
        "CASE END | CASE needs at least one WHEN | 5",
        "12abc | a number followed by a letter | 2",
        "a $ b | unexpected character '$' | 2",
        "a + | ends where a value is expected | 3",
        "ts + INTERVAL '1 day; DROP' | a whole number and one unit | 14",
        "ts + INTERVAL 1 fortnight | unknown interval unit 'fortnight' | 16"
      })
  void refused(String text, String message, int offset) {
    ExpressionException e = assertThrows(ExpressionException.class, () -> ExprParser.parse(text));
    assertTrue(e.getMessage().contains(message), e.getMessage());
    assertEquals(offset, e.offset(), e.getMessage());
  }

  @Test
  void aQualifiedNameIsOnlyForOnDemandFeatures() {
    ExprParser.parse("customer_activity.avg_amount_24h * 2");
    ExpressionException e =
        assertThrows(
            ExpressionException.class, () -> Expressions.parseRowExpression("other.amount * 2"));
    assertTrue(e.getMessage().contains("its own source's columns"), e.getMessage());
  }

  @Test
  void sizeAndNestingAreBounded() {
    ExpressionException deep =
        assertThrows(
            ExpressionException.class,
            () -> ExprParser.parse("(".repeat(2000) + "1" + ")".repeat(2000)));
    assertTrue(deep.getMessage().contains("nests deeper than"), deep.getMessage());
    ExpressionException negations =
        assertThrows(ExpressionException.class, () -> ExprParser.parse("- ".repeat(3000) + "1"));
    assertTrue(negations.getMessage().contains("nests deeper than"), negations.getMessage());
    ExpressionException nots =
        assertThrows(ExpressionException.class, () -> ExprParser.parse("NOT ".repeat(2000) + "a"));
    assertTrue(nots.getMessage().contains("nests deeper than"), nots.getMessage());
    ExpressionException longText =
        assertThrows(ExpressionException.class, () -> ExprParser.parse("a" + " + a".repeat(3000)));
    assertTrue(longText.getMessage().contains("at most 10000"), longText.getMessage());
    ExpressionException chain =
        assertThrows(ExpressionException.class, () -> ExprParser.parse("a" + " + a".repeat(2000)));
    assertTrue(chain.getMessage().contains("nests deeper than"), chain.getMessage());
    ExprParser.parse("a" + " + a".repeat(90));
  }

  @Test
  void keywordsAsColumnNamesMustBeQuoted() {
    ExpressionException e =
        assertThrows(ExpressionException.class, () -> ExprParser.parse("end + 1"));
    assertTrue(e.getMessage().contains("quote a column of that name"), e.getMessage());
    assertEquals("\"end\" + 1", canonical("\"end\" + 1"));
  }
}
