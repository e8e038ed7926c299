package dev.fletch.online;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fletch.core.model.EntityKey;
import dev.fletch.core.model.FeatureRow;
import dev.fletch.core.model.FeatureView;
import dev.fletch.core.model.ValueType;
import dev.fletch.online.OnlineStore.ReadRequest;
import dev.fletch.online.OnlineStore.StoredValues;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The behaviour every OnlineStore implementation must have; one subclass per implementation. */
abstract class OnlineStoreContract {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  /** A new store with its own connection to the same data. */
  abstract OnlineStore newStore();

  /** Like Redis PTTL: ms left, -1 = never expires, -2 = absent. */
  abstract long remainingTtlMillis(String project, EntityKey key);

  String project;
  OnlineStore store;
  final List<OnlineStore> opened = new ArrayList<>();

  @BeforeEach
  void open() {
    project = "p" + UUID.randomUUID().toString().substring(0, 8);
    store = track(newStore());
  }

  OnlineStore track(OnlineStore s) {
    opened.add(s);
    return s;
  }

  @AfterEach
  void closeAll() {
    opened.forEach(OnlineStore::close);
    opened.forEach(OnlineStore::close); // idempotent
  }

  static FeatureView ints(String name, Duration ttl) {
    return TestViews.view(
        name,
        ttl,
        List.of(TestViews.feature("n", ValueType.INT64), TestViews.feature("s", ValueType.STRING)));
  }

  static FeatureRow row(long id, Instant t, Object... values) {
    return new FeatureRow(EntityKey.of("customer_id", id), t, Arrays.asList(values));
  }

  StoredValues readOne(FeatureView view, long id) {
    return store
        .read(project, List.of(new ReadRequest(EntityKey.of("customer_id", id), view)))
        .join()
        .get(0);
  }

  @Test
  void roundTripsEveryValueTypeIncludingListsAndNulls() {
    FeatureView view = TestViews.everyType("all_types");
    Object[] nulls = new Object[ValueType.values().length];
    store
        .write(
            project,
            view,
            List.of(
                new FeatureRow(EntityKey.of("customer_id", 1), T0, ValueCodecTest.sampleValues()),
                new FeatureRow(EntityKey.of("customer_id", "two"), T0, Arrays.asList(nulls))))
        .join();
    List<StoredValues> read =
        store
            .read(
                project,
                List.of(
                    new ReadRequest(EntityKey.of("customer_id", 1), view),
                    new ReadRequest(EntityKey.of("customer_id", "two"), view),
                    new ReadRequest(EntityKey.of("customer_id", 3), view)))
            .join();
    assertEquals(T0, read.get(0).eventTime());
    List<Object> expected = ValueCodecTest.sampleValues();
    for (int i = 0; i < expected.size(); i++) {
      if (expected.get(i) instanceof byte[] b) {
        assertArrayEquals(b, (byte[]) read.get(0).values().get(i));
      } else {
        assertEquals(expected.get(i), read.get(0).values().get(i));
      }
    }
    assertEquals(Arrays.asList(nulls), read.get(1).values());
    assertNull(read.get(2), "nothing stored reads as null");
  }

  @Test
  void aWriteNeverReplacesANewerEventTime() {
    FeatureView view = ints("v", Duration.ZERO);
    store.write(project, view, List.of(row(1, T0.plusSeconds(10), 10L, "new"))).join();
    store.write(project, view, List.of(row(1, T0, 1L, "old"))).join();
    assertEquals(List.of(10L, "new"), readOne(view, 1).values());
    // same event time: the later write wins (re-running a job is harmless)
    store.write(project, view, List.of(row(1, T0.plusSeconds(10), 11L, "again"))).join();
    assertEquals(List.of(11L, "again"), readOne(view, 1).values());
    store.write(project, view, List.of(row(1, T0.plusSeconds(11), 12L, "newer"))).join();
    assertEquals(T0.plusSeconds(11), readOne(view, 1).eventTime());
  }

  @Test
  void theNewestOfOneEntityWinsWithinABatch() {
    FeatureView view = ints("v", Duration.ZERO);
    store
        .write(
            project,
            view,
            List.of(row(1, T0.plusSeconds(5), 5L, "b"), row(1, T0, 0L, "a"), row(2, T0, 2L, "c")))
        .join();
    assertEquals(List.of(5L, "b"), readOne(view, 1).values());
    assertEquals(List.of(2L, "c"), readOne(view, 2).values());
  }

  @Test
  void racingWritersLeaveTheNewestEntry() throws Exception {
    FeatureView view = ints("v", Duration.ZERO);
    OnlineStore other = track(newStore());
    int entities = 50;
    int versions = 40;
    ExecutorService pool = Executors.newFixedThreadPool(2);
    CountDownLatch go = new CountDownLatch(1);
    try {
      // One writer goes forward in time, the other backward, over the same entities.
      Future<?> forward =
          pool.submit(() -> writeVersions(store, view, entities, versions, true, go));
      Future<?> backward =
          pool.submit(() -> writeVersions(other, view, entities, versions, false, go));
      go.countDown();
      forward.get();
      backward.get();
    } finally {
      pool.shutdownNow();
    }
    for (long id = 0; id < entities; id++) {
      StoredValues v = readOne(view, id);
      assertEquals(T0.plusSeconds(versions - 1), v.eventTime(), "entity " + id);
      assertEquals((long) versions - 1, v.values().get(0));
    }
  }

  private Void writeVersions(
      OnlineStore s,
      FeatureView view,
      int entities,
      int versions,
      boolean forward,
      CountDownLatch go)
      throws InterruptedException {
    go.await();
    for (int k = 0; k < versions; k++) {
      int version = forward ? k : versions - 1 - k;
      List<FeatureRow> rows = new ArrayList<>();
      for (long id = 0; id < entities; id++) {
        rows.add(row(id, T0.plusSeconds(version), (long) version, "w" + forward));
      }
      s.write(project, view, rows).join();
    }
    return null;
  }

  @Test
  void entitiesExpireAfterTheLongestTtlOfTheirViews() throws Exception {
    FeatureView shortLived = ints("short", Duration.ofMillis(800));
    FeatureView longLived = ints("long", Duration.ofHours(1));
    FeatureView forever = ints("forever", Duration.ZERO);
    EntityKey one = EntityKey.of("customer_id", 1);
    EntityKey two = EntityKey.of("customer_id", 2);
    EntityKey three = EntityKey.of("customer_id", 3);

    store
        .write(
            project,
            shortLived,
            List.of(row(1, T0, 1L, "a"), row(2, T0, 2L, "b"), row(3, T0, 3L, "c")))
        .join();
    long left = remainingTtlMillis(project, one);
    assertTrue(left > 0 && left <= 800, "ttl left " + left);

    // a longer ttl extends; a shorter one written later keeps the longer remaining ttl
    store.write(project, longLived, List.of(row(2, T0, 2L, "b"))).join();
    store.write(project, shortLived, List.of(row(2, T0.plusSeconds(1), 2L, "b"))).join();
    assertTrue(remainingTtlMillis(project, two) > 3_500_000L);

    // a ttl-0 view makes the entity persistent, and a later ttl write does not undo it
    store.write(project, forever, List.of(row(3, T0, 3L, "c"))).join();
    store.write(project, shortLived, List.of(row(3, T0.plusSeconds(1), 3L, "c"))).join();
    assertEquals(-1L, remainingTtlMillis(project, three));

    Thread.sleep(1000);
    assertNull(readOne(shortLived, 1), "expired entity reads as absent");
    assertEquals(-2L, remainingTtlMillis(project, one));
    assertNotNull(readOne(shortLived, 2));
    assertNotNull(readOne(shortLived, 3));

    // an expired entity is written afresh
    store.write(project, shortLived, List.of(row(1, T0.minusSeconds(5), 9L, "z"))).join();
    assertEquals(List.of(9L, "z"), readOne(shortLived, 1).values());
  }

  @Test
  void deleteViewRemovesOnlyThatView() {
    FeatureView a = ints("a", Duration.ZERO);
    FeatureView b = ints("b", Duration.ZERO);
    List<FeatureRow> rows = new ArrayList<>();
    for (long id = 0; id < 2500; id++) {
      rows.add(row(id, T0, id, "x"));
    }
    store.write(project, a, rows).join();
    store.write(project, b, rows.subList(0, 10)).join();
    assertEquals(2500L, store.deleteView(project, a).join());
    assertNull(readOne(a, 5));
    assertNull(readOne(a, 2000));
    assertEquals(List.of(5L, "x"), readOne(b, 5).values());
    assertEquals(0L, store.deleteView(project, a).join());
  }

  @Test
  void readsManyViewsOfManyEntitiesInRequestOrder() {
    FeatureView a = ints("a", Duration.ZERO);
    FeatureView b = ints("b", Duration.ZERO);
    store.write(project, a, List.of(row(1, T0, 1L, "a1"), row(2, T0, 2L, "a2"))).join();
    store.write(project, b, List.of(row(2, T0, 20L, "b2"))).join();
    List<StoredValues> read =
        store
            .read(
                project,
                List.of(
                    new ReadRequest(EntityKey.of("customer_id", 2), b),
                    new ReadRequest(EntityKey.of("customer_id", 1), a),
                    new ReadRequest(EntityKey.of("customer_id", 1), b),
                    new ReadRequest(EntityKey.of("customer_id", 2), a)))
            .join();
    assertEquals(List.of(20L, "b2"), read.get(0).values());
    assertEquals(List.of(1L, "a1"), read.get(1).values());
    assertNull(read.get(2));
    assertEquals(List.of(2L, "a2"), read.get(3).values());
    // projects are separate
    assertNull(
        store
            .read("other" + project, List.of(new ReadRequest(EntityKey.of("customer_id", 1), a)))
            .join()
            .get(0));
  }

  @Test
  void aKeyObjectSharedByViewsReadsTheSameAsEqualKeysAndKeepsRequestOrder() {
    // Servers pass one key object per entity for all views keyed by it; other callers pass equal
    // but distinct objects, or interleave entities. All must read the same.
    FeatureView a = ints("a", Duration.ZERO);
    FeatureView b = ints("b", Duration.ZERO);
    store.write(project, a, List.of(row(1, T0, 1L, "a1"), row(2, T0, 2L, "a2"))).join();
    store.write(project, b, List.of(row(1, T0, 10L, "b1"), row(2, T0, 20L, "b2"))).join();
    EntityKey one = EntityKey.of("customer_id", 1);
    EntityKey two = EntityKey.of("customer_id", 2);
    List<StoredValues> read =
        store
            .read(
                project,
                List.of(
                    new ReadRequest(one, a),
                    new ReadRequest(two, a),
                    new ReadRequest(one, b),
                    new ReadRequest(two, b),
                    new ReadRequest(EntityKey.of("customer_id", 2), a),
                    new ReadRequest(one, a),
                    new ReadRequest(EntityKey.of("customer_id", 3), b)))
            .join();
    assertEquals(List.of(1L, "a1"), read.get(0).values());
    assertEquals(List.of(2L, "a2"), read.get(1).values());
    assertEquals(List.of(10L, "b1"), read.get(2).values());
    assertEquals(List.of(20L, "b2"), read.get(3).values());
    assertEquals(List.of(2L, "a2"), read.get(4).values());
    assertEquals(List.of(1L, "a1"), read.get(5).values());
    assertNull(read.get(6));
  }

  @Test
  void valuesFollowTheViewsCurrentFeatures() {
    FeatureView before = ints("v", Duration.ZERO);
    store.write(project, before, List.of(row(1, T0, 1L, "s"))).join();
    FeatureView after =
        TestViews.view(
            "v",
            Duration.ZERO,
            List.of(
                TestViews.feature("s", ValueType.STRING),
                TestViews.feature("added", ValueType.DOUBLE)));
    assertEquals(Arrays.asList("s", null), readOne(after, 1).values());
  }

  @Test
  void aBadRowFailsTheBatchBeforeAnythingIsWritten() {
    FeatureView view = ints("v", Duration.ZERO);
    var result =
        store.write(project, view, List.of(row(1, T0, 1L, "ok"), row(2, T0, "not a number", "x")));
    assertTrue(result.isCompletedExceptionally());
    assertNull(readOne(view, 1));
  }
}
