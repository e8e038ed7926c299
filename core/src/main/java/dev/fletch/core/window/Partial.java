package dev.fletch.core.window;

import dev.fletch.core.model.AggregationFunction;
import dev.fletch.core.model.ValueType;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The partial state of one aggregation over some events (one tile, or several tiles merged): what
 * an online tile stores so that serving can combine tiles at request time and give exactly what the
 * aggregation over all their events gives. Events are added in any order; merging is associative
 * and commutative, so tiles can be combined in any grouping, and a streamed event can be added to
 * the newest tile.
 *
 * <p>Inputs are canonical: Long for INT32, INT64 and TIMESTAMP (epoch microseconds), Double for
 * FLOAT and DOUBLE, String, Boolean ({@link #canonical} converts). NULL inputs are never added.
 * {@link AggregationFunction#LAST} keeps the input of the greatest (event time, created time,
 * input).
 */
public final class Partial {
  private final AggregationFunction function;
  private final boolean integral;
  private long count;
  private double sum;
  private long longSum;
  private double mean;
  private double m2;
  private Object min;
  private Object max;
  private long lastTime = Long.MIN_VALUE;
  private long lastCreated = Long.MIN_VALUE;
  private Object last;
  private Set<Object> distinct;

  /** An empty partial of {@code function} over inputs of {@code inputType}. */
  public Partial(AggregationFunction function, ValueType inputType) {
    this.function = function;
    this.integral = inputType == ValueType.INT32 || inputType == ValueType.INT64;
  }

  public AggregationFunction function() {
    return function;
  }

  /** The canonical form of a value of {@code type} as Fletch carries it (Integer, Instant ...). */
  public static Object canonical(Object value) {
    if (value instanceof Integer i) {
      return i.longValue();
    } else if (value instanceof Float f) {
      return f.doubleValue();
    } else if (value instanceof Instant t) {
      return Windows.micros(t);
    }
    return value;
  }

  /** A canonical value back as the Java type of {@code type}. */
  public static Object typed(Object canonical, ValueType type) {
    if (canonical == null) {
      return null;
    }
    return switch (type) {
      case INT32 -> (int) (long) (Long) canonical;
      case INT64 -> ((Number) canonical).longValue();
      case FLOAT -> (float) (double) (Double) canonical;
      case DOUBLE -> ((Number) canonical).doubleValue();
      case TIMESTAMP -> Windows.instant((Long) canonical);
      default -> canonical;
    };
  }

  /** Adds one event's non-null canonical input (for COUNT of events, any value). */
  public void add(Object value, long time, Long created) {
    count++;
    switch (function) {
      case COUNT -> {}
      case SUM, AVG -> {
        if (integral) {
          longSum = Math.addExact(longSum, (Long) value);
        } else {
          sum += ((Number) value).doubleValue();
        }
      }
      case MIN -> min = min == null || compare(value, min) < 0 ? value : min;
      case MAX -> max = max == null || compare(value, max) > 0 ? value : max;
      case STDDEV -> {
        // Welford: numerically stable running mean and sum of squared differences.
        double x = ((Number) value).doubleValue();
        double delta = x - mean;
        mean += delta / count;
        m2 += delta * (x - mean);
      }
      case LAST -> {
        long c = created == null ? Long.MIN_VALUE : created;
        if (last == null || later(time, c, value, lastTime, lastCreated, last)) {
          lastTime = time;
          lastCreated = c;
          last = value;
        }
      }
      case COUNT_DISTINCT -> distinct().add(value);
    }
  }

  private Set<Object> distinct() {
    if (distinct == null) {
      distinct = new HashSet<>();
    }
    return distinct;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static int compare(Object a, Object b) {
    return ((Comparable) a).compareTo(b);
  }

  private static boolean later(long t, long c, Object v, long t0, long c0, Object v0) {
    if (t != t0) {
      return t > t0;
    }
    if (c != c0) {
      return c > c0;
    }
    return compare(v, v0) > 0;
  }

  /** Adds another partial of the same function (of other events) into this one. */
  public void merge(Partial other) {
    if (other.function != function) {
      throw new IllegalArgumentException("cannot merge " + other.function + " into " + function);
    }
    if (other.count == 0) {
      return;
    }
    switch (function) {
      case COUNT -> {}
      case SUM, AVG -> {
        longSum = Math.addExact(longSum, other.longSum);
        sum += other.sum;
      }
      case MIN -> min = min == null || compare(other.min, min) < 0 ? other.min : min;
      case MAX -> max = max == null || compare(other.max, max) > 0 ? other.max : max;
      case STDDEV -> {
        // Chan et al.: combine two (count, mean, M2) triples.
        long n = count + other.count;
        double delta = other.mean - mean;
        m2 += other.m2 + delta * delta * ((double) count * other.count / n);
        mean += delta * other.count / n;
      }
      case LAST -> {
        if (last == null
            || later(other.lastTime, other.lastCreated, other.last, lastTime, lastCreated, last)) {
          lastTime = other.lastTime;
          lastCreated = other.lastCreated;
          last = other.last;
        }
      }
      case COUNT_DISTINCT -> distinct().addAll(other.distinct);
    }
    count += other.count;
  }

  /** Inputs added (events, for COUNT of events). */
  public long count() {
    return count;
  }

  /**
   * The aggregation's value, canonical: a Long for COUNT and integral SUM, a Double for the other
   * sums, AVG and STDDEV, the input itself for MIN, MAX and LAST; null where the semantics say NULL
   * (no inputs; STDDEV below two).
   */
  public Object value() {
    if (function == AggregationFunction.COUNT) {
      return count;
    }
    if (function == AggregationFunction.COUNT_DISTINCT) {
      return distinct == null ? 0L : (long) distinct.size();
    }
    if (count == 0) {
      return null;
    }
    return switch (function) {
      case COUNT -> count;
      case COUNT_DISTINCT -> (long) distinct.size();
      case SUM -> integral ? (Object) longSum : (Object) sum;
      case AVG -> (integral ? (double) longSum : sum) / count;
      case MIN -> min;
      case MAX -> max;
      case STDDEV -> count < 2 ? null : Math.sqrt(m2 / (count - 1));
      case LAST -> last;
    };
  }

  /** Writes the state (what {@link #read} reads back into an empty partial of the same kind). */
  public void write(DataOutput out) throws IOException {
    out.writeLong(count);
    if (count == 0) {
      return;
    }
    switch (function) {
      case COUNT -> {}
      case SUM, AVG -> {
        if (integral) {
          out.writeLong(longSum);
        } else {
          out.writeDouble(sum);
        }
      }
      case MIN -> writeValue(out, min);
      case MAX -> writeValue(out, max);
      case STDDEV -> {
        out.writeDouble(mean);
        out.writeDouble(m2);
      }
      case LAST -> {
        out.writeLong(lastTime);
        out.writeLong(lastCreated);
        writeValue(out, last);
      }
      case COUNT_DISTINCT -> {
        // Sorted, so that the same set always encodes to the same bytes.
        List<Object> values = new ArrayList<>(distinct);
        values.sort(Partial::compare);
        out.writeInt(values.size());
        for (Object v : values) {
          writeValue(out, v);
        }
      }
    }
  }

  /** Reads a state written by {@link #write} into this empty partial. */
  public void read(DataInput in) throws IOException {
    count = in.readLong();
    if (count == 0) {
      return;
    }
    switch (function) {
      case COUNT -> {}
      case SUM, AVG -> {
        if (integral) {
          longSum = in.readLong();
        } else {
          sum = in.readDouble();
        }
      }
      case MIN -> min = readValue(in);
      case MAX -> max = readValue(in);
      case STDDEV -> {
        mean = in.readDouble();
        m2 = in.readDouble();
      }
      case LAST -> {
        lastTime = in.readLong();
        lastCreated = in.readLong();
        last = readValue(in);
      }
      case COUNT_DISTINCT -> {
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
          distinct().add(readValue(in));
        }
      }
    }
  }

  private static void writeValue(DataOutput out, Object v) throws IOException {
    if (v instanceof Long l) {
      out.writeByte(1);
      out.writeLong(l);
    } else if (v instanceof Double d) {
      out.writeByte(2);
      out.writeDouble(d);
    } else if (v instanceof String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      out.writeByte(3);
      out.writeInt(b.length);
      out.write(b);
    } else if (v instanceof Boolean b) {
      out.writeByte(4);
      out.writeBoolean(b);
    } else {
      throw new IllegalArgumentException("not a canonical value: " + v);
    }
  }

  private static Object readValue(DataInput in) throws IOException {
    int tag = in.readByte();
    return switch (tag) {
      case 1 -> in.readLong();
      case 2 -> in.readDouble();
      case 3 -> {
        byte[] b = new byte[in.readInt()];
        in.readFully(b);
        yield new String(b, StandardCharsets.UTF_8);
      }
      case 4 -> in.readBoolean();
      default -> throw new IOException("unknown value tag " + tag);
    };
  }
}
