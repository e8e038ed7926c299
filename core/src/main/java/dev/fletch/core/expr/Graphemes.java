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
    if (isPrepend(prev)) {
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

  /** Characters written before the letter they belong to (Arabic number signs, some Indic). */
  private static boolean isPrepend(int c) {
    return (c >= 0x0600 && c <= 0x0605)
        || c == 0x06DD
        || c == 0x070F
        || c == 0x0890
        || c == 0x0891
        || c == 0x08E2
        || c == 0x0D4E
        || c == 0x110BD
        || c == 0x110CD
        || c == 0x111C2
        || c == 0x111C3
        || c == 0x1193F
        || c == 0x11941
        || c == 0x11A3A
        || (c >= 0x11A84 && c <= 0x11A89)
        || c == 0x11D46;
  }

  private static boolean isControl(int c) {
    if (c == ZWJ || c == 0x200C || isPrepend(c)) {
      return false;
    }
    int t = Character.getType(c);
    return t == Character.CONTROL
        || t == Character.LINE_SEPARATOR
        || t == Character.PARAGRAPH_SEPARATOR
        || (t == Character.FORMAT && !(c >= 0xE0020 && c <= 0xE007F) && c != 0x200C);
  }

  /** Spacing marks that are Grapheme_Extend (vowel length marks and the like). */
  private static final java.util.Set<Integer> EXTENDING_SPACING_MARKS =
      java.util.Set.of(
          0x09BE, 0x09D7, 0x0B3E, 0x0B57, 0x0BBE, 0x0BD7, 0x0CC2, 0x0CD5, 0x0CD6, 0x0D3E, 0x0D57,
          0x0DCF, 0x0DDF, 0x1B35, 0x302E, 0x302F, 0x1133E, 0x11357, 0x114B0, 0x114BD, 0x115AF,
          0x11930, 0x1D165, 0x1D16E, 0x1D16F, 0x1D170, 0x1D171, 0x1D172);

  private static boolean isExtend(int c) {
    if (EXTENDING_SPACING_MARKS.contains(c)) {
      return true;
    }
    if (c == 0x1734) {
      // a spacing mark since Unicode 14 (Java 17's tables say non-spacing)
      return false;
    }
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

  /** Spacing marks that cluster: Mc, less the ones UAX #29 leaves apart, plus Thai/Lao AM. */
  private static boolean isSpacingMark(int c) {
    if (c == 0x0E33 || c == 0x0EB3 || c == 0x1734) {
      return true;
    }
    if (Character.getType(c) != Character.COMBINING_SPACING_MARK) {
      return false;
    }
    return !(c == 0x102B
        || c == 0x102C
        || c == 0x1038
        || (c >= 0x1062 && c <= 0x1064)
        || (c >= 0x1067 && c <= 0x106D)
        || c == 0x1083
        || (c >= 0x1087 && c <= 0x108C)
        || c == 0x108F
        || (c >= 0x109A && c <= 0x109C)
        || c == 0x1A61
        || c == 0x1A63
        || c == 0x1A64
        || c == 0xAA7B
        || c == 0xAA7D
        || c == 0x11720
        || c == 0x11721);
  }

  private static boolean isRegional(int c) {
    return c >= 0x1F1E6 && c <= 0x1F1FF;
  }

  /** Extended_Pictographic as DuckDB's grapheme rules have it: first, last, first, last ... */
  private static final int[] PICTOGRAPHIC = {
    0xA9, 0xA9, 0xAE, 0xAE, 0x203C, 0x203C, 0x2049, 0x2049, 0x2122, 0x2122, 0x2139, 0x2139, 0x2194,
    0x2199, 0x21A9, 0x21AA, 0x231A, 0x231B, 0x2328, 0x2328, 0x2388, 0x2388, 0x23CF, 0x23CF, 0x23E9,
    0x23F3, 0x23F8, 0x23FA, 0x24C2, 0x24C2, 0x25AA, 0x25AB, 0x25B6, 0x25B6, 0x25C0, 0x25C0, 0x25FB,
    0x25FE, 0x2600, 0x2605, 0x2607, 0x2612, 0x2614, 0x2685, 0x2690, 0x2705, 0x2708, 0x2712, 0x2714,
    0x2714, 0x2716, 0x2716, 0x271D, 0x271D, 0x2721, 0x2721, 0x2728, 0x2728, 0x2733, 0x2734, 0x2744,
    0x2744, 0x2747, 0x2747, 0x274C, 0x274C, 0x274E, 0x274E, 0x2753, 0x2755, 0x2757, 0x2757, 0x2763,
    0x2767, 0x2795, 0x2797, 0x27A1, 0x27A1, 0x27B0, 0x27B0, 0x27BF, 0x27BF, 0x2934, 0x2935, 0x2B05,
    0x2B07, 0x2B1B, 0x2B1C, 0x2B50, 0x2B50, 0x2B55, 0x2B55, 0x3030, 0x3030, 0x303D, 0x303D, 0x3297,
    0x3297, 0x3299, 0x3299, 0x1F000, 0x1F02B, 0x1F030, 0x1F093, 0x1F0A0, 0x1F0AE, 0x1F0B1, 0x1F0BF,
    0x1F0C1, 0x1F0CF, 0x1F0D1, 0x1F0F5, 0x1F10D, 0x1F10F, 0x1F12F, 0x1F12F, 0x1F16C, 0x1F171,
    0x1F17E, 0x1F17F, 0x1F18E, 0x1F18E, 0x1F191, 0x1F19A, 0x1F1AD, 0x1F1AD, 0x1F201, 0x1F202,
    0x1F21A, 0x1F21A, 0x1F22F, 0x1F22F, 0x1F232, 0x1F23A, 0x1F250, 0x1F251, 0x1F260, 0x1F265,
    0x1F300, 0x1F3FA, 0x1F400, 0x1F53D, 0x1F546, 0x1F64F, 0x1F680, 0x1F6D7, 0x1F6DC, 0x1F6EC,
    0x1F6F0, 0x1F6FC, 0x1F774, 0x1F776, 0x1F77B, 0x1F77F, 0x1F7D5, 0x1F7D9, 0x1F7E0, 0x1F7EB,
    0x1F7F0, 0x1F7F0, 0x1F8B0, 0x1F8B1, 0x1F90C, 0x1F93A, 0x1F93C, 0x1F945, 0x1F947, 0x1FA53,
    0x1FA60, 0x1FA6D, 0x1FA70, 0x1FA7C, 0x1FA80, 0x1FA88, 0x1FA90, 0x1FABD, 0x1FABF, 0x1FAC5,
    0x1FACE, 0x1FADB, 0x1FAE0, 0x1FAE8, 0x1FAF0, 0x1FAF8
  };

  private static boolean isPictographic(int c) {
    for (int i = 0; i < PICTOGRAPHIC.length; i += 2) {
      if (c < PICTOGRAPHIC[i]) {
        return false;
      }
      if (c <= PICTOGRAPHIC[i + 1]) {
        return true;
      }
    }
    return false;
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
