package dev.fletch.offline;

import static java.util.Objects.requireNonNull;

import java.util.Locale;
import java.util.Optional;

/**
 * The one rule for columns that hold points in time (entity timestamps, a source's {@code
 * timestamp_field} and {@code created_timestamp_field}, TIMESTAMP features read from a column), in
 * every place that reads them: historical retrieval, aggregations, push logs read with their
 * source, materialization's scans, and {@code fletch validate}.
 *
 * <p>Accepted, by the type DuckDB gives the column: {@code TIMESTAMP} at any precision ({@code
 * TIMESTAMP_S}, {@code TIMESTAMP_MS}, {@code TIMESTAMP}, {@code TIMESTAMP_NS}: naive, taken as
 * UTC), {@code TIMESTAMP WITH TIME ZONE} at any precision ({@code TIMESTAMPTZ}, {@code
 * TIMESTAMPTZ_NS}: converted to UTC), {@code DATE} (midnight UTC) and ISO-8601 text ({@code
 * VARCHAR}, as in CSV files; without an offset it is UTC). That covers every Parquet time unit
 * (MILLIS, MICROS, NANOS, legacy INT96), naive or adjusted to UTC, as pandas, pyarrow, Spark and
 * DuckDB write them. Everything becomes a naive {@code TIMESTAMP} holding UTC at microsecond
 * precision; finer digits are truncated towards the past (floored), never rounded up, so a value
 * never moves into its own future.
 */
public final class TimeTypes {
  /** What {@link #accepts} accepts, in words for error messages. */
  public static final String ACCEPTED =
      "TIMESTAMP or TIMESTAMP WITH TIME ZONE of any precision (s, ms, us, ns), DATE or ISO-8601"
          + " text";

  private TimeTypes() {}

  /** Whether a column of DuckDB type {@code duckType} can hold a point in time. */
  public static boolean accepts(String duckType) {
    return asUtcMicros("x", duckType).isPresent();
  }

  /**
   * The SQL expression that turns column expression {@code ref} of DuckDB type {@code duckType}
   * into a naive UTC {@code TIMESTAMP} at microsecond precision; empty when the type cannot hold a
   * point in time. Needs the session time zone UTC (every offline job's).
   */
  public static Optional<String> asUtcMicros(String ref, String duckType) {
    requireNonNull(ref, "ref is null");
    requireNonNull(duckType, "duckType is null");
    String t = duckType.strip().toUpperCase(Locale.ROOT);
    return switch (t) {
      case "TIMESTAMP", "TIMESTAMP_US", "DATETIME" -> Optional.of(ref);
      // Coarser than microseconds: exact.
      case "TIMESTAMP_S", "TIMESTAMP_MS", "DATE" -> Optional.of("CAST(" + ref + " AS TIMESTAMP)");
      case "TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ" -> Optional.of("timezone('UTC', " + ref + ")");
      // A cast would round to the nearest microsecond, possibly into the future: floor instead.
      // epoch_ns of a zone-aware value counts from the UTC epoch, so both read the same way.
      case "TIMESTAMP_NS", "TIMESTAMPTZ_NS" -> {
        String ns = "epoch_ns(" + ref + ")";
        yield Optional.of(
            "make_timestamp((" + ns + " - ((" + ns + " % 1000) + 1000) % 1000) // 1000)");
      }
      // ISO text: DuckDB's parser keeps six fractional digits and drops the rest (a floor).
      case "VARCHAR" -> Optional.of("timezone('UTC', CAST(" + ref + " AS TIMESTAMPTZ))");
      default -> Optional.empty();
    };
  }
}
