package dev.fletch.core.model;

import java.util.Locale;
import java.util.Optional;

/**
 * The types a join key or a feature can have. In Java, values of each type are carried as: BOOL
 * Boolean, INT32 Integer, INT64 Long, FLOAT Float, DOUBLE Double, STRING String, BYTES byte[],
 * TIMESTAMP java.time.Instant (UTC), and the list types as java.util.List of the element's Java
 * type (elements may be null). A missing value is Java null.
 */
public enum ValueType {
  BOOL,
  INT32,
  INT64,
  FLOAT,
  DOUBLE,
  STRING,
  BYTES,
  TIMESTAMP,
  BOOL_LIST,
  INT32_LIST,
  INT64_LIST,
  FLOAT_LIST,
  DOUBLE_LIST,
  STRING_LIST;

  // Asked once per served value: computed once per constant instead of from the name each time.
  private final boolean list = name().endsWith("_LIST");
  private ValueType element;

  static {
    for (ValueType t : values()) {
      t.element = t.list ? valueOf(t.name().substring(0, t.name().length() - "_LIST".length())) : t;
    }
  }

  public boolean isList() {
    return list;
  }

  /** The element type of a list type, or this type itself for a scalar. */
  public ValueType elementType() {
    return element;
  }

  /** Whether this type may be used for an entity join key. */
  public boolean isJoinKeyType() {
    return this == INT32 || this == INT64 || this == STRING;
  }

  /**
   * Parses a type as written in YAML: the enum name in any case, or {@code list<float>} / {@code
   * array<float>} for list types.
   */
  public static Optional<ValueType> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    String t = text.trim().toUpperCase(Locale.ROOT);
    for (String prefix : new String[] {"LIST<", "ARRAY<"}) {
      if (t.startsWith(prefix) && t.endsWith(">")) {
        t = t.substring(prefix.length(), t.length() - 1).trim() + "_LIST";
      }
    }
    try {
      return Optional.of(valueOf(t));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
