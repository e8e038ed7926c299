package dev.fletch.offline;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The columns of a relation as DuckDB describes it, in order. Lookups ignore case because DuckDB
 * resolves identifiers case-insensitively, so a check here agrees with what the query will do.
 */
record Columns(List<String> names, List<String> types) {
  Columns {
    names = List.copyOf(names);
    types = List.copyOf(types);
  }

  Optional<String> typeOf(String name) {
    int i = indexOf(name);
    return i < 0 ? Optional.empty() : Optional.of(types.get(i));
  }

  boolean has(String name) {
    return indexOf(name) >= 0;
  }

  int indexOf(String name) {
    String wanted = name.toLowerCase(Locale.ROOT);
    for (int i = 0; i < names.size(); i++) {
      if (names.get(i).toLowerCase(Locale.ROOT).equals(wanted)) {
        return i;
      }
    }
    return -1;
  }

  /** These columns after a source's field mapping (source column -> new name) is applied. */
  Columns renamed(java.util.Map<String, String> mapping) {
    List<String> out = new ArrayList<>(names);
    mapping.forEach(
        (from, to) -> {
          int i = indexOf(from);
          if (i >= 0) {
            out.set(i, to);
          }
        });
    return new Columns(out, types);
  }

  @Override
  public String toString() {
    return names.toString();
  }
}
