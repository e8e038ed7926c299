"""Writes the Parquet files of TimeUnitsTest: one row each (customer_id 1, event_ts, y 7), with
event_ts in a time encoding DuckDB cannot write itself. Run with pyarrow and pandas installed:
python3 make_time_units.py (the files are committed; this records how they were made)."""
import datetime as dt

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

NS = pd.Timestamp("2024-03-01T10:00:00.123456789Z")


def write(name, ts, **options):
    table = pa.table({"customer_id": pa.array([1], pa.int64()), "event_ts": ts, "y": pa.array([7], pa.int64())})
    pq.write_table(table, name, **options)


# MILLIS adjusted to UTC (pyarrow's timestamp[ms, tz=UTC])
write("ms_utc.parquet", pa.array([dt.datetime(2024, 3, 1, 10, 0, 0, 123000, tzinfo=dt.timezone.utc)], pa.timestamp("ms", tz="UTC")))
# seconds, naive: Parquet has no seconds unit, pyarrow stores them as MILLIS
write("s_naive.parquet", pa.array([dt.datetime(2024, 3, 1, 10, 0, 0)], pa.timestamp("s")))
# NANOS adjusted to UTC, as pandas 2+ writes zone-aware times
pd.DataFrame({"customer_id": [1], "event_ts": [NS], "y": [7]}).to_parquet("ns_utc_pandas.parquet")
# NANOS in another zone (stored as UTC, the zone kept in the Arrow schema only)
write("ns_berlin.parquet", pa.array([NS.tz_convert("Europe/Berlin")], pa.timestamp("ns", tz="Europe/Berlin")))
# legacy INT96 (Spark, Impala, older Hive)
write("int96.parquet", pa.array([NS.tz_localize(None)], pa.timestamp("ns")), use_deprecated_int96_timestamps=True)
