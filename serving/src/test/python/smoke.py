"""A Python client of Fletch as a team without Java writes one.

gRPC stubs are generated at run time from the published .proto (grpcio-tools), the HTTP twin is
called with the standard library, and pyarrow and pandas read what comes back. Run by
ClientInteropIT against the served payments example:

    python3 smoke.py clients --proto-dir DIR --grpc PORT --http PORT --customer ID --merchant ID --out DIR
    python3 smoke.py training-set --file train.parquet

Prints one line per check and "N passed, M failed"; exits 1 if any check failed.
"""
import argparse
import datetime
import json
import os
import sys
import tempfile
import traceback
import urllib.error
import urllib.request

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

RESULTS = {"passed": 0, "failed": 0}


def check(name, body):
    try:
        body()
        RESULTS["passed"] += 1
        print("ok   " + name)
    except Exception:  # noqa: BLE001 - every failure is reported, then counted
        RESULTS["failed"] += 1
        print("FAIL " + name + ":\n" + traceback.format_exc())


def stubs(proto_dir):
    """serving_pb2 and serving_pb2_grpc, generated now from the .proto."""
    import grpc_tools
    from grpc_tools import protoc

    out = tempfile.mkdtemp(prefix="fletch-stubs-")
    well_known = os.path.join(os.path.dirname(grpc_tools.__file__), "_proto")
    code = protoc.main([
        "protoc", "-I" + proto_dir, "-I" + well_known, "--python_out=" + out,
        "--grpc_python_out=" + out, "fletch/serving/v1/serving.proto",
    ])
    assert code == 0, "protoc failed with " + str(code)
    sys.path.insert(0, out)
    from fletch.serving.v1 import serving_pb2, serving_pb2_grpc

    return serving_pb2, serving_pb2_grpc


def plain(value):
    """A proto Value as Python."""
    kind = value.WhichOneof("kind")
    if kind is None:
        return None
    if kind == "timestamp_value":
        return value.timestamp_value.ToJsonString()
    if kind == "list_value":
        return [plain(v) for v in value.list_value.values]
    if kind == "bytes_value":
        return value.bytes_value
    return getattr(value, kind)


def http(base, path, body):
    request = urllib.request.Request(
        base + path, json.dumps(body).encode(), {"content-type": "application/json"})
    return urllib.request.urlopen(request, timeout=30)


def clients(args):
    import grpc

    pb, pb_grpc = stubs(args.proto_dir)
    stub = pb_grpc.FeatureServingStub(grpc.insecure_channel("127.0.0.1:%d" % args.grpc))
    base = "http://127.0.0.1:%d" % args.http

    def request(customer_value):
        return pb.GetFeaturesRequest(
            feature_service="fraud_model_v1",
            entities={
                "customer_id": pb.RepeatedValue(values=[customer_value]),
                "merchant_id": pb.RepeatedValue(values=[pb.Value(string_value=args.merchant)]),
                # txn_risk's request field: the amount of the payment being scored
                "amount": pb.RepeatedValue(values=[pb.Value(double_value=42.5)]),
            })

    state = {}

    def info():
        assert stub.GetServingInfo(pb.GetServingInfoRequest(), timeout=10).project == "payments"

    def by_number():
        state["grpc"] = stub.GetFeatures(request(pb.Value(int64_value=args.customer)), timeout=10)
        statuses = [pb.FeatureStatus.Name(s) for f in state["grpc"].features for s in f.statuses]
        assert "PRESENT" in statuses, statuses

    def by_text():
        text = stub.GetFeatures(request(pb.Value(string_value=str(args.customer))), timeout=10)
        assert list(text.features) == list(state["grpc"].features)

    def non_canonical():
        try:
            stub.GetFeatures(request(pb.Value(string_value="0%d" % args.customer)), timeout=10)
        except grpc.RpcError as e:
            assert e.code() == grpc.StatusCode.INVALID_ARGUMENT, e.code()
            assert "customer_id" in e.details(), e.details()
            return
        raise AssertionError("a non-canonical key was accepted")

    def http_equals_grpc():
        expected = {f.name: [plain(v) for v in f.values] for f in state["grpc"].features}
        for entities in (
            {"customer_id": [args.customer], "merchant_id": [args.merchant], "amount": [42.5]},
            [{"customer_id": str(args.customer), "merchant_id": args.merchant, "amount": 42.5}],
        ):
            answer = json.load(http(base, "/api/v1/features/online",
                                    {"feature_service": "fraud_model_v1", "entities": entities}))
            got = {f["name"]: f["values"] for f in answer["features"]}
            assert got.keys() == expected.keys(), (got.keys(), expected.keys())
            for name, values in expected.items():
                if isinstance(values[0], bytes):
                    continue
                assert got[name] == values, (name, got[name], values)

    def http_error_shape():
        try:
            http(base, "/api/v1/features/online", {"features": "x:y", "entities": {}})
        except urllib.error.HTTPError as e:
            assert e.code == 400, e.code
            error = json.load(e)["error"]
            assert error["code"] == "INVALID_ARGUMENT", error
            assert error["message"].startswith("'features' must be an array of strings"), error
            assert error["problems"] == [], error
            return
        raise AssertionError("a string for 'features' was accepted")

    def historical_arrow():
        at = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=1))
        body = {"feature_service": "fraud_model_v1", "entities": [
            {"customer_id": args.customer, "merchant_id": args.merchant, "amount": 42.5,
             "event_timestamp": at.isoformat(), "label": 1}]}
        table = pa.ipc.open_stream(http(base, "/api/v1/historical", body)).read_all()
        assert table.num_rows == 1
        meta = table.schema.metadata
        assert meta[b"fletch.project"] == b"payments", meta
        assert meta[b"fletch.registry_version"] == b"1", meta
        features = json.loads(meta[b"fletch.features"])
        assert features["txn_count_24h"] == "customer_activity:txn_count_24h", features
        field = table.schema.field("txn_count_24h")
        assert field.metadata[b"fletch.feature_ref"] == b"customer_activity:txn_count_24h"
        df = table.to_pandas(types_mapper=pd.ArrowDtype)
        assert str(df["txn_count_24h"].dtype) == "int64[pyarrow]", df.dtypes
        assert str(df["event_timestamp"].dtype).startswith("timestamp[us, tz=UTC]"), df.dtypes

    def pandas_entities():
        # pandas 2+ writes zone-aware times as timestamp[ns, tz=UTC]: Fletch reads them (#20 item 1).
        at = pd.Timestamp.now(tz="UTC") - pd.Timedelta(days=1, nanoseconds=123)
        df = pd.DataFrame({"customer_id": [args.customer], "merchant_id": [args.merchant],
                           "amount": [42.5],
                           "event_timestamp": [at], "label": [1]})
        path = os.path.join(args.out, "pandas_entities.parquet")
        df.to_parquet(path)
        assert str(pq.read_schema(path).field("event_timestamp").type) == "timestamp[ns, tz=UTC]"

    check("GetServingInfo names the project", info)
    check("GetFeatures with int64_value answers PRESENT values", by_number)
    check("an INT64 key as decimal text (string_value) answers the same", by_text)
    check("non-canonical key text is INVALID_ARGUMENT naming the key", non_canonical)
    check("the HTTP twin (columns and rows, number and text keys) equals gRPC", http_equals_grpc)
    check("an HTTP error has the one error shape", http_error_shape)
    check("historical over HTTP reads as Arrow with lineage and types", historical_arrow)
    check("pandas writes an entity set with timestamp[ns, tz=UTC]", pandas_entities)


def training_set(args):
    def types():
        # A nullable INT64 feature: pandas' default turns it into float64, pyarrow keeps int64.
        plain_df = pd.read_parquet(args.file)
        typed = pd.read_parquet(args.file, dtype_backend="pyarrow")
        assert str(typed["txn_count_24h"].dtype) == "int64[pyarrow]", typed.dtypes
        assert str(typed["pair_txn_count_90d"].dtype) == "int64[pyarrow]", typed.dtypes
        if plain_df["pair_txn_count_90d"].isna().any():
            assert str(plain_df["pair_txn_count_90d"].dtype) == "float64", plain_df.dtypes

    def lineage():
        meta = pq.read_schema(args.file).metadata
        assert meta[b"fletch.project"] == b"payments", meta
        assert meta[b"fletch.feature_service"] == b"fraud_model_v1", meta
        assert b"fletch.retrieved_at" in meta and b"fletch.version" in meta, meta

    check("dtype_backend='pyarrow' keeps INT64 features as integers", types)
    check("the Parquet footer carries the lineage", lineage)


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("clients")
    c.add_argument("--proto-dir", required=True)
    c.add_argument("--grpc", type=int, required=True)
    c.add_argument("--http", type=int, required=True)
    c.add_argument("--customer", type=int, required=True)
    c.add_argument("--merchant", required=True)
    c.add_argument("--out", required=True)
    t = sub.add_parser("training-set")
    t.add_argument("--file", required=True)
    args = parser.parse_args()
    clients(args) if args.command == "clients" else training_set(args)
    print("%d passed, %d failed" % (RESULTS["passed"], RESULTS["failed"]))
    sys.exit(0 if RESULTS["failed"] == 0 and RESULTS["passed"] > 0 else 1)


if __name__ == "__main__":
    main()
