package dev.fletch.core.expr;

import java.util.ArrayList;
import java.util.List;

/** Splits an expression into tokens; any character outside the language is refused here. */
final class Lexer {
  enum Kind {
    WORD,
    QUOTED,
    STRING,
    INTEGER,
    DECIMAL,
    SYMBOL,
    END,
    /** Where the text stops being the language: the parser throws {@code error} on reaching it. */
    ERROR
  }

  record Token(Kind kind, String text, int pos, ExpressionException error) {
    Token(Kind kind, String text, int pos) {
      this(kind, text, pos, null);
    }

    boolean is(String symbolOrKeyword) {
      return (kind == Kind.SYMBOL || kind == Kind.WORD) && text.equalsIgnoreCase(symbolOrKeyword);
    }
  }

  private static final List<String> SYMBOLS =
      List.of(
          "::", "<=", ">=", "<>", "!=", "==", "||", "(", ")", "[", "]", ",", ".", "+", "-", "*",
          "/", "%", "=", "<", ">");

  private final String text;
  private int i;

  private Lexer(String text) {
    this.text = text;
  }

  static List<Token> tokens(String text) {
    Lexer l = new Lexer(text);
    List<Token> out = new ArrayList<>();
    Token t;
    do {
      try {
        t = l.next();
      } catch (ExpressionException e) {
        // Reported when the parser gets there, so that the first problem in reading order wins.
        t = new Token(Kind.ERROR, "", e.offset(), e);
      }
      out.add(t);
    } while (t.kind() != Kind.END && t.kind() != Kind.ERROR);
    return out;
  }

  private Token next() {
    while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
      i++;
    }
    int start = i;
    if (i >= text.length()) {
      return new Token(Kind.END, "", start);
    }
    char c = text.charAt(i);
    if (c == '\'') {
      return new Token(Kind.STRING, quoted('\'', "string"), start);
    }
    if (c == '"') {
      String name = quoted('"', "quoted name");
      if (name.isEmpty()) {
        throw new ExpressionException("an empty quoted name \"\"", start);
      }
      return new Token(Kind.QUOTED, name, start);
    }
    if (Character.isDigit(c) || (c == '.' && i + 1 < text.length() && isDigit(i + 1))) {
      return number(start);
    }
    if (Character.isLetter(c) || c == '_') {
      while (i < text.length()
          && (Character.isLetterOrDigit(text.charAt(i)) || text.charAt(i) == '_')) {
        i++;
      }
      return new Token(Kind.WORD, text.substring(start, i), start);
    }
    if (text.startsWith("--", i) || text.startsWith("/*", i)) {
      throw new ExpressionException("comments are not allowed in an expression", start);
    }
    for (String s : SYMBOLS) {
      if (text.startsWith(s, i)) {
        i += s.length();
        return new Token(Kind.SYMBOL, s, start);
      }
    }
    if (c == ';') {
      throw new ExpressionException(
          "unexpected ';': an expression is one value, not a list of statements", start);
    }
    throw new ExpressionException("unexpected character '" + printable(c) + "'", start);
  }

  private boolean isDigit(int at) {
    return Character.isDigit(text.charAt(at));
  }

  private Token number(int start) {
    boolean decimal = false;
    while (i < text.length() && isDigit(i)) {
      i++;
    }
    if (i < text.length() && text.charAt(i) == '.') {
      decimal = true;
      i++;
      while (i < text.length() && isDigit(i)) {
        i++;
      }
    }
    if (i < text.length() && (text.charAt(i) == 'e' || text.charAt(i) == 'E')) {
      int mark = i;
      i++;
      if (i < text.length() && (text.charAt(i) == '+' || text.charAt(i) == '-')) {
        i++;
      }
      if (i < text.length() && isDigit(i)) {
        decimal = true;
        while (i < text.length() && isDigit(i)) {
          i++;
        }
      } else {
        i = mark;
      }
    }
    if (i < text.length() && (Character.isLetter(text.charAt(i)) || text.charAt(i) == '_')) {
      throw new ExpressionException(
          "a number followed by a letter: put a space or an operator between them", i);
    }
    return new Token(decimal ? Kind.DECIMAL : Kind.INTEGER, text.substring(start, i), start);
  }

  /** A quoted run with the quote doubled inside it; returns the unescaped content. */
  private String quoted(char quote, String what) {
    int start = i;
    StringBuilder b = new StringBuilder();
    i++;
    while (true) {
      if (i >= text.length()) {
        throw new ExpressionException("unterminated " + what, start);
      }
      char c = text.charAt(i);
      if (c == quote) {
        if (i + 1 < text.length() && text.charAt(i + 1) == quote) {
          b.append(quote);
          i += 2;
          continue;
        }
        i++;
        return b.toString();
      }
      if (c == 0) {
        throw new ExpressionException("a NUL character in a " + what, i);
      }
      b.append(c);
      i++;
    }
  }

  private static String printable(char c) {
    return Character.isISOControl(c) ? String.format("\\u%04x", (int) c) : String.valueOf(c);
  }
}
