#include "lib/icmp/forward.hh"
#include "lib/icmp/steps.hh"

namespace pw::icmp {

namespace {

// The error path: an error to send is copied into the caller's plan slot (the only place a
// plan is written); every other outcome is counted here. `sent` is counted by the caller
// once the error is built (it may still lack an mbuf). count_ means nothing was owed (a
// Redirect whose conditions do not hold).
ErrorOutcome record(const ErrorDecision& d, bool v6, const HostContext& ctx) noexcept {
    ErrorOutcome o = d.outcome;
    if (o == ErrorOutcome::sent) {
        if (ctx.plan != nullptr) {
            *ctx.plan = d.plan;
            return o;
        }
        // No slot: nowhere to build it, counted as the pipeline counts a missing mbuf.
        o = ErrorOutcome::no_mbuf;
        if (ctx.stats != nullptr) ++(v6 ? ctx.stats->v6 : ctx.stats->v4).out_errors;
    }
    if (ctx.stats != nullptr && o != ErrorOutcome::count_) ctx.stats->count_outcome(v6, o);
    return o;
}

Verdict finish(const Frame& f, Drop reason, const ErrorDecision& d, bool v6,
               const HostContext& ctx) noexcept {
    return Verdict::owing(reason, record(d, v6, ctx), f.l2_len);
}

Verdict error_v4(const Frame& f, const wire::ipv4::View<std::byte>& ip, Drop reason,
                 const ErrorSpec& spec, const HostContext& ctx, const ErrorConfig& cfg) noexcept {
    const Invoking in{f.eth_src, f.eth_dst, ip.bytes(), ip.bytes().size()};
    ErrorContext ec;
    ec.iface = ctx.iface;
    ec.config = &cfg;
    ec.limiter = ctx.limiter;
    ec.now_ns = ctx.now_ns;
    ec.ext = ctx.ext_v4;
    if (ctx.ip_ident != nullptr) ec.ident = (*ctx.ip_ident)++;
    return finish(f, reason, plan_error_v4(in, spec, ec), false, ctx);
}

Verdict error_v6(const Frame& f, const wire::ipv6::View<std::byte>& ip, Drop reason,
                 const ErrorSpec& spec, const HostContext& ctx, const ErrorConfig& cfg) noexcept {
    const Invoking in{f.eth_src, f.eth_dst, ip.bytes(), ip.bytes().size()};
    ErrorContext ec;
    ec.iface = ctx.iface;
    ec.config = &cfg;
    ec.limiter = ctx.limiter;
    ec.now_ns = ctx.now_ns;
    ec.ext = ctx.ext_v6;
    return finish(f, reason, plan_error_v6(in, spec, ec), true, ctx);
}

}  // namespace

ErrorOutcome redirect_v4(const Frame& f, const wire::ipv4::View<std::byte>& ip,
                         const Ipv4Addr& next_hop, const HostContext& ctx) noexcept {
    const Invoking in{f.eth_src, f.eth_dst, ip.bytes(), ip.bytes().size()};
    ErrorContext ec;
    ec.iface = ctx.iface;
    ec.config = &ctx.router->errors;
    ec.limiter = ctx.limiter;
    ec.now_ns = ctx.now_ns;
    if (ctx.ip_ident != nullptr) ec.ident = (*ctx.ip_ident)++;
    return record(plan_redirect_v4(in, next_hop, ec), false, ctx);
}

ErrorOutcome redirect_v6(const Frame& f, const wire::ipv6::View<std::byte>& ip,
                         const Ipv6Addr& target, const HostContext& ctx) noexcept {
    const Invoking in{f.eth_src, f.eth_dst, ip.bytes(), ip.bytes().size()};
    ErrorContext ec;
    ec.iface = ctx.iface;
    ec.config = &ctx.router->errors;
    ec.limiter = ctx.limiter;
    ec.now_ns = ctx.now_ns;
    return record(plan_redirect_v6(in, target, nullptr, ec), true, ctx);
}

Verdict host_error_v4(const Frame& f, const wire::ipv4::View<std::byte>& ip, Drop reason,
                      const ErrorSpec& spec, const HostContext& ctx) noexcept {
    return error_v4(f, ip, reason, spec, ctx, ctx.policy->errors);
}

Verdict host_error_v6(const Frame& f, const wire::ipv6::View<std::byte>& ip, Drop reason,
                      const ErrorSpec& spec, const HostContext& ctx) noexcept {
    return error_v6(f, ip, reason, spec, ctx, ctx.policy->errors);
}

Verdict router_error_v4(const Frame& f, const wire::ipv4::View<std::byte>& ip, Drop reason,
                        const ErrorSpec& spec, const HostContext& ctx) noexcept {
    return error_v4(f, ip, reason, spec, ctx,
                    ctx.router != nullptr ? ctx.router->errors : ctx.policy->errors);
}

Verdict router_error_v6(const Frame& f, const wire::ipv6::View<std::byte>& ip, Drop reason,
                        const ErrorSpec& spec, const HostContext& ctx) noexcept {
    return error_v6(f, ip, reason, spec, ctx,
                    ctx.router != nullptr ? ctx.router->errors : ctx.policy->errors);
}

}  // namespace pw::icmp
