package dev.fletch.core.expr;

import java.text.BreakIterator;
import java.util.ArrayList;
import java.util.List;

/**
 * DuckDB's string functions on Java strings: positions and lengths count Unicode code points (not
 * UTF-16 units), {@code reverse} keeps grapheme clusters together, case mapping is per code point.
 */
final class Texts {
  private Texts() {}

  static String lower(String s) {
    StringBuilder b = new StringBuilder(s.length());
    s.codePoints().forEach(c -> b.appendCodePoint(Character.toLowerCase(c)));
    return b.toString();
  }

  static String upper(String s) {
    StringBuilder b = new StringBuilder(s.length());
    s.codePoints().forEach(c -> b.appendCodePoint(c == 0xDF ? 0x1E9E : Character.toUpperCase(c)));
    return b.toString();
  }

  static String reverse(String s) {
    BreakIterator it = BreakIterator.getCharacterInstance(java.util.Locale.ROOT);
    it.setText(s);
    List<String> clusters = new ArrayList<>();
    int start = it.first();
    for (int end = it.next(); end != BreakIterator.DONE; start = end, end = it.next()) {
      clusters.add(s.substring(start, end));
    }
    StringBuilder b = new StringBuilder(s.length());
    for (int i = clusters.size() - 1; i >= 0; i--) {
      b.append(clusters.get(i));
    }
    return b.toString();
  }

  static String trim(String s, String chars, boolean left, boolean right) {
    int[] cps = s.codePoints().toArray();
    int from = 0;
    int to = cps.length;
    if (left) {
      while (from < to && chars.indexOf(cps[from]) >= 0) {
        from++;
      }
    }
    if (right) {
      while (to > from && chars.indexOf(cps[to - 1]) >= 0) {
        to--;
      }
    }
    return new String(cps, from, to - from);
  }

  /** substring(s, start, length) with DuckDB's rules for zero and negative starts and lengths. */
  static String substring(String s, long offset, Long length) {
    int[] cps = s.codePoints().toArray();
    long size = cps.length;
    long len = length == null ? Integer.MAX_VALUE : length;
    if (Math.abs(offset) > 4294967295L || Math.abs(len) > 4294967295L) {
      throw new EvaluationException("Substring offset outside of supported range (> 4294967295)");
    }
    if (len == 0) {
      return "";
    }
    long start;
    if (offset > 0) {
      start = Math.min(size, offset - 1);
    } else if (offset < 0) {
      start = Math.max(size + offset, 0);
    } else {
      start = 0;
      len--;
      if (len <= 0) {
        return "";
      }
    }
    long end;
    if (len > 0) {
      end = Math.min(size, start + len);
    } else {
      end = start;
      start = Math.max(0, start + len);
    }
    if (start >= end) {
      return "";
    }
    return new String(cps, (int) start, (int) (end - start));
  }

  static String left(String s, long n) {
    int size = s.codePointCount(0, s.length());
    long k = n >= 0 ? Math.min(n, size) : Math.max(0, size + n);
    return s.substring(0, s.offsetByCodePoints(0, (int) k));
  }

  static String right(String s, long n) {
    int size = s.codePointCount(0, s.length());
    long k = n >= 0 ? Math.min(n, size) : Math.max(0, size + n);
    return s.substring(s.offsetByCodePoints(0, (int) (size - k)));
  }

  static String repeat(String s, long n) {
    if (n <= 0 || s.isEmpty()) {
      return "";
    }
    if (n * (long) s.length() > FunctionImpls.MAX_BUILT_LENGTH) {
      throw new EvaluationException(
          "repeat() would build a text of more than "
              + FunctionImpls.MAX_BUILT_LENGTH
              + " characters");
    }
    return s.repeat((int) n);
  }

  static String pad(String s, long n, String pad, boolean left) {
    if (n > FunctionImpls.MAX_BUILT_LENGTH) {
      throw new EvaluationException(
          (left ? "lpad" : "rpad")
              + "() would build a text of more than "
              + FunctionImpls.MAX_BUILT_LENGTH
              + " characters");
    }
    int[] cps = s.codePoints().toArray();
    if (n <= 0) {
      return "";
    }
    if (n <= cps.length) {
      return new String(cps, 0, (int) n);
    }
    int[] p = pad.codePoints().toArray();
    if (p.length == 0) {
      throw new EvaluationException("Insufficient padding in " + (left ? "LPAD." : "RPAD."));
    }
    int missing = (int) n - cps.length;
    StringBuilder fill = new StringBuilder();
    for (int i = 0; i < missing; i++) {
      fill.appendCodePoint(p[i % p.length]);
    }
    return left ? fill + s : s + fill;
  }

  static List<Object> split(String s, String sep) {
    List<Object> out = new ArrayList<>();
    if (s.isEmpty()) {
      return out;
    }
    if (sep.isEmpty()) {
      s.codePoints().forEach(c -> out.add(new String(Character.toChars(c))));
      return out;
    }
    int from = 0;
    while (true) {
      int i = s.indexOf(sep, from);
      if (i < 0) {
        out.add(s.substring(from));
        return out;
      }
      out.add(s.substring(from, i));
      from = i + sep.length();
    }
  }

  static String splitPart(String s, String sep, long index) {
    List<Object> parts = split(s, sep);
    if (s.isEmpty()) {
      parts = List.of("");
    }
    if (index == 0) {
      return "";
    }
    long i = index > 0 ? index - 1 : parts.size() + index;
    if (i < 0 || i >= parts.size()) {
      return "";
    }
    return (String) parts.get((int) i);
  }

  /** s[i] as DuckDB's list_extract on text: one code point, 1-based, negative from the end. */
  static String charAt(String s, long index) {
    int size = s.codePointCount(0, s.length());
    if (index == 0) {
      return "";
    }
    long i = index > 0 ? index - 1 : size + index;
    if (i < 0 || i >= size) {
      return "";
    }
    int at = s.offsetByCodePoints(0, (int) i);
    return new String(Character.toChars(s.codePointAt(at)));
  }

  /** Code point (UTF-8 byte) order, DuckDB's order of VARCHARs. */
  static int compare(String a, String b) {
    int n = Math.min(a.length(), b.length());
    for (int i = 0; i < n; i++) {
      char x = a.charAt(i);
      char y = b.charAt(i);
      if (x != y) {
        boolean xs = Character.isSurrogate(x);
        boolean ys = Character.isSurrogate(y);
        if (xs != ys) {
          // a surrogate (a code point above U+FFFF) sorts after every BMP character
          return xs ? 1 : -1;
        }
        return Character.compare(x, y);
      }
    }
    return Integer.compare(a.length(), b.length());
  }
}
