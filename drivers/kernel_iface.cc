#include "drivers/kernel_iface.hh"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string_view>

namespace pw::drivers {

namespace {

unsigned prefix_len(const sockaddr* mask) {
    if (mask == nullptr) return 0;
    const unsigned char* b = nullptr;
    std::size_t n = 0;
    if (mask->sa_family == AF_INET) {
        b = reinterpret_cast<const unsigned char*>(
            &reinterpret_cast<const sockaddr_in*>(mask)->sin_addr);
        n = 4;
    } else if (mask->sa_family == AF_INET6) {
        b = reinterpret_cast<const sockaddr_in6*>(mask)->sin6_addr.s6_addr;
        n = 16;
    }
    unsigned len = 0;
    for (std::size_t i = 0; i < n; ++i) len += static_cast<unsigned>(__builtin_popcount(b[i]));
    return len;
}

std::string read_line(const std::string& path) {
    std::ifstream f(path);
    std::string s;
    std::getline(f, s);
    return s;
}

}  // namespace

std::vector<KernelAttachment> kernel_attachments(const std::vector<char*>& eal_args) {
    std::vector<KernelAttachment> out;
    for (std::size_t i = 1; i < eal_args.size(); ++i) {
        std::string_view a = eal_args[i];
        std::string_view spec;
        if (a == "--vdev" && i + 1 < eal_args.size())
            spec = eal_args[++i];
        else if (a.substr(0, 7) == "--vdev=")
            spec = a.substr(7);
        else
            continue;
        const auto comma = spec.find(',');
        const std::string_view dev = spec.substr(0, comma);
        if (dev.substr(0, 13) != "net_af_packet" && dev.substr(0, 10) != "net_af_xdp" &&
            dev.substr(0, 10) != "eth_af_pac")
            continue;
        if (comma == std::string_view::npos) continue;
        std::string_view kv = spec.substr(comma + 1);
        while (!kv.empty()) {
            const auto next = kv.find(',');
            const std::string_view item = kv.substr(0, next);
            if (item.substr(0, 6) == "iface=")
                out.push_back({std::string(dev), std::string(item.substr(6))});
            if (next == std::string_view::npos) break;
            kv.remove_prefix(next + 1);
        }
    }
    return out;
}

KernelIfaceState kernel_iface_state(const std::string& iface) {
    KernelIfaceState st;
    const unsigned index = if_nametoindex(iface.c_str());
    st.exists = index != 0;
    if (!st.exists) return st;
    ifaddrs* list = nullptr;
    if (getifaddrs(&list) == 0) {
        for (const ifaddrs* a = list; a != nullptr; a = a->ifa_next) {
            if (a->ifa_addr == nullptr || a->ifa_name == nullptr || iface != a->ifa_name) continue;
            char text[INET6_ADDRSTRLEN] = {};
            if (a->ifa_addr->sa_family == AF_INET)
                inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(a->ifa_addr)->sin_addr,
                          text, sizeof text);
            else if (a->ifa_addr->sa_family == AF_INET6)
                inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(a->ifa_addr)->sin6_addr,
                          text, sizeof text);
            else
                continue;
            st.addrs.push_back(std::string(text) + "/" +
                               std::to_string(prefix_len(a->ifa_netmask)));
        }
        freeifaddrs(list);
    }
    st.ipv6_on = read_line("/proc/sys/net/ipv6/conf/" + iface + "/disable_ipv6") == "0";
    // A veth's iflink is its peer's ifindex; the name is known when the peer is here too.
    const std::string iflink = read_line("/sys/class/net/" + iface + "/iflink");
    if (!iflink.empty() && read_line("/sys/class/net/" + iface + "/type") == "1") {
        const unsigned peer = static_cast<unsigned>(std::strtoul(iflink.c_str(), nullptr, 10));
        char name[IF_NAMESIZE] = {};
        if (peer != 0 && peer != index && if_indextoname(peer, name) != nullptr &&
            read_line("/sys/class/net/" + std::string(name) + "/iflink") == std::to_string(index))
            st.veth_peer = name;
    }
    return st;
}

std::optional<KernelLink> kernel_link(const std::string& iface) {
    const std::string dir = "/sys/class/net/" + iface + "/";
    const std::string oper = read_line(dir + "operstate");
    if (oper.empty()) return std::nullopt;  // no such interface (here)
    KernelLink l;
    // carrier cannot be read while the interface is administratively down: down then.
    l.up = read_line(dir + "carrier") == "1" && oper != "down";
    if (l.up) {
        const long speed = std::strtol(read_line(dir + "speed").c_str(), nullptr, 10);
        l.speed_mbps = speed > 0 ? static_cast<std::uint32_t>(speed) : 0;
        l.full_duplex = read_line(dir + "duplex") != "half";
    }
    return l;
}

std::vector<std::string> kernel_iface_warnings(const std::string& port_label,
                                               const std::string& iface,
                                               const KernelIfaceState& st) {
    std::vector<std::string> out;
    if (!st.exists) return out;
    std::string global;
    for (const auto& a : st.addrs)
        if (a.substr(0, 5) != "fe80:") global += (global.empty() ? "" : " ") + a;
    if (!global.empty())
        out.push_back(port_label + " shares kernel interface " + iface +
                      ", where the kernel holds addresses (" + global +
                      "): it answers for them too and its replies mix with ours; fix: ip addr "
                      "flush dev " +
                      iface);
    if (st.ipv6_on)
        out.push_back(port_label + " shares kernel interface " + iface +
                      ", where the kernel has IPv6 on: its link-local address answers echo and "
                      "neighbour solicitations too (ping shows (DUP!)); fix: sysctl -w "
                      "net.ipv6.conf." +
                      iface + ".disable_ipv6=1");
    return out;
}

std::string checksum_hint(const std::string& port_label, const std::string& iface,
                          const KernelIfaceState& st, const std::string& counts) {
    const std::string peer = st.veth_peer.empty() ? "PEER" : st.veth_peer;
    return port_label + " on kernel interface " + iface + " drops frames with bad checksums (" +
           counts +
           "): a kernel sender with TX checksum offload on (the veth default) leaves UDP/TCP "
           "checksums unfilled, and AF_PACKET hands them over so (traceroute then gets * * *); "
           "fix, on the sending side: ethtool -K " +
           peer + " tx off" + (st.veth_peer.empty() ? " (PEER: the veth's other end)" : "");
}

}  // namespace pw::drivers
