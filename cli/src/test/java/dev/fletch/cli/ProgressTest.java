package dev.fletch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressTest {
  private static final long SECOND = 1_000_000_000L;

  @Test
  void inLogsPrintsAtMostEveryTwoSecondsThenASummary() {
    AtomicLong clock = new AtomicLong();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    try (Progress p = new Progress(err, "materializing v", false, clock::get)) {
      for (int i = 0; i < 100; i++) {
        clock.addAndGet(SECOND / 10); // 10 s in all
        p.add(1000);
      }
    }
    String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
    assertEquals(6, lines.length, String.join("\n", lines)); // at 2, 4, 6, 8, 10 s + summary
    assertTrue(
        lines[0].startsWith("materializing v: 20,000 rows in 2.0s (10,000 rows/s)"), lines[0]);
    assertEquals("materializing v: done, 100,000 rows in 10.0s (10,000 rows/s)", lines[5]);
  }

  @Test
  void onATerminalRedrawsInPlace() {
    AtomicLong clock = new AtomicLong();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    Progress p = new Progress(err, "rows", true, clock::get);
    clock.set(SECOND);
    p.set(5);
    p.close();
    p.close(); // idempotent
    String text = bytes.toString(StandardCharsets.UTF_8);
    assertTrue(text.startsWith("\rrows: 5 rows in 1.0s (5 rows/s)"), text);
    assertTrue(text.endsWith("\rrows: done, 5 rows in 1.0s (5 rows/s)\n"), text);
    assertEquals(1, text.chars().filter(c -> c == '\n').count());
  }

  @Test
  void elapsedTimeFormats() {
    assertEquals("40ms", Progress.formatElapsed(SECOND / 25));
    assertEquals("2.5s", Progress.formatElapsed(SECOND * 5 / 2));
    assertEquals("2m05s", Progress.formatElapsed(125 * SECOND));
    assertEquals("1h01m01s", Progress.formatElapsed(3661 * SECOND));
  }
}
