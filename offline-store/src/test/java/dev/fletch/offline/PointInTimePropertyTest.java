package dev.fletch.offline;

import static dev.fletch.offline.TestData.feature;
import static dev.fletch.offline.TestData.q;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fletch.core.model.Entity;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.model.JoinKey;
import dev.fletch.core.model.Source;
import dev.fletch.core.model.SourceFormat;
import dev.fletch.core.model.ValueType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The point-in-time join against a brute-force reference written in plain Java, on randomized data
 * full of edge cases: duplicate event times told apart by created time, entity rows exactly one ttl
 * after a feature row, NULL values, entities without rows, a view keyed by two columns, and two
 * views with the same feature name (so both get full names).
 */
class PointInTimePropertyTest {
  private static final Instant BASE = Instant.parse("2024-03-01T00:00:00Z");
  private static final long TTL_MIN = 10;

  @TempDir Path dir;

  /** A source row of a view: keys, event minute, created second (may be null), feature values. */
  record Row(List<Object> keys, long event, Long created, List<Object> values) {}

  /** One entity row of the request. */
  record EntityRow(long customer, long bank, String account, Long minute, long label) {}

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 42, 20240301})
  void historicalRetrievalMatchesBruteForce(long seed) throws IOException {
    Random rnd = new Random(seed);
    List<Row> spend = spendRows(rnd);
    // View "risk": account = (bank_id, account_no), no created field, no ttl; one row per event
    // time.
    List<Row> risk = new ArrayList<>();
    Set<String> riskSeen = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      long bank = rnd.nextInt(3);
      String account = "acc" + rnd.nextInt(4);
      long event = rnd.nextInt(50);
      if (!riskSeen.add(bank + "/" + account + "/" + event)) {
        continue;
      }
      risk.add(
          new Row(
              List.of(bank, account),
              event,
              null,
              List.of(
                  rnd.nextInt(5) == 0 ? NULL : (Object) (long) rnd.nextInt(100),
                  rnd.nextInt(5) == 0 ? NULL : (Object) ("lvl" + rnd.nextInt(3)))));
    }
    List<EntityRow> entities = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      long customer = rnd.nextInt(10);
      long minute;
      int pick = rnd.nextInt(4);
      if (pick == 0 && !spend.isEmpty()) {
        minute = spend.get(rnd.nextInt(spend.size())).event() + TTL_MIN; // exactly on the ttl edge
      } else if (pick == 1 && !spend.isEmpty()) {
        minute = spend.get(rnd.nextInt(spend.size())).event(); // exactly on an event time
      } else {
        minute = rnd.nextInt(60) - 5;
      }
      entities.add(
          new EntityRow(
              customer,
              rnd.nextInt(4), // bank 3 has no rows
              "acc" + rnd.nextInt(5),
              rnd.nextInt(50) == 0 ? null : minute,
              i));
    }

    writeSpend(spend);
    writeRisk(risk);
    writeEntities(entities);
    FeatureRepo repo = repo();

    Path out = dir.resolve("out.parquet");
    List<Map<String, Object>> got;
    try (DuckDbOfflineStore store = new DuckDbOfflineStore()) {
      long n =
          store.historicalToFile(
              repo,
              new HistoricalRequest(
                  new EntitySet.FromFile(dir.resolve("entities.parquet")),
                  List.of("spend:*", "risk:*"),
                  null,
                  null,
                  false,
                  out,
                  null));
      assertEquals(entities.size(), n);
      got = store.preview(out, Integer.MAX_VALUE);
      // The same instants as ISO text in a CSV, each written with a random UTC offset.
      Path csv = dir.resolve("entities_offsets.csv");
      writeEntitiesWithOffsets(entities, csv, rnd);
      Path out2 = dir.resolve("out2.parquet");
      store.historicalToFile(
          repo,
          new HistoricalRequest(
              new EntitySet.FromFile(csv),
              List.of("spend:*", "risk:*"),
              null,
              null,
              false,
              out2,
              null));
      assertEquals(got, store.preview(out2, Integer.MAX_VALUE), "seed " + seed + ", offsets");
    }

    List<Map<String, Object>> expected = new ArrayList<>();
    for (EntityRow e : entities) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("customer_id", e.customer());
      row.put("bank_id", e.bank());
      row.put("account_no", e.account());
      row.put("event_timestamp", e.minute() == null ? null : BASE.plusSeconds(e.minute() * 60));
      row.put("label", e.label());
      Row s = asOf(spend, List.of(e.customer()), e.minute(), TTL_MIN);
      row.put("spend__score", s == null ? null : s.values().get(0));
      row.put("amount", s == null ? null : s.values().get(1));
      Row r = asOf(risk, List.of(e.bank(), e.account()), e.minute(), 0);
      row.put("risk__score", r == null ? null : r.values().get(0));
      row.put("level", r == null ? null : r.values().get(1));
      expected.add(unNull(row));
    }
    for (int i = 0; i < expected.size(); i++) {
      assertEquals(expected.get(i), got.get(i), "seed " + seed + ", entity row " + i);
    }
    assertEquals(expected.size(), got.size());
  }

  /** View "spend": customer, created_ts, ttl 10 min, features score BIGINT, amount DOUBLE. */
  private static List<Row> spendRows(Random rnd) {
    List<Row> spend = new ArrayList<>();
    Set<String> nullCreatedGroups = new HashSet<>();
    int createdSeq = 0;
    for (int i = 0; i < 300; i++) {
      long customer = rnd.nextInt(8); // customers 8, 9 never have rows
      long event = rnd.nextInt(40);
      String group = customer + "/" + event;
      Long created = null;
      if (rnd.nextInt(10) != 0 || !nullCreatedGroups.add(group)) {
        created = (long) (event * 60 + (createdSeq++ * 7919) % 5000); // distinct within a group
      }
      spend.add(
          new Row(
              List.of(customer),
              event,
              created,
              List.of(
                  rnd.nextInt(6) == 0 ? NULL : (Object) (long) rnd.nextInt(1000),
                  rnd.nextInt(6) == 0 ? NULL : (Object) (rnd.nextInt(10000) / 100.0))));
    }
    return spend;
  }

  @ParameterizedTest
  @ValueSource(longs = {5, 6, 7, 99})
  void scanLatestMatchesBruteForce(long seed) throws IOException {
    Random rnd = new Random(seed);
    List<Row> spend = spendRows(rnd);
    writeSpend(spend);
    FeatureRepo repo = repo();
    long lo = rnd.nextInt(20);
    long hi = lo + rnd.nextInt(25);
    Map<Long, List<Object>> got = new java.util.TreeMap<>();
    try (DuckDbOfflineStore store = new DuckDbOfflineStore()) {
      store.scanLatest(
          repo,
          repo.view("spend"),
          BASE.plusSeconds(lo * 60),
          BASE.plusSeconds(hi * 60),
          3,
          batch ->
              batch.forEach(
                  r -> {
                    List<Object> v = new ArrayList<>();
                    v.add((r.eventTime().getEpochSecond() - BASE.getEpochSecond()) / 60);
                    v.addAll(r.values());
                    got.put((Long) r.key().values().get(0), v);
                  }));
    }
    Map<Long, List<Object>> expected = new java.util.TreeMap<>();
    Comparator<Row> newest =
        Comparator.comparingLong(Row::event)
            .thenComparing(Row::created, Comparator.nullsFirst(Comparator.naturalOrder()));
    spend.stream()
        .filter(r -> r.event() >= lo && r.event() <= hi)
        .collect(Collectors.groupingBy(r -> (Long) r.keys().get(0)))
        .forEach(
            (customer, rows) -> {
              Row best = rows.stream().max(newest).orElseThrow();
              List<Object> v = new ArrayList<>();
              v.add(best.event());
              best.values().forEach(x -> v.add(x == NULL ? null : x));
              expected.put(customer, v);
            });
    assertEquals(expected, got, "seed " + seed + ", range [" + lo + ", " + hi + "]");
  }

  private static final Object NULL =
      new Object() {
        @Override
        public String toString() {
          return "NULL";
        }
      };

  private static Map<String, Object> unNull(Map<String, Object> row) {
    row.replaceAll((k, v) -> v == NULL ? null : v);
    return row;
  }

  /**
   * The brute-force contract: same keys, greatest e <= t, then greatest created; ttl; else none.
   */
  private static Row asOf(List<Row> rows, List<Object> keys, Long t, long ttl) {
    if (t == null) {
      return null;
    }
    Comparator<Row> newest =
        Comparator.comparingLong(Row::event)
            .thenComparing(Row::created, Comparator.nullsFirst(Comparator.naturalOrder()));
    Row best =
        rows.stream().filter(r -> r.keys().equals(keys) && r.event() <= t).max(newest).orElse(null);
    if (best == null || (ttl > 0 && best.event() < t - ttl)) {
      return null;
    }
    return best;
  }

  private FeatureRepo repo() {
    Entity customer =
        new Entity("customer", List.of(new JoinKey("customer_id", ValueType.INT64)), null, null);
    Entity account =
        new Entity(
            "account",
            List.of(
                new JoinKey("bank_id", ValueType.INT64),
                new JoinKey("account_no", ValueType.STRING)),
            null,
            null);
    return TestData.repo(
        dir,
        List.of(customer, account),
        List.of(
            new Source(
                "spend_src",
                SourceFormat.PARQUET,
                "spend.parquet",
                "event_ts",
                "created_ts",
                Map.of(),
                null),
            new Source(
                "risk_src", SourceFormat.PARQUET, "risk.parquet", "ts", null, Map.of(), null)),
        List.of(
            TestData.view(
                "spend",
                List.of("customer"),
                "spend_src",
                Duration.ofMinutes(TTL_MIN),
                feature("score", ValueType.INT64),
                feature("amount", ValueType.DOUBLE)),
            TestData.view(
                "risk",
                List.of("account"),
                "risk_src",
                Duration.ZERO,
                feature("score", ValueType.INT64),
                feature("level", ValueType.STRING))));
  }

  private static String cell(Object v) {
    return v == null || v == NULL ? "" : v.toString();
  }

  private static String ts(Long minute) {
    return minute == null ? "" : BASE.plusSeconds(minute * 60).toString();
  }

  private void writeSpend(List<Row> rows) throws IOException {
    Path csv = dir.resolve("spend.csv");
    Files.write(
        csv,
        rows.stream()
            .map(
                r ->
                    String.join(
                        ",",
                        cell(r.keys().get(0)),
                        ts(r.event()),
                        r.created() == null ? "" : BASE.plusSeconds(r.created()).toString(),
                        cell(r.values().get(0)),
                        cell(r.values().get(1))))
            .collect(Collectors.toList()));
    toParquet(
        csv,
        "{'customer_id': 'BIGINT', 'event_ts': 'TIMESTAMP', 'created_ts': 'TIMESTAMP',"
            + " 'score': 'BIGINT', 'amount': 'DOUBLE'}",
        dir.resolve("spend.parquet"));
  }

  private void writeRisk(List<Row> rows) throws IOException {
    Path csv = dir.resolve("risk.csv");
    Files.write(
        csv,
        rows.stream()
            .map(
                r ->
                    String.join(
                        ",",
                        cell(r.keys().get(0)),
                        cell(r.keys().get(1)),
                        ts(r.event()),
                        cell(r.values().get(0)),
                        cell(r.values().get(1))))
            .collect(Collectors.toList()));
    toParquet(
        csv,
        "{'bank_id': 'BIGINT', 'account_no': 'VARCHAR', 'ts': 'TIMESTAMP', 'score': 'BIGINT',"
            + " 'level': 'VARCHAR'}",
        dir.resolve("risk.parquet"));
  }

  private void writeEntities(List<EntityRow> rows) throws IOException {
    Path csv = dir.resolve("entities.csv");
    Files.write(
        csv,
        rows.stream()
            .map(
                e ->
                    String.join(
                        ",",
                        Long.toString(e.customer()),
                        Long.toString(e.bank()),
                        e.account(),
                        ts(e.minute()),
                        Long.toString(e.label())))
            .collect(Collectors.toList()));
    toParquet(
        csv,
        "{'customer_id': 'BIGINT', 'bank_id': 'BIGINT', 'account_no': 'VARCHAR',"
            + " 'event_timestamp': 'TIMESTAMP', 'label': 'BIGINT'}",
        dir.resolve("entities.parquet"));
  }

  private static void writeEntitiesWithOffsets(List<EntityRow> rows, Path csv, Random rnd)
      throws IOException {
    List<String> lines = new ArrayList<>();
    lines.add("customer_id,bank_id,account_no,event_timestamp,label");
    for (EntityRow e : rows) {
      String ts = "";
      if (e.minute() != null) {
        java.time.ZoneOffset offset = java.time.ZoneOffset.ofHoursMinutes(rnd.nextInt(25) - 12, 0);
        ts = BASE.plusSeconds(e.minute() * 60).atOffset(offset).toString();
      }
      lines.add(
          String.join(
              ",",
              Long.toString(e.customer()),
              Long.toString(e.bank()),
              e.account(),
              ts,
              Long.toString(e.label())));
    }
    Files.write(csv, lines);
  }

  /** CSV (no header, empty = NULL, ISO times with Z) to Parquet with explicit column types. */
  private static void toParquet(Path csv, String columns, Path parquet) {
    Objects.requireNonNull(columns);
    TestData.sql(
        "COPY (SELECT * FROM read_csv("
            + q(csv)
            + ", header = false, columns = "
            + columns
            + ", timestampformat = '%Y-%m-%dT%H:%M:%SZ')) TO "
            + q(parquet)
            + " (FORMAT parquet)");
  }
}
