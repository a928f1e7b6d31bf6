#include "drivers/port.hh"

#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>

#include <dirent.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <chrono>
#include <cstring>
#include <thread>

namespace pw::drivers {

namespace {

std::string err(std::uint16_t port, const std::string& what, int rc) {
    return "port " + std::to_string(port) + ": " + what + ": " + rte_strerror(rc < 0 ? -rc : rc);
}

rte_ether_addr to_ether(const wire::MacAddr& m) {
    rte_ether_addr a;
    std::memcpy(a.addr_bytes, m.bytes.data(), 6);
    return a;
}

}  // namespace

std::uint16_t port_count() {
    return rte_eth_dev_count_avail();
}

std::string join_multicast(std::uint16_t port, const std::vector<wire::MacAddr>& groups) {
    std::vector<rte_ether_addr> list;
    list.reserve(groups.size());
    for (const auto& g : groups) list.push_back(to_ether(g));
    if (rte_eth_dev_set_mc_addr_list(port, list.data(), static_cast<std::uint32_t>(list.size())) ==
        0)
        return "list";
    if (rte_eth_allmulticast_enable(port) == 0 && rte_eth_allmulticast_get(port) == 1)
        return "allmulti";
    // Some virtual devices have neither: receive everything and filter in software (the
    // handlers check the destination MAC of every frame).
    rte_eth_promiscuous_enable(port);
    return "promiscuous";
}

std::variant<PortInfo, std::string> setup_port(const PortSetup& s) {
    const std::uint16_t port = s.port;
    if (!rte_eth_dev_is_valid_port(port))
        return "port " + std::to_string(port) + " does not exist (DPDK found " +
               std::to_string(port_count()) + " ports; add a --vdev or allow a NIC with -a)";
    rte_eth_dev_info info{};
    if (int rc = rte_eth_dev_info_get(port, &info); rc != 0)
        return err(port, "cannot read device info", rc);

    PortInfo out;
    out.port = port;
    out.driver = info.driver_name != nullptr ? info.driver_name : "?";
    char name[RTE_ETH_NAME_MAX_LEN] = {};
    rte_eth_dev_get_name_by_port(port, name);
    out.name = name;
    out.rx_queues = std::min<std::uint16_t>(s.rx_queues, info.max_rx_queues);
    out.tx_queues = std::min<std::uint16_t>(s.tx_queues, info.max_tx_queues);
    if (out.rx_queues == 0 || out.tx_queues == 0)
        return "port " + std::to_string(port) + ": device has no queues";

    rte_eth_conf conf{};
    if (s.mtu) {
        if (*s.mtu > info.max_mtu || *s.mtu < info.min_mtu)
            return "port " + std::to_string(port) + ": mtu " + std::to_string(*s.mtu) +
                   " is outside what " + out.driver + " supports (" + std::to_string(info.min_mtu) +
                   ".." + std::to_string(info.max_mtu) + ")";
        conf.rxmode.mtu = *s.mtu;
    }
    // Several RX queues: RSS spreads the flows over them, one worker per queue. A device that
    // cannot hash (most virtual ones) delivers on queue 0, or as its own driver spreads.
    if (out.rx_queues > 1) {
        const std::uint64_t want = RTE_ETH_RSS_IP | RTE_ETH_RSS_UDP | RTE_ETH_RSS_TCP;
        const std::uint64_t hf = want & info.flow_type_rss_offloads;
        if (hf != 0) {
            conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
            conf.rx_adv_conf.rss_conf.rss_hf = hf;
            out.rss = std::string(hf & RTE_ETH_RSS_IP ? "ip" : "") +
                      (hf & RTE_ETH_RSS_UDP ? (hf & RTE_ETH_RSS_IP ? ",udp" : "udp") : "") +
                      (hf & (RTE_ETH_RSS_TCP) ? ",tcp" : "");
        } else {
            out.rss = "none (the device cannot hash)";
        }
    }
    // Checksum offloads: none is configured, because none would be used. An echo reply is
    // rewritten in place with an incremental update of the checksums (RFC 1624), cheaper
    // than any offload; NICs do not offload ICMP checksums; an error's fresh IPv4 header is 20
    // bytes summed in software, its ICMP part must be summed anyway. Requesting an offload
    // nothing uses would cost on real NICs: ixgbe, i40e and ice choose their vector TX path
    // only when no TX offload is enabled. What the device has is recorded for the README's
    // deployment notes and telemetry.
    out.tx_ip4_cksum = (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_IPV4_CKSUM) != 0;
    out.rx_ip4_cksum = (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_IPV4_CKSUM) != 0;
    out.offloads = "none";
    out.socket = rte_eth_dev_socket_id(port);
    if (int rc = rte_eth_dev_configure(port, out.rx_queues, out.tx_queues, &conf); rc != 0)
        return err(port, "configure failed", rc);

    std::uint16_t nb_rxd = s.rx_desc, nb_txd = s.tx_desc;
    if (int rc = rte_eth_dev_adjust_nb_rx_tx_desc(port, &nb_rxd, &nb_txd); rc != 0)
        return err(port, "cannot adjust descriptor counts", rc);
    const int socket = rte_eth_dev_socket_id(port) >= 0 ? rte_eth_dev_socket_id(port)
                                                        : static_cast<int>(rte_socket_id());
    for (std::uint16_t q = 0; q < out.rx_queues; ++q)
        if (int rc = rte_eth_rx_queue_setup(port, q, nb_rxd, static_cast<unsigned>(socket), nullptr,
                                            s.pool);
            rc != 0)
            return err(port, "rx queue " + std::to_string(q) + " setup failed (pool too small?)",
                       rc);
    for (std::uint16_t q = 0; q < out.tx_queues; ++q)
        if (int rc =
                rte_eth_tx_queue_setup(port, q, nb_txd, static_cast<unsigned>(socket), nullptr);
            rc != 0)
            return err(port, "tx queue " + std::to_string(q) + " setup failed", rc);

    bool software_mac = false;
    if (s.mac) {
        auto a = to_ether(*s.mac);
        if (int rc = rte_eth_dev_default_mac_addr_set(port, &a); rc == -ENOTSUP) {
            // Some virtual devices (net_pcap, net_null) cannot change their MAC: the address is
            // then ours in software, and the port listens to every frame (the handlers filter
            // on the destination MAC anyway).
            software_mac = true;
        } else if (rc != 0) {
            return err(port, "cannot set mac " + s.mac->to_string(), rc);
        }
    }
    if (int rc = rte_eth_dev_start(port); rc != 0) return err(port, "start failed", rc);

    rte_ether_addr mac{};
    rte_eth_macaddr_get(port, &mac);
    std::memcpy(out.mac.bytes.data(), mac.addr_bytes, 6);
    if (software_mac) {
        out.mac = *s.mac;
        out.software_mac = true;
        rte_eth_promiscuous_enable(port);
    }
    std::uint16_t mtu = 1500;
    if (rte_eth_dev_get_mtu(port, &mtu) == 0) out.mtu = mtu;
    out.multicast_mode = join_multicast(port, s.multicast);

    // Wait for link up; virtual devices are up at once, NICs take a moment.
    rte_eth_link link{};
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(s.link_wait_ms);
    for (;;) {
        if (rte_eth_link_get_nowait(port, &link) == 0 && link.link_status == RTE_ETH_LINK_UP) break;
        if (std::chrono::steady_clock::now() >= deadline) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    out.link_up = link.link_status == RTE_ETH_LINK_UP;
    out.link_speed_mbps = link.link_speed;
    return out;
}

DeviceStats device_stats(std::uint16_t port) {
    rte_eth_stats st{};
    DeviceStats d;
    if (rte_eth_stats_get(port, &st) != 0) return d;
    d.ipackets = st.ipackets;
    d.opackets = st.opackets;
    d.imissed = st.imissed;
    d.ierrors = st.ierrors;
    d.oerrors = st.oerrors;
    d.rx_nombuf = st.rx_nombuf;
    return d;
}

void stop_port(std::uint16_t port) {
    // An empty burst on every TX queue first (the workers have stopped): a PMD that frees
    // what it sent when the completions come back does so now, not never. net_af_xdp reaps
    // its completion ring only in tx_burst, and its close frees nothing.
    rte_eth_dev_info info{};
    if (rte_eth_dev_info_get(port, &info) == 0)
        for (std::uint16_t q = 0; q < info.nb_tx_queues; ++q) rte_eth_tx_burst(port, q, nullptr, 0);
    rte_eth_dev_stop(port);
    rte_eth_dev_close(port);
}

void PacketSocketErrors::collect() {
    fds_.clear();
    DIR* d = ::opendir("/proc/self/fd");
    if (d == nullptr) return;
    const int self = ::dirfd(d);
    while (const dirent* e = ::readdir(d)) {
        char* end = nullptr;
        const long fd = std::strtol(e->d_name, &end, 10);
        if (end == e->d_name || *end != '\0' || fd == self) continue;
        struct stat st {};
        if (::fstat(static_cast<int>(fd), &st) != 0 || !S_ISSOCK(st.st_mode)) continue;
        int domain = 0;
        socklen_t len = sizeof domain;
        if (::getsockopt(static_cast<int>(fd), SOL_SOCKET, SO_DOMAIN, &domain, &len) == 0 &&
            domain == AF_PACKET)
            fds_.push_back(static_cast<int>(fd));
    }
    ::closedir(d);
}

unsigned PacketSocketErrors::clear() const noexcept {
    unsigned n = 0;
    for (const int fd : fds_) {
        int err = 0;
        socklen_t len = sizeof err;
        if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err != 0) ++n;
    }
    return n;
}

bool keeps_rx_buffers_at_close(const std::string& driver) {
    return driver == "net_af_xdp";
}

}  // namespace pw::drivers
