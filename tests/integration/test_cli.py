#!/usr/bin/python3
"""pingwire-responder's command-line contract, run against a real veth.

- Bad options: exit code 2, exactly one line on stderr (naming the problem), nothing on stdout,
  and no packet path started. Run with real EAL arguments and the vdev present, so the result
  does not depend on whether options are checked before or after EAL starts.
- SIGINT stops it like SIGTERM: exit 0 and a final summary whose counters add up.
- --stats-interval prints the counter block periodically while running.
"""

import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netns  # noqa: E402
from netns import DUT_ADDR4, DUT_ADDR6, PREFIX4, PREFIX6  # noqa: E402

GOOD_PORT = f"0,addr={DUT_ADDR4}/{PREFIX4},addr={DUT_ADDR6}/{PREFIX6}"

# (what is wrong, the app arguments after `--`)
BAD_OPTIONS = [
    ("--port with a non-numeric port id", ["--port", "nonsense"]),
    ("no --port at all", []),
    ("unknown option", ["--port", GOOD_PORT, "--frobnicate"]),
    ("unknown --port key", ["--port", "0,color=blue"]),
    ("IPv4 address out of range", ["--port", "0,addr=198.18.0.300/24"]),
    ("IPv4 prefix length 33", ["--port", "0,addr=198.18.0.2/33"]),
    ("IPv6 prefix length 129", ["--port", "0,addr=2001:2::2/129"]),
    ("malformed MAC", ["--port", "0,mac=zz:00:00:00:00:02,addr=198.18.0.2/24"]),
    ("multicast MAC", ["--port", "0,mac=01:00:5e:00:00:01,addr=198.18.0.2/24"]),
    ("MTU out of range", ["--port", "0,mtu=99999999999,addr=198.18.0.2/24"]),
    ("--stats-interval not a number", ["--port", GOOD_PORT, "--stats-interval", "abc"]),
    ("--stats-interval negative", ["--port", GOOD_PORT, "--stats-interval", "-1"]),
    ("the same port id configured twice",
     ["--port", "0,addr=198.18.0.2/24", "--port", "0,addr=198.18.0.3/24"]),
    ("--neigh without --forward", ["--port", GOOD_PORT, "--neigh", "198.18.0.1,mac=02:00:00:00:00:01"]),
    ("--neigh without mac=", ["--port", GOOD_PORT, "--forward", "--neigh", "198.18.0.1"]),
    # Found only once the ports are up: the address is on no configured subnet.
    ("--neigh off every subnet",
     ["--port", GOOD_PORT, "--forward", "--neigh", "198.19.7.7,mac=02:00:00:00:00:01"]),
    ("--neigh on a port not configured",
     ["--port", GOOD_PORT, "--forward", "--neigh", "198.18.0.1,mac=02:00:00:00:00:01,port=5"]),
]


def bad_options(args, rep, topo):
    for what, app_args in BAD_OPTIONS:
        with netns.Responder(topo, args.responder, app_args=app_args) as r:
            r.spawn()
            res = r.wait_exit(timeout=15)
            err_lines = [l for l in res.stderr.splitlines() if l.strip()]
            ok = (res.rc == 2 and len(err_lines) == 1 and not res.stdout.strip()
                  and netns.READY_MARK not in res.stdout)
            rep.check(f"bad options ({what}): exit 2, one line on stderr, nothing on stdout",
                      ok, f"$ {r.command_line}\n{res.evidence}")


def sigint_stops(args, rep, topo):
    with netns.Responder(topo, args.responder, app_args=["--port", GOOD_PORT]) as r:
        r.start()
        p4 = topo.ping(["-c", "3", "-i", "0.2", "-w", "10", DUT_ADDR4])
        p6 = topo.ping(["-6", "-c", "3", "-i", "0.2", "-w", "10", DUT_ADDR6])
        rep.check("pings before SIGINT answered", p4.clean and p6.clean,
                  p4.evidence + "\n" + p6.evidence)
        res = r.stop(signal.SIGINT)
        rep.check("SIGINT: exit 0 with the final summary",
                  res.rc == 0 and not res.killed and netns.FINAL_MARK in res.stdout,
                  res.evidence)
        netns.check_counters(rep, res, 0, min_echo4=p4.received, min_echo6=p6.received)


def stats_interval(args, rep, topo):
    with netns.Responder(topo, args.responder,
                         app_args=["--port", GOOD_PORT, "--stats-interval", "0.5"]) as r:
        r.start()
        p4 = topo.ping(["-c", "3", "-i", "0.2", "-w", "10", DUT_ADDR4])
        time.sleep(1.3)
        running = r.stdout()
        res = r.stop()
        periodic = [l for l in running.splitlines() if netns._PORT_LINE.match(l)]
        rep.check("--stats-interval 0.5: counter lines printed while running (>= 2 in ~2 s)",
                  len(periodic) >= 2 and p4.clean, netns.indent(running))
        last = netns.parse_summary(running).get(0)
        rep.check("--stats-interval: the periodic counters show the echo replies",
                  last is not None and last.replies.get("echo4_reply", 0) >= p4.received,
                  f"last periodic block: {last.lines if last else None}")
        rep.check("--stats-interval: SIGTERM still exits 0 with the final summary",
                  res.rc == 0 and netns.FINAL_MARK in res.stdout, res.evidence)


def body(args, rep):
    with netns.Topology(verbose=True) as topo:
        bad_options(args, rep, topo)
        sigint_stops(args, rep, topo)
        stats_interval(args, rep, topo)


if __name__ == "__main__":
    netns.test_main("integration/cli", body)
