#include "drivers/eal.hh"

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>

#include <sys/stat.h>

#include <cstring>
#include <string>

namespace pw::drivers {

SplitArgs split_args(int argc, char** argv) {
    SplitArgs s;
    s.eal.push_back(argv[0]);
    s.app.push_back(argv[0]);
    int i = 1;
    for (; i < argc; ++i) {
        if (std::strcmp(argv[i], "--") == 0) break;
        s.eal.push_back(argv[i]);
    }
    if (i == argc) {
        // No "--": everything is the program's (EAL defaults apply).
        s.app.insert(s.app.end(), s.eal.begin() + 1, s.eal.end());
        s.eal.resize(1);
        return s;
    }
    for (++i; i < argc; ++i) s.app.push_back(argv[i]);
    return s;
}

std::optional<std::string> eal_init(std::vector<char*>& eal_args) {
    const int rc = rte_eal_init(static_cast<int>(eal_args.size()), eal_args.data());
    if (rc < 0) return std::string("EAL initialisation failed: ") + rte_strerror(rte_errno);
    // The telemetry sockets take commands (reads, and in time changes): owner and group only,
    // whatever the umask the program was started with. EAL makes its runtime directory 0700
    // already; this holds if that directory is ever shared.
    for (const char* name : {"dpdk_telemetry.v2", "telemetry"}) {
        const std::string path = std::string(rte_eal_get_runtime_dir()) + "/" + name;
        struct stat st {};
        if (::stat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode))
            ::chmod(path.c_str(), S_IRUSR | S_IWUSR | S_IRGRP | S_IWGRP);
    }
    return std::nullopt;
}

std::vector<unsigned> worker_lcores() {
    std::vector<unsigned> w;
    unsigned lcore;
    RTE_LCORE_FOREACH_WORKER(lcore) {
        w.push_back(lcore);
    }
    return w;
}

void eal_cleanup() {
    rte_eal_cleanup();
}

}  // namespace pw::drivers
