package dev.fletch.core.expr;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The scalar functions an expression may call, each with how many arguments it takes. Everything
 * else (table and file functions such as {@code read_csv} or {@code glob}, {@code getenv},
 * settings, aggregates, window functions, macros) is refused when a definition is checked. Each
 * listed function is a pure function of its arguments in every engine Fletch renders to; a test
 * runs each one through DuckDB.
 */
public final class Functions {
  /** A function's name and arity ({@code maxArgs} -1 for any number from {@code minArgs}). */
  public record Function(String name, String group, int minArgs, int maxArgs) {
    boolean accepts(int n) {
      return n >= minArgs && (maxArgs < 0 || n <= maxArgs);
    }

    String arity() {
      if (maxArgs < 0) {
        return minArgs + " or more arguments";
      }
      if (minArgs == maxArgs) {
        return minArgs == 1 ? "1 argument" : minArgs + " arguments";
      }
      return minArgs + " to " + maxArgs + " arguments";
    }
  }

  private static final Map<String, Function> ALL = new LinkedHashMap<>();

  static {
    group("null handling", "coalesce 1+", "nullif 2", "ifnull 2", "if 3");
    group(
        "math",
        "abs 1",
        "ceil 1",
        "ceiling 1",
        "floor 1",
        "round 1-2",
        "trunc 1",
        "sqrt 1",
        "cbrt 1",
        "exp 1",
        "ln 1",
        "log10 1",
        "log2 1",
        "pow 2",
        "power 2",
        "sign 1",
        "greatest 1+",
        "least 1+",
        "isnan 1",
        "isinf 1",
        "isfinite 1");
    group(
        "string",
        "lower 1",
        "upper 1",
        "length 1",
        "trim 1-2",
        "ltrim 1-2",
        "rtrim 1-2",
        "substr 2-3",
        "substring 2-3",
        "concat 1+",
        "concat_ws 2+",
        "replace 3",
        "starts_with 2",
        "ends_with 2",
        "contains 2",
        "strpos 2",
        "left 2",
        "right 2",
        "lpad 3",
        "rpad 3",
        "reverse 1",
        "repeat 2",
        "split_part 3",
        "string_split 2",
        "regexp_matches 2-3",
        "regexp_replace 3-4",
        "regexp_extract 2-3",
        "encode 1",
        "decode 1",
        "md5 1",
        "sha256 1");
    group(
        "date and time",
        "date_trunc 2",
        "date_part 2",
        "date_diff 3",
        "year 1",
        "month 1",
        "day 1",
        "hour 1",
        "minute 1",
        "second 1",
        "dayofweek 1",
        "isodow 1",
        "dayofyear 1",
        "week 1",
        "quarter 1",
        "epoch 1",
        "epoch_ms 1",
        "epoch_us 1",
        "to_timestamp 1",
        "make_date 3",
        "strftime 2",
        "strptime 2");
    group(
        "list",
        "list_value 1+",
        "len 1",
        "array_length 1",
        "list_contains 2",
        "list_extract 2",
        "list_position 2",
        "list_sum 1",
        "list_avg 1",
        "list_min 1",
        "list_max 1",
        "list_distinct 1",
        "list_sort 1");
  }

  private Functions() {}

  private static void group(String group, String... specs) {
    for (String spec : specs) {
      String[] parts = spec.split(" ");
      String arity = parts[1];
      int min;
      int max;
      if (arity.endsWith("+")) {
        min = Integer.parseInt(arity.substring(0, arity.length() - 1));
        max = -1;
      } else if (arity.contains("-")) {
        min = Integer.parseInt(arity.substring(0, arity.indexOf('-')));
        max = Integer.parseInt(arity.substring(arity.indexOf('-') + 1));
      } else {
        min = Integer.parseInt(arity);
        max = min;
      }
      ALL.put(parts[0], new Function(parts[0], group, min, max));
    }
  }

  /** The allowed function of that name (case-insensitive), if there is one. */
  public static Optional<Function> find(String name) {
    return Optional.ofNullable(ALL.get(name.toLowerCase(Locale.ROOT)));
  }

  /** Every allowed function, by name, in documentation order. */
  public static Map<String, Function> all() {
    return Collections.unmodifiableMap(ALL);
  }

  static void checkCall(String name, int args, int pos) {
    Function f =
        find(name)
            .orElseThrow(
                () ->
                    new ExpressionException(
                        "uses "
                            + name
                            + "(), which is not allowed: an expression may call only the scalar"
                            + " functions listed in docs/expressions.md",
                        pos));
    if (!f.accepts(args)) {
      throw new ExpressionException(f.name() + "() takes " + f.arity() + ", not " + args, pos);
    }
  }
}
