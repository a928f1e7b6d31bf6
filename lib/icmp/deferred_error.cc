#include "lib/icmp/deferred_error.hh"

#include "lib/icmp/forward.hh"
#include "lib/icmp/vlan_input.hh"
#include "lib/wire/ethernet.hh"
#include "lib/wire/icmp.hh"

namespace pw::icmp {

namespace {

Invoking invoking(wire::ConstBytes l2, wire::ConstBytes l3, std::size_t l3_len) noexcept {
    return {wire::load_bytes<wire::MacAddr>(l2, 6), wire::load_bytes<wire::MacAddr>(l2, 0), l3,
            l3_len};
}

// l2: the invoking frame's L2 header; a tagged one came in on a VLAN sub-interface, whose
// addresses the error is sourced from (vlan_tagged then tags the error).
ErrorContext error_context(const HostContext& ctx, const ErrorConfig& config,
                           wire::ConstBytes l2) noexcept {
    ErrorContext ec;
    Drop why = Drop::vlan_unknown;
    const Iface* in = ingress_iface(*ctx.iface, l2, why);
    ec.iface = in != nullptr ? in : ctx.iface;
    ec.config = &config;
    ec.limiter = ctx.limiter;
    ec.now_ns = ctx.now_ns;
    return ec;
}

ErrorDecision vlan_tagged(ErrorDecision d, wire::ConstBytes l2) noexcept {
    d.plan.vlan_id = vlan_of_l2(l2);
    return d;
}

}  // namespace

ErrorDecision plan_fragment_problem(wire::ConstBytes frame, wire::ConstBytes l3,
                                    std::uint32_t pointer, const HostContext& ctx) noexcept {
    const ErrorContext ec = error_context(ctx, ctx.policy->errors, frame);
    return vlan_tagged(plan_error_v6(invoking(frame, l3, l3.size()),
                                     {wire::icmpv6::parameter_problem, 0, pointer}, ec),
                       frame);
}

ErrorDecision plan_reassembly_timeout(const Reassembler::Expired& e, wire::Bytes head,
                                      const HostContext& ctx) noexcept {
    ErrorDecision none;
    none.outcome = ErrorOutcome::count_;
    if (!e.have_first || e.l2.size() < wire::eth::header_len) return none;
    const std::size_t n = copy_from_segments(e.first_fragment, 0, head);
    ErrorContext ec = error_context(ctx, ctx.policy->errors, e.l2);
    if (ctx.ip_ident != nullptr) ec.ident = (*ctx.ip_ident)++;
    ec.ext = e.v6 ? ctx.ext_v6 : ctx.ext_v4;
    if (vlan_of_l2(e.l2) != 0) ec.ext = nullptr;  // RFC 5837 objects describe ports
    const Invoking in = invoking(e.l2, wire::ConstBytes{head.data(), n}, e.first_len);
    return vlan_tagged(e.v6 ? plan_error_v6(in, {wire::icmpv6::time_exceeded, 1, 0}, ec)
                            : plan_error_v4(in, {wire::icmpv4::time_exceeded, 1, 0}, ec),
                       e.l2);
}

ErrorDecision plan_unresolved_next_hop(wire::ConstBytes frame, std::size_t l2_len, bool v6,
                                       const HostContext& ctx) noexcept {
    const wire::ConstBytes l3 = frame.subspan(l2_len);
    ErrorContext ec = error_context(ctx, ctx.router->errors, frame.first(l2_len));
    if (ctx.ip_ident != nullptr) ec.ident = (*ctx.ip_ident)++;
    ec.ext = v6 ? ctx.ext_v6 : ctx.ext_v4;
    const Invoking in = invoking(frame, l3, l3.size());
    return v6 ? plan_error_v6(in, {wire::icmpv6::dest_unreachable, 3, 0}, ec)
              : plan_error_v4(in, {wire::icmpv4::dest_unreachable, 1, 0}, ec);
}

}  // namespace pw::icmp
