// Port bring-up for any DPDK port: physical NICs and the virtual devices (net_af_packet,
// net_af_xdp, net_tap, net_pcap, net_ring, net_memif, net_null).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "lib/wire/addr.hh"

struct rte_mempool;

namespace pw::drivers {

struct PortSetup {
    std::uint16_t port = 0;
    std::optional<wire::MacAddr> mac;  // set the port's MAC
    std::optional<std::uint16_t> mtu;  // set the port's MTU
    std::uint16_t rx_queues = 1;       // wanted; clamped to what the device has
    std::uint16_t tx_queues = 1;
    std::uint16_t rx_desc = 1024;
    std::uint16_t tx_desc = 1024;
    rte_mempool* pool = nullptr;
    // Ethernet groups to receive (IPv6 all-nodes, solicited-node). When the device cannot
    // filter on a list, all-multicast (or promiscuous) mode is used instead.
    std::vector<wire::MacAddr> multicast;
    unsigned link_wait_ms = 3000;
};

struct PortInfo {
    std::uint16_t port = 0;
    std::string driver;  // e.g. net_af_packet
    std::string name;    // device name, e.g. net_af_packet0
    wire::MacAddr mac;
    std::uint16_t mtu = 1500;
    std::uint16_t rx_queues = 0;
    std::uint16_t tx_queues = 0;
    std::string multicast_mode;  // "list", "allmulti" or "promiscuous"
    bool software_mac = false;   // mac= could not be set in the device: kept in software
    bool link_up = false;
    std::string rss;  // hash functions used with several RX queues ("" with one)
    // The checksum offloads the device has (it does not mean they are used: see port.cc).
    bool tx_ip4_cksum = false;
    bool rx_ip4_cksum = false;
    // The offloads configured on the port, as the start-up line shows them ("none", or
    // comma-separated DPDK names).
    std::string offloads = "none";
    int socket = -1;  // the NUMA node of the device (-1: none, a virtual device)
    std::uint32_t link_speed_mbps = 0;
};

// Configures and starts the port. On failure returns one line saying what failed.
std::variant<PortInfo, std::string> setup_port(const PortSetup& s);

// Sets the multicast filter of a started port (list, else all-multicast, else promiscuous).
std::string join_multicast(std::uint16_t port, const std::vector<wire::MacAddr>& groups);

// Number of ports DPDK found.
std::uint16_t port_count();

// The device's own counters (rte_eth_stats), for reports.
struct DeviceStats {
    std::uint64_t ipackets = 0, opackets = 0, imissed = 0, ierrors = 0, oerrors = 0, rx_nombuf = 0;
};
DeviceStats device_stats(std::uint16_t port);

// Whether the driver leaves the mbufs filling its RX ring out of the pool when the port is
// closed: net_af_xdp (DPDK 22.11) gives its fill ring's mbufs to the kernel at queue set-up
// (2048 per queue), keeps exactly that many there (it receives only what it can replace) and
// does not return them at close.
bool keeps_rx_buffers_at_close(const std::string& driver);

// Stops and closes the port (once nothing else transmits on it).
void stop_port(std::uint16_t port);

// net_af_packet after a link flap. When the interface goes down the kernel leaves ENETDOWN
// pending on every AF_PACKET socket bound to it (sk_err). The PMD's next sendto() -- the kick
// after it copied a burst into its TX ring -- then fails on that error, and the burst stays in
// the ring until the next burst kicks again: an idle port that has just one frame to send
// after the link comes back (the ARP reply its peer waits for) sends it only when another
// comes, a second later. Reading SO_ERROR clears the pending error; the control lcore does so
// every few milliseconds for the process's AF_PACKET sockets, so the first kick after link up
// succeeds.
class PacketSocketErrors {
public:
    // Finds the process's AF_PACKET sockets (call once the ports are set up).
    void collect();
    // Clears what is pending on them; returns how many had an error.
    unsigned clear() const noexcept;
    std::size_t size() const noexcept { return fds_.size(); }

private:
    std::vector<int> fds_;
};

}  // namespace pw::drivers
