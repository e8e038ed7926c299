package dev.fletch.core.expr;

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

  /** The text with its grapheme clusters (what a reader sees as one character) in reverse. */
  static String reverse(String s) {
    int[] cps = s.codePoints().toArray();
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
