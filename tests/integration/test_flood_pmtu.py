#!/usr/bin/python3
"""pingwire-flood --pmtu through a Linux router (docs/flood.md, "Path MTU mode"):

    F [pingwire-flood 198.18.1.2, 2001:2:0:1::2, net_af_packet, mtu 1500]
      <-veth-> R (Linux, ip_forward=1, forwarding=1) 198.18.1.1 | 198.18.2.1
      <-veth mtu 1400-> T 198.18.2.2, 2001:2:0:2::2            (floodutil.ChainTopology)

- `--pmtu --dst 198.18.2.2 --gw 198.18.1.1`: "pmtu 1400 (frag needed from 198.18.1.1,
  mtu=1400)", exit 0; JSON pmtu {verdict pmtu, pmtu 1400, told_mtu 1400, told_by
  198.18.1.1}; the router sent Frag Needed (its IcmpOutDestUnreachs grew). The router keeps
  Linux's default ICMP rate limits (6 errors a burst per destination, then 1/s): a search
  that needs more than that from one router is not one that works on the Internet.
- the same with an nftables rule on the router dropping its own Frag Needed (output hook,
  `icmp type destination-unreachable icmp code frag-needed`, counted): "pmtu black hole:
  sizes above 1400 vanish with no ICMP answer (1400 passes)", exit 0, JSON verdict
  black_hole, pmtu 1400; the rule's counter > 0.
- IPv6 (`--dst 2001:2:0:2::2 --gw 2001:2:0:1::1`): "pmtu 1400 (... from 2001:2:0:1::1,
  mtu=1400)" from the Packet Too Big (docs/flood.md spells the IPv4 line only: the IPv6 one
  is checked for its shape and numbers, and the JSON for told_by / told_mtu); then the black
  hole with the router's Packet Too Big dropped (`icmpv6 type packet-too-big`).
- on-link, to the router itself (198.18.1.1): "pmtu 1500 (the port MTU: every size passed)".
- a target that answers nothing (T with icmp_echo_ignore_all=1): "pmtu: no answer from the
  target at all (68 bytes)", exit 1.
"""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import floodutil as fu  # noqa: E402
import netns  # noqa: E402

MTU = 1400
C = fu.ChainTopology


def pmtu_run(args, topo, dst: str, gw: str | None) -> fu.FloodResult:
    app = fu.port_spec(addrs=(f"{C.F4}/24", f"{C.F6}/64")) + ["--pmtu", "--dst", dst]
    if gw:
        app += ["--gw", gw]
    return fu.Flood(args.flood, topo.dut_ns, topo.vdevs(), app + ["--quiet"],
                    tag=topo.tag).run(timeout=90)


def check_verdict(rep, res, what: str, line: str | None, *, pattern: str | None = None,
                  rc: int = 0, verdict: str, pmtu: int | None, told_by: str | None = None,
                  told_mtu: int | None = None) -> None:
    got = res.pmtu_lines
    if line is not None:
        ok_line = got == [line]
        want = f"'{line}'"
    else:
        ok_line = len(got) == 1 and re.fullmatch(pattern, got[0]) is not None
        want = f"/{pattern}/"
    rep.check(f"{what}: exit {rc} and the one pmtu line {want}",
              res.rc == rc and not res.killed and ok_line, res.evidence)
    pj = (res.json or {}).get("pmtu")
    ok = isinstance(pj, dict) and pj.get("verdict") == verdict
    if ok and pmtu is not None:
        ok = pj.get("pmtu") == pmtu
    if ok and told_by is not None:
        ok = fu.norm_addr(pj.get("told_by")) == fu.norm_addr(told_by) \
            and pj.get("told_mtu") == told_mtu
    rep.check(f"{what}: JSON pmtu: verdict {verdict}"
              + (f", pmtu {pmtu}" if pmtu is not None else "")
              + (f", told_mtu {told_mtu}, told_by {told_by}" if told_by else ""),
              ok, f"JSON pmtu: {pj}")


def body(args, rep):
    with C(mtu=MTU) as topo:
        r = topo.r_ns
        # IPv4: Frag Needed from the router.
        before = fu.nstat_abs(r)
        res = pmtu_run(args, topo, C.T4, C.R04)
        after = fu.nstat_abs(r)
        sent = fu.nstat_delta(before, after, "IcmpOutDestUnreachs")
        check_verdict(rep, res, f"IPv4 --pmtu --dst {C.T4} --gw {C.R04}",
                      f"pmtu {MTU} (frag needed from {C.R04}, mtu={MTU})", verdict="pmtu",
                      pmtu=MTU, told_by=C.R04, told_mtu=MTU)
        rep.check("IPv4: the router did send Frag Needed (its IcmpOutDestUnreachs grew)",
                  sent > 0, f"router IcmpOutDestUnreachs delta {sent}")

        # IPv4 black hole: the router's Frag Needed dropped on its way out.
        rs = fu.nft_apply(r, """table ip pwfbh {
  counter fragneeded {}
  chain out {
    type filter hook output priority 0; policy accept;
    icmp type destination-unreachable icmp code frag-needed counter name fragneeded drop
  }
}""")
        netns.log(f"router {r}:\n{netns.indent(rs)}")
        res = pmtu_run(args, topo, C.T4, C.R04)
        dropped, _ = fu.nft_counter(r, "ip", "pwfbh", "fragneeded")
        fu.ns_run(r, ["nft", "delete", "table", "ip", "pwfbh"])
        check_verdict(rep, res, "IPv4 black hole (router's Frag Needed dropped)",
                      f"pmtu black hole: sizes above {MTU} vanish with no ICMP answer "
                      f"({MTU} passes)", verdict="black_hole", pmtu=MTU)
        rep.check("IPv4 black hole: the router's rule dropped Frag Needed messages (counter > 0)",
                  dropped > 0, f"counter fragneeded: {dropped} packets")

        # IPv6: Packet Too Big.
        before = fu.nstat_abs(r)
        res = pmtu_run(args, topo, C.T6, C.R06)
        after = fu.nstat_abs(r)
        sent = fu.nstat_delta(before, after, "Icmp6OutPktTooBigs")
        check_verdict(rep, res, f"IPv6 --pmtu --dst {C.T6} --gw {C.R06}", None,
                      pattern=rf"pmtu {MTU} \([a-z ]+ from {re.escape(C.R06)}, mtu={MTU}\)",
                      verdict="pmtu", pmtu=MTU, told_by=C.R06, told_mtu=MTU)
        rep.check("IPv6: the router did send Packet Too Big (Icmp6OutPktTooBigs grew)",
                  sent > 0, f"router Icmp6OutPktTooBigs delta {sent}")
        rs = fu.nft_apply(r, """table ip6 pwfbh {
  counter ptb {}
  chain out {
    type filter hook output priority 0; policy accept;
    icmpv6 type packet-too-big counter name ptb drop
  }
}""")
        netns.log(f"router {r}:\n{netns.indent(rs)}")
        res = pmtu_run(args, topo, C.T6, C.R06)
        dropped, _ = fu.nft_counter(r, "ip6", "pwfbh", "ptb")
        fu.ns_run(r, ["nft", "delete", "table", "ip6", "pwfbh"])
        check_verdict(rep, res, "IPv6 black hole (router's Packet Too Big dropped)",
                      f"pmtu black hole: sizes above {MTU} vanish with no ICMP answer "
                      f"({MTU} passes)", verdict="black_hole", pmtu=MTU)
        rep.check("IPv6 black hole: the router's rule dropped Packet Too Big (counter > 0)",
                  dropped > 0, f"counter ptb: {dropped} packets")

        # On-link, every size passes.
        res = pmtu_run(args, topo, C.R04, None)
        check_verdict(rep, res, f"IPv4 --pmtu --dst {C.R04} (on-link, the router itself)",
                      "pmtu 1500 (the port MTU: every size passed)", verdict="pmtu", pmtu=1500)

        # A target that answers nothing at all.
        netns.log(fu.sysctl(topo.b_ns, "net.ipv4.icmp_echo_ignore_all", 1))
        res = pmtu_run(args, topo, C.T4, C.R04)
        check_verdict(rep, res, f"IPv4 --pmtu --dst {C.T4}, the target ignoring echo",
                      "pmtu: no answer from the target at all (68 bytes)", rc=1,
                      verdict="no_answer", pmtu=None)


if __name__ == "__main__":
    fu.flood_main("integration/flood-pmtu", body, extra_tools=("nft", "nstat", "ethtool"))
