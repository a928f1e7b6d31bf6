// The catalogue: every check, topic by topic, in the order the runner takes them.
#include "lib/conform/check.hh"

namespace pw::conform {

std::span<const Check> catalogue() {
    static const std::vector<Check> all = [] {
        std::vector<Check> v;
        for (auto part : {ttl_checks, mtu_checks, unreachable_checks, silence_checks, misc_checks})
            for (auto& c : part()) v.push_back(c);
        return v;
    }();
    return all;
}

}  // namespace pw::conform
