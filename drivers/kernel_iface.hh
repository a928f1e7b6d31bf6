// The kernel's side of a port that shares a Linux interface: net_af_packet and net_af_xdp
// attach to an interface the kernel keeps running, so the kernel still sees every frame. When
// it holds addresses there or has IPv6 on, it answers too (ping shows "(DUP!)": the kernel's
// link-local address answers neighbour solicitations and echo), and a veth peer with its TX
// checksum offload on hands us frames whose UDP/TCP checksums were never filled in. Read from
// getifaddrs and procfs, no shelling out.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pw::drivers {

// The kernel interface a virtual device attaches to, from the EAL arguments:
// "--vdev net_af_packet0,iface=veth0" (or --vdev=...) gives net_af_packet0 -> veth0. Only the
// drivers that share a kernel interface (net_af_packet, net_af_xdp) are listed.
struct KernelAttachment {
    std::string device;  // net_af_packet0
    std::string iface;   // veth0
};
std::vector<KernelAttachment> kernel_attachments(const std::vector<char*>& eal_args);

// What the kernel does on an interface (in this process's network namespace).
struct KernelIfaceState {
    bool exists = false;
    std::vector<std::string> addrs;  // "198.18.0.2/24", "fe80::1/64"
    bool ipv6_on = false;            // /proc/sys/net/ipv6/conf/IFACE/disable_ipv6 is 0
    std::string veth_peer;           // the other end of a veth, when it is in this namespace
};
KernelIfaceState kernel_iface_state(const std::string& iface);

// The kernel's view of an interface's link (/sys/class/net/IFACE/{carrier,speed,duplex}):
// net_af_packet in DPDK 22.11 reports its link up from start to close, whatever the carrier.
struct KernelLink {
    bool up = false;
    std::uint32_t speed_mbps = 0;  // 0: unknown
    bool full_duplex = true;
};
std::optional<KernelLink> kernel_link(const std::string& iface);

// The start-up warnings for a port attached to iface (empty when the kernel keeps quiet
// there): each names the problem and the command that fixes it.
std::vector<std::string> kernel_iface_warnings(const std::string& port_label,
                                               const std::string& iface,
                                               const KernelIfaceState& st);

// The one-time hint when frames with bad L4 checksums arrive on such a port.
std::string checksum_hint(const std::string& port_label, const std::string& iface,
                          const KernelIfaceState& st, const std::string& counts);

}  // namespace pw::drivers
