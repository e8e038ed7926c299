package dev.fletch.core.expr;

/**
 * Extended grapheme cluster boundaries (Unicode UAX #29, the rules DuckDB's reverse() follows): a
 * base character with its combining marks, an emoji with its skin tone or joined sequence, a flag
 * of two regional indicators, a Hangul syllable of jamo.
 */
final class Graphemes {
  private Graphemes() {}

  private static final int ZWJ = 0x200D;

  /**
   * Whether a cluster boundary lies before {@code cps[at]} in a cluster that began at {@code from}.
   */
  static boolean breakBetween(int[] cps, int from, int at) {
    int prev = cps[at - 1];
    int cur = cps[at];
    // (DuckDB keeps CR and LF apart: reverse of CR LF is LF CR)
    if (isControl(prev) || isControl(cur)) {
      return true;
    }
    int pl = hangul(prev);
    int cl = hangul(cur);
    if (pl == L && (cl == L || cl == V || cl == LV || cl == LVT)) {
      return false;
    }
    if ((pl == LV || pl == V) && (cl == V || cl == T)) {
      return false;
    }
    if ((pl == LVT || pl == T) && cl == T) {
      return false;
    }
    if (isExtend(cur) || cur == ZWJ || isSpacingMark(cur)) {
      return false;
    }
    if (prev == ZWJ && isPictographic(cur)) {
      // an emoji ZWJ sequence: pictograph (Extend)* ZWJ pictograph
      int k = at - 2;
      while (k >= from && isExtend(cps[k])) {
        k--;
      }
      if (k >= from && isPictographic(cps[k])) {
        return false;
      }
    }
    if (isRegional(prev) && isRegional(cur)) {
      // flags pair regional indicators from the start of the run
      int run = 0;
      for (int k = at - 1; k >= from && isRegional(cps[k]); k--) {
        run++;
      }
      return run % 2 == 0;
    }
    return true;
  }

  private static boolean isControl(int c) {
    if (c == ZWJ || c == 0x200C) {
      return false;
    }
    int t = Character.getType(c);
    return t == Character.CONTROL
        || t == Character.LINE_SEPARATOR
        || t == Character.PARAGRAPH_SEPARATOR
        || (t == Character.FORMAT && !(c >= 0xE0020 && c <= 0xE007F) && c != 0x200C);
  }

  private static boolean isExtend(int c) {
    int t = Character.getType(c);
    return t == Character.NON_SPACING_MARK
        || t == Character.ENCLOSING_MARK
        || c == 0x200C
        || (c >= 0x1F3FB && c <= 0x1F3FF)
        || (c >= 0xFE00 && c <= 0xFE0F)
        || (c >= 0xE0020 && c <= 0xE007F)
        || (c >= 0xE0100 && c <= 0xE01EF)
        || c == 0xFF9E
        || c == 0xFF9F;
  }

  private static boolean isSpacingMark(int c) {
    return Character.getType(c) == Character.COMBINING_SPACING_MARK;
  }

  private static boolean isRegional(int c) {
    return c >= 0x1F1E6 && c <= 0x1F1FF;
  }

  private static boolean isPictographic(int c) {
    return (c >= 0x1F000 && c <= 0x1FAFF && !isRegional(c) && !(c >= 0x1F3FB && c <= 0x1F3FF))
        || (c >= 0x2600 && c <= 0x27BF)
        || (c >= 0x2300 && c <= 0x23FF)
        || (c >= 0x2B00 && c <= 0x2BFF)
        || c == 0x00A9
        || c == 0x00AE
        || c == 0x203C
        || c == 0x2049
        || c == 0x2122
        || c == 0x2139
        || (c >= 0x2194 && c <= 0x21AA)
        || c == 0x3030
        || c == 0x303D
        || c == 0x3297
        || c == 0x3299;
  }

  private static final int NONE = 0;
  private static final int L = 1;
  private static final int V = 2;
  private static final int T = 3;
  private static final int LV = 4;
  private static final int LVT = 5;

  private static int hangul(int c) {
    if ((c >= 0x1100 && c <= 0x115F) || (c >= 0xA960 && c <= 0xA97C)) {
      return L;
    }
    if ((c >= 0x1160 && c <= 0x11A7) || (c >= 0xD7B0 && c <= 0xD7C6)) {
      return V;
    }
    if ((c >= 0x11A8 && c <= 0x11FF) || (c >= 0xD7CB && c <= 0xD7FB)) {
      return T;
    }
    if (c >= 0xAC00 && c <= 0xD7A3) {
      return (c - 0xAC00) % 28 == 0 ? LV : LVT;
    }
    return NONE;
  }
}
