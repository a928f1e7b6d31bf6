#include "lib/icmp/deferred_error.hh"

#include "lib/icmp/forward.hh"
#include "lib/wire/ethernet.hh"
#include "lib/wire/icmp.hh"

namespace pw::icmp {

namespace {

Invoking invoking(wire::ConstBytes l2, wire::ConstBytes l3, std::size_t l3_len) noexcept {
    return {wire::load_bytes<wire::MacAddr>(l2, 6), wire::load_bytes<wire::MacAddr>(l2, 0), l3,
            l3_len};
}

ErrorContext error_context(const HostContext& ctx, const ErrorConfig& config) noexcept {
    ErrorContext ec;
    ec.iface = ctx.iface;
    ec.config = &config;
    ec.limiter = ctx.limiter;
    ec.now_ns = ctx.now_ns;
    return ec;
}

}  // namespace

ErrorDecision plan_fragment_problem(wire::ConstBytes frame, wire::ConstBytes l3,
                                    std::uint32_t pointer, const HostContext& ctx) noexcept {
    const ErrorContext ec = error_context(ctx, ctx.policy->errors);
    return plan_error_v6(invoking(frame, l3, l3.size()),
                         {wire::icmpv6::parameter_problem, 0, pointer}, ec);
}

ErrorDecision plan_reassembly_timeout(const Reassembler::Expired& e, wire::Bytes head,
                                      const HostContext& ctx) noexcept {
    ErrorDecision none;
    none.outcome = ErrorOutcome::count_;
    if (!e.have_first || e.l2.size() < wire::eth::header_len) return none;
    const std::size_t n = copy_from_segments(e.first_fragment, 0, head);
    ErrorContext ec = error_context(ctx, ctx.policy->errors);
    if (ctx.ip_ident != nullptr) ec.ident = (*ctx.ip_ident)++;
    ec.ext = e.v6 ? ctx.ext_v6 : ctx.ext_v4;
    const Invoking in = invoking(e.l2, wire::ConstBytes{head.data(), n}, e.first_len);
    return e.v6 ? plan_error_v6(in, {wire::icmpv6::time_exceeded, 1, 0}, ec)
                : plan_error_v4(in, {wire::icmpv4::time_exceeded, 1, 0}, ec);
}

ErrorDecision plan_unresolved_next_hop(wire::ConstBytes frame, std::size_t l2_len, bool v6,
                                       const HostContext& ctx) noexcept {
    const wire::ConstBytes l3 = frame.subspan(l2_len);
    ErrorContext ec = error_context(ctx, ctx.router->errors);
    if (ctx.ip_ident != nullptr) ec.ident = (*ctx.ip_ident)++;
    ec.ext = v6 ? ctx.ext_v6 : ctx.ext_v4;
    const Invoking in = invoking(frame, l3, l3.size());
    return v6 ? plan_error_v6(in, {wire::icmpv6::dest_unreachable, 3, 0}, ec)
              : plan_error_v4(in, {wire::icmpv4::dest_unreachable, 1, 0}, ec);
}

}  // namespace pw::icmp
