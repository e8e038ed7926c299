package dev.fletch.offline;

import java.util.ArrayList;
import java.util.List;

/**
 * The expressions of the differential test, over the columns of {@link DifferentialInputs}: every
 * allowed function, operator and node kind. A case written {@code "!expr"} is one the Java
 * evaluator refuses (the checker must say so for online use; DuckDB's type is still compared).
 */
final class DifferentialCases {
  private DifferentialCases() {}

  static List<String> all() {
    List<String> c = new ArrayList<>();
    // literals and columns
    c.addAll(
        List.of(
            "1",
            "-1",
            "2147483648",
            "-2147483648",
            "9223372036854775807",
            "170141183460469231731687303715884105727",
            "2.5",
            "-0.50",
            "00.50",
            ".5",
            "1e3",
            "1.5e-3",
            "'text'",
            "TRUE",
            "NULL",
            "INTERVAL 2 HOUR",
            "INTERVAL '3 months'",
            "[1, 2, 3]",
            "[1.5, NULL]",
            "['a', 'b']",
            "[i, j]",
            "[l, i]",
            "[d, f]",
            "b",
            "i",
            "l",
            "f",
            "d",
            "s",
            "x",
            "dt",
            "ts",
            "tz",
            "li",
            "ld",
            "ls",
            "ll"));
    // arithmetic over every numeric pairing
    String[] nums = {"i", "l", "f", "d", "j", "m", "e"};
    for (String op : List.of("+", "-", "*", "/", "%")) {
      for (String a : List.of("i", "l", "f", "d")) {
        for (String b : List.of("j", "m", "f", "e")) {
          c.add(a + " " + op + " " + b);
        }
      }
      c.add("i " + op + " 2");
      c.add("l " + op + " 3");
      c.add("i " + op + " 1.5");
      c.add("l " + op + " 2.25");
      c.add("d " + op + " 0.1");
      c.add("2.5 " + op + " 1.25");
      c.add("i " + op + " 0");
      c.add("d " + op + " 0");
      c.add("l " + op + " -1");
      c.add("(i * 1.5) " + op + " (j * 0.25)");
      c.add("sign(d) " + op + " 1");
      c.add("sign(d) " + op + " sign(e)");
    }
    for (String a : nums) {
      c.add("-" + a);
      c.add("+" + a);
    }
    c.addAll(
        List.of(
            "-(i * 1.5)",
            "-sign(d)",
            "i * 1.5 * 2.25",
            "l * 1.5 * 2.25 * 10.125",
            "99999999999999999.9 * 99.9",
            "d + i * l",
            "(i + j) * 3"));
    // comparisons, logic, null tests
    for (String op :
        List.of("=", "<>", "<", "<=", ">", ">=", "IS DISTINCT FROM", "IS NOT DISTINCT FROM")) {
      for (String[] p :
          new String[][] {
            {"i", "j"},
            {"i", "l"},
            {"d", "e"},
            {"f", "d"},
            {"s", "t"},
            {"b", "c"},
            {"dt", "ts"},
            {"ts", "tz"},
            {"x", "x"},
            {"li", "ll"},
            {"i", "2.5"},
            {"n", "i"},
            {"n", "d"},
            {"ts", "'2024-02-29'"},
            {"d", "'nan'"},
            {"INTERVAL 1 DAY", "INTERVAL 24 HOUR"},
            {"ts - dt", "INTERVAL 30 DAY"}
          }) {
        if (p[0].equals("x") && !op.contains("DISTINCT") && !op.equals("=")) {
          continue;
        }
        c.add(p[0] + " " + op + " " + p[1]);
      }
    }
    c.addAll(
        List.of(
            "b AND c",
            "b OR c",
            "NOT b",
            "NOT b AND c OR b",
            "b AND i > 0",
            "i IS NULL",
            "s IS NOT NULL",
            "li IS NULL",
            "i IN (1, 2, NULL)",
            "i NOT IN (1, 2)",
            "i NOT IN (1, NULL)",
            "d IN (0.5, 1.5, 'nan')",
            "s IN ('web', 'WEB', t)",
            "i IN (j, l, 2.5)",
            "i BETWEEN -10 AND 10",
            "d NOT BETWEEN e AND 1.5",
            "s BETWEEN 'a' AND 'n'",
            "ts BETWEEN dt AND tz",
            "i BETWEEN j AND l",
            "i <> 0 AND 10 % i = 1",
            "i = 0 OR 10 % i = 1"));
    // text operators
    c.addAll(
        List.of(
            "s || t",
            "s || i",
            "d || s",
            "s || NULL",
            "li || ll",
            "s LIKE t",
            "s LIKE '%b%'",
            "s LIKE 'a_b'",
            "s LIKE '\\%'",
            "s NOT LIKE '%'",
            "s ILIKE 'WEB'",
            "s ILIKE '%É%'",
            "s NOT ILIKE 'a%'",
            "s LIKE ''",
            "t LIKE s || '%'"));
    // CASE and casts
    c.addAll(
        List.of(
            "CASE WHEN i > 0 THEN 'pos' WHEN i < 0 THEN 'neg' END",
            "CASE WHEN b THEN 1 ELSE 2.5 END",
            "CASE i WHEN 1 THEN 'one' WHEN 2 THEN 'two' ELSE s END",
            "CASE WHEN d > 0 THEN d ELSE i END",
            "CASE s WHEN 'web' THEN 1 END",
            "CASE WHEN i = 0 THEN NULL ELSE 10 % i END"));
    String[] types = {
      "BOOLEAN",
      "INTEGER",
      "BIGINT",
      "FLOAT",
      "DOUBLE",
      "VARCHAR",
      "DATE",
      "TIMESTAMP",
      "TIMESTAMPTZ"
    };
    for (String col :
        List.of(
            "b", "i", "l", "f", "d", "n", "s", "dt", "ts", "tz", "li", "ld", "ls", "x",
            "i * 1.5")) {
      for (String type : types) {
        // a FLOAT's text is refused online (DuckDB's digits are not always the shortest)
        String refused = col.equals("f") && type.equals("VARCHAR") ? "!" : "";
        c.add(refused + "TRY_CAST(" + col + " AS " + type + ")");
        c.add(refused + "CAST(" + col + " AS " + type + ")");
      }
    }
    c.addAll(
        List.of(
            "i::VARCHAR",
            "d::INT",
            "DATE '2024-02-29'",
            "TIMESTAMP '2024-02-29 12:00:00'",
            "TIMESTAMPTZ '2024-01-01 10:00:00+02'",
            "CAST('1.5' AS INTEGER)",
            "CAST(x AS VARCHAR)",
            "CAST(INTERVAL 90 MINUTE AS VARCHAR)",
            "CAST(ts - dt AS VARCHAR)"));
    // dates and intervals
    c.addAll(
        List.of(
            "dt + 1",
            "dt - i",
            "1 + dt",
            "dt - dt",
            "dt + INTERVAL 1 MONTH",
            "ts + INTERVAL 1 MONTH",
            "ts - INTERVAL 1 YEAR",
            "tz + INTERVAL 36 HOUR",
            "INTERVAL 1 DAY + ts",
            "!ts - tz",
            "!tz - ts",
            "ts - dt",
            "epoch_us(tz) - epoch_us(ts)",
            "date_diff('microsecond', ts, tz)",
            "INTERVAL 1 DAY * i",
            "l * INTERVAL 1 MICROSECOND",
            "INTERVAL 1 DAY - INTERVAL 1 HOUR",
            "-(INTERVAL 1 MONTH)",
            "!INTERVAL 1 DAY * 1.5",
            "!INTERVAL 1 DAY / 2"));
    // functions
    c.addAll(
        List.of(
            "coalesce(i, j, 0)",
            "coalesce(s, t)",
            "coalesce(d, i)",
            "coalesce(NULL, l)",
            "ifnull(i, l)",
            "ifnull(s, 'none')",
            "nullif(i, 0)",
            "nullif(s, '')",
            "nullif(d, e)",
            "if(b, i, d)",
            "if(i > 0, s, t)",
            "d / nullif(e, 0)",
            "i / nullif(j, 0)"));
    for (String fn : List.of("abs", "ceil", "ceiling", "floor", "round", "trunc", "sign")) {
      for (String a : List.of("i", "l", "f", "d", "i * 1.5", "2.55", "-2.5")) {
        c.add(fn + "(" + a + ")");
      }
    }
    for (String fn : List.of("round")) {
      for (String a : List.of("i", "l", "f", "d", "d * 1000")) {
        c.add(fn + "(" + a + ", 2)");
        c.add(fn + "(" + a + ", -1)");
        c.add(fn + "(" + a + ", j % 5)");
      }
      c.add(fn + "(2.555, 2)");
      c.add(fn + "(i * 1.25, 1)");
      c.add(fn + "(l * 1.5, -2)");
    }
    c.addAll(List.of("!log10(d)", "!log2(i)", "ln(d) / ln(10)", "ln(i) / ln(2)"));
    for (String fn : List.of("sqrt", "exp", "ln")) {
      for (String a : List.of("i", "l", "f", "d", "2.5")) {
        c.add(fn + "(" + a + ")");
      }
    }
    for (String fn : List.of("pow", "power")) {
      c.addAll(List.of(fn + "(d, e)", fn + "(i, 2)", fn + "(2, j % 70)", fn + "(f, 0.5)"));
    }
    for (String fn : List.of("greatest", "least")) {
      c.addAll(
          List.of(
              fn + "(i, j)",
              fn + "(i, l, 2.5)",
              fn + "(d, e, f)",
              fn + "(s, t)",
              fn + "(dt, ts)",
              fn + "(i, NULL, j)",
              fn + "(d)"));
    }
    for (String fn : List.of("isnan", "isinf", "isfinite")) {
      c.addAll(List.of(fn + "(d)", fn + "(f)", fn + "(i)"));
    }
    c.addAll(List.of("isinf(ts)", "isfinite(dt)"));
    for (String fn :
        List.of(
            "lower", "upper", "length", "reverse", "md5", "sha256", "encode", "trim", "ltrim",
            "rtrim")) {
      c.add(fn + "(s)");
      c.add(fn + "(n)");
    }
    c.addAll(
        List.of(
            "md5(x)",
            "sha256(x)",
            "length(li)",
            "length(ls)",
            "decode(x)",
            "decode(encode(s))",
            "trim(s, 'a ')",
            "ltrim(s, t)",
            "rtrim(s, ',')",
            "trim(s, '')"));
    for (String fn : List.of("substr", "substring")) {
      c.addAll(
          List.of(
              fn + "(s, i % 8)",
              fn + "(s, j % 6, i % 5)",
              fn + "(s, 2)",
              fn + "(s, -2)",
              fn + "(s, 0, 2)",
              fn + "(s, 2, -1)",
              fn + "(s, l)",
              fn + "(s, 1, l)"));
    }
    c.addAll(
        List.of(
            "concat(s, t)",
            "concat(s, i, NULL, d)",
            "concat(li, ll)",
            "concat(s)",
            "concat_ws(',', s, t)",
            "concat_ws(t, s, i, NULL)",
            "concat_ws(NULL, s)",
            "replace(s, 'a', 'xy')",
            "replace(s, t, '')",
            "replace(s, '', 'z')",
            "starts_with(s, t)",
            "starts_with(s, 'a')",
            "ends_with(s, t)",
            "ends_with(s, '')",
            "contains(s, t)",
            "contains(s, 'b')",
            "contains(li, i)",
            "contains(ls, s)",
            "strpos(s, t)",
            "strpos(s, 'b')",
            "strpos(s, '')",
            "left(s, i % 10)",
            "left(s, l)",
            "right(s, i % 10)",
            "right(s, -2)",
            "lpad(s, i % 12, t)",
            "lpad(s, 6, '*')",
            "rpad(s, j % 12, '-=')",
            "rpad(s, 3, t)",
            "reverse(t)",
            "repeat(s, i % 5)",
            "repeat(s, l % 40)",
            "repeat(t, -5)",
            "split_part(s, ',', i % 4)",
            "split_part(s, t, 2)",
            "split_part(s, '', 1)",
            "string_split(s, ',')",
            "string_split(s, t)",
            "string_split(s, '')"));
    c.addAll(
        List.of(
            "regexp_matches(s, 'a.c')",
            "regexp_matches(s, '^[a-z]+$')",
            "regexp_matches(s, '\\d+')",
            "regexp_matches(s, '\\s')",
            "regexp_matches(s, 'WEB', 'i')",
            "regexp_matches(s, '\\bb')",
            "regexp_matches(s, '[[:alpha:]]{2,}')",
            "regexp_matches(s, 'b$')",
            "regexp_matches(s, '(?i)é')",
            "regexp_matches(s, '\\p{L}\\p{M}')",
            "regexp_matches(s, '.')",
            "regexp_matches(s, 'a{,2}')",
            "regexp_replace(s, '[aeiou]', '*')",
            "regexp_replace(s, '[aeiou]', '*', 'g')",
            "regexp_replace(s, '(\\w)(\\w)', '\\2\\1', 'g')",
            "regexp_replace(s, 'a|b', '$', 'g')",
            "regexp_replace(s, '^\\s+|\\s+$', '', 'g')",
            "regexp_replace(s, 'X', 'y', 'gi')",
            "regexp_extract(s, '[0-9]+')",
            "regexp_extract(s, '(\\w+),(\\w+)', 2)",
            "regexp_extract(s, '(a)|(b)', 2)",
            "regexp_extract(n, '^-?\\d+')",
            "!regexp_matches(s, t)",
            "!regexp_replace(s, 'a', t)",
            "!regexp_matches(s, '(?=a)')",
            "!regexp_matches(s, '(a)\\1')",
            "!regexp_matches(s, 'a', 's')",
            "!cbrt(d)"));
    for (String fn :
        List.of(
            "year",
            "month",
            "day",
            "hour",
            "minute",
            "second",
            "dayofweek",
            "isodow",
            "dayofyear",
            "week",
            "quarter",
            "epoch",
            "epoch_ms",
            "epoch_us")) {
      c.add(fn + "(dt)");
      c.add(fn + "(ts)");
      c.add(fn + "(tz)");
    }
    c.add("!year(INTERVAL 14 MONTH)");
    c.add("epoch_ms(l)");
    c.add("epoch_ms(i)");
    for (String part :
        List.of(
            "year",
            "quarter",
            "month",
            "week",
            "day",
            "hour",
            "minute",
            "second",
            "millisecond",
            "microsecond",
            "decade",
            "century",
            "millennium",
            "dow",
            "isodow",
            "doy",
            "epoch",
            "isoyear")) {
      c.add("date_part('" + part + "', ts)");
      c.add("date_part('" + part + "', dt)");
      c.add("date_part('" + part + "', tz)");
      if (!part.equals("epoch") && !part.equals("isoyear")) {
        c.add("date_diff('" + part + "', ts, tz)");
        c.add("date_diff('" + part + "', dt, ts)");
      }
      if (!List.of("dow", "isodow", "doy", "epoch", "isoyear").contains(part)) {
        c.add("date_trunc('" + part + "', ts)");
        c.add("date_trunc('" + part + "', dt)");
        c.add("date_trunc('" + part + "', tz)");
      }
    }
    c.addAll(
        List.of(
            "date_diff('day', dt, dt + i % 1000)",
            "date_part('years', ts)",
            "date_trunc('MONTH', ts)",
            "!date_part(s, ts)",
            "!date_trunc(s, ts)",
            "to_timestamp(d)",
            "to_timestamp(i)",
            "to_timestamp(l)",
            "make_date(i, j, 1)",
            "make_date(2024, 2, 29)",
            "make_date(l, 13, 1)",
            "make_date(i % 3000, j % 13, i % 32)",
            "strftime(ts, '%Y-%m-%d %H:%M:%S')",
            "strftime(dt, '%d/%m/%y %j')",
            "strftime(tz, '%A %B %-d %I:%M %p %f %g %w %u %%')",
            "strftime(ts, '%b %a %-m %-H')",
            "strptime(s, '%Y-%m-%d')",
            "strptime(n, '%Y-%m-%d %H:%M:%S')",
            "strptime('2024-02-29 13:45:01.250', '%Y-%m-%d %H:%M:%S.%g')",
            "strptime('29/Feb/2024 01:02 PM', '%d/%b/%Y %I:%M %p')",
            "strptime(strftime(ts, '%Y-%m-%d %H:%M:%S.%f'), '%Y-%m-%d %H:%M:%S.%f')",
            "!strftime(ts, '%c')",
            "!strftime(ts, s)",
            "!strptime(s, '%z')"));
    // lists
    c.addAll(
        List.of(
            "list_value(i, j)",
            "list_value(s, NULL)",
            "list_value(d, i)",
            "list_value(dt, ts)",
            "len(li)",
            "len(ls)",
            "array_length(ld)",
            "array_length(li)",
            "list_contains(li, i)",
            "list_contains(li, NULL)",
            "list_contains(ld, d)",
            "list_contains(ls, s)",
            "list_contains(ll, 2.5)",
            "list_extract(li, i % 6)",
            "list_extract(ld, -1)",
            "list_extract(ls, 1)",
            "list_extract(s, i % 5)",
            "list_extract(s, -1)",
            "list_position(li, i)",
            "list_position(ls, s)",
            "list_position(li, NULL)",
            "list_position(ld, d)",
            "list_sum(li)",
            "list_sum(ll)",
            "list_sum(ld)",
            "list_sum([i * 1.5, j * 0.25])",
            "list_avg(li)",
            "list_avg(ll)",
            "list_avg(ld)",
            "list_min(li)",
            "list_max(ld)",
            "list_min(ls)",
            "list_max(ls)",
            "list_sort(li)",
            "list_sort(ld)",
            "list_sort(ls)",
            "list_sort(list_distinct(li))",
            "len(list_distinct(ld))",
            "list_contains(list_distinct(ls), s)",
            "!list_distinct(li)",
            "list_extract(string_split(s, ','), 2)",
            "list_sum([f, f])",
            "list_max([dt, dt + 1])"));
    return c;
  }
}
