#!/usr/bin/env python3
"""Runs pingwire-bench-handlers and prints each handler's own cost: host_input minus the copy
that resets its frame, measured in the same run.

usage: bench/handlers_net.py [BINARY] [benchmark options...]
       bench/handlers_net.py --from-json FILE
       bench/handlers_net.py --instructions [BINARY]

BINARY defaults to build-bench/bench/pingwire-bench-handlers, then build/bench/...
With --benchmark_repetitions=N the medians are used.

--instructions runs each benchmark under valgrind's callgrind (Debian package valgrind) and
prints instructions per call of host_input, of the fast paths in front of it (echo4_fast,
echo6_fast; forward4/6_check + forward4/6_apply for a routed datagram, the FIB lookup left
out) and of ones_sum: exact, unmoved by the noise of a shared machine (this VM has no PMU, so
perf stat cannot count instructions or cycles).
Stdlib only.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile


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


FRAMES = ("ipv4_echo", "ipv6_echo", "arp_request", "neighbor_solicitation")


def callgrind_per_call(binary, bench_filter, function):
    """Inclusive instructions of function divided by the calls made to it, under callgrind."""
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "callgrind.out")
        subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", binary,
                        f"--benchmark_filter={bench_filter}", "--benchmark_min_time=0.01"],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        text = subprocess.run(["callgrind_annotate", "--tree=caller", "--inclusive=yes", out],
                              check=True, stdout=subprocess.PIPE, text=True).stdout
    num = r"([0-9,]+)"
    # A block: caller lines "IR (..%)  < ???:caller (Nx) [...]" then "IR (..%)  *  ???:function".
    for block in text.split("\n\n"):
        lines = block.strip().splitlines()
        star = [ln for ln in lines if re.match(num + r" \([^)]*\)\s+\*\s+\S*" + re.escape(function) + r"\(", ln)]
        if not star:
            continue
        ir = int(re.match(num, star[0]).group(1).replace(",", ""))
        calls = sum(int(m.group(1).replace(",", "")) for ln in lines if "<" in ln
                    for m in [re.search(r"\(" + num + r"x\)", ln)] if m)
        if calls:
            return ir / calls
    return None


def instructions(argv):
    binary = argv[0] if argv else find_binary()
    if binary is None:
        sys.exit("handlers_net.py: no pingwire-bench-handlers found")
    if not shutil.which("valgrind") or not shutil.which("callgrind_annotate"):
        sys.exit("handlers_net.py: --instructions needs valgrind (apt-get install valgrind)")
    print(f"{'benchmark':<32} {'instructions/call':>18}")
    for frame in FRAMES:
        n = callgrind_per_call(binary, f"BM_host_input/{frame}$", "pw::icmp::host_input")
        print(f"{'host_input/' + frame:<32} {n:>18.0f}" if n else f"host_input/{frame}: not found")
    # The fast paths run through out-of-line wrappers (pw_bench::*) so that one call is one
    # packet: echo4_fast / echo6_fast, and check + apply for forwarding.
    for label, bench, function in (("echo4_fast/ipv4_echo", "BM_fast/ipv4_echo$", "pw_bench::echo4_path"),
                                   ("echo6_fast/ipv6_echo", "BM_fast/ipv6_echo$", "pw_bench::echo6_path"),
                                   ("forward4 check+apply", "BM_forward_fast/ipv4$", "pw_bench::forward4_path"),
                                   ("forward6 check+apply", "BM_forward_fast/ipv6$", "pw_bench::forward6_path")):
        n = callgrind_per_call(binary, bench, function)
        print(f"{label:<32} {n:>18.0f}" if n else f"{label}: not found")
    for size in (64, 1500):
        n = callgrind_per_call(binary, f"BM_ones_sum/{size}$", "pw::wire::ones_sum")
        print(f"{'ones_sum/' + str(size):<32} {n:>18.0f}" if n else f"ones_sum/{size}: not found")
    return 0


def main(argv):
    if argv and argv[0] == "--instructions":
        return instructions(argv[1:])
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
        if not name.startswith(("BM_fast/", "BM_forward_fast/")):
            continue
        frame = name.split("/", 1)[1]
        copy = times.get("BM_copy/" + frame) or times.get("BM_copy/" + frame + "_echo")
        net = t - copy if copy is not None else t
        what = ("fast " if name.startswith("BM_fast/") else "forward fast ") + frame
        print(f"{what:<24} {t:>14.1f} {copy if copy is not None else 0:>9.1f} {net:>8.1f} "
              f"{1e3 / net if net > 0 else float('inf'):>9.2f}")
    for name, t in times.items():
        if name.startswith("BM_ones_sum/"):
            n = int(name.split("/", 1)[1])
            print(f"ones_sum {n:>5} bytes: {t:.1f} ns ({n / t:.2f} bytes/ns)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
