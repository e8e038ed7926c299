package dev.fletch.offline;

import static dev.fletch.offline.TestData.feature;
import static dev.fletch.offline.TestData.q;
import static dev.fletch.offline.TestData.sql;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fletch.core.InvalidRequestException;
import dev.fletch.core.model.FeatureRepo;
import dev.fletch.core.model.FeatureService;
import dev.fletch.core.model.OnDemandFeatureView;
import dev.fletch.core.model.RequestField;
import dev.fletch.core.model.ValueType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On-demand features in training sets: computed in the point-in-time query from the entity row's
 * request fields and the views' values as that row sees them (NULL when older than a ttl or not
 * matched), chained through other on-demand views, named and ordered like every feature.
 */
class OnDemandHistoricalTest {
  @TempDir Path dir;
  private DuckDbOfflineStore store;
  private FeatureRepo repo;

  @BeforeEach
  void setUp() {
    store = new DuckDbOfflineStore();
    sql(
        "COPY (SELECT * FROM (VALUES"
            + " (1, TIMESTAMP '2024-01-01 10:00:00', 10.0),"
            + " (1, TIMESTAMP '2024-01-01 12:00:00', 20.0),"
            + " (2, TIMESTAMP '2024-01-01 11:00:00', 0.0))"
            + " AS t(customer_id, event_ts, avg_amount)) TO "
            + q(dir.resolve("spend.parquet"))
            + " (FORMAT parquet)",
        "COPY (SELECT * FROM (VALUES (1, TIMESTAMP '2024-01-01 09:00:00', 'gold'))"
            + " AS t(customer_id, event_ts, tier)) TO "
            + q(dir.resolve("profile.parquet"))
            + " (FORMAT parquet)");
    OnDemandFeatureView risk =
        new OnDemandFeatureView(
            "risk",
            List.of(
                new RequestField("amount", ValueType.DOUBLE, null),
                new RequestField("channel", ValueType.STRING, null)),
            List.of("spend", "profile"),
            List.of(
                feature("ratio", ValueType.DOUBLE, "amount / nullif(spend.avg_amount, 0)"),
                feature("is_web", ValueType.BOOL, "lower(channel) = 'web'"),
                feature(
                    "tier_channel",
                    ValueType.STRING,
                    "coalesce(profile.tier, 'none') || '-' || channel")),
            null,
            null,
            null);
    OnDemandFeatureView risk2 =
        new OnDemandFeatureView(
            "risk2",
            List.of(),
            List.of("risk"),
            List.of(feature("ratio_pct", ValueType.INT64, "round(risk.ratio * 100)")),
            null,
            null,
            null);
    repo =
        new FeatureRepo(
            "test",
            List.of(TestData.entity("customer", "customer_id")),
            List.of(
                TestData.parquet("spend_src", "spend.parquet", "event_ts", null),
                TestData.parquet("profile_src", "profile.parquet", "event_ts", null)),
            List.of(
                TestData.view(
                    "spend",
                    List.of("customer"),
                    "spend_src",
                    Duration.ofHours(1),
                    feature("avg_amount", ValueType.DOUBLE)),
                TestData.view(
                    "profile",
                    List.of("customer"),
                    "profile_src",
                    Duration.ZERO,
                    feature("tier", ValueType.STRING))),
            List.of(
                new FeatureService(
                    "svc", List.of("risk:ratio", "spend:avg_amount"), null, null, null)),
            dir,
            List.of(risk, risk2));
  }

  private static Map<String, Object> row(
      long customer, String t, Object amount, String channel, String label) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("customer_id", customer);
    row.put("event_timestamp", t);
    row.put("amount", amount);
    row.put("channel", channel);
    row.put("label", label);
    return row;
  }

  private List<Map<String, Object>> retrieve(List<Map<String, Object>> rows, List<String> refs) {
    Path out = dir.resolve("out-" + System.nanoTime() + ".parquet");
    store.historicalToFile(
        repo,
        new HistoricalRequest(new EntitySet.FromRows(rows), refs, null, null, false, out, null));
    return store.preview(out, 100);
  }

  @Test
  void computedFromRequestFieldsAndPointInTimeValues() {
    List<Map<String, Object>> out =
        retrieve(
            List.of(
                row(1, "2024-01-01T12:30:00Z", 50.0, "WEB", "a"), // spend 20 (12:00), fresh
                row(1, "2024-01-01T11:30:00Z", 50.0, "app", "b"), // spend 10 (10:00): too old
                row(1, "2024-01-01T10:30:00Z", null, "web", "c"), // null request field
                row(2, "2024-01-01T11:00:00Z", 7.0, null, "d"), // spend 0: nullif
                row(3, "2024-01-01T11:00:00Z", 7.0, "web", "e")), // no match at all
            List.of("risk:*", "spend:avg_amount"));
    assertEquals(
        List.of(
            "customer_id",
            "event_timestamp",
            "amount",
            "channel",
            "label",
            "ratio",
            "is_web",
            "tier_channel",
            "avg_amount"),
        List.copyOf(out.get(0).keySet()));
    List<Object> ratios = new ArrayList<>();
    out.forEach(r -> ratios.add(r.get("ratio")));
    assertEquals(java.util.Arrays.asList(2.5, null, null, null, null), ratios);
    assertEquals(true, out.get(0).get("is_web"));
    assertEquals(false, out.get(1).get("is_web"));
    assertNull(out.get(3).get("is_web"));
    assertEquals("gold-WEB", out.get(0).get("tier_channel"));
    assertEquals("none-web", out.get(4).get("tier_channel"));
    assertNull(out.get(1).get("avg_amount"), "older than the 1h ttl, as the ratio saw it");
  }

  @Test
  void chainedOnDemandViewsPullTheirInputsWithoutOutputtingThem() {
    List<Map<String, Object>> out =
        retrieve(
            List.of(row(1, "2024-01-01T12:30:00Z", 50.0, "web", "a")), List.of("risk2:ratio_pct"));
    assertEquals(
        List.of("customer_id", "event_timestamp", "amount", "channel", "label", "ratio_pct"),
        List.copyOf(out.get(0).keySet()));
    assertEquals(250L, out.get(0).get("ratio_pct"));
  }

  @Test
  void aMissingRequestColumnIsNamed() {
    Map<String, Object> noAmount = row(1, "2024-01-01T12:30:00Z", 1.0, "web", "a");
    noAmount.remove("amount");
    InvalidRequestException e =
        assertThrows(
            InvalidRequestException.class,
            () -> retrieve(List.of(noAmount), List.of("risk:ratio")));
    assertTrue(
        e.getMessage()
            .contains(
                "no column 'amount', a request field (DOUBLE) of on-demand feature"
                    + " view 'risk'"),
        e.getMessage());
    // A feature service may list on-demand features like any other.
    Path out = dir.resolve("svc.parquet");
    store.historicalToFile(
        repo,
        new HistoricalRequest(
            new EntitySet.FromRows(List.of(row(1, "2024-01-01T12:30:00Z", 5.0, "web", "a"))),
            List.of(),
            "svc",
            null,
            false,
            out,
            null));
    assertEquals(0.25, store.preview(out, 1).get(0).get("ratio"));
  }
}
