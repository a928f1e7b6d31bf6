#!/usr/bin/python3
"""pingwire-flood's live run through the operator's tools, against a Linux kernel peer (the
topology of test_flood_kernel.py: the flood on net_af_packet in the "dut" namespace, the
peer 198.18.0.1 in "host"):

1. While a 5 s flood runs (--rate 2000 --count 10000 --metrics 9466), the stock
   dpdk-telemetry.py reads /pingwire/flood: phase "sending", sent and received growing,
   received <= sent, tx_pps within 10% of the rate asked, RTT percentiles ordered
   (min <= p50 <= p90 <= p99 <= max) over as many answers as were received.
2. The /metrics body of the same run: `promtool check metrics` accepts it;
   pingwire_flood_rtt_seconds is a histogram (buckets in seconds, cumulative, +Inf ==
   _count == the answers counted, _sum > 0), pingwire_flood_sent_total > 0.
3. The run ends by itself: exit 0, the JSON's transmitted == 10000, at least what telemetry
   and /metrics showed during the run.
"""

import json
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import floodutil as fu  # noqa: E402
import netns  # noqa: E402
from floodutil import PEER_ADDR4  # noqa: E402

TELEMETRY = "/usr/bin/dpdk-telemetry.py"
RATE = 2000
COUNT = 10000
PORT = 9466


def flood_cmd(prefix: str) -> dict | None:
    cp = subprocess.run([TELEMETRY, "-f", prefix], input="/pingwire/flood\n",
                        capture_output=True, text=True, timeout=10)
    for line in cp.stdout.splitlines():
        if line.startswith("{"):
            return json.loads(line).get("/pingwire/flood")
    return None


RE_SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')


def body(args, rep):
    for tool in (TELEMETRY, "/usr/bin/promtool", "/usr/bin/curl"):
        if not os.access(tool, os.X_OK):
            raise netns.HarnessError(f"{tool} is missing (scripts/install-deps installs it)")
    with netns.Topology(verbose=True) as topo:
        fu.prepare_peer(topo)
        topo.dut(["ip", "link", "set", "lo", "up"], check=True)  # --metrics binds 127.0.0.1
        fl = fu.flood_on(topo, args.flood, fu.port_spec() + [
            "--dst", PEER_ADDR4, "--count", str(COUNT), "--rate", str(RATE), "--quiet",
            "--metrics", str(PORT)])
        netns.log(f"$ {fl.command_line}")
        fl.start()
        seen, body_text, samples = None, "", []
        try:
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and fl.proc.poll() is None:
                time.sleep(0.3)
                s = flood_cmd(fl.prefix)
                if s is None or "error" in s:
                    continue
                samples.append(s)
                if s.get("phase") == "sending" and s.get("elapsed_ms", 0) >= 1500:
                    seen = s
                    cp = topo.dut(["curl", "-sS", "--max-time", "5",
                                   f"http://127.0.0.1:{PORT}/metrics"])
                    body_text = cp.stdout
                    break
        finally:
            res = fl.wait(timeout=60)
        netns.log(res.evidence)
        netns.log("telemetry samples (sent, received, phase):\n" + netns.indent(
            "\n".join(f"{s.get('sent')} {s.get('received')} {s.get('phase')} "
                      f"tx {s.get('tx_pps')} pps" for s in samples)))
        rep.check("/pingwire/flood read during the run (phase sending, >= 1.5 s into it)",
                  seen is not None, json.dumps(samples[-3:]))
        seen = seen or {}
        sents = [s.get("sent", 0) for s in samples]
        rep.check("sent grows from sample to sample; received <= sent",
                  sents == sorted(sents) and len(set(sents)) > 1
                  and all(s.get("received", 0) <= s.get("sent", 0) for s in samples),
                  f"sent {sents}")
        rep.check(f"tx_pps within 10% of {RATE} (the rate over the last second)",
                  abs(seen.get("tx_pps", 0) - RATE) <= RATE / 10, json.dumps(seen))
        rtt = seen.get("rtt_ns", {})
        rep.check("RTT: count > 0 and <= received; min <= p50 <= p90 <= p99 <= max",
                  0 < rtt.get("count", 0) <= seen.get("received", 0)
                  and rtt.get("min", 0) <= rtt.get("p50", -1) <= rtt.get("p90", -1)
                  <= rtt.get("p99", -1) <= rtt.get("max", -1), json.dumps(seen))

        cp = subprocess.run(["/usr/bin/promtool", "check", "metrics"], input=body_text,
                            capture_output=True, text=True, timeout=30)
        rep.check("promtool check metrics accepts pingwire-flood's /metrics",
                  bool(body_text) and cp.returncode == 0,
                  f"exit {cp.returncode}\n{netns.indent(cp.stdout + cp.stderr)}")
        buckets, count, total, sent_m = [], None, None, None
        for line in body_text.splitlines():
            m = RE_SAMPLE.match(line)
            if not m:
                continue
            name, labels, value = m.group(1), m.group(2) or "", float(m.group(3))
            if name == "pingwire_flood_rtt_seconds_bucket":
                le = re.search(r'le="([^"]+)"', labels).group(1)
                buckets.append((float("inf") if le == "+Inf" else float(le), value))
            elif name == "pingwire_flood_rtt_seconds_count":
                count = value
            elif name == "pingwire_flood_rtt_seconds_sum":
                total = value
            elif name == "pingwire_flood_sent_total":
                sent_m = value
        hist = "\n".join(x for x in body_text.splitlines() if "rtt_seconds" in x)
        les = [b[0] for b in buckets]
        rep.check("pingwire_flood_rtt_seconds: a histogram, # TYPE histogram, buckets in "
                  "seconds from 1e-05 to 10 and +Inf, cumulative, +Inf == _count > 0, _sum > 0",
                  "# TYPE pingwire_flood_rtt_seconds histogram" in body_text
                  and les == sorted(les) and les and les[0] == 1e-05 and les[-1] == float("inf")
                  and 10.0 in les
                  and all(a[1] <= b[1] for a, b in zip(buckets, buckets[1:]))
                  and count is not None and count > 0 and buckets[-1][1] == count
                  and total is not None and total > 0, hist)
        rep.check("pingwire_flood_sent_total > 0 during the run", (sent_m or 0) > 0,
                  f"{sent_m}")

        j = res.json or {}
        rep.check(f"the run ends by itself: exit 0, transmitted {COUNT}, >= what telemetry "
                  f"and /metrics showed",
                  res.rc == 0 and not res.killed and j.get("transmitted") == COUNT
                  and j.get("transmitted", 0) >= seen.get("sent", 1 << 60)
                  and j.get("transmitted", 0) >= (sent_m or 1 << 60),
                  f"exit {res.rc}; {res.json_brief()}")


if __name__ == "__main__":
    fu.flood_main("integration/flood-telemetry", body)
