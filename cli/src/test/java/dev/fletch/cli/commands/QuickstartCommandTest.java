package dev.fletch.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fletch.cli.Fletch;
import dev.fletch.examples.PaymentsExample;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Runs {@code fletch quickstart} end to end (embedded stores, free ports) and checks what it did.
 */
class QuickstartCommandTest {
  @TempDir Path tmp;

  record Run(int code, String out, String err) {}

  static Run fletch(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
    PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
    CommandLine cli = Fletch.commandLine(o, e);
    int code = cli.execute(args);
    return new Run(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void runsTheWholeTourAndLeavesAWorkingRepository() throws SQLException {
    Path dir = tmp.resolve("qs");
    Run run = fletch("quickstart", "--dir", dir.toString());
    String out = run.out();
    assertEquals(0, run.code(), "stdout:\n" + out + "\nstderr:\n" + run.err());

    // Seven numbered, timed steps.
    for (int i = 1; i <= 7; i++) {
      assertTrue(out.contains("[" + i + "/7] "), "step " + i + " header in:\n" + out);
    }
    assertEquals(7, count(out, Pattern.compile("\\.\\.\\. done in \\d+\\.\\d s")), out);

    // The plan it applied, and the apply itself.
    assertTrue(out.contains("customer_activity"), out);
    // Version 1 on the embedded registry; a shared one (FLETCH_REGISTRY_URL) may be further along.
    assertTrue(
        Pattern.compile("Applied version \\d+|No changes: project 'payments' stays at version")
            .matcher(out)
            .find(),
        out);

    // The training set: one row per label, in a Parquet file, with explained rows that agree.
    Path training = dir.resolve("training/fraud_model_v1.parquet");
    assertTrue(Files.isRegularFile(training), training.toString());
    long labels =
        scalar("SELECT count(*) FROM read_parquet('" + dir.resolve(PaymentsExample.LABELS) + "')");
    assertEquals(labels, scalar("SELECT count(*) FROM read_parquet('" + training + "')"));
    assertEquals(
        labels,
        scalar("SELECT count(DISTINCT transaction_id) FROM read_parquet('" + training + "')"));
    assertTrue(out.contains(String.format("%,d rows written to", labels)), out);
    for (String kind :
        new String[] {"[CORRECTION]", "[TOO_OLD]", "[NO_HISTORY]", "[ORDINARY]", "[WINDOW]"}) {
      assertTrue(out.contains(kind), kind + " explained in:\n" + out);
    }
    assertFalse(out.contains("MISMATCH"), out);
    // The on-demand feature, from the labels' amount and the row's own point-in-time average.
    assertEquals(
        0,
        scalar(
            "SELECT count(*) FROM read_parquet('"
                + training
                + "') WHERE amount_vs_avg_24h IS DISTINCT FROM amount / nullif(avg_amount_24h, 0)"));
    assertTrue(
        scalar("SELECT count(amount_vs_avg_24h) FROM read_parquet('" + training + "')")
            > labels / 2);

    // Monitoring: the training set's recorded statistics and one drift check.
    assertTrue(
        out.contains("Statistics of training/fraud_model_v1.parquet, recorded in the registry"),
        out);
    Matcher fraud =
        Pattern.compile("is_fraud\\s+BOOLEAN\\s+0%\\s+2\\s+false (\\d+\\.\\d)%").matcher(out);
    assertTrue(fraud.find(), out);
    assertTrue(
        Pattern.compile("fletch stats merchant_risk \\(job \\d+, 100 merchants\\)")
            .matcher(out)
            .find(),
        out);
    assertTrue(
        out.contains("Drift: the training set against customer_activity over the last 3 days"),
        out);
    for (String f :
        new String[] {"txn_count_1h", "txn_count_24h", "amount_sum_7d", "avg_amount_24h"}) {
      assertTrue(
          Pattern.compile("customer_activity:" + f + "\\s+number\\s+\\d").matcher(out).find(),
          f + " compared in:\n" + out);
    }
    assertTrue(Pattern.compile("\\d of 5 features drifted").matcher(out).find(), out);
    assertTrue(
        out.contains("fletch drift --reference training/fraud_model_v1.parquet --current"), out);

    // The GetFeatures answer: fresh values for the latest transaction, NOT_FOUND for unknown keys.
    Matcher latest =
        Pattern.compile("\\(the most recent transaction\\):\\R(?:\\s+\\S+\\s+= .*\\R)+")
            .matcher(out);
    assertTrue(latest.find(), out);
    assertTrue(
        latest.group().contains("age") && latest.group().contains("PRESENT"), latest.group());
    Matcher txnCount =
        Pattern.compile("txn_count_24h\\s+= (\\d+)\\s+PRESENT").matcher(latest.group());
    assertTrue(txnCount.find(), latest.group());
    // Computed by Fletch from raw transactions: the latest transaction is in its own 1h window.
    Matcher velocity =
        Pattern.compile("txn_count_1h\\s+= (\\d+)\\s+PRESENT").matcher(latest.group());
    assertTrue(velocity.find(), latest.group());
    assertTrue(Long.parseLong(velocity.group(1)) >= 1, latest.group());
    // Computed for the call from the amount sent with the row.
    assertTrue(
        Pattern.compile("amount_vs_avg_24h\\s+= [0-9.]+\\s+PRESENT").matcher(latest.group()).find(),
        latest.group());
    Matcher unknown =
        Pattern.compile(
                "\\(a customer and merchant that do not exist\\):\\R(?:\\s+\\S+\\s+= .*\\R)+")
            .matcher(out);
    assertTrue(unknown.find(), out);
    assertFalse(unknown.group().contains("PRESENT"), unknown.group());
    assertTrue(unknown.group().contains("NOT_FOUND"), unknown.group());

    // The pushed live transaction is counted by the next GetFeatures and kept for training.
    Matcher pushed = Pattern.compile("txn_count_1h\\s+(\\d+) -> (\\d+)").matcher(out);
    assertTrue(pushed.find(), out);
    assertEquals(Long.parseLong(pushed.group(1)) + 1, Long.parseLong(pushed.group(2)), out);
    assertTrue(out.contains("1 event added online, 1 row kept in the push log"), out);
    assertEquals(
        1,
        scalar(
            "SELECT count(*) FROM read_parquet('"
                + dir.resolve("data/pushed/transactions")
                + "/*.parquet') WHERE amount = 42.5"));

    // A second run resets the folder and works again.
    Run again = fletch("quickstart", "--dir", dir.toString());
    assertEquals(0, again.code(), again.out() + again.err());
  }

  @Test
  void refusesAFolderThatIsNotAQuickstartFolder() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("mine"));
    Files.writeString(dir.resolve("notes.txt"), "keep me");
    Run run = fletch("quickstart", "--dir", dir.toString());
    assertEquals(1, run.code());
    assertTrue(run.err().contains("is not empty and is not a quickstart folder"), run.err());
    assertEquals("keep me", Files.readString(dir.resolve("notes.txt")));

    Run badScale = fletch("quickstart", "--dir", tmp.resolve("other").toString(), "--scale", "0");
    assertEquals(1, badScale.code());
    assertTrue(badScale.err().contains("--scale must be at least 1"), badScale.err());
  }

  private static int count(String text, Pattern p) {
    Matcher m = p.matcher(text);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  private static long scalar(String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
