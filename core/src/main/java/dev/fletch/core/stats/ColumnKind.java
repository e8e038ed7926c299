package dev.fletch.core.stats;

/**
 * How a column is summarised and compared. Numbers get moments, quantiles and a histogram and are
 * compared by PSI and a Kolmogorov-Smirnov test; categories (strings, booleans) get their most
 * frequent values and are compared by a chi-square test and the Jensen-Shannon distance; times get
 * their range; other columns (bytes, lists, structures) only their row and null counts.
 */
public enum ColumnKind {
  NUMERIC,
  CATEGORICAL,
  TIME,
  OTHER
}
