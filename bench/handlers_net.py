#!/usr/bin/env python3
"""Runs pingwire-bench-handlers and prints each handler's own cost: host_input minus the copy
that resets its frame, measured in the same run.

usage: bench/handlers_net.py [BINARY] [benchmark options...]
       bench/handlers_net.py --from-json FILE

BINARY defaults to build-bench/bench/pingwire-bench-handlers, then build/bench/...
With --benchmark_repetitions=N the medians are used. Stdlib only.
"""

import json
import os
import subprocess
import sys


def find_binary():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for d in ("build-bench", "build"):
        p = os.path.join(root, d, "bench", "pingwire-bench-handlers")
        if os.access(p, os.X_OK):
            return p
    return None


def load(argv):
    if len(argv) >= 2 and argv[0] == "--from-json":
        with open(argv[1]) as f:
            return json.load(f)
    if argv and not argv[0].startswith("-"):
        binary, rest = argv[0], argv[1:]
    else:
        binary, rest = find_binary(), argv
    if binary is None:
        sys.exit("handlers_net.py: no pingwire-bench-handlers found; build it "
                 "(meson setup build-bench && ninja -C build-bench) or pass its path")
    out = subprocess.run([binary, "--benchmark_format=json"] + rest,
                         check=True, stdout=subprocess.PIPE, text=True).stdout
    return json.loads(out)


def to_ns(b):
    scale = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}[b.get("time_unit", "ns")]
    return b["cpu_time"] * scale


def main(argv):
    data = load(argv)
    times = {}
    for b in data["benchmarks"]:
        if b.get("error_occurred"):
            print(f"{b['name']}: ERROR {b.get('error_message', '')}", file=sys.stderr)
            continue
        agg = b.get("aggregate_name")
        if agg not in (None, "median"):
            continue
        name = b.get("run_name", b["name"])
        if agg is None and name in times and b.get("run_type") == "iteration":
            # Several repetitions without aggregates: keep the smallest.
            times[name] = min(times[name], to_ns(b))
        elif agg == "median" or name not in times:
            times[name] = to_ns(b)

    print(f"{'frame':<24} {'host_input ns':>14} {'copy ns':>9} {'net ns':>8} {'net Mpps':>9}")
    for name, t in times.items():
        if not name.startswith("BM_host_input/"):
            continue
        frame = name.split("/", 1)[1]
        copy = times.get("BM_copy/" + frame)
        if copy is None:
            continue
        net = t - copy
        mpps = 1e3 / net if net > 0 else float("inf")
        print(f"{frame:<24} {t:>14.1f} {copy:>9.1f} {net:>8.1f} {mpps:>9.2f}")
    for name, t in times.items():
        if name.startswith("BM_ones_sum/"):
            n = int(name.split("/", 1)[1])
            print(f"ones_sum {n:>5} bytes: {t:.1f} ns ({n / t:.2f} bytes/ns)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
