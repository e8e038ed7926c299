package dev.fletch.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.fletch.core.model.FeatureRepo;
import dev.fletch.offline.EntitySet;
import dev.fletch.offline.HistoricalRequest;
import dev.fletch.offline.OfflineStore;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;

/**
 * Checks an online answer against a historical retrieval of the same entity rows at one instant.
 */
final class OnlineVsHistorical {
  private OnlineVsHistorical() {}

  /** Entity rows (join key columns) as historical input rows stamped {@code asOf}. */
  static List<Map<String, Object>> rows(Map<String, List<Object>> entities, int n, Instant asOf) {
    List<Map<String, Object>> rows = new ArrayList<>(n);
    for (int r = 0; r < n; r++) {
      Map<String, Object> row = new LinkedHashMap<>();
      for (var e : entities.entrySet()) {
        row.put(e.getKey(), e.getValue().get(r));
      }
      row.put("event_timestamp", asOf.toString());
      rows.add(row);
    }
    return rows;
  }

  static Map<String, List<Object>> historical(
      OfflineStore offline,
      FeatureRepo repo,
      HistoricalRequest request,
      BufferAllocator allocator) {
    Map<String, List<Object>> out = new HashMap<>();
    offline.historicalToArrow(repo, request, allocator, reader -> collect(reader, out));
    return out;
  }

  static HistoricalRequest request(
      List<Map<String, Object>> rows, List<String> refs, String service) {
    return new HistoricalRequest(
        new EntitySet.FromRows(rows), refs, service, null, false, null, null);
  }

  /**
   * Every PRESENT value equals the historical one; NULL_VALUE, NOT_FOUND and OUTSIDE_MAX_AGE are
   * null historically, except a NOT_FOUND that carries a value (an aggregated view's count of no
   * events, 0), which equals the historical one too. Returns how often each status occurred.
   */
  static Map<ValueStatus, Integer> assertMatches(
      OnlineResult online, Map<String, List<Object>> historical) {
    Map<ValueStatus, Integer> counts = new EnumMap<>(ValueStatus.class);
    for (OnlineResult.Column c : online.columns()) {
      List<Object> expected = historical.get(c.name());
      assertNotNull(expected, "historical has column " + c.name() + ": " + historical.keySet());
      for (int r = 0; r < online.entityRows(); r++) {
        ValueStatus s = c.statuses().get(r);
        counts.merge(s, 1, Integer::sum);
        boolean compared =
            s == ValueStatus.PRESENT || (s == ValueStatus.NOT_FOUND && c.values().get(r) != null);
        Object want = compared ? normalise(expected.get(r)) : null;
        Object got = compared ? normalise(c.values().get(r)) : normalise(expected.get(r));
        assertEquals(want, got, c.name() + " row " + r + " (" + s + ")");
      }
    }
    return counts;
  }

  static void collect(ArrowReader reader, Map<String, List<Object>> out) throws IOException {
    VectorSchemaRoot root = reader.getVectorSchemaRoot();
    while (reader.loadNextBatch()) {
      for (FieldVector v : root.getFieldVectors()) {
        List<Object> col = out.computeIfAbsent(v.getName(), k -> new ArrayList<>());
        for (int i = 0; i < root.getRowCount(); i++) {
          col.add(v.getObject(i));
        }
      }
    }
  }

  static List<Object> normaliseAll(List<Object> values) {
    List<Object> out = new ArrayList<>();
    for (Object v : values) {
      out.add(normalise(v));
    }
    return out;
  }

  /**
   * Arrow gives Text for strings and Integer/Long by width; compare as plain Java text and numbers.
   */
  static Object normalise(Object v) {
    if (v == null) {
      return null;
    }
    if (v instanceof org.apache.arrow.vector.util.Text t) {
      return t.toString();
    }
    if (v instanceof Integer || v instanceof Long || v instanceof Short) {
      return ((Number) v).longValue();
    }
    if (v instanceof Float f) {
      return f.doubleValue();
    }
    return v;
  }
}
