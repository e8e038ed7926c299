package dev.fletch.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;

/**
 * CPU time spent during a phase by thread group of this JVM and by one other process (Redis), read
 * from Linux's /proc (clock ticks of user + system time). Dividing by the calls of the phase gives
 * the CPU each call costs in each part, which is steadier than throughput on a machine whose speed
 * drifts, and shows which part a change moved. Elsewhere than Linux it reads nothing.
 */
final class CpuMeter {
  /** Linux's USER_HZ: the unit of utime and stime in /proc/.../stat. */
  private static final double TICKS_PER_SECOND = 100;

  private final OptionalLong otherPid;
  private final String otherName;

  CpuMeter(OptionalLong otherPid, String otherName) {
    this.otherPid = otherPid;
    this.otherName = otherName;
  }

  /** Ticks so far by group: the Redis process, then this JVM's threads grouped by name. */
  Map<String, Long> snapshot() {
    Map<String, Long> ticks = new LinkedHashMap<>();
    if (otherPid.isPresent()) {
      long[] t = read(Path.of("/proc", Long.toString(otherPid.getAsLong()), "stat"));
      if (t != null) {
        ticks.put(otherName, t[0]);
      }
    }
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
      for (Path task : tasks) {
        String name = group(threadName(task));
        long[] t = read(task.resolve("stat"));
        if (t != null) {
          ticks.merge(name, t[0], Long::sum);
        }
      }
    } catch (IOException | RuntimeException e) {
      // Not Linux, or a thread ended while listed: nothing to report for it.
    }
    return ticks;
  }

  /** All threads' CPU (and Redis's) per call in microseconds; NaN when not measured. */
  static double totalPerCall(Map<String, Long> before, Map<String, Long> after, long calls) {
    if (calls == 0 || after.isEmpty()) {
      return Double.NaN;
    }
    long total = 0;
    for (Map.Entry<String, Long> e : after.entrySet()) {
      total += e.getValue() - before.getOrDefault(e.getKey(), 0L);
    }
    return ticksToMicros(total) / calls;
  }

  /**
   * One line: microseconds of CPU per call in each group between two snapshots (groups that used
   * under 1 % of the total are summed as "rest").
   */
  static String perCall(Map<String, Long> before, Map<String, Long> after, long calls) {
    if (calls == 0 || after.isEmpty()) {
      return "cpu per call: not measured";
    }
    Map<String, Long> used = new LinkedHashMap<>();
    long total = 0;
    for (Map.Entry<String, Long> e : after.entrySet()) {
      long d = e.getValue() - before.getOrDefault(e.getKey(), 0L);
      used.put(e.getKey(), d);
      total += d;
    }
    StringBuilder line =
        new StringBuilder(
            String.format(Locale.ROOT, "cpu per call %.1f us:", ticksToMicros(total) / calls));
    long rest = 0;
    for (Map.Entry<String, Long> e : used.entrySet()) {
      if (e.getValue() * 100 < total) {
        rest += e.getValue();
        continue;
      }
      line.append(
          String.format(Locale.ROOT, " %s %.1f", e.getKey(), ticksToMicros(e.getValue()) / calls));
    }
    if (rest > 0) {
      line.append(String.format(Locale.ROOT, " rest %.1f", ticksToMicros(rest) / calls));
    }
    return line.toString();
  }

  private static double ticksToMicros(long ticks) {
    return ticks / TICKS_PER_SECOND * 1e6;
  }

  /** Thread names without their numbers ("fletch-io-2" and "fletch-io-1" are one group). */
  static String group(String threadName) {
    if (threadName.startsWith("C1 Compiler") || threadName.startsWith("C2 Compiler")) {
      return "jit";
    }
    if (threadName.startsWith("GC Thread") || threadName.startsWith("VM Thread")) {
      return "gc";
    }
    return threadName.replaceAll("[-#]?\\d+(-\\d+)*-?$", "");
  }

  private static String threadName(Path task) {
    try {
      return Files.readString(task.resolve("comm")).strip();
    } catch (IOException e) {
      return "?";
    }
  }

  /** utime + stime of a /proc stat file, or null if it cannot be read. */
  private static long[] read(Path stat) {
    try {
      String s = Files.readString(stat);
      // Fields after the command name, which is in parentheses and may hold spaces.
      String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
      // f[0] is field 3 (state): utime is field 14, stime field 15.
      return new long[] {Long.parseLong(f[11]) + Long.parseLong(f[12])};
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
