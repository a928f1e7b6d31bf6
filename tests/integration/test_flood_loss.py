#!/usr/bin/python3
"""pingwire-flood counts loss, duplicates, reordering and corruption exactly (docs/flood.md),
against peers that cause them on purpose and count what they did:

1. Loss: nftables in the Linux peer drops echo replies at random (output hook,
   `numgen random mod 10 0`, a named counter): 20000 probes at 10000 pps, IPv4 and IPv6;
   reported lost == the rule's packet counter, exactly; received == the peer's
   IcmpOutEchoReps (Icmp6OutEchoReplies) delta - the counter; no duplicates.
2. Duplication: a postrouting rule `dup to <the flood's address> device <veth>` on every 7th
   echo reply (`numgen inc mod 7 0`, counted); the copies themselves pass the chain again
   (as conntrack-untracked packets, counted apart and not duplicated again): reported
   duplicates == the rule's counter, exactly, and == the copies seen; received ==
   transmitted == the peer's echo replies. IPv4 and IPv6 (nf_dup_ipv6). With
   --capture-anomalies: the pcapng holds one packet per duplicate.
   (Both rulesets were first checked with iputils ping from a kernel in the flood's place:
   its "lost" and "+N duplicates" equal the counters.)
3. Reordering and corruption: flood_peer.py, a raw AF_PACKET peer, answers every echo
   request itself (the peer's kernel ignores echo: icmp_echo_ignore_all=1,
   net.ipv6.icmp.echo_ignore_all=1, and keeps answering ARP / NS). It holds back about 2% of
   the replies until the next 2 valid replies have gone out (reordered: each held reply's
   probe number is then below one already answered, pingwire-flood's definition, and counts
   once) and flips one payload byte (after the 32-byte stamp) in about 2% of the others,
   with the ICMP checksum recomputed, so only the stamp's check can tell. Its JSON log
   counts both: reported reordered == its reordered, corrupted == its corrupted, received
   == its intact replies, no duplicates, none late, none unmatched. IPv4 and IPv6.
"""

import json
import os
import struct
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import floodutil as fu  # noqa: E402
import netns  # noqa: E402
from floodutil import PEER_ADDR4, PEER_ADDR6, FLOOD_ADDR4, FLOOD_ADDR6  # noqa: E402

N = 20_000
RATE = 10_000
PEER_N = 6_000
PEER_RATE = 3_000


def fam_of(v6: bool):
    if v6:
        return ("IPv6", "ip6", "icmpv6", PEER_ADDR6, FLOOD_ADDR6, "Icmp6InEchos",
                "Icmp6OutEchoReplies")
    return ("IPv4", "ip", "icmp", PEER_ADDR4, FLOOD_ADDR4, "IcmpInEchos", "IcmpOutEchoReps")


def pcapng_packets(path: str) -> int:
    """Packets (enhanced / simple packet blocks) in a pcapng file; -1 when not readable."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return -1
    off, n, endian = 0, 0, "<"
    while off + 12 <= len(data):
        btype = struct.unpack_from("<I", data, off)[0]
        if btype == 0x0A0D0D0A:
            endian = "<" if struct.unpack_from("<I", data, off + 8)[0] == 0x1A2B3C4D else ">"
        btype, blen = struct.unpack_from(endian + "II", data, off)
        if blen < 12:
            return -1
        if btype in (3, 6):
            n += 1
        off += blen
    return n


def random_loss(args, rep, topo, v6: bool):
    fam, nfam, icmp, target, _, _k_in, k_out = fam_of(v6)
    ruleset = f"""table {nfam} pwfloss {{
  counter dropped {{}}
  chain out {{
    type filter hook output priority 0; policy accept;
    {icmp} type echo-reply numgen random mod 10 0 counter name dropped drop
  }}
}}"""
    fu.nft_apply(topo.host_ns, ruleset)
    try:
        before = fu.nstat_abs(topo.host_ns)
        res = fu.flood_on(topo, args.flood, fu.port_spec() + [
            "--dst", target, "--count", str(N), "--rate", str(RATE), "--quiet"]).run(timeout=60)
        after = fu.nstat_abs(topo.host_ns)
        dropped, _ = fu.nft_counter(topo.host_ns, nfam, "pwfloss", "dropped")
        listing = fu.nft_list(topo.host_ns, nfam, "pwfloss")
    finally:
        fu.ns_run(topo.host_ns, ["nft", "delete", "table", nfam, "pwfloss"], check=False)
    out = fu.nstat_delta(before, after, k_out)
    j = res.json or {}
    ev = (f"{res.evidence}\n{res.json_brief()}\n  peer's nft (after the run):\n"
          f"{netns.indent(listing)}\n  nstat {k_out} delta {out}")
    rep.check(f"{fam} random loss: the run ends with exit 0 and {N} transmitted",
              res.rc == 0 and j.get("transmitted") == N, ev)
    rep.check(f"{fam} random loss: the rule dropped some (about 10%: 1000 < {dropped} < 3000)",
              1000 < dropped < 3000, f"counter dropped: {dropped} packets")
    rep.check(f"{fam} random loss: reported lost == the nft counter ({dropped}), exactly",
              j.get("lost") == dropped and res.stats is not None
              and res.stats["transmitted"] - res.stats["received"] == dropped,
              f"JSON lost {j.get('lost')}; {res.stats_line}; counter {dropped}")
    rep.check(f"{fam} random loss: received == the peer's {k_out} delta - dropped, no "
              f"duplicates", j.get("received") == out - dropped and j.get("duplicates") == 0,
              f"received {j.get('received')}, {k_out} delta {out}, dropped {dropped}, "
              f"duplicates {j.get('duplicates')}")


def duplication(args, rep, topo, v6: bool, tmp: str):
    fam, nfam, icmp, target, me, _k_in, k_out = fam_of(v6)
    ruleset = f"""table {nfam} pwfdup {{
  counter dups {{}}
  counter copies {{}}
  chain post {{
    type filter hook postrouting priority 0; policy accept;
    {icmp} type echo-reply ct state untracked counter name copies accept
    {icmp} type echo-reply numgen inc mod 7 0 counter name dups dup to {me} device {topo.host_if}
  }}
}}"""
    fu.nft_apply(topo.host_ns, ruleset)
    anomalies = os.path.join(tmp, f"dup{'6' if v6 else '4'}.pcapng")
    try:
        before = fu.nstat_abs(topo.host_ns)
        res = fu.flood_on(topo, args.flood, fu.port_spec() + [
            "--dst", target, "--count", str(N), "--rate", str(RATE), "--quiet",
            "--capture-anomalies", anomalies]).run(timeout=60)
        after = fu.nstat_abs(topo.host_ns)
        dups, _ = fu.nft_counter(topo.host_ns, nfam, "pwfdup", "dups")
        copies, _ = fu.nft_counter(topo.host_ns, nfam, "pwfdup", "copies")
        listing = fu.nft_list(topo.host_ns, nfam, "pwfdup")
    finally:
        fu.ns_run(topo.host_ns, ["nft", "delete", "table", nfam, "pwfdup"], check=False)
    out = fu.nstat_delta(before, after, k_out)
    j = res.json or {}
    ev = (f"{res.evidence}\n{res.json_brief()}\n  peer's nft (after the run):\n"
          f"{netns.indent(listing)}\n  nstat {k_out} delta {out}")
    rep.check(f"{fam} duplication: exit 0, {N} transmitted", res.rc == 0
              and j.get("transmitted") == N, ev)
    rep.check(f"{fam} duplication: the rule duplicated every 7th reply ({dups} ~ {N // 7}) and "
              f"each copy left (copies counter {copies} == {dups})",
              abs(dups - N / 7) <= 2 and copies == dups, f"dups {dups}, copies {copies}")
    rep.check(f"{fam} duplication: reported duplicates == the nft counter ({dups}), exactly "
              f"(JSON and '+D duplicates')",
              j.get("duplicates") == dups and res.stats is not None
              and res.stats["duplicates"] == dups,
              f"JSON duplicates {j.get('duplicates')}; {res.stats_line}")
    rep.check(f"{fam} duplication: received == the peer's {k_out} delta ({out}), duplicates "
              f"not counted as received", j.get("received") == out, res.json_brief())
    n = pcapng_packets(anomalies)
    rep.check(f"{fam} duplication: --capture-anomalies wrote one packet per duplicate "
              f"({dups})", n == j.get("duplicates") == dups,
              f"{anomalies}: {n} packets (-1: missing or unreadable)")


def raw_peer(args, rep, topo, v6: bool, tmp: str):
    fam, _nfam, _icmp, target, _me, _k_in, _k_out = fam_of(v6)
    log_path = os.path.join(tmp, f"peer{'6' if v6 else '4'}.jsonl")
    cmd = ["/usr/bin/python3", os.path.join(fu.HERE, "flood_peer.py"), "--iface", topo.host_if,
           "--addr", target, "--log", log_path, "--hold", "0.02", "--past", "2",
           "--corrupt", "0.02", "--seed", "7" if v6 else "5"]
    with fu.Background(topo.host_ns, cmd, ready="flood_peer: ready") as peer:
        res = fu.flood_on(topo, args.flood, fu.port_spec() + [
            "--dst", target, "--count", str(PEER_N), "--rate", str(PEER_RATE),
            "--quiet"]).run(timeout=60)
        peer.stop()
    events = []
    with open(log_path) as f:
        for ln in f:
            events.append(json.loads(ln))
    summ = next((e for e in reversed(events) if e.get("event") == "summary"), None)
    if not rep.check(f"{fam} raw peer: flood_peer.py ran and wrote its summary", summ is not None,
                     f"$ {peer.command_line}\n{netns.indent(peer.stdout + peer.stderr)}"):
        return
    j = res.json or {}
    kinds = {}
    for e in events:
        kinds[e["event"]] = kinds.get(e["event"], 0) + 1
    ev = (f"{res.evidence}\n{res.json_brief()}\n  flood_peer summary: "
          f"{ {k: v for k, v in summ.items() if k not in ('event', 't')} }\n"
          f"  flood_peer events: {kinds}")
    rep.check(f"{fam} raw peer: exit 0, {PEER_N} transmitted, the peer saw every request "
              f"and dropped none", res.rc == 0 and j.get("transmitted") == PEER_N
              and summ["requests"] == PEER_N and summ["rx_dropped"] == 0, ev)
    rep.check(f"{fam} raw peer: it reordered and corrupted some (reordered {summ['reordered']} "
              f"> 0, corrupted {summ['corrupted']} > 0)",
              summ["reordered"] > 0 and summ["corrupted"] > 0, "")
    rep.check(f"{fam} raw peer: reported reordered (JSON) == the peer's count "
              f"({summ['reordered']}), exactly", j.get("reordered") == summ["reordered"],
              f"JSON reordered {j.get('reordered')}")
    rep.check(f"{fam} raw peer: reported corrupted (JSON) == the peer's count of flipped "
              f"replies ({summ['corrupted']}), exactly", j.get("corrupted") == summ["corrupted"],
              f"JSON corrupted {j.get('corrupted')}")
    line = next((ln for ln in res.stdout.splitlines() if ln.startswith("reordered ")), "")
    want = (f"reordered {summ['reordered']}, corrupted {summ['corrupted']}, late 0 (over 1000 ms), "
            f"unmatched 0")
    rep.check(f"{fam} raw peer: the summary line in docs/flood.md's shape says the same: "
              f"'{want}'", res.anomalies is not None and line == want, f"got: {line!r}")
    rep.check(f"{fam} raw peer: received == the peer's intact replies ({summ['valid']}); no "
              f"duplicates, none late, none unmatched",
              j.get("received") == summ["valid"] and j.get("duplicates") == 0
              and j.get("late") == 0 and j.get("unmatched") == 0, res.json_brief())


def body(args, rep):
    tmp = tempfile.mkdtemp(prefix="pwfloss-")
    try:
        with netns.Topology(verbose=True) as topo:
            fu.prepare_peer(topo)
            for v6 in (False, True):
                random_loss(args, rep, topo, v6)
            for v6 in (False, True):
                duplication(args, rep, topo, v6, tmp)
            netns.log(fu.sysctl(topo.host_ns, "net.ipv4.icmp_echo_ignore_all", 1))
            netns.log(fu.sysctl(topo.host_ns, "net.ipv6.icmp.echo_ignore_all", 1))
            for v6 in (False, True):
                raw_peer(args, rep, topo, v6, tmp)
    finally:
        import shutil
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    fu.flood_main("integration/flood-loss", body, extra_tools=("nft", "nstat", "ethtool"))
