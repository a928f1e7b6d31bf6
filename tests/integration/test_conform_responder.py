#!/usr/bin/python3
"""pingwire-conform against pingwire-responder --forward as the router under test
(conformutil's bench, rut="pingwire": the responder on net_af_xdp, port 1 with mtu=1400).

1. The catalogue with --send-redirects 1 --icmp-echo-enable-probe 1: exit 0, every check's
   verdict as EXPECTED (pass unless listed there).
2. --ratelimit at two settings of the responder's own options (--icmp-ratelimit,
   --icmp6-ratelimit, --icmp-msgs-per-sec, --icmp-msgs-burst): per-source rate and burst and
   the global rate within 10% of the options; frag-needed / PTB exempt (the default masks);
   time-exceeded and port-unreachable sharing a per-source bucket, IPv4 and IPv6 the global
   one, and the per-source limit first, as in Linux.
3. The same with --icmp-ratelimit-deterministic (every message costs exactly one global
   token): within 2%, longer steps, and the global bucket's cost reads "fixed".
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import conformutil as cu  # noqa: E402

EXPECTED = {
    "v6.ptb.mcast": ("not-applicable", "the responder routes no multicast"),
    "v4.ext.rfc4884": ("not-applicable", "the responder adds no RFC 4884 extensions"),
    "v6.ext.rfc4884": ("not-applicable", "the responder adds no RFC 4884 extensions"),
}


def catalogue(args, rep, topo):
    with cu.Responder(topo, args.responder, ["--send-redirects", "1",
                                             "--icmp-echo-enable-probe", "1"]):
        res = cu.conform(topo, args.conform, [])
    cu.check_catalogue(rep, res, EXPECTED, "pingwire-responder --forward")


def ratelimit(args, rep, topo, ms4, ms6, per_sec, burst, families, triggers,
              deterministic=False):
    opts = ["--icmp-ratelimit", str(ms4), "--icmp6-ratelimit", str(ms6), "--icmp-msgs-per-sec",
            str(per_sec), "--icmp-msgs-burst", str(burst)]
    extra = cu.ratelimit_args(families, triggers)
    if deterministic:
        opts.append("--icmp-ratelimit-deterministic")
        extra += ["--ratelimit-step", "3"]  # a longer steady part: 2% needs it
    with cu.Responder(topo, args.responder, opts):
        res = cu.conform(topo, args.conform, extra, timeout=600)
    # Random cost 0..2 (mean 1) as Linux unless deterministic; the responder's GCRA has no
    # refill period, so only "not randomised" is asserted when deterministic.
    cu.check_ratelimit(rep, res, " ".join(opts), families, triggers, ms4, ms6, per_sec,
                       0.02 if deterministic else 0.10,
                       "fixed" if deterministic else "any")


def body(args, rep):
    with cu.ConformTopology("pingwire") as topo:
        catalogue(args, rep, topo)
        ratelimit(args, rep, topo, 20, 50, 500, 50, (4, 6), ("time-exceeded", "port-unreachable", "frag-needed"))
        ratelimit(args, rep, topo, 50, 100, 300, 30, (4,), ("time-exceeded",))
        ratelimit(args, rep, topo, 20, 50, 500, 50, (4,), ("time-exceeded",),
                  deterministic=True)


if __name__ == "__main__":
    cu.main("integration/conform-responder", body, need_responder=True)
