package dev.fletch.core.expr;

/** The pieces a compiled expression is made of: closures over the row, no lookups per row. */
final class Compiled {
  private Compiled() {}

  /** A node: its value for one row of inputs (null is SQL NULL). */
  @FunctionalInterface
  interface Node {
    Object eval(Object[] row);
  }

  /** A function of one non-null value. */
  @FunctionalInterface
  interface Unary {
    Object apply(Object x);
  }

  /** A function of two non-null values. */
  @FunctionalInterface
  interface Binary {
    Object apply(Object x, Object y);
  }
}
