package dev.fletch.core.expr;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * DuckDB's regular expressions are RE2's; this translates an RE2 pattern to a java.util.regex
 * pattern that matches the same strings, or refuses it. Where the two differ, the translation says
 * what RE2 means: {@code $} is the end of the text (not before a final newline), {@code \s} is
 * {@code [\t\n\f\r ]}, {@code \b} and {@code \w} are ASCII, {@code .} stops only at {@code \n}, a
 * {@code [} or {@code &&} inside a class is literal, an unfinished {@code {} is literal. What RE2
 * does not have (look-around, back-references, possessive and atomic groups) fails in DuckDB too
 * and is refused here with the reason.
 */
final class Re2 {
  private Re2() {}

  private static final String WORD = "[0-9A-Za-z_]";
  private static final String SPACE = "\\t\\n\\f\\r ";

  /** The compiled pattern; {@code caseInsensitive} for DuckDB's 'i' option. */
  static Pattern compile(String re2, boolean caseInsensitive, int pos) {
    String java = translate(re2, pos);
    int flags = Pattern.UNIX_LINES | Pattern.UNICODE_CASE;
    if (caseInsensitive) {
      flags |= Pattern.CASE_INSENSITIVE;
    }
    try {
      return Pattern.compile(java, flags);
    } catch (PatternSyntaxException e) {
      throw new ExpressionException(
          "the regular expression '" + re2 + "' does not compile: " + e.getDescription(), pos);
    }
  }

  static String translate(String p, int pos) {
    StringBuilder out = new StringBuilder();
    boolean inClass = false;
    int i = 0;
    while (i < p.length()) {
      char c = p.charAt(i);
      if (c == '\\') {
        if (i + 1 >= p.length()) {
          throw refuse(p, "it ends with a lone backslash", pos);
        }
        char n = p.charAt(i + 1);
        i += 2;
        switch (n) {
          case 's' -> out.append(inClass ? SPACE : "[" + SPACE + "]");
          case 'S' -> {
            if (inClass) {
              throw refuse(p, "\\S inside a character class is not supported here", pos);
            }
            out.append("[^" + SPACE + "]");
          }
          case 'b' -> {
            if (inClass) {
              throw refuse(p, "\\b inside a character class", pos);
            }
            out.append("(?:(?<=" + WORD + ")(?!" + WORD + ")|(?<!" + WORD + ")(?=" + WORD + "))");
          }
          case 'B' ->
              out.append("(?:(?<=" + WORD + ")(?=" + WORD + ")|(?<!" + WORD + ")(?!" + WORD + "))");
          case 'd', 'D', 'w', 'W', 'A', 'z', 'n', 't', 'r', 'f', 'a' -> out.append('\\').append(n);
          case 'v' -> out.append("\\x0B");
          case 'x' -> {
            int end = i;
            if (end < p.length() && p.charAt(end) == '{') {
              end = p.indexOf('}', end);
              if (end < 0) {
                throw refuse(p, "an unterminated \\x{...}", pos);
              }
              end++;
            } else {
              end = Math.min(p.length(), i + 2);
            }
            out.append("\\x").append(p, i, end);
            i = end;
          }
          case 'p', 'P' -> {
            String cls;
            int end;
            if (i < p.length() && p.charAt(i) == '{') {
              end = p.indexOf('}', i);
              if (end < 0) {
                throw refuse(p, "an unterminated \\p{...}", pos);
              }
              cls = p.substring(i + 1, end);
              end++;
            } else if (i < p.length()) {
              cls = p.substring(i, i + 1);
              end = i + 1;
            } else {
              throw refuse(p, "\\p without a class", pos);
            }
            if (!cls.matches(
                "L|Lu|Ll|Lt|Lm|Lo|M|Mn|Mc|Me|N|Nd|Nl|No|P|Pc|Pd|Ps|Pe|Pi|Pf|Po|S|Sm|Sc|Sk|So|Z|Zs|Zl|Zp|C|Cc|Cf|Co|Cs")) {
              throw refuse(
                  p,
                  "\\p{"
                      + cls
                      + "}: only Unicode general categories (\\p{L}, \\p{Nd}, ...) are supported for online use",
                  pos);
            }
            out.append('\\').append(n).append('{').append(cls).append('}');
            i = end;
          }
          case 'Q' -> {
            int end = p.indexOf("\\E", i);
            String lit = end < 0 ? p.substring(i) : p.substring(i, end);
            out.append(Pattern.quote(lit));
            i = end < 0 ? p.length() : end + 2;
          }
          default -> {
            if (Character.isDigit(n)) {
              throw refuse(p, "back-references (\\" + n + ") are not RE2", pos);
            }
            if (Character.isLetter(n)) {
              throw refuse(p, "\\" + n + " is not an escape RE2 and Java agree on", pos);
            }
            out.append('\\').append(n);
          }
        }
        continue;
      }
      if (inClass) {
        if (c == '[' && p.startsWith("[:", i)) {
          int end = p.indexOf(":]", i + 2);
          if (end < 0) {
            throw refuse(p, "an unterminated [:class:]", pos);
          }
          String name = p.substring(i + 2, end);
          String neg = "";
          if (name.startsWith("^")) {
            throw refuse(p, "negated POSIX classes [:^" + name.substring(1) + ":]", pos);
          }
          out.append(posix(p, name, pos)).append(neg);
          i = end + 2;
          continue;
        }
        if (c == '[' || c == '&') {
          out.append('\\').append(c);
          i++;
          continue;
        }
        if (c == ']' && !classJustOpened(out)) {
          inClass = false;
        }
        out.append(c);
        i++;
        continue;
      }
      switch (c) {
        case '[' -> {
          inClass = true;
          out.append('[');
          i++;
          if (i < p.length() && p.charAt(i) == '^') {
            out.append('^');
            i++;
          }
          if (i < p.length() && p.charAt(i) == ']') {
            out.append("\\]");
            i++;
          }
          continue;
        }
        case '$' -> {
          out.append("\\z");
          i++;
          continue;
        }
        case '(' -> {
          if (p.startsWith("(?P<", i)) {
            int end = p.indexOf('>', i);
            if (end < 0) {
              throw refuse(p, "an unterminated group name", pos);
            }
            String name = p.substring(i + 4, end);
            if (!name.matches("[A-Za-z][A-Za-z0-9]*")) {
              throw refuse(p, "group name '" + name + "' (letters and digits only)", pos);
            }
            out.append("(?<").append(name).append('>');
            i = end + 1;
            continue;
          }
          if (p.startsWith("(?", i)) {
            int j = i + 2;
            while (j < p.length() && "imsU-".indexOf(p.charAt(j)) >= 0) {
              j++;
            }
            if (j < p.length() && (p.charAt(j) == ':' || p.charAt(j) == ')') && j > i + 2) {
              String flags = p.substring(i + 2, j);
              if (flags.contains("U")) {
                throw refuse(p, "the U (ungreedy) flag", pos);
              }
              if (flags.contains("m")) {
                throw refuse(p, "the m (multi-line) flag", pos);
              }
              out.append("(?").append(flags).append(p.charAt(j));
              i = j + 1;
              continue;
            }
            if (p.startsWith("(?:", i)) {
              out.append("(?:");
              i += 3;
              continue;
            }
            throw refuse(
                p,
                "'"
                    + p.substring(i, Math.min(p.length(), i + 3))
                    + "' (look-around, atomic groups and other (? forms are not RE2)",
                pos);
          }
          out.append(c);
          i++;
          continue;
        }
        case '{' -> {
          int end = p.indexOf('}', i);
          String body = end < 0 ? null : p.substring(i + 1, end);
          if (body != null && body.matches("\\d+(,\\d*)?")) {
            String[] parts = body.split(",", -1);
            for (String part : parts) {
              if (!part.isEmpty() && Integer.parseInt(part) > 1000) {
                throw refuse(p, "a repetition over 1000", pos);
              }
            }
            out.append(p, i, end + 1);
            i = end + 1;
            if (i < p.length() && p.charAt(i) == '+') {
              throw refuse(p, "possessive quantifiers", pos);
            }
            continue;
          }
          out.append("\\{");
          i++;
          continue;
        }
        case '}' -> {
          out.append("\\}");
          i++;
          continue;
        }
        case '*', '+', '?' -> {
          out.append(c);
          i++;
          if (i < p.length() && p.charAt(i) == '+') {
            throw refuse(p, "possessive quantifiers", pos);
          }
          continue;
        }
        default -> {
          out.append(c);
          i++;
        }
      }
    }
    if (inClass) {
      throw refuse(p, "an unterminated character class", pos);
    }
    return out.toString();
  }

  private static boolean classJustOpened(StringBuilder out) {
    int n = out.length();
    return (n >= 1 && out.charAt(n - 1) == '[' && (n < 2 || out.charAt(n - 2) != '\\'))
        || (n >= 2 && out.charAt(n - 1) == '^' && out.charAt(n - 2) == '[');
  }

  private static String posix(String p, String name, int pos) {
    return switch (name) {
      case "alpha" -> "A-Za-z";
      case "digit" -> "0-9";
      case "alnum" -> "0-9A-Za-z";
      case "upper" -> "A-Z";
      case "lower" -> "a-z";
      case "space" -> "\\t\\n\\x0B\\f\\r ";
      case "punct" -> "!-/:-@\\[-`{-~";
      case "xdigit" -> "0-9A-Fa-f";
      case "word" -> "0-9A-Za-z_";
      case "blank" -> "\\t ";
      case "cntrl" -> "\\x00-\\x1F\\x7F";
      case "print" -> " -~";
      case "graph" -> "!-~";
      case "ascii" -> "\\x00-\\x7F";
      default -> throw refuse(p, "the class [:" + name + ":]", pos);
    };
  }

  private static ExpressionException refuse(String p, String why, int pos) {
    return new ExpressionException(
        "the regular expression '"
            + p
            + "' uses "
            + why
            + ", which Fletch does not evaluate as"
            + " DuckDB's RE2 does",
        pos);
  }

  /** An RE2 rewrite string ({@code \1}, {@code \\}) as a java.util.regex replacement. */
  static String replacement(String rewrite) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < rewrite.length(); i++) {
      char c = rewrite.charAt(i);
      if (c == '\\' && i + 1 < rewrite.length()) {
        char n = rewrite.charAt(i + 1);
        if (Character.isDigit(n)) {
          out.append('$').append(n);
          i++;
          continue;
        }
        if (n == '\\') {
          out.append("\\\\");
          i++;
          continue;
        }
      }
      if (c == '$' || c == '\\') {
        out.append('\\');
      }
      out.append(c);
    }
    return out.toString();
  }
}
