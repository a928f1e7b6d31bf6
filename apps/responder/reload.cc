#include "apps/responder/reload.hh"

#include <rte_ethdev.h>
#include <rte_telemetry.h>

#include <chrono>
#include <cstdio>

#include <fmt/format.h>

#include "apps/skeleton/config_file.hh"
#include "apps/skeleton/program.hh"
#include "drivers/log.hh"
#include "drivers/port.hh"

namespace pw::responder {

namespace {

Reloader* g_reloader = nullptr;

int reload_cb(const char*, const char*, rte_tel_data* d) {
    rte_tel_data_start_dict(d);
    std::string line = g_reloader->request_and_wait(5000);
    // "applied, generation ..." / "refused, ...": the line without the program's name.
    const std::string marker = ": reload ";
    if (const auto at = line.find(marker); at != std::string::npos)
        line = line.substr(at + marker.size());
    rte_tel_data_add_dict_string(d, "result", line.substr(0, RTE_TEL_MAX_STRING_LEN - 1).c_str());
    rte_tel_data_add_dict_u64(d, "generation", g_reloader->generation());
    rte_tel_data_add_dict_u64(d, "applied", g_reloader->applied());
    rte_tel_data_add_dict_u64(d, "refused", g_reloader->refused());
    return 0;
}

// The Ethernet groups the new interfaces need (ff02::1, each address's solicited-node group,
// the VLAN sub-interfaces' and --respond prefixes' too: InterfaceTable::multicast_groups, as at
// start), and all-multicast where a --respond prefix needs more than a filter list holds.
void join_groups(const Generation& g, const app::Program& prog) {
    for (const auto& p : prog.ports()) {
        const std::string mode = drivers::join_multicast(p.port, g.ifaces.multicast_groups(p.port));
        if (mode == "list" && g.ifaces.wants_all_multicast(p.port))
            rte_eth_allmulticast_enable(p.port);
    }
}

std::string summary(const Generation& g) {
    std::size_t n4 = 0, n6 = 0;
    for (const auto& p : g.opt.common.ports) {
        n4 += p.v4.size();
        n6 += p.v6.size();
    }
    // Short: telemetry strings hold 127 characters.
    std::string s = fmt::format("generation {}: addresses {}/{}", g.number, n4, n6);
    if (g.opt.forward) s += fmt::format(", routes {}/{}", g.fib.size_v4(), g.fib.size_v6());
    s += fmt::format(", icmp-ratelimit {} ms, icmp-msgs-per-sec {}",
                     g.opt.rate.host_interval_ns / 1'000'000, g.opt.rate.global_per_sec);
    return s;
}

}  // namespace

Reloader::Reloader(app::Program& prog, std::unique_ptr<Generation> first,
                   std::atomic<const pipeline::HostEnv*>& live, std::uint64_t utc_ms_at_start)
    : prog_(prog), current_(std::move(first)), live_(live), utc_ms_at_start_(utc_ms_at_start) {}

Reloader::~Reloader() {
    if (g_reloader == this) g_reloader = nullptr;
}

std::string Reloader::refuse(const std::string& why) {
    ++refused_;
    return prog_.name() + ": reload refused, generation " + std::to_string(current_->number) +
           " stays: " + why;
}

std::string Reloader::reload() {
    std::string line;
    const auto& common = current_->opt.common;
    if (common.config_path.empty()) {
        line = refuse("no --config file to re-read");
    } else {
        std::vector<std::string> args = common.command_line;
        args.push_back("--config");
        args.push_back(common.config_path);
        auto parsed = app::parse_with_config<Options>(args, prog_.name(), &parse_options);
        if (auto* e = std::get_if<app::Exit>(&parsed)) {
            std::string text = e->text;
            while (!text.empty() && text.back() == '\n') text.pop_back();
            const std::string marker = ": error: ";
            const auto at = text.find(marker);
            line = refuse(at == std::string::npos ? text : text.substr(at + marker.size()));
        } else if (auto why = needs_restart(current_->opt, std::get<Options>(parsed))) {
            line = refuse(*why + " (needs a restart)");
        } else {
            auto built = build_generation(std::get<Options>(parsed), prog_, current_->number + 1,
                                          utc_ms_at_start_);
            if (auto* why_not = std::get_if<std::string>(&built)) {
                line = refuse(*why_not);
            } else {
                auto next = std::move(std::get<std::unique_ptr<Generation>>(built));
                const auto t0 = std::chrono::steady_clock::now();
                // Publish, then wait until no worker can still hold the old one.
                live_.store(&next->env, std::memory_order_release);
                if (prog_.neighbours() != nullptr) prog_.neighbours()->set_interfaces(next->ifaces);
                join_groups(*next, prog_);
                prog_.synchronize();
                const auto grace =
                    std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0)
                        .count();
                std::swap(current_, next);
                next.reset();  // the old generation: its FIB's memory goes back to DPDK
                ++applied_;
                generation_.store(current_->number, std::memory_order_relaxed);
                line = prog_.name() + ": reload applied, " + summary(*current_) +
                       fmt::format(" (v4/v6; grace period {:.0f} us)", grace);
                if (on_applied) on_applied(*current_);
            }
        }
    }
    // On stdout with the other events of the run, and to rte_log (pingwire.config).
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
    const bool ok = line.find(": reload applied") != std::string::npos;
    drivers::logf(drivers::LogType::config,
                  ok ? drivers::LogLevel::notice : drivers::LogLevel::warning, "%s", line.c_str());
    {
        std::lock_guard<std::mutex> lock(mu_);
        last_ = line;
        ++results_;
    }
    done_.notify_all();
    return line;
}

std::string Reloader::request_and_wait(unsigned timeout_ms) {
    std::unique_lock<std::mutex> lock(mu_);
    const std::uint64_t before = results_;
    app::Program::request_reload();
    if (!done_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                        [&] { return results_ != before; }))
        return "reload requested; no result within " + std::to_string(timeout_ms) + " ms";
    return last_;
}

void Reloader::register_telemetry() {
    g_reloader = this;
    rte_telemetry_register_cmd(
        "/pingwire/reload", reload_cb,
        "Re-reads the --config file and applies it as SIGHUP does. Returns the result line");
}

}  // namespace pw::responder
