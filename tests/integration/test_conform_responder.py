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
    if deterministic:
        opts.append("--icmp-ratelimit-deterministic")
    what = " ".join(opts)
    tol = 0.02 if deterministic else 0.10
    extra = ["--only", "v4.te.ttl1", "--ratelimit", "--ratelimit-rates", "10,100,1000,10000"]
    if deterministic:
        extra += ["--ratelimit-step", "3"]
    for f in families:
        extra += ["--ratelimit-family", str(f)]
    for t in triggers:
        extra += ["--ratelimit-trigger", t]
    with cu.Responder(topo, args.responder, opts):
        res = cu.conform(topo, args.conform, extra, timeout=500)
    rep.check(f"{what}: exit 0, the rate-limit table printed",
              res.rc == 0 and "TRIGGER" in res.stdout, res.evidence)
    for f in families:
        ms = ms4 if f == 4 else ms6
        cu.check_model(rep, res, what, "time-exceeded", f, "per-source", 1000 / ms, 6, tol)
        cu.check_model(rep, res, what, "time-exceeded", f, "global", per_sec, None, tol)
        if deterministic:
            g = res.models("time-exceeded", f).get("global") or {}
            rep.check(f"{what}: v{f} global cost reads fixed", g.get("cost") in ("fixed", "unknown")
                      and g.get("cost") != "randomised", str(g)[:800])
        if "frag-needed" in triggers:
            m = res.models("frag-needed", f)
            rep.check(f"{what}: frag-needed v{f} not limited (scope none: exempt)",
                      list(m.keys()) == ["none"], str(m)[:800])
        if "port-unreachable" in triggers:
            e = cu.experiment(res, f"shares: time-exceeded v{f} / port-unreachable v{f} "
                                   f"(per-source)")
            rep.check(f"{what}: time-exceeded and port-unreachable v{f} share one per-source "
                      f"bucket", e is not None and e["verdict"] == "shared", str(e))
    if "port-unreachable" in triggers and 4 in families and 6 in families:
        e = cu.experiment(res, "shares: time-exceeded v4 / time-exceeded v6 (global)")
        rep.check(f"{what}: IPv4 and IPv6 share the global bucket",
                  e is not None and e["verdict"] == "shared", str(e))
        e = cu.experiment(res, "order of the per-source and global limits")
        rep.check(f"{what}: the per-source limit applies before the global one is spent "
                  f"(Linux since the CVE-2024-47678 fix)",
                  e is not None and e["verdict"].startswith("per-source first"), str(e))


def body(args, rep):
    with cu.ConformTopology("pingwire") as topo:
        catalogue(args, rep, topo)
        ratelimit(args, rep, topo, 20, 50, 500, 50, (4, 6), ("time-exceeded", "port-unreachable", "frag-needed"))
        ratelimit(args, rep, topo, 50, 100, 300, 30, (4,), ("time-exceeded",))
        ratelimit(args, rep, topo, 20, 50, 500, 50, (4,), ("time-exceeded",),
                  deterministic=True)


if __name__ == "__main__":
    cu.main("integration/conform-responder", body, need_responder=True)
