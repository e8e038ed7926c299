package dev.fletch.cli;

import dev.fletch.core.stats.ColumnKind;
import dev.fletch.core.stats.ColumnStats;
import dev.fletch.core.stats.DatasetStats;
import dev.fletch.core.stats.Histogram;
import dev.fletch.core.stats.Quantiles;
import dev.fletch.core.stats.ValueCount;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** Statistics as a terminal shows them: one line per column, or one column in detail. */
public final class StatsTable {
  private StatsTable() {}

  /** One line per column: type, nulls, distinct, range, mean, deviation, median or top values. */
  public static void print(PrintStream out, DatasetStats stats) {
    List<List<String>> rows = new ArrayList<>();
    for (ColumnStats c : stats.columns()) {
      List<String> row = new ArrayList<>();
      row.add(c.name());
      row.add(shortType(c.type()));
      row.add(percent(c.nullFraction()));
      row.add(String.format(Locale.ROOT, "%,d", c.distinct()));
      switch (c.kind()) {
        case NUMERIC -> {
          row.add(num(c.min()));
          row.add(num(c.max()));
          row.add(num(c.mean()));
          row.add(num(c.stddev()));
          row.add(c.quantiles() == null ? "" : num(c.quantiles().p50()));
          row.add("");
        }
        case CATEGORICAL -> {
          row.add("");
          row.add("");
          row.add("");
          row.add("");
          row.add("");
          row.add(top(c, 3));
        }
        case TIME -> {
          row.add(c.earliest() == null ? "" : c.earliest().toString());
          row.add(c.latest() == null ? "" : c.latest().toString());
          row.add("");
          row.add("");
          row.add("");
          row.add("");
        }
        case OTHER -> {
          for (int i = 0; i < 6; i++) {
            row.add("");
          }
        }
      }
      rows.add(row);
    }
    table(
        out,
        List.of(
            "COLUMN",
            "TYPE",
            "NULLS",
            "DISTINCT~",
            "MIN",
            "MAX",
            "MEAN",
            "STDDEV",
            "P50",
            "TOP VALUES"),
        rows);
  }

  /** One column: every figure, the quantiles, the histogram as bars, the top values. */
  public static void printColumn(PrintStream out, DatasetStats stats, ColumnStats c) {
    out.printf(
        Locale.ROOT,
        "column %s (%s, %s)%n",
        c.name(),
        c.type(),
        c.kind().name().toLowerCase(Locale.ROOT));
    out.printf(
        Locale.ROOT,
        "  rows %,d, nulls %,d (%s), distinct about %,d%n",
        c.count(),
        c.nulls(),
        percent(c.nullFraction()),
        c.distinct());
    if (c.kind() == ColumnKind.NUMERIC) {
      if (c.nonFinite() != null && c.nonFinite() > 0) {
        out.printf(
            Locale.ROOT, "  NaN or infinite: %,d (left out of the figures below)%n", c.nonFinite());
      }
      out.printf(
          Locale.ROOT,
          "  min %s, max %s, mean %s, stddev %s%n",
          num(c.min()),
          num(c.max()),
          num(c.mean()),
          num(c.stddev()));
      if (c.quantiles() != null) {
        List<String> q = new ArrayList<>();
        List<Double> values = c.quantiles().values();
        for (int i = 0; i < values.size(); i++) {
          q.add("p" + pct(Quantiles.PROBABILITIES.get(i)) + " " + num(values.get(i)));
        }
        out.println("  quantiles (approximate): " + String.join(", ", q));
      }
      if (c.histogram() != null) {
        printHistogram(out, c.histogram());
      }
    } else if (c.kind() == ColumnKind.CATEGORICAL) {
      long values = c.count() - c.nulls();
      out.println("  most frequent values:");
      for (ValueCount v : c.top()) {
        out.printf(
            Locale.ROOT,
            "    %-30s %,10d  %s%n",
            v.value(),
            v.count(),
            percent(values == 0 ? 0 : (double) v.count() / values));
      }
    } else if (c.kind() == ColumnKind.TIME) {
      out.printf(Locale.ROOT, "  earliest %s, latest %s%n", c.earliest(), c.latest());
    }
  }

  private static void printHistogram(PrintStream out, Histogram h) {
    long max = h.counts().stream().mapToLong(Long::longValue).max().orElse(0);
    out.println("  histogram (" + h.counts().size() + " bins):");
    for (int i = 0; i < h.counts().size(); i++) {
      long n = h.counts().get(i);
      int bar = max == 0 ? 0 : (int) Math.round(40.0 * n / max);
      out.printf(
          Locale.ROOT,
          "    [%12s, %12s%s %,10d %s%n",
          num(h.edges().get(i)),
          num(h.edges().get(i + 1)),
          i == h.counts().size() - 1 ? "]" : ")",
          n,
          "#".repeat(bar));
    }
  }

  private static String top(ColumnStats c, int limit) {
    long values = c.count() - c.nulls();
    if (values == 0) {
      return "";
    }
    return c.top().stream()
        .limit(limit)
        .map(v -> v.value() + " " + percent((double) v.count() / values))
        .collect(Collectors.joining(", "));
  }

  /** DuckDB's long type names, shortened for a table. */
  private static String shortType(String type) {
    return type.replace("TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ");
  }

  static String percent(double fraction) {
    if (fraction == 0) {
      return "0%";
    }
    if (fraction < 0.001) {
      return "<0.1%";
    }
    return String.format(Locale.ROOT, "%.1f%%", fraction * 100);
  }

  private static String pct(double p) {
    double v = p * 100;
    return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
  }

  /** A number as short as it reads: integers whole, others to four significant digits. */
  public static String num(Double v) {
    if (v == null) {
      return "";
    }
    if (v.isNaN() || v.isInfinite()) {
      return v.toString();
    }
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString(v.longValue());
    }
    double a = Math.abs(v);
    if (a >= 1e6 || a < 1e-3) {
      return String.format(Locale.ROOT, "%.3e", v);
    }
    String s = String.format(Locale.ROOT, "%.4g", v);
    return s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
  }

  /** A left-aligned table with two spaces between columns. */
  public static void table(PrintStream out, List<String> header, List<List<String>> rows) {
    int[] width = new int[header.size()];
    for (int i = 0; i < header.size(); i++) {
      width[i] = header.get(i).length();
    }
    for (List<String> r : rows) {
      for (int i = 0; i < r.size(); i++) {
        width[i] = Math.max(width[i], r.get(i).length());
      }
    }
    List<List<String>> all = new ArrayList<>();
    all.add(header);
    all.addAll(rows);
    for (List<String> r : all) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < r.size(); i++) {
        line.append(String.format("%-" + width[i] + "s", r.get(i)));
        if (i < r.size() - 1) {
          line.append("  ");
        }
      }
      out.println(line.toString().stripTrailing());
    }
  }
}
