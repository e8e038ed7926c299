package dev.fletch.core.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How a CSV source's files are written, where DuckDB's detection should not guess: the field {@code
 * delimiter} (one character), whether the first line is a {@code header}, the {@code quote} and
 * {@code escape} characters (one character, or empty for none), the texts that mean NULL ({@code
 * nullStrings}, replacing the default of an empty field only), and explicit column {@code types}
 * (source column -> a scalar {@link ValueType} other than BYTES). Null or empty members keep
 * DuckDB's detection. Checked by {@link #problems()} wherever a definition arrives.
 */
public record CsvOptions(
    @JsonInclude(JsonInclude.Include.NON_NULL) String delimiter,
    @JsonInclude(JsonInclude.Include.NON_NULL) Boolean header,
    @JsonInclude(JsonInclude.Include.NON_NULL) String quote,
    @JsonInclude(JsonInclude.Include.NON_NULL) String escape,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> nullStrings,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, ValueType> types) {

  /** The types a CSV column can be declared as. */
  public static final Set<ValueType> COLUMN_TYPES =
      Set.of(
          ValueType.BOOL,
          ValueType.INT32,
          ValueType.INT64,
          ValueType.FLOAT,
          ValueType.DOUBLE,
          ValueType.STRING,
          ValueType.TIMESTAMP);

  public CsvOptions {
    nullStrings = nullStrings == null ? List.of() : List.copyOf(nullStrings);
    types =
        types == null
            ? Map.of()
            : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(types));
  }

  /**
   * What is wrong with these options, each as {@code key: what} (empty when nothing): the same
   * rules the YAML reader applies at file positions.
   */
  public List<String> problems() {
    List<String> out = new ArrayList<>();
    String d = character("delimiter", delimiter, false, out);
    String q = character("quote", quote, true, out);
    character("escape", escape, true, out);
    if (d != null && q != null && !q.isEmpty() && d.equals(q)) {
      out.add("delimiter: the delimiter and the quote are both '" + d + "'");
    }
    for (String n : nullStrings) {
      if (n == null || hasLineBreakOrControl(n)) {
        out.add("null_strings: a null string has a line break or a control character");
      }
    }
    types.forEach(
        (column, type) -> {
          if (column == null || column.isBlank() || hasLineBreakOrControl(column)) {
            out.add("types: a column name is empty or has a control character");
          } else if (type == null || !COLUMN_TYPES.contains(type)) {
            out.add(
                "types["
                    + column
                    + "]: a CSV column is read as BOOL, INT32, INT64, FLOAT, DOUBLE, STRING or"
                    + " TIMESTAMP, not "
                    + type);
          }
        });
    return out;
  }

  /** One character ({@code emptyAllowed}: or none), checked; returns it when valid. */
  private static String character(
      String key, String value, boolean emptyAllowed, List<String> out) {
    if (value == null) {
      return null;
    }
    if (value.isEmpty() && emptyAllowed) {
      return value;
    }
    if (value.codePointCount(0, value.length()) != 1) {
      out.add(
          key
              + ": one character"
              + (emptyAllowed ? " (or \"\" for none)" : "")
              + ", not '"
              + printable(value)
              + "'");
      return null;
    }
    if (value.equals("\n") || value.equals("\r")) {
      out.add(key + ": a line break cannot be the " + key);
      return null;
    }
    return value;
  }

  private static boolean hasLineBreakOrControl(String s) {
    return s.chars().anyMatch(c -> Character.isISOControl(c) && c != '\t');
  }

  private static String printable(String s) {
    StringBuilder b = new StringBuilder();
    s.codePoints()
        .limit(20)
        .forEach(
            c ->
                b.append(
                    Character.isISOControl(c)
                        ? String.format("\\u%04x", c)
                        : new String(Character.toChars(c))));
    return b.toString();
  }
}
