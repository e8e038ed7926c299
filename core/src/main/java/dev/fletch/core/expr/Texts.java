package dev.fletch.core.expr;

import java.util.ArrayList;
import java.util.List;

/**
 * DuckDB's string functions on Java strings: positions and lengths count Unicode code points (not
 * UTF-16 units), {@code reverse} keeps grapheme clusters together, case mapping is per code point.
 */
final class Texts {
  private Texts() {}

  /**
   * Case pairs (upper, lower) of Unicode 14 that Java 17's tables (Unicode 13) lack and DuckDB's
   * have: Glagolitic, Latin Extended-D, Vithkuqi. (A test compares every code point's case with
   * DuckDB's.)
   */
  private static final int[] NEWER_PAIRS = {
    0x2C2F, 0x2C5F, 0xA7C0, 0xA7C1, 0xA7D0, 0xA7D1, 0xA7D6, 0xA7D7, 0xA7D8, 0xA7D9, 0x10570,
    0x10597, 0x10571, 0x10598, 0x10572, 0x10599, 0x10573, 0x1059A, 0x10574, 0x1059B, 0x10575,
    0x1059C, 0x10576, 0x1059D, 0x10577, 0x1059E, 0x10578, 0x1059F, 0x10579, 0x105A0, 0x1057A,
    0x105A1, 0x1057C, 0x105A3, 0x1057D, 0x105A4, 0x1057E, 0x105A5, 0x1057F, 0x105A6, 0x10580,
    0x105A7, 0x10581, 0x105A8, 0x10582, 0x105A9, 0x10583, 0x105AA, 0x10584, 0x105AB, 0x10585,
    0x105AC, 0x10586, 0x105AD, 0x10587, 0x105AE, 0x10588, 0x105AF, 0x10589, 0x105B0, 0x1058A,
    0x105B1, 0x1058C, 0x105B3, 0x1058D, 0x105B4, 0x1058E, 0x105B5, 0x1058F, 0x105B6, 0x10590,
    0x105B7, 0x10591, 0x105B8, 0x10592, 0x105B9, 0x10594, 0x105BB, 0x10595, 0x105BC
  };

  private static final java.util.Map<Integer, Integer> TO_LOWER = new java.util.HashMap<>();
  private static final java.util.Map<Integer, Integer> TO_UPPER = new java.util.HashMap<>();

  static {
    for (int i = 0; i < NEWER_PAIRS.length; i += 2) {
      TO_LOWER.put(NEWER_PAIRS[i], NEWER_PAIRS[i + 1]);
      TO_UPPER.put(NEWER_PAIRS[i + 1], NEWER_PAIRS[i]);
    }
    // DuckDB upper-cases the sharp s to the capital sharp s, one code point
    TO_UPPER.put(0xDF, 0x1E9E);
  }

  /** Lower case, code point by code point (simple case mapping), as DuckDB maps it. */
  static String lower(String s) {
    StringBuilder b = new StringBuilder(s.length());
    s.codePoints()
        .forEach(
            c ->
                b.appendCodePoint(
                    c < 0x2C00
                        ? Character.toLowerCase(c)
                        : TO_LOWER.getOrDefault(c, Character.toLowerCase(c))));
    return b.toString();
  }

  /** Upper case, code point by code point (simple case mapping), as DuckDB maps it. */
  static String upper(String s) {
    StringBuilder b = new StringBuilder(s.length());
    s.codePoints()
        .forEach(
            c ->
                b.appendCodePoint(
                    c < 0xDF || (c > 0xDF && c < 0x2C00)
                        ? Character.toUpperCase(c)
                        : TO_UPPER.getOrDefault(c, Character.toUpperCase(c))));
    return b.toString();
  }

  /** The text with its grapheme clusters (what a reader sees as one character) in reverse. */
  static String reverse(String s) {
    int[] cps = s.codePoints().toArray();
    for (int c : cps) {
      if (!Character.isDefined(c)) {
        // where a character is newer than Java's Unicode tables, its cluster is unknown here
        throw new UnsupportedValueException(
            "reverse() of U+"
                + Integer.toHexString(c).toUpperCase(java.util.Locale.ROOT)
                + ", a character newer than this Java's Unicode tables");
      }
    }
    StringBuilder b = new StringBuilder(s.length());
    int end = cps.length;
    List<int[]> clusters = new ArrayList<>();
    int start = 0;
    for (int i = 1; i <= cps.length; i++) {
      if (i == cps.length || Graphemes.breakBetween(cps, start, i)) {
        clusters.add(new int[] {start, i});
        start = i;
      }
    }
    for (int k = clusters.size() - 1; k >= 0; k--) {
      int[] c = clusters.get(k);
      b.append(new String(cps, c[0], c[1] - c[0]));
    }
    return end == 0 ? "" : b.toString();
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
  private static final long MAX_SUBSTRING = 4294967295L;

  /**
   * substring(s, start, length) as DuckDB computes it: start 1-based, 0 one before the first
   * character, negative from the end; a negative length takes the characters before start; the
   * range is then clipped to the text.
   */
  static String substring(String s, long offset, Long length) {
    if (offset > MAX_SUBSTRING) {
      throw new EvaluationException("Substring offset outside of supported range (> 4294967295)");
    }
    if (offset < -MAX_SUBSTRING - 1) {
      throw new EvaluationException("Substring offset outside of supported range (< -4294967296)");
    }
    if (length != null && length > MAX_SUBSTRING) {
      throw new EvaluationException("Substring length outside of supported range (> 4294967295)");
    }
    if (length != null && length < -MAX_SUBSTRING - 1) {
      throw new EvaluationException("Substring length outside of supported range (< -4294967296)");
    }
    int[] cps = s.codePoints().toArray();
    long size = cps.length;
    long len = length == null ? MAX_SUBSTRING : length;
    long off = offset;
    long start = off > 0 ? off - 1 : off == 0 ? -1 : size + off;
    long end = start + len;
    if (len < 0) {
      end = start;
      start = start + len;
    }
    start = Math.max(0, Math.min(size, start));
    end = Math.max(0, Math.min(size, end));
    if (start >= end) {
      return "";
    }
    return new String(cps, (int) start, (int) (end - start));
  }

  static String left(String s, long n) {
    if (n > MAX_SUBSTRING) {
      throw new EvaluationException("Substring length outside of supported range (> 4294967295)");
    }
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
    if (n > FunctionImpls.MAX_BUILT_LENGTH / s.length()) {
      throw new UnsupportedValueException(
          "repeat() would build a text of more than "
              + FunctionImpls.MAX_BUILT_LENGTH
              + " characters");
    }
    return s.repeat((int) n);
  }

  static String pad(String s, long n, String pad, boolean left) {
    if (n > FunctionImpls.MAX_BUILT_LENGTH) {
      throw new UnsupportedValueException(
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
    if (sep.isEmpty()) {
      if (s.isEmpty()) {
        out.add("");
      }
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
