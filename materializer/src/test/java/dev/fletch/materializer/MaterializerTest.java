package dev.fletch.materializer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fletch.core.FletchException;
import dev.fletch.core.InvalidRequestException;
import dev.fletch.core.JobHistory.Status;
import dev.fletch.core.NotFoundException;
import dev.fletch.core.UnavailableException;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.model.FeatureView;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MaterializerTest {
  static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
  static final Instant END = Instant.parse("2026-01-02T00:00:00Z");
  static final Materializer.Options FAST =
      new Materializer.Options(
          100, 3, 4, Duration.ofMillis(5), Duration.ofMillis(20), Duration.ZERO);

  final FeatureRepo repo =
      Fakes.repo(
          Fakes.view("a", Duration.ofHours(2), true),
          Fakes.view("b", Duration.ZERO, true),
          Fakes.view("offline_only", Duration.ZERO, false));

  @Test
  void writesEveryRowWithBoundedBatchesInFlightAndRecordsTheJob() {
    Fakes.Offline offline = new Fakes.Offline(2_050);
    Fakes.Online online = new Fakes.Online(0);
    Fakes.Jobs jobs = new Fakes.Jobs();
    List<Long> progress = new ArrayList<>();
    List<Materializer.ViewResult> results =
        new Materializer(offline, online, jobs, FAST)
            .materialize(repo, START, END, List.of("a"), (view, rows, rate) -> progress.add(rows));
    assertEquals(1, results.size());
    assertEquals(2_050, results.get(0).rows());
    assertEquals(2_050, online.stored.size());
    assertTrue(online.maxInFlight.get() <= 3, "in flight " + online.maxInFlight.get());
    assertEquals(Status.SUCCEEDED, jobs.records.get(0).status());
    assertEquals(2_050, jobs.records.get(0).rows());
    assertEquals(Optional.of(END), jobs.watermark("proj", "a"));
    assertEquals(2_050L, progress.get(progress.size() - 1));
  }

  @Test
  void allOnlineViewsWhenNoneAreNamed() {
    Fakes.Jobs jobs = new Fakes.Jobs();
    List<Materializer.ViewResult> results =
        new Materializer(new Fakes.Offline(10), new Fakes.Online(0), jobs, FAST)
            .materialize(repo, START, END, List.of(), null);
    assertEquals(List.of("a", "b"), results.stream().map(Materializer.ViewResult::view).toList());
  }

  @Test
  void transientFailuresAreRetried() {
    Fakes.Online online = new Fakes.Online(2);
    Fakes.Jobs jobs = new Fakes.Jobs();
    new Materializer(new Fakes.Offline(500), online, jobs, FAST)
        .materialize(repo, START, END, List.of("a"), null);
    assertEquals(500, online.stored.size());
    assertEquals(Status.SUCCEEDED, jobs.records.get(0).status());
  }

  @Test
  void persistentUnavailabilityFailsTheJobAndKeepsTheWatermark() {
    Fakes.Online online = new Fakes.Online(Integer.MAX_VALUE);
    Fakes.Jobs jobs = new Fakes.Jobs();
    jobs.watermarks.put("proj/a", START);
    UnavailableException e =
        assertThrows(
            UnavailableException.class,
            () ->
                new Materializer(new Fakes.Offline(1_000), online, jobs, FAST)
                    .materialize(repo, START, END, List.of("a"), null));
    assertTrue(e.getMessage().contains("after 4 attempts"), e.getMessage());
    assertTrue(e.getMessage().contains("view 'a'"), e.getMessage());
    assertEquals(Status.FAILED, jobs.records.get(0).status());
    assertTrue(jobs.records.get(0).error().contains("redis down"));
    assertEquals(Optional.of(START), jobs.watermark("proj", "a"));
  }

  @Test
  void aFailingViewDoesNotStopTheOthers() {
    Fakes.Offline offline = new Fakes.Offline(50);
    offline.unreadable.add("a");
    Fakes.Jobs jobs = new Fakes.Jobs();
    Materializer m = new Materializer(offline, new Fakes.Online(0), jobs, FAST);
    List<String> failedProgress = new ArrayList<>();
    Materializer.Progress progress =
        new Materializer.Progress() {
          @Override
          public void update(String view, long rows, double rowsPerSecond) {}

          @Override
          public void failed(String view) {
            failedProgress.add(view);
          }
        };

    Materializer.Outcome outcome = m.materializeEach(repo, START, END, List.of(), progress);
    assertEquals(
        List.of("b"), outcome.results().stream().map(Materializer.ViewResult::view).toList());
    assertEquals(1, outcome.failures().size());
    Materializer.ViewFailure failure = outcome.failures().get(0);
    assertEquals("a", failure.view());
    assertTrue(failure.error().getMessage().contains("cannot read the source of a"));
    assertEquals(List.of("a"), failedProgress);
    assertEquals(Status.FAILED, jobs.records.get(0).status());
    assertEquals(Status.SUCCEEDED, jobs.records.get(1).status());
    assertEquals(Optional.empty(), jobs.watermark("proj", "a"));
    assertEquals(Optional.of(END), jobs.watermark("proj", "b"));

    // The throwing form also runs every view first, then throws the one failure as it is.
    Instant later = END.plus(Duration.ofHours(1));
    FletchException thrown =
        assertThrows(
            FletchException.class, () -> m.materializeIncremental(repo, later, List.of(), null));
    assertTrue(thrown.getMessage().startsWith("materializing view 'a'"), thrown.getMessage());
    assertEquals(Optional.of(later), jobs.watermark("proj", "b"));

    // Several failures: one exception naming each.
    offline.unreadable.add("b");
    FletchException both =
        assertThrows(FletchException.class, () -> m.materialize(repo, START, END, List.of(), null));
    assertTrue(both.getMessage().startsWith("2 of 2 views failed: materializing view 'a'"));
    assertTrue(both.getMessage().contains("materializing view 'b'"), both.getMessage());
    assertEquals(1, both.getSuppressed().length);
  }

  @Test
  void unknownAndOfflineViewsAreRejectedBeforeAnyJob() {
    Fakes.Jobs jobs = new Fakes.Jobs();
    Materializer m = new Materializer(new Fakes.Offline(1), new Fakes.Online(0), jobs, FAST);
    assertThrows(
        NotFoundException.class, () -> m.materialize(repo, START, END, List.of("a", "nope"), null));
    assertThrows(
        InvalidRequestException.class,
        () -> m.materialize(repo, START, END, List.of("offline_only"), null));
    assertThrows(
        InvalidRequestException.class, () -> m.materialize(repo, END, START, List.of("a"), null));
    assertTrue(jobs.records.isEmpty());
  }

  @Test
  void incrementalStartsAtTheWatermarkElseEndMinusTtlElseTheEpoch() {
    Fakes.Offline offline = new Fakes.Offline(1);
    Fakes.Jobs jobs = new Fakes.Jobs();
    Materializer m = new Materializer(offline, new Fakes.Online(0), jobs, FAST);
    List<Materializer.ViewResult> first =
        m.materializeIncremental(repo, END, List.of("a", "b"), null);
    assertEquals(END.minus(Duration.ofHours(2)), first.get(0).start());
    assertEquals(Instant.EPOCH, first.get(1).start());
    Instant later = END.plusSeconds(3600);
    List<Materializer.ViewResult> second =
        m.materializeIncremental(repo, later, List.of("a"), null);
    // from the watermark less the default lateness (the fake source has no created times)
    assertEquals(END.minus(FeatureView.DEFAULT_LATENESS), second.get(0).start());
    assertEquals(later, second.get(0).end());
    assertEquals(Optional.of(later), jobs.watermark("proj", "a"));
    // a watermark past the requested end: nothing to do, no job
    List<Materializer.ViewResult> none = m.materializeIncremental(repo, END, List.of("a"), null);
    assertEquals(-1, none.get(0).jobId());
    assertEquals(3, jobs.records.size());
  }

  @Test
  void backoffDoublesUpToTheMaximum() {
    BatchWriter w =
        new BatchWriter(
            new Fakes.Online(0),
            "p",
            Fakes.view("a", Duration.ZERO, true),
            new Materializer.Options(
                1, 1, 10, Duration.ofMillis(100), Duration.ofMillis(500), Duration.ZERO),
            Materializer.Progress.NONE);
    assertEquals(
        List.of(100L, 200L, 400L, 500L),
        List.of(w.backoffMillis(1), w.backoffMillis(2), w.backoffMillis(3), w.backoffMillis(4)));
  }
}
