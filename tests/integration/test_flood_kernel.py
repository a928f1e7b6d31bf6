#!/usr/bin/python3
"""pingwire-flood against a Linux kernel peer (docs/flood.md), over a veth pair: the flood on
net_af_packet in one namespace (its kernel end silent), the peer a plain Linux namespace with
198.18.0.1/24 and 2001:2::1/64 (netns.Topology: "host" is the peer, "dut" the flood).

1. 200000 echo requests at 20000 pps to one target, IPv4 then IPv6
   (`--count 200000 --rate 20000`):
   - exit 0; the ready and PING lines; the summary in ping's shape ("N packets transmitted,
     M received, +D duplicates, X% packet loss, time Tms", "rtt min/avg/max/mdev = ...")
     and equal to the JSON;
   - transmitted == 200000, and the peer's kernel saw them all (nstat IcmpInEchos /
     Icmp6InEchos delta == 200000);
   - received (JSON) == the peer's IcmpOutEchoReps / Icmp6OutEchoReplies delta, exactly;
   - the rate a tcpdump capture on the peer's veth sees (echo requests - 1 over the span of
     their timestamps, ns precision) is within 1% of 20000 and it captured all 200000;
   - the live line every second on stderr (IPv4 run), none with --quiet (IPv6 run).
   A run whose capture shows the requests stopping for more than 0.2 s (the sender was not
   running: the machine stalled) is shown and done once more; the second is judged.
2. A target that does not answer (net.ipv4.icmp_echo_ignore_all=1 / net.ipv6.icmp.
   echo_ignore_all=1 in the peer): exit 1, 100% packet loss, received 0.
3. An on-link target that does not exist (198.18.0.99, 2001:2::99): exit 2 after the
   resolve timeout (3 s), exactly one 'pingwire-flood: error:' line on stderr (the EAL's own
   log lines may be there too: this is after the EAL started), "pingwire-flood: error: no
   ARP reply from 198.18.0.99 on port 0 after 3 s" (IPv6: that line's shape naming
   2001:2::99).
4. Bad options, each with the full command (EAL options and the veth): an invalid address,
   an IPv6 target on a port without an IPv6 address, --size 8 (below the 32-byte stamp),
   more targets than --max-targets, no --dst: exit 2 and exactly one line on stderr (option
   mistakes are found before the EAL starts, as pingwire-responder does: no EAL lines).
   (--count 0 is shown, not judged: docs/flood.md does not say what it means.)
"""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import floodutil as fu  # noqa: E402
import netns  # noqa: E402
from floodutil import PEER_ADDR4, PEER_ADDR6, FLOOD_ADDR4  # noqa: E402

COUNT = 200_000
RATE = 20_000
STALL_S = 0.2  # a gap between two requests this long means the sender was not running


def max_gap(pkts) -> tuple[float, float]:
    """The longest gap between consecutive captured frames (s) and when it began (s from the
    first frame)."""
    best, at = 0.0, 0.0
    for (t0, _), (t1, _) in zip(pkts, pkts[1:]):
        if t1 - t0 > best * 1e9:
            best, at = (t1 - t0) / 1e9, (t0 - pkts[0][0]) / 1e9
    return best, at
RE_READY = re.compile(r"^pingwire-flood: ready \((\d+) ports?, (\d+) workers?\)$", re.M)
RE_LIVE = re.compile(r"^\[\s*\d+\.\d s\] sent \d+ received \d+ tx \d+ pps rx \d+ pps "
                     r"loss \d+(?:\.\d+)?% p50 \d+\.\d+ ms p99 \d+\.\d+ ms$")


def flood_run(args, rep, topo, v6: bool):
    fam = "IPv6" if v6 else "IPv4"
    target = PEER_ADDR6 if v6 else PEER_ADDR4
    k_in, k_out = (("Icmp6InEchos", "Icmp6OutEchoReplies") if v6
                   else ("IcmpInEchos", "IcmpOutEchoReps"))
    bpf = (f"icmp6 and ip6[40] == 128 and dst host {target}" if v6
           else f"icmp[icmptype] == icmp-echo and dst host {target}")
    extra = ["--quiet"] if v6 else []
    fl = fu.flood_on(topo, args.flood, fu.port_spec() + ["--dst", target, "--count", str(COUNT),
                                                         "--rate", str(RATE), *extra])
    for attempt in (1, 2):
        before = fu.nstat_abs(topo.host_ns)
        with fu.Capture(topo.host_ns, topo.host_if, bpf, snaplen=96) as cap:
            res = fl.run(timeout=90)
            cstats = cap.stop()
            pkts = cap.packets()
        after = fu.nstat_abs(topo.host_ns)
        gap, at = max_gap(pkts)
        if gap <= STALL_S or attempt == 2:
            break
        # The requests stopped for a while and then came in a burst (the pacer catching up
        # on its absolute schedule): the sender was not running. Seen once in several runs
        # on a shared 2-vCPU VM (2.5 s, both TX and RX of the flood, max RTT 2523 ms) and
        # not reproducible with 3 CPU hogs on 2 CPUs: a stall of the machine says nothing
        # about the pacer, so such a run is shown and done once more.
        netns.log(f"NOTE: {fam}: the peer's capture has a {gap * 1e3:.1f} ms gap between two "
                  f"requests at {at:.3f} s into the run (normal: {1e3 / RATE:.3f} ms): the "
                  f"sender stalled; this run, for the record:\n{res.evidence}\n"
                  f"  running it once more")
        fl = fu.flood_on(topo, args.flood, fl.app_args)
    if gap > STALL_S:
        netns.log(f"NOTE: {fam}: the second run stalled too ({gap * 1e3:.1f} ms gap at "
                  f"{at:.3f} s): judged as it is")
    d_in, d_out = fu.nstat_delta(before, after, k_in), fu.nstat_delta(before, after, k_out)
    netns.log(res.evidence)

    rep.check(f"{fam} flood {target}: exits 0", res.rc == 0 and not res.killed,
              f"exit code {res.rc}")
    m = RE_READY.search(res.stdout)
    rep.check(f"{fam}: ready line 'pingwire-flood: ready (1 ports, N workers)'",
              m is not None and m.group(1) == "1", m.group(0) if m else res.stdout[-1500:])
    want_ping = f"PING {target}: 56 data bytes, 1 target, rate {RATE} pps, {COUNT} probes"
    rep.check(f"{fam}: header line '{want_ping}'", res.ping_line == want_ping,
              f"got: {res.ping_line!r}")
    fu.check_ping_shape(rep, res, target=target)
    j = res.json or {}
    rep.check(f"{fam}: transmitted == {COUNT} (JSON and statistics line)",
              j.get("transmitted") == COUNT and res.stats is not None
              and res.stats["transmitted"] == COUNT,
              f"{res.stats_line}\n{res.json_brief()}")
    rep.check(f"{fam}: the peer's kernel received every request: nstat {k_in} delta == "
              f"{COUNT}", d_in == COUNT, f"{k_in}: {before.get(k_in)} -> {after.get(k_in)} "
              f"(delta {d_in})")
    rep.check(f"{fam}: received (JSON) == the peer's nstat {k_out} delta, exactly",
              j.get("received") == d_out and d_out > 0,
              f"{k_out}: {before.get(k_out)} -> {after.get(k_out)} (delta {d_out}); "
              f"{res.json_brief()}")
    rep.check(f"{fam}: lost == transmitted - received, loss_percent agrees",
              j.get("lost") == (j.get("transmitted", 0) - j.get("received", 0))
              and abs(float(j.get("loss_percent", -1)) - 100.0 * j.get("lost", 0)
                      / max(1, j.get("transmitted", 1))) < 0.01, res.json_brief())
    hosts = j.get("hosts") or []
    rep.check(f"{fam}: JSON hosts: one, {target}, transmitted {COUNT}, received == received",
              len(hosts) == 1 and res.host(target) is not None
              and res.host(target).get("transmitted") == COUNT
              and res.host(target).get("received") == j.get("received"),
              f"hosts: {hosts}")
    rate = j.get("rate") or {}
    rep.check(f"{fam}: rate line 'rate: asked {RATE} pps, achieved ...' and JSON rate "
              f"asked_pps {RATE}, short false", res.rate_line.startswith(f"rate: asked {RATE} pps, "
                                                                           "achieved ")
              and rate.get("asked_pps") == RATE and rate.get("short") is False,
              f"{res.rate_line!r}; JSON rate {rate}")
    # The rate on the wire, as the peer saw it.
    n = len(pkts)
    span = (pkts[-1][0] - pkts[0][0]) / 1e9 if n > 1 else 0.0
    wire = (n - 1) / span if span > 0 else 0.0
    ev = (f"$ {cap.command_line}\n  tcpdump: {cstats}; {n} echo requests in the file, first "
          f"to last {span:.6f} s ({'ns' if cap.nano else 'us'} timestamps): "
          f"{wire:.1f} pps (asked {RATE}, {100 * (wire - RATE) / RATE:+.3f}%); longest gap "
          f"{gap * 1e3:.3f} ms at {at:.3f} s")
    rep.check(f"{fam}: tcpdump on the peer's veth captured all {COUNT} requests "
              f"(none dropped by the kernel)", n == COUNT and cstats.get("dropped") == 0, ev)
    rep.check(f"{fam}: the rate on the wire (tcpdump timestamps) is within 1% of {RATE} pps",
              abs(wire - RATE) <= 0.01 * RATE, ev)
    live = [ln for ln in res.stderr_lines if RE_LIVE.match(ln)]
    if v6:
        rep.check(f"{fam}: --quiet: no live line on stderr", not live, netns.indent(res.stderr))
    else:
        secs = COUNT // RATE
        rep.check(f"{fam}: a live line every second on stderr ('[  1.0 s] sent N received N tx "
                  f"N pps rx N pps loss X% p50 X ms p99 X ms'), at least {secs - 1} of them",
                  len(live) >= secs - 1,
                  netns.indent("\n".join(live[:3] + ["..."] + live[-2:]) if live
                               else res.stderr))


def no_answer(args, rep, topo, v6: bool):
    fam = "IPv6" if v6 else "IPv4"
    target = PEER_ADDR6 if v6 else PEER_ADDR4
    key = "net.ipv6.icmp.echo_ignore_all" if v6 else "net.ipv4.icmp_echo_ignore_all"
    cmd = fu.sysctl(topo.host_ns, key, 1)
    try:
        res = fu.flood_on(topo, args.flood, fu.port_spec() + [
            "--dst", target, "--count", "200", "--rate", "1000", "--quiet"]).run(timeout=60)
    finally:
        fu.sysctl(topo.host_ns, key, 0)
    j = res.json or {}
    rep.check(f"{fam} target that ignores echo ({cmd}): exit 1, '200 packets transmitted, 0 "
              f"received, +0 duplicates, 100% packet loss', JSON received 0",
              res.rc == 1 and res.stats is not None and res.stats["transmitted"] == 200
              and res.stats["received"] == 0 and res.stats["loss_pct"] == 100.0
              and j.get("received") == 0 and j.get("transmitted") == 200,
              f"{res.evidence}\n{res.json_brief()}")


def unresolved(args, rep, topo, v6: bool):
    ghost = "2001:2::99" if v6 else "198.18.0.99"
    res = fu.flood_on(topo, args.flood, fu.port_spec() + [
        "--dst", ghost, "--count", "10", "--quiet"]).run(timeout=60)
    if v6:
        # docs/flood.md spells the IPv4 line only; the IPv6 one has its shape.
        fu.check_one_error(rep, f"IPv6 on-link target {ghost} that nobody holds", res,
                           pattern=rf"pingwire-flood: error: no [A-Za-z ]+ from "
                                   rf"{re.escape(ghost)} on port 0 after 3 s",
                           stderr_only_that=False)
    else:
        fu.check_one_error(rep, f"IPv4 on-link target {ghost} that nobody holds", res,
                           exact=f"pingwire-flood: error: no ARP reply from {ghost} on port 0 "
                                 f"after 3 s", stderr_only_that=False)
    rep.check(f"{'IPv6' if v6 else 'IPv4'} unresolved {ghost}: it waited the resolve timeout "
              f"(>= 3 s) and not much more (< 15 s)", 3.0 <= res.seconds < 15,
              f"ran {res.seconds:.2f} s")


def bad_options(args, rep, topo):
    v4_only = fu.port_spec(addrs=(f"{FLOOD_ADDR4}/24",))
    cases = [
        ("an invalid address (--dst 198.18.0.300)", fu.port_spec() + ["--dst", "198.18.0.300"]),
        ("an IPv6 target on a port with no IPv6 address", v4_only + ["--dst", PEER_ADDR6]),
        ("--size 8 (below the 32-byte stamp)", fu.port_spec() + ["--dst", PEER_ADDR4,
                                                                  "--size", "8"]),
        ("more targets than --max-targets (14 > 4)",
         fu.port_spec() + ["--dst", "198.18.0.16/28", "--max-targets", "4"]),
        ("no --dst", fu.port_spec()),
        ("--probe timestamp toward an IPv6 target (RFC 792 is IPv4 only)",
         fu.port_spec() + ["--dst", PEER_ADDR6, "--probe", "timestamp"]),
        ("a rate above what any port carries (--rate 300000000)",
         fu.port_spec() + ["--dst", PEER_ADDR4, "--rate", "300000000"]),
    ]
    for what, app in cases:
        res = fu.flood_on(topo, args.flood, app + ["--count", "3"]).run(timeout=30)
        fu.check_one_error(rep, f"bad option: {what}", res)
    # Known only once the port is up (its MTU): the one error line among EAL's own.
    res = fu.flood_on(topo, args.flood, fu.port_spec() + [
        "--dst", PEER_ADDR4, "--size", "1480", "--count", "3"]).run(timeout=30)
    fu.check_one_error(rep, "--size 1480: a probe larger than the port MTU 1500", res,
                       pattern=r"pingwire-flood: error: --size 1480: a probe of 1508 bytes is "
                               r"larger than port 0's MTU 1500 .*", stderr_only_that=False)
    # --count 0: docs/flood.md does not say; shown for the record.
    res = fu.flood_on(topo, args.flood, fu.port_spec() + [
        "--dst", PEER_ADDR4, "--count", "0", "--quiet"]).run(timeout=30)
    netns.log(f"NOTE (not judged: docs/flood.md does not define --count 0):\n{res.evidence}")


def body(args, rep):
    with netns.Topology(verbose=True) as topo:
        fu.prepare_peer(topo)
        flood_run(args, rep, topo, v6=False)
        flood_run(args, rep, topo, v6=True)
        no_answer(args, rep, topo, v6=False)
        no_answer(args, rep, topo, v6=True)
        unresolved(args, rep, topo, v6=False)
        unresolved(args, rep, topo, v6=True)
        bad_options(args, rep, topo)


if __name__ == "__main__":
    fu.flood_main("integration/flood-kernel", body, extra_tools=("nstat", "tcpdump", "ethtool"))
