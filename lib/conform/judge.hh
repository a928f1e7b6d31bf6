// What the judges of the catalogue share (no DPDK): finding, in what a phase received, the
// error that quotes a frame we sent, the frame forwarded out of port 1, the echo reply; and
// the verdict of a silence check from its control.
#pragma once

#include <string>

#include "lib/conform/check.hh"

namespace pw::conform {

// The IP facts of a frame we built.
IpFacts facts_of(const Frame& f);

// An ICMP error in ph.got that quotes ph.sent[i] (same source, destination, protocol, IPv4
// ID, ports or echo identifier), of type/code (-1: any); nullptr when none.
const Seen* error_quoting(const Phase& ph, int type = -1, int code = -1, std::size_t i = 0);
// Any ICMP error in ph.got quoting any frame of ph.sent.
const Seen* any_error(const Phase& ph);
// ph.sent[i] as it arrived on port (forwarded by the RUT); nullptr when it did not.
const Seen* forwarded(const Phase& ph, std::uint8_t port = 1, std::size_t i = 0);
// An echo reply to ph.sent[i] (same identifier and sequence).
const Seen* echo_reply(const Phase& ph, std::size_t i = 0);
// What came back, one line: "nothing", or the first frame's description (+N more).
std::string got_line(const Phase& ph);
// The sent frame i, one line.
std::string sent_line(const Phase& ph, std::size_t i = 0);
// The RUT's addresses, as a family's list, for "is the source one of the RUT's".
bool is_rut_address(const Setup& s, const IpFacts& f);

Result pass(std::string evidence);
Result fail(std::string evidence);
Result inconclusive(std::string evidence);
Result not_applicable(std::string evidence);

// A silence check: the control must have got its message (control_ok), else inconclusive;
// then pass when the probe got none (probe_msg null), fail otherwise.
Result silence(bool control_ok, const std::string& control_what, const Seen* probe_msg,
               const Phase& probe);

}  // namespace pw::conform
