package dev.fletch.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class CpuMeterTest {
  @Test
  void threadsOfOnePoolAreOneGroup() {
    assertEquals("fletch-io", CpuMeter.group("fletch-io-2"));
    assertEquals("grpc-default-wo", CpuMeter.group("grpc-default-wo"));
    assertEquals("lettuce-epollEventLoop", CpuMeter.group("lettuce-epollEventLoop-4-1"));
    assertEquals("jit", CpuMeter.group("C2 CompilerThre"));
    assertEquals("gc", CpuMeter.group("GC Thread#1"));
  }

  @Test
  void perCallDividesEachGroupsTicksByTheCallsAndSumsTheSmallOnes() {
    // 100 ticks = 1 s of CPU; over 1,000,000 calls that is 1 us per call.
    Map<String, Long> before = Map.of("redis", 50L, "fletch-io", 0L, "gc", 0L);
    Map<String, Long> after = Map.of("redis", 150L, "fletch-io", 300L, "gc", 2L);
    String line = CpuMeter.perCall(before, after, 1_000_000);
    assertTrue(line.startsWith("cpu per call 4.0 us:"), line);
    assertTrue(line.contains(" redis 1.0"), line);
    assertTrue(line.contains(" fletch-io 3.0"), line);
    assertTrue(line.endsWith(" rest 0.0"), line); // gc: 2 of 402 ticks, under 1 %
    assertEquals("cpu per call: not measured", CpuMeter.perCall(before, after, 0));
  }

  @Test
  void aBusyThreadsCpuIsCountedInItsGroupAndTheOtherProcessIsRead() throws Exception {
    assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "needs Linux /proc");
    CpuMeter meter = new CpuMeter(OptionalLong.of(ProcessHandle.current().pid()), "self");
    Map<String, Long> before = meter.snapshot();
    AtomicBoolean spin = new AtomicBoolean(true);
    Thread busy =
        new Thread(
            () -> {
              while (spin.get()) {
                Thread.onSpinWait();
              }
            },
            "burner-1");
    busy.start();
    try {
      Thread.sleep(500);
      Map<String, Long> after = meter.snapshot();
      // At least 50 ms of the 500 (ticks are 10 ms), even on a busy machine.
      assertTrue(after.get("burner") - before.getOrDefault("burner", 0L) >= 5, after.toString());
      assertTrue(after.get("self") - before.get("self") >= 5, after + " vs " + before);
    } finally {
      spin.set(false);
      busy.join();
    }
  }
}
