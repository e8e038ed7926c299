package dev.fletch.bench;

import dev.fletch.core.expr.CompiledExpression;
import dev.fletch.core.expr.ExprParser;
import dev.fletch.core.expr.Expressions;
import dev.fletch.core.expr.TypeChecker;
import dev.fletch.core.model.ValueType;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

/**
 * The Java evaluator of checked expressions (issue 23) on the serving path: five typical feature
 * expressions compiled once and evaluated over {@code --rows} rows of Fletch values (10% NULLs),
 * against hand-written Java computing the same values from the same rows in the same run; best of
 * {@code --runs}, ns per row and the ratio.
 *
 * <pre>
 * ./mvnw -q -B -pl bench -am -Dmaven.test.skip=true install
 * ./mvnw -q -B -pl bench exec:exec -Dexec.args="-Xmx1g -cp %classpath \
 *     dev.fletch.bench.ExpressionBench [--rows 1000000] [--runs 5]"
 * </pre>
 */
public final class ExpressionBench {
  private ExpressionBench() {}

  /** An expression and the hand-written Java that computes the same values. */
  private record Case(String text, ValueType type, Function<Object[], Object> baseline) {}

  public static void main(String[] args) {
    int rows = 1_000_000;
    int runs = 5;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--rows" -> rows = Integer.parseInt(args[++i]);
        case "--runs" -> runs = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    Map<String, ValueType> columns = new LinkedHashMap<>();
    columns.put("amount", ValueType.DOUBLE);
    columns.put("avg", ValueType.DOUBLE);
    columns.put("channel", ValueType.STRING);
    columns.put("event_ts", ValueType.TIMESTAMP);
    columns.put("txn_count", ValueType.INT64);
    List<Case> cases =
        List.of(
            new Case(
                "amount / nullif(avg, 0)",
                ValueType.DOUBLE,
                r -> {
                  Double a = (Double) r[0];
                  Double b = (Double) r[1];
                  return a == null || b == null || b == 0 ? null : a / b;
                }),
            new Case(
                "lower(channel) = 'web'",
                ValueType.BOOL,
                r -> r[2] == null ? null : ((String) r[2]).toLowerCase(Locale.ROOT).equals("web")),
            new Case(
                "CASE WHEN amount >= 100 THEN 'high' WHEN amount >= 10 THEN 'mid' ELSE 'low' END",
                ValueType.STRING,
                r -> {
                  Double a = (Double) r[0];
                  return a != null && a >= 100 ? "high" : a != null && a >= 10 ? "mid" : "low";
                }),
            new Case(
                "date_part('hour', event_ts)",
                ValueType.INT32,
                r -> r[3] == null ? null : ((Instant) r[3]).atOffset(ZoneOffset.UTC).getHour()),
            new Case(
                "coalesce(txn_count, 0) + 1",
                ValueType.INT64,
                r -> Math.addExact(r[4] == null ? 0L : (Long) r[4], 1L)));

    Random random = new Random(23);
    String[] channels = {"web", "WEB", "app", "store", "Web"};
    Object[][] data = new Object[rows][];
    for (int i = 0; i < rows; i++) {
      data[i] =
          new Object[] {
            random.nextInt(10) == 0 ? null : random.nextDouble() * 200,
            random.nextInt(10) == 0 ? null : (double) random.nextInt(50),
            random.nextInt(10) == 0 ? null : channels[random.nextInt(channels.length)],
            random.nextInt(10) == 0
                ? null
                : Instant.ofEpochSecond(1_700_000_000L + random.nextInt(100_000_000)),
            random.nextInt(10) == 0 ? null : (long) random.nextInt(1000)
          };
    }
    System.out.printf("%,d rows, best of %d runs%n", rows, runs);
    System.out.printf("%-82s %10s %10s %7s%n", "expression", "Fletch", "Java", "ratio");
    for (Case c : cases) {
      CompiledExpression compiled =
          Expressions.compile(
              ExprParser.parse(c.text()), TypeChecker.Resolver.of(columns), c.type());
      for (Object[] r : data) {
        Object want = c.baseline().apply(r);
        Object got = compiled.evaluate(r);
        if (want == null ? got != null : !want.equals(got)) {
          throw new IllegalStateException(c.text() + ": " + got + " where Java gives " + want);
        }
      }
      double fletch = best(runs, data, compiled::evaluate);
      double java = best(runs, data, c.baseline());
      System.out.printf("%-82s %7.1f ns %7.1f ns %6.2fx%n", c.text(), fletch, java, fletch / java);
    }
  }

  private static long sink;

  /** The best ns per row of {@code f} over all rows, of {@code runs} runs. */
  private static double best(int runs, Object[][] data, Function<Object[], Object> f) {
    double best = Double.MAX_VALUE;
    for (int run = 0; run < runs + 2; run++) { // two warm-up runs
      long start = System.nanoTime();
      long h = 0;
      for (Object[] r : data) {
        Object v = f.apply(r);
        h += v == null ? 1 : v.hashCode();
      }
      sink += h;
      double ns = (System.nanoTime() - start) / (double) data.length;
      if (run >= 2) {
        best = Math.min(best, ns);
      }
    }
    return best;
  }
}
