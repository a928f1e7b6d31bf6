#!/usr/bin/python3
"""Path MTU discovery through pingwire-responder as a router (issue 4): the link toward B is
narrower than A's. Topology (netns.RouterTopology): A 198.18.1.2 -- [port 0 198.18.1.1 mtu
1500 | pingwire --forward | port 1 198.18.2.1 mtu 1400] -- B 198.18.2.2 (and the IPv6 twins,
2001:2:0:1::/64, 2001:2:0:2::/64). A's and B's own interfaces stay at 1500, as behind a
tunnel: B advertises MSS 1460, so A's TCP first sends 1500-byte segments and has to learn.

In this order (A's kernel must not know the path MTU before the first check; between the
steps `ip route flush cache` / `ip -6 route flush cache` in A forgets what it learnt, and
`ip route get` shows that it did):
- `ping -M do -s 1472` (a 1500-byte IPv4 packet, DF set): "Frag needed and DF set (mtu =
  1400)" from the router (RFC 1191: the next-hop MTU in the message); A's route cache then
  holds mtu 1400. `ping -6 -M do -s 1452`: "Packet too big: mtu=1400" (RFC 4443 3.2).
- `tracepath -n` and `tracepath -6 -n` to B: the router's hop reports pmtu 1400, and the
  resume line "pmtu 1400 hops 2 back 2".
- 10 MB over TCP from A to B, IPv4 and IPv6 (a server thread in B, the client in A, sockets
  made in the namespaces by this script): every byte arrives, SHA-256 equal; the client's
  TCP_INFO says pmtu 1400 (it learnt it during the transfer: the cache was flushed).
- `ping -M dont -s 1472` (DF clear): the router fragments to its egress MTU (RFC 791, RFC
  1812 5.2.6): B receives each request as 2 IPv4 fragments, none over 1400 bytes, offsets
  in 8-byte units, MF on the first; B's replies (1500 bytes, its MTU) come back whole.
- After SIGTERM: counters balance on both ports (forwarded + the extra fragments == fwd_sent
  + fwd_failed); drop mtu_exceeded == IcmpMsg OutType3 + Icmp6Msg OutType2 (each oversize
  packet got its error: Frag Needed / PTB are not rate-limited by default) and each is at
  least 3 (ping, tracepath, TCP); ttl_expired == the Time Exceeded sent (tracepath's hop 1);
  nothing else was dropped for routing and nothing failed to go out.
"""

import os
import re
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netns  # noqa: E402
from netns import B_ADDR4, B_ADDR6, R0_ADDR4, R0_ADDR6, indent  # noqa: E402

MTU = 1400
TCP_BYTES = 10 * 1000 * 1000
TCP_PORT = 5001
FRAG_PINGS = 3


def shown(topo, ns, cmd, cp) -> str:
    return f"$ {topo.cmdline(ns, cmd)}   (exit {cp.returncode})\n{indent(cp.stdout + cp.stderr)}"


def flush(topo, v6: bool) -> str:
    """Forgets A's learnt path MTU; returns `ip route get` afterwards (no 'mtu' expected)."""
    fam = "-6" if v6 else "-4"
    topo.a(["ip", fam, "route", "flush", "cache"], check=True)
    return topo.a(["ip", fam, "route", "get", B_ADDR6 if v6 else B_ADDR4]).stdout


def route_mtu(text: str) -> int | None:
    m = re.search(r"\bmtu (\d+)", text)
    return int(m.group(1)) if m else None


def check_ping_too_big(rep, topo, v6: bool) -> None:
    dst = B_ADDR6 if v6 else B_ADDR4
    before = topo.a(["ip", "-6" if v6 else "-4", "route", "get", dst]).stdout
    args = [*(["-6"] if v6 else []), "-c", "1", "-W", "2", "-M", "do", "-s",
            str(1500 - (48 if v6 else 28)), dst]
    p = topo.ping(args)
    after = topo.a(["ip", "-6" if v6 else "-4", "route", "get", dst]).stdout
    if v6:
        want = rf"From {re.escape(R0_ADDR6)} icmp_seq=1 Packet too big: mtu={MTU}"
        what = f'"Packet too big: mtu={MTU}" from the router'
    else:
        want = rf"From {re.escape(R0_ADDR4)} icmp_seq=1 Frag needed and DF set \(mtu = {MTU}\)"
        what = f'"Frag needed and DF set (mtu = {MTU})" from the router'
    lines = [ln.strip() for ln in p.output.splitlines() if ln.startswith("From ")]
    rep.check(f"ping {' '.join(args)} (1500 bytes, DF, A's kernel not yet knowing the path "
              f"MTU): {what}",
              route_mtu(before) is None and len(lines) == 1 and p.errors == 1
              and re.fullmatch(want, lines[0]) is not None,
              f"{p.evidence}\n  A's route before: {before.strip()}")
    rep.check(f"A's kernel took the router's word: `ip {'-6' if v6 else '-4'} route get {dst}` "
              f"shows mtu {MTU}", route_mtu(after) == MTU, after.strip())


def check_tracepath(rep, topo, v6: bool) -> None:
    dst = B_ADDR6 if v6 else B_ADDR4
    router = R0_ADDR6 if v6 else R0_ADDR4
    before = flush(topo, v6)
    cmd = ["tracepath", *(["-6"] if v6 else []), "-n", dst]
    cp = topo.a(cmd, timeout=60)
    out = cp.stdout
    hop_pmtu = re.search(rf"^\s*\d+:\s+{re.escape(router)}\s+.*\bpmtu {MTU}\b", out, re.M)
    resume = re.search(rf"Resume: pmtu {MTU} hops 2 back 2", out)
    reached = re.search(rf"^\s*2:\s+{re.escape(dst)}\s+.*reached", out, re.M)
    rep.check(f"`{' '.join(cmd)}` (A's cache flushed: {route_mtu(before) or 'no'} mtu): the "
              f"router's hop reports pmtu {MTU}, B reached at hop 2, 'Resume: pmtu {MTU} hops 2 "
              f"back 2'", cp.returncode == 0 and route_mtu(before) is None
              and bool(hop_pmtu and resume and reached), shown(topo, "a", cmd, cp))


def check_tcp(rep, topo, v6: bool) -> None:
    dst = B_ADDR6 if v6 else B_ADDR4
    before = flush(topo, v6)
    t = netns.tcp_transfer(topo.a_ns, topo.b_ns, dst, TCP_PORT, TCP_BYTES, timeout=40)
    after = topo.a(["ip", "-6" if v6 else "-4", "route", "get", dst]).stdout
    rep.check(f"TCP{'/IPv6' if v6 else ''} A -> B [{dst}]:{TCP_PORT}, {TCP_BYTES} bytes "
              f"(A's cache flushed first): all arrive, same SHA-256, and the sender learnt "
              f"pmtu {MTU} on the way (TCP_INFO; `ip route get` shows mtu {MTU})",
              t.ok and route_mtu(before) is None and t.pmtu == MTU
              and t.snd_mss <= MTU - (60 if v6 else 40) and route_mtu(after) == MTU,
              f"{t.evidence}\n  A's route before: {before.strip()}\n"
              f"  A's route after:  {after.strip()}")


def check_router_fragments(rep, topo) -> int:
    """ping -M dont -s 1472: the router fragments; returns the extra frames it sent (fragments
    beyond one per packet) as seen at B."""
    args = ["-c", str(FRAG_PINGS), "-i", "0.2", "-W", "2", "-M", "dont", "-s", "1472", B_ADDR4]
    with netns.L2Port(topo.b_ns, topo.b_if) as port:
        t0 = time.monotonic()
        p = topo.ping(args)
        time.sleep(0.2)
        frames = [f for _, f in port.received(t0)]
    frags = []  # (ip id, offset in bytes, MF, IP total length)
    for f in frames:
        if len(f) < 34 or f[12:14] != b"\x08\x00" or f[23] != 1:  # IPv4, ICMP
            continue
        ip = f[14:]
        if ip[16:20] != bytes(map(int, B_ADDR4.split("."))):
            continue
        ident, flags_off = struct.unpack("!HH", ip[4:8])
        mf, off = bool(flags_off & 0x2000), (flags_off & 0x1FFF) * 8
        if mf or off:
            frags.append((ident, off, mf, struct.unpack("!H", ip[2:4])[0]))
    by_id: dict[int, list] = {}
    for fr in frags:
        by_id.setdefault(fr[0], []).append(fr)
    shape_ok = len(by_id) == FRAG_PINGS and all(
        len(v) == 2 and sorted(x[1] for x in v)[0] == 0 and all(x[3] <= MTU for x in v)
        and sum(x[3] - 20 for x in v) == 1480
        and [x[2] for x in sorted(v, key=lambda x: x[1])] == [True, False]
        for v in by_id.values())
    ev = "\n".join(f"  at B: id {i:#06x}: " + ", ".join(
        f"offset {o} len {n}{' MF' if mf else ''}" for _, o, mf, n in sorted(v, key=lambda x: x[1]))
        for i, v in by_id.items()) or "  at B: no fragments seen"
    rep.check(f"ping -M dont -s 1472 (1500 bytes, DF clear) x{FRAG_PINGS}: all answered; the "
              f"router fragments each request to its egress MTU: B gets 2 fragments per "
              f"packet, each <= {MTU} bytes, MF on the first, 1480 payload bytes in all",
              p.clean and p.received == FRAG_PINGS and shape_ok, f"{p.evidence}\n{ev}")
    return sum(len(v) - 1 for v in by_id.values())


def body(args, rep):
    with netns.RouterTopology(verbose=True) as topo:
        app = topo.router_args(mtu1=MTU)
        with netns.Responder(topo, args.responder, app_args=app) as r:
            netns.log(f"$ {r.command_line}")
            r.start()
            # First, before anything teaches A's kernel the path MTU.
            check_ping_too_big(rep, topo, v6=False)
            check_ping_too_big(rep, topo, v6=True)
            check_tracepath(rep, topo, v6=False)
            check_tracepath(rep, topo, v6=True)
            check_tcp(rep, topo, v6=False)
            check_tcp(rep, topo, v6=True)
            extra = check_router_fragments(rep, topo)
            res = r.stop()
            pcs, rt = netns.check_router_counters(rep, res, (0, 1), extra_fragments=extra)
            if len(pcs) == 2:
                p0 = pcs[0]
                frag_needed, ptb = p0.msg("IcmpMsg", "OutType3"), p0.msg("Icmp6Msg", "OutType2")
                te4, te6 = p0.msg("IcmpMsg", "OutType11"), p0.msg("Icmp6Msg", "OutType3")
                mtu_drops, ttl_drops = p0.drop("mtu_exceeded"), p0.drop("ttl_expired")
                ev = (f"port 0: drop mtu_exceeded {mtu_drops} ttl_expired {ttl_drops}; IcmpMsg "
                      f"{p0.mib.get('IcmpMsg')}; Icmp6Msg {p0.mib.get('Icmp6Msg')}; "
                      f"errors {p0.errors}")
                rep.check("counters: drop mtu_exceeded == IcmpMsg OutType3 (Frag Needed) + "
                          "Icmp6Msg OutType2 (Packet Too Big), each >= 3 (ping, tracepath, TCP): "
                          "every oversize packet got its error, none rate-limited",
                          mtu_drops == frag_needed + ptb and frag_needed >= 3 and ptb >= 3, ev)
                rep.check("counters: drop ttl_expired (tracepath's hop-1 probes) == IcmpMsg "
                          "OutType11 + Icmp6Msg OutType3, and error sent == all the errors above",
                          ttl_drops == te4 + te6 and te4 >= 1 and te6 >= 1
                          and p0.error("sent") == frag_needed + ptb + te4 + te6, ev)
                routing = ("no_route", "route_reject", "acl_denied", "route_blackhole",
                           "neigh_queue_full", "fragment_failed")
                bad = {f"port {i} {k}": pc.drop(k) for i, pc in pcs.items() for k in routing
                       if pc.drop(k)}
                bad.update({f"port {i} fwd_failed": pc.fwd_failed for i, pc in pcs.items()
                            if pc.fwd_failed})
                rep.check("counters: no other routing drop (no_route, reject, deny, blackhole, "
                          "neigh_queue_full, fragment_failed) and no fwd_failed on either port",
                          not bad, f"{bad}")
                rep.check("counters: forwarded > 0 on both ports",
                          pcs[0].forwarded > 0 and pcs[1].forwarded > 0,
                          f"port 0 forwarded {pcs[0].forwarded}, port 1 forwarded "
                          f"{pcs[1].forwarded}")
            if rt is not None:
                n4, n6 = rt.neighbour(B_ADDR4, 1), rt.neighbour(B_ADDR6, 1)
                rep.check("neighbour lines: B's addresses on port 1 with B's MAC, reachable or "
                          "stale", all(n is not None and n.mac == topo.b_mac.lower()
                                       and n.state in ("reachable", "stale") for n in (n4, n6)),
                          rt.text)


if __name__ == "__main__":
    netns.test_main("integration/router-pmtu", body, extra_tools=("tracepath", "ethtool"))
