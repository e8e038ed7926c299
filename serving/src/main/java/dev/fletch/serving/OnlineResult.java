package dev.fletch.serving;

import static java.util.Objects.requireNonNull;

import dev.fletch.core.NotFoundException;
import dev.fletch.core.model.FeatureRef;
import dev.fletch.core.model.ValueType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The answer to an {@link OnlineQuery}: one column per resolved feature, each with a value, a
 * status and an event time per entity row (in the request's row order). Values use the Java types
 * of {@link ValueType}; null where the status is NOT_FOUND, NULL_VALUE or NOT_MATERIALIZED. Event
 * times are null for NOT_FOUND. {@code registryVersion} is the registry version of the definitions
 * that answered (0 when unknown, e.g. from a server that predates it).
 */
public record OnlineResult(List<Column> columns, int entityRows, long registryVersion) {

  /** One feature's values for every entity row. Lists may contain nulls. */
  public record Column(
      String name,
      FeatureRef ref,
      ValueType type,
      List<Object> values,
      List<ValueStatus> statuses,
      List<Instant> eventTimes) {
    public Column {
      requireNonNull(name, "name is null");
      requireNonNull(ref, "ref is null");
      requireNonNull(type, "type is null");
      requireNonNull(values, "values is null");
      requireNonNull(statuses, "statuses is null");
      requireNonNull(eventTimes, "eventTimes is null");
    }
  }

  public OnlineResult {
    columns = List.copyOf(requireNonNull(columns, "columns is null"));
  }

  /** An answer whose registry version is unknown. */
  public OnlineResult(List<Column> columns, int entityRows) {
    this(columns, entityRows, 0);
  }

  /** The output names, in request order. */
  public List<String> featureNames() {
    List<String> names = new ArrayList<>(columns.size());
    for (Column c : columns) {
      names.add(c.name());
    }
    return names;
  }

  /** The column with this output name. */
  public Column column(String name) {
    for (Column c : columns) {
      if (c.name().equals(name)) {
        return c;
      }
    }
    throw new NotFoundException("feature column", name, "columns are " + featureNames());
  }

  public Object value(String name, int row) {
    return column(name).values().get(row);
  }

  public ValueStatus status(String name, int row) {
    return column(name).statuses().get(row);
  }

  public Instant eventTime(String name, int row) {
    return column(name).eventTimes().get(row);
  }

  /** One entity row as output name -> value (nulls kept), in column order. */
  public Map<String, Object> row(int row) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Column c : columns) {
      out.put(c.name(), c.values().get(row));
    }
    return out;
  }
}
