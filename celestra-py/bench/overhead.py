"""Binding overhead of the Python package over native Rust, on the same calls.

For a tiny workflow (the hello-world example) and a 100-node synthetic workflow, times each call
through `celestra_engine` (workflow given as JSON bytes, and as a dict) and the same call in Rust
(`native_calls`: parse the bytes, then validate / plan / generate), and prints Markdown tables:
the overhead in percent for the 100-node workflow, in microseconds per call for the tiny one.
"engine in Python" is the same engine call timed inside the extension (no conversion to Python
objects): it separates the process's effect on the engine from the binding's own work.

The JSON-out calls (`validate_json`, …) are compared with the same native call followed by
`serde_json::to_vec` of the result ("native +json"). "FastAPI sends the dict" is what a FastAPI
handler returning the dict costs in all: the call, then FastAPI's `jsonable_encoder` and its
JSON rendering of the result.

Run it with `make bench-python` (builds and installs the wheel and the native helper first).
"""

import argparse
import json
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

from fastapi.encoders import jsonable_encoder

import celestra_engine as ce
from celestra_engine import _native

REPO = pathlib.Path(__file__).resolve().parents[2]
JSON_CALLS = {
    "validate": lambda w: ce.validate_json(w),
    "plan": lambda w: ce.plan_json(w),
    "generate-kubernetes": lambda w: ce.generate_json(w, "kubernetes"),
    "generate-compose": lambda w: ce.generate_json(w, "compose"),
    "generate-helm": lambda w: ce.generate_json(w, "helm"),
    "generate-dsl": lambda w: ce.generate_json(w, "dsl"),
}
CALLS = {
    "validate": lambda w: ce.validate(w),
    "plan": lambda w: ce.plan(w),
    "generate-kubernetes": lambda w: ce.generate(w, "kubernetes"),
    "generate-compose": lambda w: ce.generate(w, "compose"),
    "generate-helm": lambda w: ce.generate(w, "helm"),
    "generate-dsl": lambda w: ce.generate(w, "dsl"),
}


def median_us(f, arg, repeats):
    for _ in range(max(1, repeats // 10)):
        f(arg)
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        f(arg)
        times.append((time.perf_counter() - t) * 1e6)
    return statistics.median(times)


def fastapi_sends(result):
    # FastAPI (no response_model): jsonable_encoder, then JSONResponse.render.
    return json.dumps(jsonable_encoder(result), ensure_ascii=False, allow_nan=False, indent=None,
                      separators=(",", ":")).encode("utf-8")


def native(binary, path, repeats, processes=3):
    runs = [json.loads(subprocess.run([binary, str(path), str(repeats)], check=True,
                                      capture_output=True, text=True).stdout) for _ in range(processes)]
    return {k: statistics.median(r[k] for r in runs) for k in runs[0]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--native", required=True)
    ap.add_argument("--synthetic", required=True)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        big = pathlib.Path(tmp) / "synthetic-100.json"
        big.write_text(subprocess.run([args.synthetic, "100"], check=True, capture_output=True,
                                      text=True).stdout, encoding="utf-8")
        tiny = REPO / "tests" / "fixtures" / "workflows" / "ex1-hello-world.json"
        print(f"celestra_engine {ce.__version__}, Python {sys.version.split()[0]}; medians of repeated calls.\n")
        for label, path, repeats in (("100-node synthetic workflow", big, 300),
                                     ("tiny workflow (ex1, 2 nodes)", tiny, 3000)):
            data = path.read_bytes()
            as_dict = json.loads(data)
            nat = native(args.native, path, repeats)
            print(f"### {label}\n")
            print("| call | native µs | engine in Python µs | Python (bytes) µs | overhead | Python (dict) µs | overhead |")
            print("|---|---:|---:|---:|---:|---:|---:|")
            for name, f in CALLS.items():
                n = nat[name]
                inside = statistics.median(_native._engine_time(data, name, repeats) for _ in range(3))
                pb = median_us(f, data, repeats)
                pd = median_us(f, as_dict, repeats)
                fmt = (lambda p: f"{(p / n - 1) * 100:+.0f}%") if path == big else (lambda p: f"{p - n:+.1f} µs")
                print(f"| {name} | {n:.1f} | {inside:.1f} | {pb:.1f} | {fmt(pb)} | {pd:.1f} | {fmt(pd)} |")
            print()
            print("| call | native +json µs | engine in Python +json µs | Python JSON out (bytes in) µs | overhead | FastAPI sends the dict µs |")
            print("|---|---:|---:|---:|---:|---:|")
            for name, f in JSON_CALLS.items():
                n = nat[name + "+json"]
                inside = statistics.median(_native._engine_time(data, name + "+json", repeats) for _ in range(3))
                pj = median_us(f, data, repeats)
                fa = median_us(lambda d, call=CALLS[name]: fastapi_sends(call(d)), data, max(30, repeats // 10))
                fmt = (lambda p: f"{(p / n - 1) * 100:+.0f}%") if path == big else (lambda p: f"{p - n:+.1f} µs")
                print(f"| {name} | {n:.1f} | {inside:.1f} | {pj:.1f} | {fmt(pj)} | {fa:.1f} |")
            print()


if __name__ == "__main__":
    main()
