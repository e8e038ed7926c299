package dev.fletch.offline;

import dev.fletch.core.expr.SqlType;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The input table of the differential test: one column per input type, rows drawn from a seeded
 * random generator that mixes NULLs, extremes (Long.MIN/MAX, +-0.0, NaN, +-Infinity, empty and
 * Unicode strings, leap days, epoch edges, far dates) and ordinary values. Values are the
 * evaluator's inputs as Fletch passes them (Integer, Long, Float, Double, String, byte[], Boolean,
 * Integer days for DATE, Long microseconds for TIMESTAMP, java.time.Instant for TIMESTAMPTZ).
 */
final class DifferentialInputs {
  /** A column: its name in expressions and in the DuckDB table, its type, how DuckDB binds it. */
  record Column(String name, SqlType type, String bind) {}

  static final List<Column> COLUMNS =
      List.of(
          new Column("b", SqlType.BOOLEAN, "CAST(? AS BOOLEAN)"),
          new Column("c", SqlType.BOOLEAN, "CAST(? AS BOOLEAN)"),
          new Column("i", SqlType.INTEGER, "CAST(? AS INTEGER)"),
          new Column("j", SqlType.INTEGER, "CAST(? AS INTEGER)"),
          new Column("l", SqlType.BIGINT, "CAST(? AS BIGINT)"),
          new Column("m", SqlType.BIGINT, "CAST(? AS BIGINT)"),
          new Column("f", SqlType.FLOAT, "CAST(? AS FLOAT)"),
          new Column("d", SqlType.DOUBLE, "CAST(? AS DOUBLE)"),
          new Column("e", SqlType.DOUBLE, "CAST(? AS DOUBLE)"),
          new Column("s", SqlType.VARCHAR, "CAST(? AS VARCHAR)"),
          new Column("t", SqlType.VARCHAR, "CAST(? AS VARCHAR)"),
          new Column("n", SqlType.VARCHAR, "CAST(? AS VARCHAR)"),
          new Column("x", SqlType.BLOB, "CAST(? AS BLOB)"),
          new Column("dt", SqlType.DATE, "DATE '1970-01-01' + CAST(? AS INTEGER)"),
          new Column(
              "ts",
              SqlType.TIMESTAMP,
              "TIMESTAMP '1970-01-01' + to_microseconds(CAST(? AS BIGINT))"),
          new Column(
              "tz",
              SqlType.TIMESTAMPTZ,
              "CAST(TIMESTAMP '1970-01-01' + to_microseconds(CAST(? AS BIGINT)) AS TIMESTAMPTZ)"),
          new Column("li", SqlType.list(SqlType.INTEGER), "CAST(? AS INTEGER[])"),
          new Column("ll", SqlType.list(SqlType.BIGINT), "CAST(? AS BIGINT[])"),
          new Column("ld", SqlType.list(SqlType.DOUBLE), "CAST(? AS DOUBLE[])"),
          new Column(
              "ls",
              SqlType.list(SqlType.VARCHAR),
              "CASE WHEN CAST(? AS VARCHAR) IS NULL THEN NULL ELSE string_split(CAST(? AS VARCHAR), chr(31)) END"));

  static final List<Integer> INTS =
      List.of(
          0,
          1,
          -1,
          2,
          -2,
          3,
          7,
          -7,
          10,
          12,
          100,
          1000,
          59,
          60,
          366,
          Integer.MAX_VALUE,
          Integer.MIN_VALUE,
          Integer.MAX_VALUE - 1,
          Integer.MIN_VALUE + 1,
          46341,
          65536,
          5,
          4,
          13);
  static final List<Long> LONGS =
      List.of(
          0L,
          1L,
          -1L,
          2L,
          10L,
          -10L,
          86_400_000_000L,
          Long.MAX_VALUE,
          Long.MIN_VALUE,
          Long.MAX_VALUE - 1,
          Long.MIN_VALUE + 1,
          1L << 53,
          (1L << 53) + 1,
          3037000500L,
          2147483648L,
          -2147483649L,
          1_700_000_000_000L,
          4294967296L,
          1000L,
          86400L);
  static final List<Double> DOUBLES =
      List.of(
          0.0,
          -0.0,
          1.0,
          -1.0,
          0.5,
          -0.5,
          1.5,
          2.5,
          -2.5,
          0.1,
          0.2,
          0.3,
          1.0 / 3,
          2.0 / 3,
          100.0,
          1e15,
          1e16,
          1e-5,
          1e-4,
          123456.789,
          -987.654321,
          1e300,
          -1e300,
          1e-300,
          Double.MIN_VALUE,
          Double.MAX_VALUE,
          Double.NaN,
          Double.POSITIVE_INFINITY,
          Double.NEGATIVE_INFINITY,
          9007199254740993.0,
          0.49999999999999994,
          1234.5,
          1.005,
          2.675,
          4.35,
          86400.5,
          1.7e9,
          3.5,
          -3.5,
          1e10,
          2147483647.5,
          9.223372036854776e18);
  static final List<Float> FLOATS =
      List.of(
          0f,
          -0f,
          1f,
          -1f,
          0.5f,
          1.5f,
          2.5f,
          -2.5f,
          0.1f,
          3.4e38f,
          -3.4e38f,
          1e-40f,
          Float.NaN,
          Float.POSITIVE_INFINITY,
          Float.NEGATIVE_INFINITY,
          16777217f,
          1.1f,
          100f);
  static final List<String> STRINGS =
      List.of(
          "",
          " ",
          "a",
          "A",
          "abc",
          "Hello World",
          " padded  ",
          "web",
          "WEB",
          "Web",
          "mobile",
          "ß",
          "straße",
          "İstanbul",
          "é",
          "e\u0301",
          "😀",
          "a😀b",
          "🇺🇸",
          "👍🏽",
          "ÅÄÖ",
          "日本語",
          "a,b,c",
          ",,",
          "a,,b",
          ",",
          "%",
          "_",
          "a%b",
          "a_b",
          "\\",
          "a\\b",
          "'",
          "x'y",
          "123",
          "-42",
          " 7 ",
          "1.5",
          "2.5",
          "-0.5",
          "1e3",
          "0x1F",
          "1_000",
          "abc1",
          "9223372036854775808",
          "true",
          "f",
          "T",
          "yes",
          "no",
          "2024-02-29",
          "2023-02-29",
          "2024-02-29 12:34:56",
          "2024-02-29T12:34:56.123456",
          "1969-12-31 23:59:59.999999",
          "2024-01-01 10:00:00+02",
          "NaN",
          "inf",
          "-Infinity",
          "tab\there",
          "line\nbreak",
          "null",
          "[1, 2]",
          "aaa",
          "aXbXc",
          "%Y-%m-%d",
          "x",
          "ab",
          "한국어",
          "\u1100\u1161\u11A8",
          "👨‍👩‍👧",
          "🏳️‍🌈",
          "a\u0308\u0301b",
          "\r\n",
          "ba",
          "abcabc",
          "The quick brown fox",
          "a.b",
          "a+b",
          "(a)",
          "$");
  static final List<String> NUMERIC_TEXT =
      List.of(
          "123",
          "-42",
          " 7 ",
          "1.5",
          "2.5",
          "-0.5",
          "1e3",
          "0x1F",
          "1_000",
          "abc1",
          "",
          "9223372036854775808",
          "true",
          "f",
          "T",
          "yes",
          "no",
          "2024-02-29",
          "2023-02-29",
          "2024-02-29 12:34:56",
          "2024-02-29T12:34:56.123456",
          "1969-12-31 23:59:59.999999",
          "2024-01-01 10:00:00+02",
          "NaN",
          "inf",
          "-Infinity",
          "0",
          "1",
          "-0",
          "+5",
          "1.",
          ".5");
  static final List<Integer> DATES =
      List.of(
          0,
          -1,
          1,
          days(2024, 2, 29),
          days(2000, 2, 29),
          days(1900, 3, 1),
          days(1900, 2, 28),
          days(2023, 12, 31),
          days(2024, 1, 1),
          days(2024, 12, 31),
          days(9999, 12, 31),
          days(1, 1, 1),
          days(1582, 10, 15),
          days(2038, 1, 19),
          days(2021, 1, 3),
          days(2020, 12, 28),
          days(2026, 6, 15),
          days(1969, 12, 31),
          days(-100, 3, 1),
          days(20000, 1, 1));
  static final List<Long> TIMES =
      List.of(
          0L,
          -1L,
          1L,
          999_999L,
          -1_000_000L,
          86_399_999_999L,
          86_400_000_000L,
          micros(2024, 2, 29, 23, 59, 59, 999_999),
          micros(2024, 2, 29, 0, 0, 0, 0),
          micros(2000, 2, 29, 12, 0, 0, 0),
          micros(1969, 12, 31, 23, 59, 59, 0),
          micros(2038, 1, 19, 3, 14, 7, 0),
          micros(2023, 12, 31, 23, 0, 0, 500_000),
          micros(2024, 1, 1, 0, 0, 0, 1),
          micros(1900, 1, 1, 0, 0, 0, 0),
          micros(9999, 12, 31, 23, 59, 59, 999_999),
          micros(1, 1, 1, 0, 0, 0, 0),
          micros(2024, 3, 10, 2, 30, 0, 0),
          micros(2021, 1, 3, 12, 0, 0, 0),
          micros(2020, 12, 28, 6, 0, 0, 0),
          micros(1500, 6, 1, 12, 0, 0, 0));

  static int days(int y, int m, int d) {
    return (int) LocalDate.of(y, m, d).toEpochDay();
  }

  static long micros(int y, int mo, int d, int h, int mi, int s, int us) {
    return days(y, mo, d) * 86_400_000_000L
        + h * 3_600_000_000L
        + mi * 60_000_000L
        + s * 1_000_000L
        + us;
  }

  private final Random random;

  DifferentialInputs(long seed) {
    this.random = new Random(seed);
  }

  /** {@code count} rows; the first is all NULL. */
  List<Object[]> rows(int count) {
    List<Object[]> rows = new ArrayList<>();
    rows.add(new Object[COLUMNS.size()]);
    for (int r = 1; r < count; r++) {
      Object[] row = new Object[COLUMNS.size()];
      for (int c = 0; c < COLUMNS.size(); c++) {
        row[c] = random.nextInt(10) == 0 ? null : value(COLUMNS.get(c));
      }
      rows.add(row);
    }
    return rows;
  }

  private <T> T pick(List<T> l) {
    return l.get(random.nextInt(l.size()));
  }

  private boolean edge() {
    return random.nextInt(5) < 3;
  }

  private Object value(Column c) {
    switch (c.type().kind()) {
      case BOOLEAN:
        return random.nextBoolean();
      case INTEGER:
        return edge() ? pick(INTS) : random.nextInt(2001) - 1000;
      case BIGINT:
        return edge() ? pick(LONGS) : random.nextLong() >> random.nextInt(64);
      case FLOAT:
        return edge()
            ? pick(FLOATS)
            : (float) (random.nextGaussian() * Math.pow(10, random.nextInt(8) - 3));
      case DOUBLE:
        return edge()
            ? pick(DOUBLES)
            : random.nextGaussian() * Math.pow(10, random.nextInt(12) - 4);
      case VARCHAR:
        if (c.name().equals("n")) {
          // text that often reads as a number, a date or a boolean
          return edge() ? pick(NUMERIC_TEXT) : Integer.toString(random.nextInt(200) - 100);
        }
        return edge() ? pick(STRINGS) : randomText();
      case BLOB:
        {
          if (edge()) {
            return pick(STRINGS).getBytes(StandardCharsets.UTF_8);
          }
          byte[] b = new byte[random.nextInt(6)];
          random.nextBytes(b);
          return b;
        }
      case DATE:
        return edge() ? pick(DATES) : random.nextInt(80_000) - 25_000;
      case TIMESTAMP:
        return edge() ? pick(TIMES) : (random.nextLong() % 4_000_000_000_000_000L);
      case TIMESTAMPTZ:
        {
          long m = edge() ? pick(TIMES) : (random.nextLong() % 4_000_000_000_000_000L);
          return java.time.Instant.ofEpochSecond(
              Math.floorDiv(m, 1_000_000L), Math.floorMod(m, 1_000_000L) * 1000);
        }
      case LIST:
        {
          SqlType e = c.type().element();
          // a text list is bound as text split at a separator, which cannot spell an empty list
          int size = random.nextInt(5) + (e.kind() == SqlType.Kind.VARCHAR ? 1 : 0);
          List<Object> l = new ArrayList<>();
          for (int k = 0; k < size; k++) {
            if (e.kind() != SqlType.Kind.VARCHAR && random.nextInt(8) == 0) {
              l.add(null);
            } else {
              l.add(
                  switch (e.kind()) {
                    case INTEGER -> edge() ? pick(INTS) : random.nextInt(21) - 10;
                    case BIGINT -> edge() ? pick(LONGS) : (long) random.nextInt(21) - 10;
                    case DOUBLE -> edge() ? pick(DOUBLES) : random.nextGaussian() * 10;
                    default -> edge() ? pick(STRINGS.subList(1, 30)) : "w" + randomText();
                  });
            }
          }
          return l;
        }
      default:
        throw new IllegalStateException(c.toString());
    }
  }

  private String randomText() {
    int n = random.nextInt(8);
    StringBuilder b = new StringBuilder();
    String alphabet = "abcXYZ ,._-%é😀0123";
    for (int k = 0; k < n; k++) {
      b.appendCodePoint(
          alphabet.codePointAt(
              alphabet.offsetByCodePoints(
                  0, random.nextInt(alphabet.codePointCount(0, alphabet.length())))));
    }
    return b.toString();
  }
}
