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

}  // namespace

Verdict host_error_v4(const Frame& f, const wire::ipv4::View<std::byte>& ip, Drop reason, const ErrorSpec& spec,
                      const HostContext& ctx) noexcept {
    const Invoking in{f.eth_src, f.eth_dst, ip.bytes(), ip.bytes().size()};
    std::uint16_t ident = 0;
    if (ctx.ip_ident != nullptr) ident = (*ctx.ip_ident)++;
    const ErrorContext ec{ctx.iface, &ctx.policy->errors, ctx.limiter, ctx.now_ns, ident};
    return finish(f, reason, plan_error_v4(in, spec, ec), false, ctx);
}

Verdict host_error_v6(const Frame& f, const wire::ipv6::View<std::byte>& ip, Drop reason, const ErrorSpec& spec,
                      const HostContext& ctx) noexcept {
    const Invoking in{f.eth_src, f.eth_dst, ip.bytes(), ip.bytes().size()};
    const ErrorContext ec{ctx.iface, &ctx.policy->errors, ctx.limiter, ctx.now_ns, 0};
    return finish(f, reason, plan_error_v6(in, spec, ec), true, ctx);
}

}  // namespace pw::icmp
