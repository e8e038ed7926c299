package dev.fletch.core.expr;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** The types an expression may cast to, with the spellings accepted for each. */
public enum CastType {
  BOOLEAN,
  INTEGER,
  BIGINT,
  FLOAT,
  DOUBLE,
  VARCHAR,
  DATE,
  TIMESTAMP,
  TIMESTAMPTZ;

  private static final Map<String, CastType> SPELLINGS =
      Map.ofEntries(
          Map.entry("BOOLEAN", BOOLEAN),
          Map.entry("BOOL", BOOLEAN),
          Map.entry("INTEGER", INTEGER),
          Map.entry("INT", INTEGER),
          Map.entry("INT4", INTEGER),
          Map.entry("INT32", INTEGER),
          Map.entry("BIGINT", BIGINT),
          Map.entry("INT8", BIGINT),
          Map.entry("INT64", BIGINT),
          Map.entry("LONG", BIGINT),
          Map.entry("FLOAT", FLOAT),
          Map.entry("REAL", FLOAT),
          Map.entry("FLOAT4", FLOAT),
          Map.entry("DOUBLE", DOUBLE),
          Map.entry("FLOAT8", DOUBLE),
          Map.entry("VARCHAR", VARCHAR),
          Map.entry("TEXT", VARCHAR),
          Map.entry("STRING", VARCHAR),
          Map.entry("DATE", DATE),
          Map.entry("TIMESTAMP", TIMESTAMP),
          Map.entry("TIMESTAMPTZ", TIMESTAMPTZ));

  /** The type a written name stands for (case-insensitive), if it is one. */
  public static Optional<CastType> of(String written) {
    return Optional.ofNullable(SPELLINGS.get(written.toUpperCase(Locale.ROOT)));
  }

  /** Every accepted spelling, for messages. */
  public static String spellings() {
    return "BOOLEAN, INTEGER, BIGINT, FLOAT, DOUBLE, VARCHAR, DATE, TIMESTAMP, TIMESTAMPTZ"
        + " (also BOOL, INT, INT32, INT64, REAL, TEXT, STRING)";
  }
}
