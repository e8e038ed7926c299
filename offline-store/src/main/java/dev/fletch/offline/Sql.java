package dev.fletch.offline;

import dev.fletch.core.model.ValueType;

/** Quoting for generated DuckDB SQL: identifiers always quoted, literals always escaped. */
final class Sql {
  private Sql() {}

  /** A quoted identifier; embedded double quotes are doubled so no name can end the quote. */
  static String ident(String name) {
    return '"' + name.replace("\"", "\"\"") + '"';
  }

  /**
   * A string literal; used only where DuckDB cannot bind a parameter (table-function paths, COPY
   * targets).
   */
  static String literal(String value) {
    return '\'' + value.replace("'", "''") + '\'';
  }

  /**
   * The DuckDB type a feature of {@code type} is cast to, so both query paths agree on value types.
   */
  static String duckType(ValueType type) {
    return switch (type) {
      case BOOL -> "BOOLEAN";
      case INT32 -> "INTEGER";
      case INT64 -> "BIGINT";
      case FLOAT -> "FLOAT";
      case DOUBLE -> "DOUBLE";
      case STRING -> "VARCHAR";
      case BYTES -> "BLOB";
      case TIMESTAMP -> "TIMESTAMPTZ";
      case BOOL_LIST, INT32_LIST, INT64_LIST, FLOAT_LIST, DOUBLE_LIST, STRING_LIST ->
          duckType(type.elementType()) + "[]";
    };
  }
}
