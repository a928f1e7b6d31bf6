#include "lib/wire/addr.hh"

#include <arpa/inet.h>

#include <cstdio>

namespace pw::wire {

std::optional<MacAddr> MacAddr::parse(std::string_view s) {
    // Exactly six two-digit hex groups separated by ':' or '-'.
    if (s.size() != 17) return std::nullopt;
    MacAddr m;
    for (std::size_t i = 0; i < 6; ++i) {
        unsigned v = 0;
        for (std::size_t j = 0; j < 2; ++j) {
            const char c = s[i * 3 + j];
            unsigned d;
            if (c >= '0' && c <= '9')
                d = static_cast<unsigned>(c - '0');
            else if (c >= 'a' && c <= 'f')
                d = static_cast<unsigned>(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F')
                d = static_cast<unsigned>(c - 'A' + 10);
            else
                return std::nullopt;
            v = v * 16 + d;
        }
        if (i < 5 && s[i * 3 + 2] != ':' && s[i * 3 + 2] != '-') return std::nullopt;
        m.bytes[i] = static_cast<std::uint8_t>(v);
    }
    return m;
}

std::string MacAddr::to_string() const {
    char buf[18];
    std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", bytes[0], bytes[1], bytes[2],
                  bytes[3], bytes[4], bytes[5]);
    return buf;
}

std::optional<Ipv4Addr> Ipv4Addr::parse(std::string_view s) {
    const std::string z(s);
    Ipv4Addr a;
    if (inet_pton(AF_INET, z.c_str(), a.bytes.data()) != 1) return std::nullopt;
    return a;
}

std::string Ipv4Addr::to_string() const {
    char buf[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, bytes.data(), buf, sizeof buf);
    return buf;
}

std::optional<Ipv6Addr> Ipv6Addr::parse(std::string_view s) {
    const std::string z(s);
    Ipv6Addr a;
    if (inet_pton(AF_INET6, z.c_str(), a.bytes.data()) != 1) return std::nullopt;
    return a;
}

std::string Ipv6Addr::to_string() const {
    char buf[INET6_ADDRSTRLEN];
    inet_ntop(AF_INET6, bytes.data(), buf, sizeof buf);
    return buf;
}

}  // namespace pw::wire
