package dev.fletch.serving;

import static java.util.Objects.requireNonNull;

import dev.fletch.core.FletchException;
import dev.fletch.core.InvalidRequestException;
import dev.fletch.core.NotFoundException;
import dev.fletch.core.UnavailableException;
import dev.fletch.core.model.EntityKey;
import dev.fletch.core.model.FeatureView;
import dev.fletch.core.model.JoinKey;
import dev.fletch.core.model.ValueType;
import dev.fletch.core.window.Windows;
import dev.fletch.online.OnlineStore;
import dev.fletch.online.OnlineStore.ReadRequest;
import dev.fletch.online.OnlineStore.StoredValues;
import dev.fletch.online.TileEntries;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The online lookup behind both transports: validates a query against the cached definitions, reads
 * every (entity, view) pair from the online store in one call, and marks each value with its
 * status. Never blocks; the returned future fails with a {@link FletchException} subclass that the
 * edge maps to a status code.
 */
public final class OnlineFeatures {
  /** Rows per view whose age goes into the freshness histogram, per answer. */
  static final int FRESHNESS_SAMPLES = 8;

  /**
   * Answers up to this many values are assembled on the thread that completed the store read
   * ({@code -Dfletch.serving.inlineValues}).
   */
  static final int INLINE_VALUES = Integer.getInteger("fletch.serving.inlineValues", 256);

  private final RegistryCache definitions;
  private final OnlineStore store;
  private final int maxEntityRows;
  private final Clock clock;
  private final ServingMetrics metrics;
  private final Executor executor;
  private final int maxInFlight;
  private final AtomicInteger inFlight = new AtomicInteger();

  /**
   * @param executor where answers are assembled: not the store client's I/O thread, which then only
   *     reads and decodes, so assembling and serialising use the other cores
   * @param maxInFlight the most lookups waiting for the store at once; a lookup beyond it fails at
   *     once with UnavailableException ("overloaded"), so that an overloaded server sheds calls
   *     (which clients retry on another replica) instead of making every call late. 0: no limit
   */
  public OnlineFeatures(
      RegistryCache definitions,
      OnlineStore store,
      int maxEntityRows,
      Clock clock,
      ServingMetrics metrics,
      Executor executor,
      int maxInFlight) {
    this.definitions = requireNonNull(definitions, "definitions is null");
    this.store = requireNonNull(store, "store is null");
    if (maxEntityRows < 1) {
      throw new IllegalArgumentException("maxEntityRows must be at least 1, got " + maxEntityRows);
    }
    this.maxEntityRows = maxEntityRows;
    this.clock = requireNonNull(clock, "clock is null");
    this.metrics = requireNonNull(metrics, "metrics is null");
    this.executor = requireNonNull(executor, "executor is null");
    if (maxInFlight < 0) {
      throw new IllegalArgumentException("maxInFlight cannot be negative, got " + maxInFlight);
    }
    this.maxInFlight = maxInFlight;
    metrics.gaugeInFlight(inFlight);
  }

  public RegistryCache definitions() {
    return definitions;
  }

  public int maxEntityRows() {
    return maxEntityRows;
  }

  /**
   * The {@code service} label of a query's metrics: its feature service when the served version
   * defines it (never a name a client made up), else {@link ServingMetrics#UNKNOWN_SERVICE}, or
   * {@link ServingMetrics#NO_SERVICE} for a query by feature refs.
   */
  String serviceLabel(OnlineQuery query) {
    if (query == null || query.service() == null) {
      return ServingMetrics.NO_SERVICE;
    }
    ServingCatalog c = definitions.catalogOrNull();
    return c != null && c.hasService(query.service())
        ? query.service()
        : ServingMetrics.UNKNOWN_SERVICE;
  }

  /**
   * Answers a query; the store read is abandoned after {@code timeout} with UnavailableException.
   * Validation failures come back as a failed future too, never as a thrown exception.
   */
  public CompletableFuture<OnlineResult> get(OnlineQuery query, Duration timeout) {
    return get(query, timeout, metrics);
  }

  /** {@link #get(OnlineQuery, Duration)}, recording rows and freshness in {@code metrics}. */
  CompletableFuture<OnlineResult> get(OnlineQuery query, Duration timeout, ServingMetrics metrics) {
    requireNonNull(query, "query is null");
    requireNonNull(timeout, "timeout is null");
    ServingCatalog.Plan plan;
    int rows;
    List<ReadRequest> reads;
    Object[][] requestValues;
    ServingCatalog catalog;
    try {
      if (query.project() != null && !query.project().equals(definitions.project())) {
        throw new NotFoundException(
            "project", query.project(), "this server serves '" + definitions.project() + "'");
      }
      catalog = definitions.catalog();
      plan = catalog.plan(query.features(), query.service(), query.fullNames());
      rows = entityRowCount(query);
      reads = readRequests(plan, query, rows);
      requestValues = requestValues(plan, query, rows);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    if (timeout.isNegative() || timeout.isZero()) {
      return CompletableFuture.failedFuture(
          new UnavailableException(
              "the request deadline passed before the online store was asked", null));
    }
    int now = inFlight.incrementAndGet();
    if (maxInFlight > 0 && now > maxInFlight) {
      inFlight.decrementAndGet();
      return CompletableFuture.failedFuture(
          new UnavailableException(
              "overloaded: "
                  + maxInFlight
                  + " lookups are already in flight, this server's limit (--max-in-flight);"
                  + " try another replica or later",
              null));
    }
    CompletableFuture<List<StoredValues>> read;
    try {
      // The server's own warm-up calls are no traffic: their reads stay out of the store metrics.
      OnlineStore target =
          metrics == ServingMetrics.DISCARDED && store instanceof MeteredOnlineStore m
              ? m.unwrapped()
              : store;
      // A request of on-demand features over request fields alone reads nothing.
      read =
          reads.isEmpty()
              ? CompletableFuture.completedFuture(List.of())
              : target.read(catalog.repo().project(), reads);
    } catch (RuntimeException e) {
      inFlight.decrementAndGet();
      return CompletableFuture.failedFuture(unwrap(e));
    }
    long timeoutNanos = timeout.toNanos();
    java.util.function.BiFunction<List<StoredValues>, Throwable, OnlineResult> finish =
        (stored, error) -> {
          if (error != null) {
            throw new CompletionException(unwrap(error, timeout));
          }
          return assemble(plan, catalog.version(), rows, stored, requestValues, metrics);
        };
    CompletableFuture<List<StoredValues>> bounded = Deadlines.orTimeout(read, timeoutNanos);
    // Counted until the store answered or the read was abandoned at its timeout.
    bounded.whenComplete((stored, error) -> inFlight.decrementAndGet());
    // A small answer is cheaper to assemble where the read completed than to hand over to another
    // thread; a large one is moved off the store's I/O thread so that other cores share the work.
    return (long) rows * (plan.columns().size() + plan.onDemand().size()) <= INLINE_VALUES
        ? bounded.handle(finish)
        : bounded.handleAsync(finish, executor);
  }

  private int entityRowCount(OnlineQuery query) {
    if (query.entities().isEmpty()) {
      throw new InvalidRequestException(
          "no entity rows: give at least one join key column in entities");
    }
    int rows = -1;
    String first = null;
    for (var e : query.entities().entrySet()) {
      int n = e.getValue().size();
      if (rows < 0) {
        rows = n;
        first = e.getKey();
      } else if (n != rows) {
        throw new InvalidRequestException(
            "entity columns differ in length: '"
                + first
                + "' has "
                + rows
                + " values but '"
                + e.getKey()
                + "' has "
                + n);
      }
    }
    if (rows == 0) {
      throw new InvalidRequestException("no entity rows: the entity columns are empty");
    }
    if (rows > maxEntityRows) {
      throw new InvalidRequestException(
          "too many entity rows: "
              + rows
              + " given, at most "
              + maxEntityRows
              + " allowed per request");
    }
    return rows;
  }

  private static List<ReadRequest> readRequests(
      ServingCatalog.Plan plan, OnlineQuery query, int rows) {
    List<ReadRequest> reads = new ArrayList<>(plan.views().size() * rows);
    // Views keyed by the same join keys share one EntityKey per row, so the store sees the same
    // key object for each entity and can map it to its Redis key once.
    List<List<JoinKey>> keySets = new ArrayList<>(2);
    List<EntityKey[]> keysOfRows = new ArrayList<>(2);
    for (ServingCatalog.ViewRead vr : plan.views()) {
      List<JoinKey> keys = vr.joinKeys();
      int known = keySets.indexOf(keys);
      if (known >= 0) {
        EntityKey[] rowKeys = keysOfRows.get(known);
        for (int r = 0; r < rows; r++) {
          reads.add(new ReadRequest(rowKeys[r], vr.stored()));
        }
        continue;
      }
      EntityKey[] rowKeys = new EntityKey[rows];
      List<String> names = new ArrayList<>(keys.size());
      List<List<Object>> columns = new ArrayList<>(keys.size());
      for (JoinKey k : keys) {
        List<Object> column = query.entities().get(k.name());
        if (column == null) {
          throw new InvalidRequestException(
              "missing join key '"
                  + k.name()
                  + "' in entities: feature view '"
                  + vr.view().name()
                  + "' needs "
                  + keys.stream().map(JoinKey::name).toList()
                  + ", got "
                  + query.entities().keySet());
        }
        names.add(k.name());
        columns.add(column);
      }
      for (int r = 0; r < rows; r++) {
        List<Object> values = new ArrayList<>(keys.size());
        for (int k = 0; k < keys.size(); k++) {
          values.add(checkKey(keys.get(k), columns.get(k).get(r), r));
        }
        rowKeys[r] = new EntityKey(names, values);
        reads.add(new ReadRequest(rowKeys[r], vr.stored()));
      }
      keySets.add(keys);
      keysOfRows.add(rowKeys);
    }
    // Aggregated views' streamed tiles, after every view's entries: same hashes, same round trip.
    for (ServingCatalog.ViewRead vr : plan.views()) {
      if (vr.streamed() != null) {
        EntityKey[] rowKeys = keysOfRows.get(keySets.indexOf(vr.joinKeys()));
        for (int r = 0; r < rows; r++) {
          reads.add(new ReadRequest(rowKeys[r], vr.streamed()));
        }
      }
    }
    return reads;
  }

  /**
   * An integer key's value: a Long, Integer or Short, or an integer written as a decimal string, as
   * proto3's JSON mapping writes 64-bit integers (and JavaScript clients must, above 2^53): {@code
   * "1001"}, {@code "-7"}; no sign '+', no leading zeros, no spaces, within the long range. Null
   * for anything else.
   */
  static Long integerKey(Object value) {
    if (value instanceof Long || value instanceof Integer || value instanceof Short) {
      return ((Number) value).longValue();
    }
    if (!(value instanceof String s)) {
      return null;
    }
    int start = s.startsWith("-") ? 1 : 0;
    int digits = s.length() - start;
    if (digits == 0 || (s.charAt(start) == '0' && digits > 1)) {
      return null;
    }
    for (int i = start; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return null;
      }
    }
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException outOfRange) {
      return null;
    }
  }

  private static Object checkKey(JoinKey key, Object value, int row) {
    if (value == null) {
      throw new InvalidRequestException(
          "join key '"
              + key.name()
              + "' is null at entity row "
              + row
              + "; join keys cannot be null");
    }
    ValueType type = key.type();
    if (type == ValueType.STRING) {
      if (value instanceof String) {
        return value;
      }
    } else {
      Long v = integerKey(value);
      if (v != null) {
        if (type == ValueType.INT32 && (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE)) {
          throw new InvalidRequestException(
              "join key '"
                  + key.name()
                  + "' is INT32 but entity row "
                  + row
                  + " holds "
                  + v
                  + ", out of range");
        }
        return v;
      }
    }
    throw new InvalidRequestException(
        "wrong type for join key '"
            + key.name()
            + "': it is "
            + type
            + " but entity row "
            + row
            + " holds "
            + dev.fletch.core.ingest.RowShape.describe(value));
  }

  /**
   * The request fields on-demand features read, per field one value per entity row, converted to
   * the field's type; InvalidRequestException naming a missing field or a value of another type.
   */
  private static Object[][] requestValues(ServingCatalog.Plan plan, OnlineQuery query, int rows) {
    List<ServingCatalog.RequestInput> fields = plan.requestFields();
    Object[][] out = new Object[fields.size()][];
    for (int f = 0; f < fields.size(); f++) {
      ServingCatalog.RequestInput input = fields.get(f);
      List<Object> column = query.entities().get(input.field().name());
      if (column == null) {
        throw new InvalidRequestException(
            "missing request field '"
                + input.field().name()
                + "' ("
                + input.field().type()
                + ") in entities: on-demand feature view '"
                + input.odfv()
                + "' computes its features from it; send it beside the join keys, one value per"
                + " entity row");
      }
      out[f] = new Object[rows];
      for (int r = 0; r < rows; r++) {
        out[f][r] =
            dev.fletch.core.ingest.RowShape.convert(
                column.get(r), input.field().type(), r, input.field().name());
      }
    }
    return out;
  }

  private OnlineResult assemble(
      ServingCatalog.Plan plan,
      long version,
      int rows,
      List<StoredValues> stored,
      Object[][] requestValues,
      ServingMetrics metrics) {
    Instant now = clock.instant();
    int viewCount = plan.views().size();
    int streamedCount = 0;
    for (ServingCatalog.ViewRead vr : plan.views()) {
      streamedCount += vr.streamed() == null ? 0 : 1;
    }
    int lookups = (viewCount + streamedCount) * rows;
    if (stored == null || stored.size() != lookups) {
      throw new FletchException(
          "online store answered "
              + (stored == null ? "nothing" : stored.size() + " entries")
              + " for "
              + lookups
              + " lookups");
    }
    int streamedAt = viewCount * rows;
    // Row-major: each stored entry is read once and its values go to every column asking for
    // them (entries decode on first access; walking column by column touched each 10 times).
    List<ServingCatalog.OutputColumn> planColumns = plan.columns();
    int columnCount = planColumns.size();
    int[][] columnsOfView = columnsOfView(planColumns, viewCount);
    int[] featureIndex = new int[columnCount];
    for (int c = 0; c < columnCount; c++) {
      featureIndex[c] = planColumns.get(c).featureIndex();
    }
    // Inner arrays allocated one by one: `new T[a][b]` with sizes known only at run time is a call
    // into the JVM runtime (multianewarray), which took 7 % of a serving loop's time for 1 x 50.
    Object[][] values = new Object[columnCount][];
    ValueStatus[][] statuses = new ValueStatus[columnCount][];
    Instant[][] times = new Instant[columnCount][];
    for (int c = 0; c < columnCount; c++) {
      values[c] = new Object[rows];
      statuses[c] = new ValueStatus[rows];
      times[c] = new Instant[rows];
    }
    // Freshness is sampled: every row of a small answer, FRESHNESS_SAMPLES rows spread over a
    // large one (a histogram update costs about as much as assembling a row's values).
    int sampleEvery = Math.max(1, (rows + FRESHNESS_SAMPLES - 1) / FRESHNESS_SAMPLES);
    for (int v = 0; v < viewCount; v++) {
      ServingCatalog.ViewRead read = plan.views().get(v);
      if (read.tiles() != null) {
        assembleAggregated(
            read,
            v,
            rows,
            stored,
            streamedAt,
            now,
            columnsOfView[v],
            featureIndex,
            values,
            statuses,
            times,
            metrics);
        streamedAt += rows;
        continue;
      }
      FeatureView view = read.view();
      Instant oldestFresh = view.hasTtl() ? now.minus(view.ttl()) : null;
      int[] cols = columnsOfView[v];
      int missing = 0;
      int staleRows = 0;
      for (int r = 0; r < rows; r++) {
        StoredValues sv = stored.get(v * rows + r);
        if (sv == null) {
          missing++;
          for (int c : cols) {
            statuses[c][r] = ValueStatus.NOT_FOUND;
          }
          continue;
        }
        Instant eventTime = sv.eventTime();
        boolean stale = oldestFresh != null && eventTime.isBefore(oldestFresh);
        if (stale) {
          staleRows++;
        }
        if (r % sampleEvery == 0) {
          metrics.recordFreshness(view.name(), Duration.between(eventTime, now));
        }
        List<Object> vals = sv.values();
        int held = vals.size();
        for (int c : cols) {
          int fi = featureIndex[c];
          Object value = fi < held ? vals.get(fi) : null;
          values[c][r] = value;
          times[c][r] = eventTime;
          // A feature the entry was written without has no value to be old or null: that it was
          // never materialized is what the caller needs to know.
          statuses[c][r] =
              value == null && !sv.materialized(fi)
                  ? ValueStatus.NOT_MATERIALIZED
                  : stale
                      ? ValueStatus.OUTSIDE_MAX_AGE
                      : value == null ? ValueStatus.NULL_VALUE : ValueStatus.PRESENT;
        }
      }
      metrics.recordRows(view.name(), rows - missing - staleRows, staleRows, missing);
    }
    Object[][] computed = computeOnDemand(plan, rows, values, statuses, requestValues);
    int[] output = plan.output();
    List<OnlineResult.Column> columns = new ArrayList<>(output.length);
    for (int o : output) {
      if (o < columnCount) {
        ServingCatalog.OutputColumn col = planColumns.get(o);
        columns.add(
            new OnlineResult.Column(
                col.name(),
                col.ref(),
                col.feature().type(),
                new ArrayBackedList<>(values[o]),
                new ArrayBackedList<>(statuses[o]),
                new ArrayBackedList<>(times[o])));
        continue;
      }
      ServingCatalog.OnDemandColumn col = plan.onDemand().get(o - columnCount);
      Object[] vals = computed[o - columnCount];
      ValueStatus[] st = new ValueStatus[rows];
      for (int r = 0; r < rows; r++) {
        st[r] = vals[r] == null ? ValueStatus.NULL_VALUE : ValueStatus.PRESENT;
      }
      columns.add(
          new OnlineResult.Column(
              col.name(),
              col.ref(),
              col.feature().type(),
              new ArrayBackedList<>(vals),
              new ArrayBackedList<>(st),
              new ArrayBackedList<>(new Instant[rows])));
    }
    return new OnlineResult(columns, rows, version);
  }

  /**
   * The on-demand columns, in the plan's (dependency) order. A read value goes in as a training row
   * at this instant would see it: null when it is older than its view's ttl (OUTSIDE_MAX_AGE) or
   * was not found.
   */
  private static Object[][] computeOnDemand(
      ServingCatalog.Plan plan,
      int rows,
      Object[][] readValues,
      ValueStatus[][] readStatuses,
      Object[][] requestValues) {
    List<ServingCatalog.OnDemandColumn> onDemand = plan.onDemand();
    Object[][] computed = new Object[onDemand.size()][];
    for (int c = 0; c < onDemand.size(); c++) {
      ServingCatalog.OnDemandColumn col = onDemand.get(c);
      List<ServingCatalog.Input> inputs = col.inputs();
      Object[] args = new Object[inputs.size()];
      Object[] out = new Object[rows];
      for (int r = 0; r < rows; r++) {
        for (int i = 0; i < args.length; i++) {
          ServingCatalog.Input in = inputs.get(i);
          args[i] =
              switch (in.kind()) {
                case READ ->
                    readStatuses[in.index()][r] == ValueStatus.OUTSIDE_MAX_AGE
                        ? null
                        : readValues[in.index()][r];
                case REQUEST -> requestValues[in.index()][r];
                case COMPUTED -> computed[in.index()][r];
              };
        }
        out[r] = col.compiled().evaluate(args, r);
      }
      computed[c] = out;
    }
    return computed;
  }

  /**
   * An aggregated view's columns: each aggregation over the tiles inside its window at {@code now}.
   * An entity with no entry reads what no events give (count 0, the others null) with status
   * NOT_FOUND; an entry written under another tile layout (the view changed since it was last
   * materialized) reads null, NOT_MATERIALIZED. The event time is the instant the tiles are
   * complete up to.
   */
  private static void assembleAggregated(
      ServingCatalog.ViewRead read,
      int v,
      int rows,
      List<StoredValues> stored,
      int streamedAt,
      Instant now,
      int[] cols,
      int[] featureIndex,
      Object[][] values,
      ValueStatus[][] statuses,
      Instant[][] times,
      ServingMetrics metrics) {
    FeatureView view = read.view();
    long nowMicros = Windows.micros(now);
    int missing = 0;
    for (int r = 0; r < rows; r++) {
      StoredValues sv = stored.get(v * rows + r);
      StoredValues streamed = stored.get(streamedAt + r);
      byte[] entry = sv == null ? null : (byte[]) sv.values().get(0);
      byte[] streamEntry = streamed == null ? null : (byte[]) streamed.values().get(0);
      List<Object> computed =
          TileEntries.values(
              view,
              read.tiles(),
              entry,
              sv == null ? Long.MIN_VALUE : Windows.micros(sv.eventTime()),
              streamEntry,
              nowMicros);
      boolean held = sv != null || streamed != null;
      // Stored under another tile layout: the view's aggregations changed since the entry was
      // written and it has not been materialized since.
      boolean notMaterialized = held && computed == null;
      boolean found = held && computed != null;
      // The instant the answer is complete up to: the later of the batch end and the newest
      // streamed event.
      Instant asOf =
          sv == null
              ? (streamed == null ? null : streamed.eventTime())
              : streamed == null || !streamed.eventTime().isAfter(sv.eventTime())
                  ? sv.eventTime()
                  : streamed.eventTime();
      if (!found) {
        missing++;
      } else {
        metrics.recordFreshness(view.name(), Duration.between(asOf, now));
      }
      for (int c : cols) {
        Object value = computed == null ? null : computed.get(featureIndex[c]);
        values[c][r] = value;
        times[c][r] = held ? asOf : null;
        statuses[c][r] =
            notMaterialized
                ? ValueStatus.NOT_MATERIALIZED
                : !found
                    ? ValueStatus.NOT_FOUND
                    : value == null ? ValueStatus.NULL_VALUE : ValueStatus.PRESENT;
      }
    }
    metrics.recordRows(view.name(), rows - missing, 0, missing);
  }

  /** For each view of a plan, the indexes of the output columns that read from it. */
  private static int[][] columnsOfView(List<ServingCatalog.OutputColumn> columns, int viewCount) {
    int[] counts = new int[viewCount];
    for (ServingCatalog.OutputColumn c : columns) {
      counts[c.viewIndex()]++;
    }
    int[][] out = new int[viewCount][];
    for (int v = 0; v < viewCount; v++) {
      out[v] = new int[counts[v]];
      counts[v] = 0;
    }
    for (int c = 0; c < columns.size(); c++) {
      int v = columns.get(c).viewIndex();
      out[v][counts[v]++] = c;
    }
    return out;
  }

  private static Throwable unwrap(Throwable error) {
    while (error instanceof CompletionException && error.getCause() != null) {
      error = error.getCause();
    }
    return error;
  }

  private RuntimeException unwrap(Throwable error, Duration timeout) {
    Throwable e = unwrap(error);
    if (e instanceof TimeoutException) {
      return new UnavailableException(timeoutMessage(store.describe(), timeout), e);
    }
    if (e instanceof FletchException fe) {
      return fe;
    }
    if (e instanceof RuntimeException re && isConnectionProblem(re)) {
      return new UnavailableException(
          "online store " + store.describe() + " is unreachable: " + e, e);
    }
    return new FletchException("online store read failed: " + e, e);
  }

  /**
   * Why a read timed out, with the store's share of the deadline as it was: a 1 ms deadline leaves
   * the store 0.75 ms, not "0 ms"; a deadline already spent left it nothing.
   */
  static String timeoutMessage(String store, Duration timeout) {
    if (timeout.isZero() || timeout.isNegative()) {
      return "online store "
          + store
          + " was not read: the call's deadline had no time left for it (a quarter of a deadline,"
          + " at most 50 ms, is kept to answer)";
    }
    return "online store " + store + " did not answer within " + millis(timeout);
  }

  /** {@code d} in milliseconds, to the microsecond below 10 ms: {@code 0.75 ms}, {@code 200 ms}. */
  static String millis(Duration d) {
    long nanos = d.toNanos();
    if (nanos >= 10_000_000L) {
      return d.toMillis() + " ms";
    }
    return java.math.BigDecimal.valueOf(nanos / 1000, 3).stripTrailingZeros().toPlainString()
        + " ms";
  }

  /**
   * Client-library connection failures that escaped the store's own mapping (by class name, no
   * dependency).
   */
  private static boolean isConnectionProblem(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String name = t.getClass().getName();
      if (name.contains("Connection")
          || name.contains("Timeout")
          || t instanceof java.io.IOException) {
        return true;
      }
    }
    return false;
  }
}
