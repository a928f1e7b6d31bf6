#include "drivers/instance_lock.hh"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string_view>

namespace pw::drivers {

namespace {

// The value of --NAME VALUE or --NAME=VALUE (the last one given), if any.
std::optional<std::string> option_value(const std::vector<char*>& args, std::string_view name) {
    std::optional<std::string> v;
    for (std::size_t i = 1; i < args.size(); ++i) {
        const std::string_view a = args[i] == nullptr ? std::string_view{} : args[i];
        if (a == name && i + 1 < args.size() && args[i + 1] != nullptr) {
            v = args[++i];
        } else if (a.size() > name.size() && a.substr(0, name.size()) == name &&
                   a[name.size()] == '=') {
            v = std::string(a.substr(name.size() + 1));
        }
    }
    return v;
}

bool has_flag(const std::vector<char*>& args, std::string_view name) {
    for (std::size_t i = 1; i < args.size(); ++i)
        if (args[i] != nullptr && name == args[i]) return true;
    return false;
}

}  // namespace

std::string eal_runtime_dir(const std::vector<char*>& eal_args) {
    const std::string prefix = option_value(eal_args, "--file-prefix").value_or("rte");
    std::string base = "/var/run";
    if (getuid() != 0) {
        const char* xdg = std::getenv("XDG_RUNTIME_DIR");
        base = xdg != nullptr ? xdg : "/tmp";
    }
    return base + "/dpdk/" + prefix;
}

std::optional<std::string> other_primary(const std::vector<char*>& eal_args) {
    if (has_flag(eal_args, "--no-shconf") || has_flag(eal_args, "--in-memory")) return {};
    if (const auto type = option_value(eal_args, "--proc-type"); type && *type != "primary")
        return {};
    const std::string config = eal_runtime_dir(eal_args) + "/config";
    const int fd = ::open(config.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return {};  // no run directory yet: nobody runs with this prefix
    // Who would stop a write lock on the whole file (EAL locks the memseg part of it)?
    struct flock probe {};
    probe.l_type = F_WRLCK;
    probe.l_whence = SEEK_SET;
    probe.l_start = 0;
    probe.l_len = 0;
    const int rc = ::fcntl(fd, F_GETLK, &probe);
    ::close(fd);
    if (rc != 0 || probe.l_type == F_UNLCK) return {};
    const std::string prefix = option_value(eal_args, "--file-prefix").value_or("rte");
    std::string who = "another DPDK primary process";
    if (probe.l_pid > 0) who += " (pid " + std::to_string(probe.l_pid) + ")";
    return who + " already runs with --file-prefix " + prefix + " (it holds the lock on " + config +
           "): stop it, or give this one its own --file-prefix";
}

}  // namespace pw::drivers
