package dev.fletch.core.yaml;

import dev.fletch.core.model.Monitoring;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads a view's {@code monitoring:} mapping (drift thresholds): each key optional, each value a
 * number in its range, every problem at its line and column.
 */
final class MonitoringReader {
  private MonitoringReader() {}

  /** The thresholds under {@code view}'s {@code monitoring} key, or null (after reporting). */
  static Monitoring read(Problems problems, String file, MappingReader view) {
    MappingReader m =
        MappingReader.of(
            problems, file, view.value("monitoring"), view.what() + " monitoring", Monitoring.KEYS);
    if (m == null) {
      return null;
    }
    Map<String, Double> values = new HashMap<>();
    boolean ok = true;
    for (String key : Monitoring.KEYS) {
      String text = m.string(key, false);
      if (text == null) {
        continue;
      }
      double value;
      try {
        value = Double.parseDouble(text.strip());
      } catch (NumberFormatException e) {
        m.problem(m.valueAt(key), "'" + key + "' must be a number, not '" + text + "'");
        ok = false;
        continue;
      }
      String why = Monitoring.problem(key, value);
      if (why != null) {
        m.problem(m.valueAt(key), "'" + key + "' " + why);
        ok = false;
        continue;
      }
      values.put(key, value);
    }
    if (!ok || values.isEmpty()) {
      return null;
    }
    return new Monitoring(
        values.get("psi"),
        values.get("ks_pvalue"),
        values.get("chi2_pvalue"),
        values.get("js_distance"),
        values.get("null_fraction_delta"));
  }
}
