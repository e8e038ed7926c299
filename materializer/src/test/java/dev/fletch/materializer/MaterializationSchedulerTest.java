package dev.fletch.materializer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.model.FeatureView;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class MaterializationSchedulerTest {
  static FeatureView scheduled(String name, Duration every) {
    FeatureView v = Fakes.view(name, Duration.ZERO, true);
    return new FeatureView(
        v.name(), v.entities(), v.source(), v.ttl(), true, v.features(), null, null, null, every);
  }

  @Test
  void runsScheduledViewsAndSkipsOthersCarryingOnAfterFailures() throws Exception {
    Fakes.Jobs jobs = new Fakes.Jobs();
    Fakes.Online online = new Fakes.Online(0);
    FeatureRepo repo =
        Fakes.repo(
            scheduled("fast", Duration.ofMillis(50)), Fakes.view("manual", Duration.ZERO, true));
    AtomicInteger loads = new AtomicInteger();
    Materializer m = new Materializer(new Fakes.Offline(5), online, jobs, MaterializerTest.FAST);
    try (MaterializationScheduler s =
        new MaterializationScheduler(
            m,
            () -> {
              if (loads.incrementAndGet() == 2) {
                throw new IllegalStateException("registry hiccup");
              }
              return repo;
            },
            Duration.ofMillis(10),
            Clock.systemUTC())) {
      s.start();
      s.start();
      long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (jobs.records.size() < 3 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
    }
    int seen = jobs.records.size();
    assertTrue(seen >= 3, "jobs " + seen);
    assertTrue(jobs.records.stream().allMatch(r -> r.view().equals("fast")));
    Thread.sleep(150);
    assertEquals(seen, jobs.records.size(), "no job after close");
  }

  @Test
  void aViewIsNotRunAgainBeforeItsScheduleComes() {
    Fakes.Jobs jobs = new Fakes.Jobs();
    FeatureRepo repo = Fakes.repo(scheduled("hourly", Duration.ofHours(1)));
    Materializer m =
        new Materializer(new Fakes.Offline(1), new Fakes.Online(0), jobs, MaterializerTest.FAST);
    Clock fixed = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
    try (MaterializationScheduler s =
        new MaterializationScheduler(m, () -> repo, Duration.ofHours(1), fixed)) {
      s.start(); // first tick runs at once
      long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (jobs.records.isEmpty() && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
      s.tick();
      s.tick();
    }
    assertEquals(List.of("hourly"), jobs.records.stream().map(r -> r.view()).toList());
  }
}
