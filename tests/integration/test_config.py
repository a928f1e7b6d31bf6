#!/usr/bin/python3
"""--config FILE (TOML) and the live reload (SIGHUP, /pingwire/reload), against the real ping.

1. Mistakes in a file fail at start with FILE:LINE (exit 2): TOML syntax, an unknown key, a
   value out of range, a bad route, an unknown key in a [[port]] table; a value the command
   line overrides is not checked.
2. A host runs from the file alone (`pingwire-responder --config F`, its `eal = [...]` too),
   and the real ping gets its answers.
3. Router mode from a file (netns.RouterTopology, B with a second interface: a macvlan mv0
   with its own MAC and address 198.18.2.3): 198.19.40.1 (B's loopback) is routed via
   198.18.2.2 (B's veth). During a running `ping -f` the file's route changes to via
   198.18.2.3 and the responder gets SIGHUP: the traffic moves to mv0 (its RX counter grows,
   the veth's stops) and ping loses nothing. Then a broken file and a change that needs a
   restart are refused with their reasons (the old configuration stays and still forwards), a
   rate-limit change applies through the telemetry command /pingwire/reload, and the exit
   summary balances.
"""

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netns  # noqa: E402
from netns import (A_ADDR4, B_ADDR4, B_ADDR6, DUT_ADDR4, DUT_ADDR6, R0_ADDR4,  # noqa: E402
                   R0_ADDR6, R1_ADDR4, R1_ADDR6)

DEST4 = "198.19.40.1"  # on B's loopback, routed via B
MV_ADDR4 = "198.18.2.3"  # B's second interface (macvlan mv0)


def telemetry(prefix: str, cmd: str) -> dict:
    """One command through DPDK's stock client (dpdk-telemetry.py -f PREFIX)."""
    cp = subprocess.run(["/usr/bin/dpdk-telemetry.py", "-f", prefix], input=cmd + "\n",
                        capture_output=True, text=True, timeout=30)
    for line in cp.stdout.splitlines():
        if line.strip().startswith("{"):
            return json.loads(line)
    raise netns.HarnessError(f"dpdk-telemetry.py -f {prefix} <<< {cmd}: {cp.stdout}{cp.stderr}")


def write(path: str, text: str) -> None:
    with open(path, "w") as f:
        f.write(text)


def run_exe(exe: str, args: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run([exe, *args], capture_output=True, text=True, timeout=30)


def check_start_errors(rep, exe: str, tmp: str) -> None:
    cases = [
        # (what, file text, the line, what the message must name)
        ("TOML syntax error", 'forward = true\n[[port]]\nid = 0\naddr = ["198.18.0.2/24"\n', 4,
         ""),
        ("unknown key", 'icmp-ratelimit = 10\n\n[ratelimit]\nicmp-ratelimt = 5\n', 4,
         "icmp-ratelimt"),
        ("value out of range", 'forward = false\nicmp-ratelimit = 99999999\n[[port]]\nid = 0\n'
         'addr = "198.18.0.2/24"\n', 2, "icmp-ratelimit"),
        ("bad route", 'forward = true\n[[port]]\nid = 0\naddr = "198.18.0.2/24"\n\n'
         '[[route]]\nprefix = "198.19.0.0/33"\nvia = "198.18.0.1"\n', 6, "198.19.0.0/33"),
        ("unknown key in a [[port]] table", '[[port]]\nid = 0\nadress = "198.18.0.2/24"\n', 3,
         "adress"),
        ("second of two routes bad", 'forward = true\nroute = ["198.19.0.0/16,via=198.18.0.1",\n'
         '         "198.19.1.0/24,via=nowhere"]\n[[port]]\nid = 0\naddr = "198.18.0.2/24"\n', 3,
         "nowhere"),
        ("key after [[port]] (TOML: the port's)", '[[port]]\nid = 0\naddr = "198.18.0.2/24"\n'
         'forward = true\n', 4, "forward"),
    ]
    for what, text, line, names in cases:
        path = os.path.join(tmp, f"bad{line}.toml")
        write(path, text)
        cp = run_exe(exe, ["--config", path])
        err = cp.stderr.strip()
        ok = (cp.returncode == 2 and len(err.splitlines()) == 1 and f"{path}:{line}:" in err
              and names in err)
        rep.check(f"a config file with a {what} fails at start: exit 2, one line naming "
                  f"{path}:{line}{' and ' + repr(names) if names else ''}", ok,
                  f"exit {cp.returncode}; stderr: {err!r}")
    # The command line overrides the file: the file's bad value is never looked at.
    path = os.path.join(tmp, "override.toml")
    write(path, 'icmp-ratelimit = 99999999\n')
    cp = run_exe(exe, ["--config", path, "--icmp-ratelimit", "10", "--bogus-option"])
    rep.check("an option on the command line replaces the file's (the file's bad value is not "
              "reported; the next mistake is)",
              cp.returncode == 2 and "99999999" not in cp.stderr and "--bogus-option" in cp.stderr,
              f"exit {cp.returncode}; stderr: {cp.stderr.strip()!r}")
    cp = run_exe(exe, ["--config", os.path.join(tmp, "missing.toml")])
    rep.check("a missing config file: exit 2, one line", cp.returncode == 2
              and "missing.toml" in cp.stderr and len(cp.stderr.strip().splitlines()) == 1,
              f"exit {cp.returncode}; stderr: {cp.stderr.strip()!r}")


class FileOnlyResponder(netns.Responder):
    """The responder started with `--config FILE` and nothing else: EAL options from the file."""

    def __init__(self, topo, exe, config):
        super().__init__(topo, exe)
        self.config = config

    @property
    def argv(self):
        return [self.exe, "--config", self.config]


def check_host_from_file(rep, exe: str, tmp: str) -> None:
    with netns.Topology(verbose=True) as topo:
        path = os.path.join(tmp, "host.toml")
        prefix = f"{topo.tag}-file"
        write(path, f"""# a host, everything from this file
eal = ["-l", "0,1", "--no-huge", "-m", "512", "--no-pci", "--file-prefix", "{prefix}",
       "--vdev", "net_af_packet0,iface={topo.dut_if}"]
[[port]]
id = 0
addr = ["{DUT_ADDR4}/24", "{DUT_ADDR6}/64"]
[ratelimit]
icmp-ratelimit = 0
""")
        with FileOnlyResponder(topo, exe, path) as r:
            r.prefix = prefix
            netns.log(f"$ {r.command_line}")
            r.start()
            p4 = topo.ping(["-c", "5", "-i", "0.05", "-W", "2", DUT_ADDR4])
            p6 = topo.ping(["-6", "-c", "5", "-i", "0.05", "-W", "2", DUT_ADDR6])
            rep.check("`pingwire-responder --config FILE` alone (EAL options from `eal = [...]`)"
                      " answers ping and ping -6 (5 of 5 each)",
                      p4.received == 5 and p6.received == 5, f"{p4}\n{p6}")
            res = r.stop()
            netns.check_counters(rep, res, 0)


def router_config(path: str, via: str, *, extra: str = "", mtu: str = "") -> None:
    write(path, f"""# router under test
forward = true

[[port]]
id = 0
addr = ["{R0_ADDR4}/24", "{R0_ADDR6}/64"]

[[port]]
id = 1
addr = ["{R1_ADDR4}/24", "{R1_ADDR6}/64"]
{mtu}
[[route]]
prefix = "198.19.40.0/24"
via = "{via}"

[ratelimit]
icmp-ratelimit = 1000
{extra}
""")


def link_rx(topo, dev: str) -> int:
    cp = topo.b(["ip", "-s", "-j", "link", "show", "dev", dev], check=True)
    return int(json.loads(cp.stdout)[0]["stats64"]["rx"]["packets"])


def wait_line(r, pattern: str, after: int, timeout: float = 10) -> str | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        lines = r.stdout().splitlines()[after:]
        for line in lines:
            if re.search(pattern, line):
                return line
        time.sleep(0.05)
    return None


def check_reload(rep, exe: str, tmp: str) -> None:
    with netns.RouterTopology(verbose=True) as topo:
        topo.add_b_address(f"{DEST4}/32")
        # B's second interface with its own MAC: a next hop the router can move to. Each of
        # B's interfaces answers ARP for its own address only.
        topo.b(["sysctl", "-qw", "net.ipv4.conf.all.arp_ignore=1"], check=True)
        topo.b(["sysctl", "-qw", "net.ipv4.conf.all.arp_announce=2"], check=True)
        topo.b(["sysctl", "-qw", "net.ipv4.conf.all.rp_filter=0"], check=True)
        topo.b(["ip", "link", "add", "mv0", "link", topo.b_if, "type", "macvlan", "mode",
                "bridge"], check=True)
        topo.b(["ip", "addr", "add", f"{MV_ADDR4}/24", "dev", "mv0"], check=True)
        topo.b(["ip", "link", "set", "mv0", "up"], check=True)
        path = os.path.join(tmp, "router.toml")
        router_config(path, B_ADDR4)
        with netns.Responder(topo, exe, app_args=["--config", path]) as r:
            netns.log(f"$ {r.command_line}")
            r.start()
            mv_start = link_rx(topo, "mv0")
            p = topo.ping(["-c", "3", "-i", "0.05", "-W", "2", DEST4])
            mv0 = link_rx(topo, "mv0")
            rep.check(f"from the file: {DEST4} routed via {B_ADDR4} (3 of 3; none to mv0)",
                      p.received == 3 and mv0 - mv_start < 3, f"{p}; mv0 rx {mv_start} -> {mv0}")

            # ping -f during the reload: it must lose nothing.
            count = 20000
            flood = subprocess.Popen(
                ["ip", "netns", "exec", topo.a_ns, "ping", "-f", "-c", str(count), "-W", "2",
                 DEST4], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            time.sleep(1.0)
            router_config(path, MV_ADDR4)
            before = len(r.stdout().splitlines())
            r.proc.send_signal(signal.SIGHUP)
            applied = wait_line(r, r"reload (applied|refused)", before)
            try:
                out, _ = flood.communicate(timeout=120)
            except subprocess.TimeoutExpired:
                flood.kill()
                out, _ = flood.communicate()
            pr = netns.parse_ping(["ping", "-f"], subprocess.CompletedProcess([], flood.returncode,
                                                                              out, ""))
            rep.check("SIGHUP with a changed route: 'reload applied' logged",
                      applied is not None and "reload applied" in applied, str(applied))
            mv1 = link_rx(topo, "mv0")
            rep.check(f"ping -f -c {count} across the reload: 0 loss", pr.transmitted == count
                      and pr.received == count, out[-400:])
            rep.check("the traffic moved to the new next hop (mv0's RX grew by thousands, after "
                      "the reload)", mv1 - mv0 > 1000, f"mv0 rx {mv0} -> {mv1}")
            p = topo.ping(["-c", "3", "-i", "0.05", "-W", "2", DEST4])
            mv2 = link_rx(topo, "mv0")
            rep.check("after the reload the packets go via mv0: 3 of 3 answered, mv0 got them",
                      p.received == 3 and mv2 - mv1 >= 3, f"{p}; mv0 {mv1} -> {mv2}")

            # A broken file: refused with its line; the running configuration stays.
            write(path, open(path).read().replace(f'via = "{MV_ADDR4}"', 'via = "198.18.99.1"'))
            before = len(r.stdout().splitlines())
            r.proc.send_signal(signal.SIGHUP)
            line = wait_line(r, r"reload (applied|refused)", before)
            rep.check("a route with a gateway off every subnet: 'reload refused', with FILE:LINE "
                      "and the old configuration kept",
                      line is not None and "refused" in line and f"{path}:" in line
                      and "stays" in line, str(line))
            p = topo.ping(["-c", "3", "-i", "0.05", "-W", "2", DEST4])
            rep.check("the old configuration still forwards (3 of 3)", p.received == 3, str(p))

            # A change that needs a restart.
            router_config(path, MV_ADDR4, mtu="mtu = 1400")
            before = len(r.stdout().splitlines())
            r.proc.send_signal(signal.SIGHUP)
            line = wait_line(r, r"reload (applied|refused)", before)
            rep.check("an MTU change is refused as needing a restart", line is not None
                      and "refused" in line and "mtu" in line and "restart" in line, str(line))

            # A rate-limit change through telemetry.
            router_config(path, MV_ADDR4, extra="icmp-msgs-per-sec = 250\n")
            reply = telemetry(r.prefix, "/pingwire/reload")
            res_line = str(reply.get("/pingwire/reload", {}).get("result"))
            rep.check("/pingwire/reload applies the file and answers with the result line "
                      "(icmp-msgs-per-sec 250)", res_line.startswith("applied")
                      and "icmp-msgs-per-sec 250" in res_line, str(reply))
            res = r.stop()
            netns.check_router_counters(rep, res)


def body(args, rep):
    with tempfile.TemporaryDirectory(prefix="pw-config-") as tmp:
        check_start_errors(rep, args.responder, tmp)
        check_host_from_file(rep, args.responder, tmp)
        check_reload(rep, args.responder, tmp)


if __name__ == "__main__":
    netns.test_main("integration/config", body)
