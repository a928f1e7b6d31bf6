#include "lib/icmp/forward.hh"
#include "lib/icmp/steps.hh"

namespace pw::icmp {

namespace {

Verdict finish(const Frame& f, Drop reason, const ErrorDecision& d, bool v6, const HostContext& ctx) noexcept {
    Verdict v = Verdict::dropped(reason);
    v.error = d.outcome;
    // `sent` is counted by the caller once the error is built (it may still lack an mbuf).
    if (ctx.stats != nullptr && d.outcome != ErrorOutcome::sent) ctx.stats->count_outcome(v6, d.outcome);
    if (d.outcome == ErrorOutcome::sent) {
        v.plan = d.plan;
        v.quote_from = static_cast<std::uint32_t>(f.l2_len);
    }
    return v;
}

Verdict error_v4(const Frame& f, const wire::ipv4::View<std::byte>& ip, Drop reason, const ErrorSpec& spec,
                 const HostContext& ctx, const ErrorConfig& cfg) noexcept {
    const Invoking in{f.eth_src, f.eth_dst, ip.bytes(), ip.bytes().size()};
    ErrorContext ec;
    ec.iface = ctx.iface;
    ec.config = &cfg;
    ec.limiter = ctx.limiter;
    ec.now_ns = ctx.now_ns;
    if (ctx.ip_ident != nullptr) ec.ident = (*ctx.ip_ident)++;
    return finish(f, reason, plan_error_v4(in, spec, ec), false, ctx);
}

Verdict error_v6(const Frame& f, const wire::ipv6::View<std::byte>& ip, Drop reason, const ErrorSpec& spec,
                 const HostContext& ctx, const ErrorConfig& cfg) noexcept {
    const Invoking in{f.eth_src, f.eth_dst, ip.bytes(), ip.bytes().size()};
    ErrorContext ec;
    ec.iface = ctx.iface;
    ec.config = &cfg;
    ec.limiter = ctx.limiter;
    ec.now_ns = ctx.now_ns;
    return finish(f, reason, plan_error_v6(in, spec, ec), true, ctx);
}

}  // namespace

Verdict host_error_v4(const Frame& f, const wire::ipv4::View<std::byte>& ip, Drop reason, const ErrorSpec& spec,
                      const HostContext& ctx) noexcept {
    return error_v4(f, ip, reason, spec, ctx, ctx.policy->errors);
}

Verdict host_error_v6(const Frame& f, const wire::ipv6::View<std::byte>& ip, Drop reason, const ErrorSpec& spec,
                      const HostContext& ctx) noexcept {
    return error_v6(f, ip, reason, spec, ctx, ctx.policy->errors);
}

Verdict router_error_v4(const Frame& f, const wire::ipv4::View<std::byte>& ip, Drop reason, const ErrorSpec& spec,
                        const HostContext& ctx) noexcept {
    return error_v4(f, ip, reason, spec, ctx, ctx.router != nullptr ? ctx.router->errors : ctx.policy->errors);
}

Verdict router_error_v6(const Frame& f, const wire::ipv6::View<std::byte>& ip, Drop reason, const ErrorSpec& spec,
                        const HostContext& ctx) noexcept {
    return error_v6(f, ip, reason, spec, ctx, ctx.router != nullptr ? ctx.router->errors : ctx.policy->errors);
}

}  // namespace pw::icmp
