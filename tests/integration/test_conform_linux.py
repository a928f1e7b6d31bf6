#!/usr/bin/python3
"""pingwire-conform against the Linux kernel as the router under test (conformutil's bench,
rut="linux": forwarding on, r1's MTU 1400).

1. The catalogue at the kernel's defaults, with --pcap: exit 0, the summary line counts the
   JSON's verdicts, and every check's verdict is what Linux does (EXPECTED: pass unless listed
   there, with the reason); the pcapng holds the exchanges (tcpdump reads it: the stimuli and
   the RUT's errors).
2. PROBE (RFC 8335) with net.ipv4.icmp_echo_enable_probe=1: both PROBE checks pass.
3. --ratelimit at two settings of icmp_ratelimit / icmpv6 ratelimit / icmp_msgs_per_sec /
   icmp_msgs_burst (the sysctls of the RUT's namespace): the fitted per-source rate and burst
   (one source, time-exceeded), and the global rate (many sources), within 10% of what the
   sysctls say (per source 1000/ratelimit per second after a burst of 6, XRLIM_BURST_FACTOR;
   global icmp_msgs_per_sec, shared by IPv4 and IPv6); frag-needed and Packet Too Big exempt
   (scope none: icmp_ratemask and the ICMPv6 ratemask leave them out); the global bucket's
   refill granularity 20 ms (HZ/50) and its randomised cost (CVE-2020-25705); time-exceeded
   and port-unreachable share one per-source bucket (one inet_peer per source), IPv4 and IPv6
   share the global one (one per namespace), and the per-source limit comes first (the global
   token is spent only on sent errors since the CVE-2024-47678 fix).
4. Mistakes: a RUT address nobody answers is exit 2 with "no ARP reply from ... on port 0";
   an unknown --only ID is exit 2 with one line.
"""

import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import conformutil as cu  # noqa: E402
import netns  # noqa: E402

EXPECTED = {
    "v6.ptb.mcast": ("not-applicable", "Linux routes no multicast without a multicast daemon"),
    "v6.noreply.echo-unspecified": ("fail", "Linux answers a packet to :: with no-route 1/0"),
    "v4.ext.rfc4884": ("not-applicable", "no extensions at the defaults"),
    "v6.ext.rfc4884": ("not-applicable", "no extensions at the defaults"),
    "v4.probe.rfc8335": ("not-applicable", "icmp_echo_enable_probe is 0 by default"),
    "v6.probe.rfc8335": ("not-applicable", "icmp_echo_enable_probe is 0 by default"),
}


def catalogue(args, rep, topo):
    pcap = f"/tmp/{topo.tag}-conform.pcapng"
    try:
        res = cu.conform(topo, args.conform, [], pcap=pcap)
        cu.check_catalogue(rep, res, EXPECTED, "Linux defaults")
        cp = subprocess.run(["tcpdump", "-nn", "-r", pcap], capture_output=True, text=True)
        lines = cp.stdout.splitlines()
        te = [x for x in lines if "time exceeded" in x]
        rep.check("--pcap: tcpdump reads the pcapng; it holds >= 100 frames, Time Exceeded "
                  "among them", cp.returncode == 0 and len(lines) >= 100 and len(te) > 0,
                  f"{len(lines)} frames, {len(te)} time exceeded\n" + "\n".join(lines[:5]) +
                  cp.stderr[-300:])
    finally:
        if os.path.exists(pcap):
            os.unlink(pcap)


def probe(args, rep, topo):
    topo.sysctl(net__ipv4__icmp_echo_enable_probe=1)
    res = cu.conform(topo, args.conform, ["--only", "v4.probe.rfc8335", "--only", "v6.probe.rfc8335"])
    v = res.verdicts()
    rep.check("PROBE enabled: v4.probe.rfc8335 and v6.probe.rfc8335 pass",
              v.get("v4.probe.rfc8335") == "pass" and v.get("v6.probe.rfc8335") == "pass",
              res.evidence)
    topo.sysctl(net__ipv4__icmp_echo_enable_probe=0)


def ratelimit(args, rep, topo, ms4, ms6, per_sec, burst, families, triggers):
    topo.sysctl(net__ipv4__icmp_ratelimit=ms4, net__ipv6__icmp__ratelimit=ms6,
                net__ipv4__icmp_msgs_per_sec=per_sec, net__ipv4__icmp_msgs_burst=burst)
    what = f"icmp_ratelimit={ms4} icmpv6 ratelimit={ms6} msgs_per_sec={per_sec} burst={burst}"
    res = cu.conform(topo, args.conform, cu.ratelimit_args(families, triggers), timeout=500)
    cu.check_ratelimit(rep, res, what, families, triggers, ms4, ms6, per_sec, 0.10, "linux")


def mistakes(args, rep, topo):
    # The RUT's port-0 address is one nobody has.
    prefix = f"{topo.tag}-m"
    argv = ["ip", "netns", "exec", topo.tool_ns, args.conform, "-l", "0,1", "--no-huge", "-m",
            "512", "--no-pci", "--file-prefix", prefix, "--vdev",
            f"net_af_packet0,iface={topo.t0}", "--vdev", f"net_af_packet1,iface={topo.t1}", "--",
            "--port", "0,addr=198.18.0.1/24", "--port", "1,addr=198.18.1.1/24",
            "--rut-in", "198.18.0.77", "--rut-out", cu.RUT_OUT4, "--resolve-timeout", "2"]
    cp = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    errs = [x for x in cp.stderr.splitlines() if x.startswith("pingwire-conform: error:")]
    rep.check("an unreachable RUT: exit 2, one line naming the address that did not answer ARP",
              cp.returncode == 2 and len(errs) == 1 and
              "no ARP reply from 198.18.0.77 on port 0" in errs[0],
              f"exit {cp.returncode}\n{cp.stderr[-600:]}")
    cp = subprocess.run(argv[:argv.index("--rut-in")] + ["--rut-in", cu.RUT_IN4, "--rut-out",
                                                         cu.RUT_OUT4, "--only", "v4.nosuch"],
                        capture_output=True, text=True, timeout=60)
    rep.check("--only with an unknown ID: exit 2, one line on stderr",
              cp.returncode == 2 and len(cp.stderr.strip().splitlines()) == 1 and
              "v4.nosuch" in cp.stderr, f"exit {cp.returncode}\n{cp.stderr[-600:]}")


def body(args, rep):
    with cu.ConformTopology("linux") as topo:
        catalogue(args, rep, topo)
        probe(args, rep, topo)
        ratelimit(args, rep, topo, 20, 50, 500, 50, (4, 6), ("time-exceeded", "port-unreachable", "frag-needed"))
        ratelimit(args, rep, topo, 50, 100, 300, 30, (4,), ("time-exceeded",))
        mistakes(args, rep, topo)


if __name__ == "__main__":
    cu.main("integration/conform-linux", body)
