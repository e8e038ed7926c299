package dev.fletch.registry;

import static dev.fletch.registry.Fixtures.payments;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fletch.core.ConflictException;
import dev.fletch.core.DefinitionException;
import dev.fletch.core.JobHistory;
import dev.fletch.core.JobHistory.JobRecord;
import dev.fletch.core.NotFoundException;
import dev.fletch.core.model.Entity;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.model.FeatureService;
import dev.fletch.core.model.FeatureView;
import dev.fletch.core.model.JoinKey;
import dev.fletch.core.model.ValueType;
import dev.fletch.registry.Plan.Action;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The registry's behaviour, run against each supported database by a subclass. */
abstract class AbstractRegistryContract {
  protected Registry registry;
  protected String project;

  /** A URL of an empty (or shared, isolated by project name) registry database. */
  protected abstract String registryUrl();

  @BeforeEach
  void openRegistry() {
    registry = Registry.open(registryUrl());
    project = "p_" + UUID.randomUUID().toString().substring(0, 8);
  }

  @AfterEach
  void closeRegistry() {
    registry.close();
  }

  private Plan.Change change(Plan plan, ObjectKind kind, String name) {
    return plan.changes().stream()
        .filter(c -> c.kind() == kind && c.name().equals(name))
        .findFirst()
        .orElseThrow(
            () -> new AssertionError("no change for " + kind + " " + name + " in " + plan));
  }

  @Test
  void emptyProjectHasVersionZeroAndCannotBeLoaded() {
    assertEquals(0, registry.currentVersion(project));
    assertThrows(NotFoundException.class, () -> registry.load(project));
    assertTrue(registry.history(project).isEmpty());
  }

  @Test
  void firstApplyAddsEverythingAndLoadsBackEqual() {
    FeatureRepo repo = payments(project);
    Plan plan = registry.plan(repo);
    assertEquals(0, plan.baseVersion());
    assertEquals(4, plan.count(Action.ADDED));
    assertFalse(plan.isBreaking());

    ApplyResult result = registry.apply(repo, plan.baseVersion(), false, "alice");
    assertTrue(result.applied());
    assertEquals(1, result.version());
    assertEquals(1, registry.currentVersion(project));
    assertEquals(repo, registry.load(project));
    assertTrue(registry.projects().contains(project));
    VersionInfo v = registry.history(project).get(0);
    assertEquals("alice", v.appliedBy());
    assertEquals(4, v.added());
  }

  @Test
  void applyingTheSameRepoAgainRecordsNothing() {
    FeatureRepo repo = payments(project);
    registry.apply(repo, 0, false, "alice");
    Plan plan = registry.plan(repo);
    assertFalse(plan.hasChanges());
    assertEquals(4, plan.count(Action.UNCHANGED));
    assertTrue(plan.render().startsWith("No changes"));

    ApplyResult again = registry.apply(repo, 1, false, "bob");
    assertFalse(again.applied());
    assertEquals(1, again.version());
    assertEquals(1, registry.history(project).size());
  }

  @Test
  void planListsChangedFieldsAndFlagsTypeChangesAsBreaking() {
    FeatureRepo v1 = payments(project);
    registry.apply(v1, 0, false, "alice");
    FeatureRepo v2 =
        Fixtures.withView(
            v1,
            v -> Fixtures.retype(Fixtures.ttl(v, Duration.ofDays(1)), "amount", ValueType.STRING));

    Plan plan = registry.plan(v2);
    assertEquals(1, plan.baseVersion());
    Plan.Change c = change(plan, ObjectKind.FEATURE_VIEW, "customer_profile");
    assertEquals(Action.CHANGED, c.action());
    assertEquals(
        List.of("features[amount].type: INT32 -> STRING", "ttl: 30d -> 1d"), c.changedFields());
    assertTrue(plan.isBreaking());
    assertTrue(
        plan.breakingChanges().get(0).contains("'amount' changed type INT32 -> STRING"),
        plan.breakingChanges().toString());
    assertEquals(Action.UNCHANGED, change(plan, ObjectKind.ENTITY, "customer").action());
    assertTrue(
        plan.render().contains("~ feature_view customer_profile  [BREAKING]"), plan.render());

    BreakingChangeException e =
        assertThrows(BreakingChangeException.class, () -> registry.apply(v2, 1, false, "alice"));
    assertEquals(1, e.reasons().size());
    assertEquals(1, registry.currentVersion(project));

    ApplyResult forced = registry.apply(v2, 1, true, "alice");
    assertEquals(2, forced.version());
    assertEquals(
        ValueType.STRING,
        registry.load(project).view("customer_profile").feature("amount").orElseThrow().type());
  }

  @Test
  void wideningATypeIsNotBreaking() {
    FeatureRepo v1 = payments(project);
    registry.apply(v1, 0, false, "alice");
    // Stored INT32 values read as INT64 (and FLOAT as DOUBLE): no consumer loses a value.
    FeatureRepo v2 = Fixtures.withView(v1, v -> Fixtures.retype(v, "amount", ValueType.INT64));
    Plan plan = registry.plan(v2);
    assertEquals(
        List.of("features[amount].type: INT32 -> INT64"),
        change(plan, ObjectKind.FEATURE_VIEW, "customer_profile").changedFields());
    assertFalse(plan.isBreaking(), plan.breakingChanges().toString());
    assertTrue(registry.apply(v2, 1, false, "alice").applied());
  }

  @Test
  void nonBreakingChangeAppliesWithoutPermission() {
    FeatureRepo v1 = payments(project);
    registry.apply(v1, 0, false, "alice");
    FeatureRepo v2 = Fixtures.withView(v1, v -> Fixtures.ttl(v, Duration.ofDays(7)));
    Plan plan = registry.plan(v2);
    assertTrue(plan.hasChanges());
    assertFalse(plan.isBreaking());
    assertEquals(2, registry.apply(v2, plan.baseVersion(), false, "alice").version());
    assertEquals(1, registry.history(project).get(0).changed());
  }

  @Test
  void removingAFeatureThatAServiceStillServesIsBreaking() {
    FeatureRepo v1 = payments(project);
    // fraud_v1 names customer_profile:age and :amount; whole_v1 serves customer_profile:*
    v1 =
        Fixtures.withServices(
            v1,
            List.of(
                v1.featureServices().get(0),
                new FeatureService("whole_v1", List.of("customer_profile:*"), "", "", Map.of())));
    registry.apply(v1, 0, false, "alice");
    // The apply drops the feature and fraud_v1's reference to it, and whole_v1 stays as it was:
    // its consumers got amount and would silently lose it.
    FeatureRepo v2 =
        Fixtures.withServices(
            Fixtures.withView(v1, v -> Fixtures.withoutFeature(v, "amount")),
            List.of(
                new FeatureService("fraud_v1", List.of("customer_profile:age"), "", "", Map.of()),
                v1.featureServices().get(1)));
    Plan plan = registry.plan(v2);
    assertEquals(
        List.of("feature 'customer_profile:amount' removed but feature service 'whole_v1' uses it"),
        plan.breakingChanges());
    Plan.Change view = change(plan, ObjectKind.FEATURE_VIEW, "customer_profile");
    assertTrue(
        view.changedFields().contains("features[amount]: removed"),
        view.changedFields().toString());

    // whole_v1 updated in the same apply to name what it serves: nothing uses amount any more
    FeatureRepo v3 =
        Fixtures.withServices(
            v2,
            List.of(
                v2.featureServices().get(0),
                new FeatureService("whole_v1", List.of("customer_profile:age"), "", "", Map.of())));
    assertFalse(registry.plan(v3).isBreaking(), registry.plan(v3).breakingChanges().toString());

    // removing a feature nobody uses is fine
    FeatureRepo v4 =
        Fixtures.withServices(
            Fixtures.withView(v1, v -> Fixtures.withoutFeature(v, "avg_amount")),
            List.of(v1.featureServices().get(0)));
    assertFalse(registry.plan(v4).isBreaking());
  }

  /**
   * #24 item 10: renaming a view and updating the services that use it, in one apply, breaks no
   * consumer and needs no --allow-breaking; a service still naming the old view is refused (an
   * unknown view) rather than stored.
   */
  @Test
  void renamingAViewWithItsServicesUpdatedInOneApplyIsNotBreaking() {
    FeatureRepo v1 = payments(project);
    registry.apply(v1, 0, false, "alice");
    FeatureView old = v1.featureViews().get(0);
    FeatureView renamed =
        new FeatureView(
            "customer_profile_v2",
            old.entities(),
            old.source(),
            old.ttl(),
            old.online(),
            old.features(),
            old.description(),
            old.owner(),
            old.tags(),
            old.schedule());
    FeatureRepo v2 =
        new FeatureRepo(
            project,
            v1.entities(),
            v1.sources(),
            List.of(renamed),
            List.of(
                new FeatureService(
                    "fraud_v1",
                    List.of("customer_profile_v2:age", "customer_profile_v2:amount"),
                    "",
                    "",
                    Map.of())),
            null);
    Plan plan = registry.plan(v2);
    assertFalse(plan.isBreaking(), plan.breakingChanges().toString());
    assertEquals(
        Action.REMOVED, change(plan, ObjectKind.FEATURE_VIEW, "customer_profile").action());
    assertEquals(
        Action.ADDED, change(plan, ObjectKind.FEATURE_VIEW, "customer_profile_v2").action());
    assertEquals(2, registry.apply(v2, 1, false, "alice").version());

    // the rename without updating the service: the service names a view that does not exist
    FeatureRepo stale =
        new FeatureRepo(
            project, v1.entities(), v1.sources(), List.of(renamed), v1.featureServices(), null);
    DefinitionException e = assertThrows(DefinitionException.class, () -> registry.plan(stale));
    assertTrue(
        e.getMessage().contains("'customer_profile:age' names an unknown feature view"),
        e.getMessage());
  }

  @Test
  void removingAViewAndTheServicesThatUseItIsListedButNotBreaking() {
    FeatureRepo v1 = payments(project);
    registry.apply(v1, 0, false, "alice");
    FeatureRepo v2 =
        new FeatureRepo(project, v1.entities(), v1.sources(), List.of(), List.of(), null);
    Plan plan = registry.plan(v2);
    assertEquals(
        Action.REMOVED, change(plan, ObjectKind.FEATURE_VIEW, "customer_profile").action());
    assertEquals(Action.REMOVED, change(plan, ObjectKind.FEATURE_SERVICE, "fraud_v1").action());
    assertFalse(plan.isBreaking(), plan.breakingChanges().toString());
    assertEquals(2, registry.apply(v2, 1, false, "alice").version());
    assertEquals(2, registry.history(project).get(0).removed());
  }

  /**
   * #24 item 10: deleting a project records a version without objects that says so; the project
   * leaves the listings, its history stays readable, a second deletion and a stale one are refused,
   * and an apply re-creates it at the next version.
   */
  @Test
  void aDeletedProjectLeavesTheListingsAndKeepsItsHistory() {
    FeatureRepo v1 = payments(project);
    registry.apply(v1, 0, false, "alice");
    assertTrue(registry.projects().contains(project));
    assertThrows(ConflictException.class, () -> registry.deleteProject(project, 0, "bob", ""));

    VersionInfo deleted = registry.deleteProject(project, 1, "bob", "retired");
    assertEquals(2, deleted.version());
    assertTrue(deleted.deleted());
    assertEquals(4, deleted.removed(), "entity, source, view and service");
    assertFalse(registry.projects().contains(project));
    List<VersionInfo> history = registry.history(project);
    assertEquals(List.of(2L, 1L), history.stream().map(VersionInfo::version).toList());
    assertFalse(history.get(1).deleted());
    assertEquals("retired", history.get(0).message());
    // the versions before it read back as applied
    assertEquals(v1.featureViews(), registry.load(project, 1).featureViews());
    assertTrue(registry.load(project).featureViews().isEmpty());
    assertThrows(
        dev.fletch.core.InvalidRequestException.class,
        () -> registry.deleteProject(project, 2, "bob", ""));
    assertThrows(
        NotFoundException.class, () -> registry.deleteProject("nope_" + project, 0, "", ""));

    // applying its definitions again re-creates it
    Plan again = registry.plan(v1);
    assertEquals(2, again.baseVersion());
    assertEquals(4, again.count(Action.ADDED));
    assertEquals(3, registry.apply(v1, 2, false, "alice").version());
    assertTrue(registry.projects().contains(project));
    assertFalse(registry.history(project).get(0).deleted());
  }

  @Test
  void changingJoinKeysOrViewEntitiesIsBreaking() {
    FeatureRepo v1 = payments(project);
    registry.apply(v1, 0, false, "alice");
    FeatureRepo keys =
        Fixtures.withEntities(
            v1,
            List.of(
                new Entity(
                    "customer",
                    List.of(new JoinKey("customer_id", ValueType.STRING)),
                    "a customer",
                    Map.of())));
    Plan plan = registry.plan(keys);
    assertEquals(
        List.of("entity 'customer': join keys changed [customer_id INT64] -> [customer_id STRING]"),
        plan.breakingChanges());

    List<Entity> two = new ArrayList<>(v1.entities());
    two.add(
        new Entity("merchant", List.of(new JoinKey("merchant_id", ValueType.INT64)), "", Map.of()));
    FeatureRepo entities =
        Fixtures.withView(
            Fixtures.withEntities(v1, two),
            v ->
                new FeatureView(
                    v.name(),
                    List.of("customer", "merchant"),
                    v.source(),
                    v.ttl(),
                    v.online(),
                    v.features(),
                    v.description(),
                    v.owner(),
                    v.tags(),
                    v.schedule()));
    Plan p2 = registry.plan(entities);
    assertEquals(Action.ADDED, change(p2, ObjectKind.ENTITY, "merchant").action());
    assertEquals(
        List.of(
            "feature view 'customer_profile': entities changed [customer] -> [customer, merchant]"),
        p2.breakingChanges());
  }

  @Test
  void staleExpectedVersionIsAConflict() {
    FeatureRepo v1 = payments(project);
    registry.apply(v1, 0, false, "alice");
    FeatureRepo v2 = Fixtures.withView(v1, v -> Fixtures.ttl(v, Duration.ofDays(2)));
    ConflictException e =
        assertThrows(ConflictException.class, () -> registry.apply(v2, 0, false, "bob"));
    assertEquals("planned against version 0 but the registry is at 1; re-run plan", e.getMessage());
    assertEquals(1, registry.currentVersion(project));
  }

  @Test
  void twoConcurrentAppliesAgainstTheSameVersionExactlyOneWins() throws Exception {
    FeatureRepo v1 = payments(project);
    registry.apply(v1, 0, false, "alice");
    // a second Registry instance, as a second process would have
    try (Registry other = Registry.open(registryUrl())) {
      for (int round = 0; round < 3; round++) {
        long base = registry.currentVersion(project);
        CyclicBarrier barrier = new CyclicBarrier(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
          int days = 10 + 2 * round;
          FeatureRepo ra = Fixtures.withView(v1, v -> Fixtures.ttl(v, Duration.ofDays(days)));
          FeatureRepo rb = Fixtures.withView(v1, v -> Fixtures.ttl(v, Duration.ofDays(days + 1)));
          Callable<ApplyResult> first =
              () -> {
                barrier.await();
                return registry.apply(ra, base, false, "a");
              };
          Callable<ApplyResult> second =
              () -> {
                barrier.await();
                return other.apply(rb, base, false, "b");
              };
          List<Future<ApplyResult>> results = List.of(pool.submit(first), pool.submit(second));
          int wins = 0;
          int conflicts = 0;
          for (Future<ApplyResult> f : results) {
            try {
              assertEquals(base + 1, f.get(60, TimeUnit.SECONDS).version());
              wins++;
            } catch (java.util.concurrent.ExecutionException e) {
              assertTrue(e.getCause() instanceof ConflictException, "unexpected " + e.getCause());
              assertTrue(
                  e.getCause().getMessage().contains("planned against version " + base),
                  e.getCause().getMessage());
              conflicts++;
            }
          }
          assertEquals(1, wins);
          assertEquals(1, conflicts);
          assertEquals(base + 1, registry.currentVersion(project));
        } finally {
          pool.shutdownNow();
        }
      }
    }
  }

  @Test
  void applyThatFailsMidwayChangesNothing() {
    FeatureRepo v1 = payments(project);
    registry.apply(v1, 0, false, "alice");
    FeatureRepo v2 = Fixtures.withView(v1, v -> Fixtures.ttl(v, Duration.ofDays(2)));
    registry.beforeObjectInsert =
        key -> {
          if (key.startsWith("feature_view/")) {
            throw new IllegalStateException("disk full (simulated)");
          }
        };
    assertThrows(IllegalStateException.class, () -> registry.apply(v2, 1, false, "alice"));
    registry.beforeObjectInsert = key -> {};

    assertEquals(1, registry.currentVersion(project));
    assertEquals(1, registry.history(project).size());
    assertEquals(v1, registry.load(project));
    assertThrows(NotFoundException.class, () -> registry.load(project, 2));
    // and the registry is usable afterwards
    assertEquals(2, registry.apply(v2, 1, false, "alice").version());
  }

  @Test
  void historyAndOldVersionsCanBeReadBack() {
    FeatureRepo v1 = payments(project);
    registry.apply(v1, 0, false, "alice", "first");
    FeatureRepo v2 = Fixtures.withView(v1, v -> Fixtures.ttl(v, Duration.ofDays(2)));
    registry.apply(v2, 1, false, "bob", "shorter ttl");
    FeatureRepo v3 =
        new FeatureRepo(project, v1.entities(), v1.sources(), List.of(), List.of(), null);
    registry.apply(v3, 2, true, "carol");

    List<VersionInfo> history = registry.history(project);
    assertEquals(List.of(3L, 2L, 1L), history.stream().map(VersionInfo::version).toList());
    assertEquals("shorter ttl", history.get(1).message());
    assertNotNull(history.get(0).appliedAt());

    assertEquals(v1, registry.load(project, 1));
    assertEquals(v2, registry.load(project, 2));
    assertEquals(v3, registry.load(project));

    List<ObjectVersion> steps =
        registry.objectHistory(project, ObjectKind.FEATURE_VIEW, "customer_profile");
    assertEquals(List.of(3L, 2L, 1L), steps.stream().map(ObjectVersion::version).toList());
    assertEquals(
        List.of(Action.REMOVED, Action.CHANGED, Action.ADDED),
        steps.stream().map(ObjectVersion::action).toList());
    assertEquals(1, registry.objectHistory(project, ObjectKind.ENTITY, "customer").size());

    StoredObject old = registry.object(project, ObjectKind.FEATURE_VIEW, "customer_profile", 1);
    assertEquals(Duration.ofDays(30), ((FeatureView) old.value()).ttl());
    assertEquals(
        dev.fletch.core.DefinitionJson.contentHash(v1.featureViews().get(0)), old.contentHash());
    assertThrows(
        NotFoundException.class,
        () -> registry.object(project, ObjectKind.FEATURE_VIEW, "customer_profile"));
    assertThrows(NotFoundException.class, () -> registry.load(project, 9));
    assertThrows(
        NotFoundException.class,
        () -> registry.objectHistory(project, ObjectKind.ENTITY, "nobody"));
    assertEquals(1, registry.objects(project, ObjectKind.ENTITY, 0).size());
  }

  @Test
  void inconsistentDefinitionsAreRejectedWithEveryProblem() {
    FeatureRepo bad =
        Fixtures.withServices(
            Fixtures.withView(
                payments(project),
                v ->
                    new FeatureView(
                        v.name(),
                        List.of("nobody"),
                        "nowhere",
                        v.ttl(),
                        v.online(),
                        v.features(),
                        "",
                        "",
                        Map.of(),
                        null)),
            List.of(
                new FeatureService("s", List.of("customer_profile:missing"), "", "", Map.of())));
    assertThrows(DefinitionException.class, () -> registry.plan(bad));
    DefinitionException e =
        assertThrows(DefinitionException.class, () -> registry.apply(bad, 0, false, "alice"));
    assertEquals(3, e.problems().size(), e.getMessage());
    assertEquals(0, registry.currentVersion(project));
  }

  @Test
  void reopeningMigratesNothingAndKeepsData() {
    registry.apply(payments(project), 0, false, "alice");
    try (Registry again = Registry.open(registryUrl())) {
      assertEquals(1, again.currentVersion(project));
    }
  }

  @Test
  void storeWatermarksAreClaimsAboutOneStoreAndSchema() {
    JobHistory jobs = registry.jobHistory();
    Instant t1 = Instant.parse("2026-01-01T00:00:00Z");
    Instant t2 = Instant.parse("2026-01-02T00:00:00Z");
    long a = jobs.start(project, "v", null, t2);
    jobs.succeed(a, 10, "store-a", "schema-1");
    assertEquals(
        Optional.of(new JobHistory.StoreWatermark(t2, "schema-1")),
        jobs.watermark(project, "v", "store-a"));
    assertEquals(Optional.empty(), jobs.watermark(project, "v", "store-b"));
    // an older job finishing late in the same store does not move it back
    long late = jobs.start(project, "v", null, t1);
    jobs.succeed(late, 1, "store-a", "schema-1");
    assertEquals(t2, jobs.watermark(project, "v", "store-a").orElseThrow().watermark());
    // another store keeps its own
    long b = jobs.start(project, "v", null, t1);
    jobs.succeed(b, 3, "store-b", "schema-2");
    assertEquals(t1, jobs.watermark(project, "v", "store-b").orElseThrow().watermark());
    assertEquals(t2, jobs.watermark(project, "v", "store-a").orElseThrow().watermark());
    jobs.resetWatermark(project, "v");
    assertEquals(Optional.empty(), jobs.watermark(project, "v", "store-a"));
    assertEquals(Optional.empty(), jobs.watermark(project, "v"));
  }

  @Test
  void aJobWhoseProcessStoppedBeatingIsAbandoned() {
    java.util.concurrent.atomic.AtomicReference<Instant> now =
        new java.util.concurrent.atomic.AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
    java.time.Clock clock =
        new java.time.Clock() {
          @Override
          public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
          }

          @Override
          public java.time.Clock withZone(java.time.ZoneId zone) {
            return this;
          }

          @Override
          public Instant instant() {
            return now.get();
          }
        };
    JobHistory jobs = new SqlJobHistory(registry, clock);
    long beating = jobs.start(project, "v", null, now.get());
    long killed = jobs.start(project, "w", null, now.get());
    now.set(now.get().plusSeconds(50));
    jobs.heartbeat(beating);
    now.set(now.get().plusSeconds(30)); // 80 s after the start, 30 s after the last beat
    assertEquals(JobHistory.Status.RUNNING, jobs.recent(project, "v", 1).get(0).status());
    assertEquals(JobHistory.Status.ABANDONED, jobs.recent(project, "w", 1).get(0).status());
    // an abandoned job blocks nothing, and its process may still finish it
    long next = jobs.start(project, "w", null, now.get());
    jobs.succeed(next, 1);
    jobs.fail(killed, 0, "late");
    assertEquals(JobHistory.Status.FAILED, jobs.recent(project, "w", 2).get(1).status());
  }

  @Test
  void succeededJobMovesTheWatermarkForwardOnly() {
    JobHistory jobs = registry.jobHistory();
    Instant t1 = Instant.parse("2026-01-01T00:00:00Z");
    Instant t2 = Instant.parse("2026-01-02T00:00:00.123456Z");
    assertEquals(Optional.empty(), jobs.watermark(project, "v"));

    long older = jobs.start(project, "v", null, t1);
    long newer = jobs.start(project, "v", t1, t2);
    jobs.succeed(newer, 10);
    assertEquals(Optional.of(t2), jobs.watermark(project, "v"));
    jobs.succeed(older, 5); // finishes late: must not move the watermark back
    assertEquals(Optional.of(t2), jobs.watermark(project, "v"));

    List<JobRecord> recent = jobs.recent(project, "v", 10);
    assertEquals(List.of(newer, older), recent.stream().map(JobRecord::id).toList());
    JobRecord r = recent.get(0);
    assertEquals(JobHistory.Status.SUCCEEDED, r.status());
    assertEquals(10, r.rows());
    assertEquals(t1, r.rangeStart());
    assertEquals(t2, r.rangeEnd());
    assertNotNull(r.finishedAt());
    assertEquals(null, recent.get(1).rangeStart());
    assertThrows(ConflictException.class, () -> jobs.succeed(newer, 1));
    assertThrows(NotFoundException.class, () -> jobs.succeed(987654, 1));
  }

  @Test
  void resetWatermarkForgetsItButKeepsTheJobs() {
    JobHistory jobs = registry.jobHistory();
    Instant t1 = Instant.parse("2026-01-01T00:00:00Z");
    jobs.succeed(jobs.start(project, "v", null, t1), 3);
    jobs.succeed(jobs.start(project, "w", null, t1), 4);

    jobs.resetWatermark(project, "v");
    jobs.resetWatermark(project, "v"); // idempotent

    assertEquals(Optional.empty(), jobs.watermark(project, "v"));
    assertEquals(Optional.of(t1), jobs.watermark(project, "w"));
    assertEquals(1, jobs.recent(project, "v", 10).size());
    long next = jobs.start(project, "v", null, t1.minusSeconds(60));
    jobs.succeed(next, 1); // an older end is accepted again once the watermark is gone
    assertEquals(Optional.of(t1.minusSeconds(60)), jobs.watermark(project, "v"));
  }

  @Test
  void failedJobKeepsTheWatermarkAndRecordsTheError() {
    JobHistory jobs = registry.jobHistory();
    Instant t1 = Instant.parse("2026-01-01T00:00:00Z");
    long ok = jobs.start(project, "v", null, t1);
    jobs.succeed(ok, 1);
    long bad = jobs.start(project, "v", t1, t1.plusSeconds(3600));
    long other = jobs.start(project, "w", null, t1);
    jobs.fail(bad, 7, "redis went away");
    assertEquals(Optional.of(t1), jobs.watermark(project, "v"));
    JobRecord failed = jobs.recent(project, "v", 1).get(0);
    assertEquals(bad, failed.id());
    assertEquals(JobHistory.Status.FAILED, failed.status());
    assertEquals("redis went away", failed.error());
    assertEquals(7, failed.rows());
    assertEquals(3, jobs.recent(project, null, 10).size());
    assertEquals(JobHistory.Status.RUNNING, jobs.recent(project, "w", 5).get(0).status());
    assertEquals(other, jobs.recent(project, "w", 5).get(0).id());
  }

  /** Statistics of two columns, with every kind of field set. */
  static dev.fletch.core.stats.DatasetStats sampleStats(long rows, double mean) {
    var numbers =
        new dev.fletch.core.stats.ColumnStats(
            "amount",
            "DOUBLE",
            dev.fletch.core.stats.ColumnKind.NUMERIC,
            rows,
            2,
            90,
            1L,
            0.5,
            99.25,
            mean,
            12.5,
            new dev.fletch.core.stats.Quantiles(1, 5, 25, 50, 75, 95, 99),
            new dev.fletch.core.stats.Histogram(List.of(0.5, 50.0, 99.25), List.of(40L, 57L)),
            List.of(),
            null,
            null);
    var categories =
        new dev.fletch.core.stats.ColumnStats(
            "kind",
            "VARCHAR",
            dev.fletch.core.stats.ColumnKind.CATEGORICAL,
            rows,
            0,
            2,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            List.of(
                new dev.fletch.core.stats.ValueCount("card", 70),
                new dev.fletch.core.stats.ValueCount("cash", 30)),
            null,
            null);
    var times =
        new dev.fletch.core.stats.ColumnStats(
            "seen",
            "TIMESTAMP WITH TIME ZONE",
            dev.fletch.core.stats.ColumnKind.TIME,
            rows,
            0,
            100,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            List.of(),
            Instant.parse("2026-01-01T00:00:00Z"),
            Instant.parse("2026-01-31T23:59:59.123456Z"));
    return new dev.fletch.core.stats.DatasetStats(
        rows, Instant.parse("2026-02-01T10:00:00.5Z"), List.of(numbers, categories, times));
  }

  @Test
  void jobStatisticsAreKeptWithTheJobAndTheNewestOfAViewIsFound() {
    JobHistory jobs = registry.jobHistory();
    Instant t1 = Instant.parse("2026-01-01T00:00:00Z");
    assertEquals(Optional.empty(), jobs.latestStats(project, "v"));
    long first = jobs.start(project, "v", null, t1);
    jobs.succeed(first, 100);
    jobs.recordStats(first, sampleStats(100, 40));
    long second = jobs.start(project, "v", t1, t1.plusSeconds(60));
    jobs.succeed(second, 100);
    jobs.recordStats(second, sampleStats(100, 41));
    long other = jobs.start(project, "w", null, t1);
    jobs.recordStats(other, sampleStats(5, 1));

    JobHistory.JobStats latest = jobs.latestStats(project, "v").orElseThrow();
    assertEquals(second, latest.job().id());
    assertEquals(sampleStats(100, 41), latest.stats(), "read back equal, field by field");
    assertEquals(sampleStats(100, 40), jobs.stats(first).orElseThrow().stats());
    assertEquals(JobHistory.Status.SUCCEEDED, jobs.stats(first).orElseThrow().job().status());
    // Recording again replaces.
    jobs.recordStats(first, sampleStats(100, 39));
    assertEquals(39.0, jobs.stats(first).orElseThrow().stats().columns().get(0).mean());
    assertEquals(Optional.empty(), jobs.stats(987654));
    assertThrows(NotFoundException.class, () -> jobs.recordStats(987654, sampleStats(1, 1)));
  }

  @Test
  void datasetsAreRecordedWithTheirStatisticsAndFoundByPath() {
    var catalog = registry.datasets();
    assertTrue(catalog.recent(project, 10).isEmpty());
    Instant modified = Instant.parse("2026-02-01T09:59:59.123456Z");
    var first =
        new dev.fletch.core.stats.Dataset(
            0,
            project,
            "/data/train.parquet",
            dev.fletch.core.stats.Dataset.TRAINING_SET,
            100,
            4096,
            modified,
            Instant.parse("2026-02-01T10:00:00Z"),
            3,
            Map.of("amount", "payments:amount", "kind", "payments:kind"),
            sampleStats(100, 40));
    long id1 = catalog.record(first);
    long id2 =
        catalog.record(
            new dev.fletch.core.stats.Dataset(
                0,
                project,
                "/data/train.parquet",
                dev.fletch.core.stats.Dataset.TRAINING_SET,
                120,
                5000,
                modified.plusSeconds(60),
                Instant.parse("2026-02-01T10:01:00Z"),
                4,
                Map.of("amount", "payments:amount"),
                null));
    long id3 =
        catalog.record(
            new dev.fletch.core.stats.Dataset(
                0,
                project,
                "/data/other.parquet",
                dev.fletch.core.stats.Dataset.TRAINING_SET,
                1,
                10,
                modified,
                modified,
                4,
                Map.of(),
                sampleStats(1, 1)));
    var found = catalog.find(project, id1).orElseThrow();
    assertEquals(id1, found.id());
    assertEquals(sampleStats(100, 40), found.stats());
    assertEquals(first.features(), found.features());
    assertEquals(modified, found.modifiedAt());
    assertEquals(4096, found.sizeBytes());
    assertEquals(3, found.registryVersion());
    var latest = catalog.latest(project, "/data/train.parquet").orElseThrow();
    assertEquals(id2, latest.id());
    assertEquals(null, latest.stats());
    assertEquals(
        List.of(id3, id2, id1), catalog.recent(project, 10).stream().map(d -> d.id()).toList());
    assertTrue(catalog.recent(project, 10).stream().allMatch(d -> d.stats() == null));
    assertEquals(Optional.empty(), catalog.find("another_" + project, id1));
    assertEquals(Optional.empty(), catalog.latest(project, "/data/none.parquet"));
  }
}
