// The fast paths (lib/icmp/fast_path.hh) against the full path, frame by frame: every golden
// vector, systematic mutations of the IPv4/IPv6 frames among them (each header byte set to
// interesting values, with and without checksums repaired; lengths cut and extended;
// addresses, TTL, flags and checksums changed), and seeded random mutations. Whenever a fast
// path answers or forwards, the full path (host_input; host_input's Next::route then
// ip4_forward / ip6_forward with the same Route) must do the same with byte-identical frames,
// the same length and the same next hop; whenever it declines, the frame is untouched. The
// counts of frames the fast paths took are checked too, so that the test cannot pass by
// declining everything.
//
// Also here: ip4_reply_in_place's incremental header checksum against a full recompute.
#include "lib/icmp/fast_path.hh"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "lib/icmp/forward.hh"
#include "lib/icmp/host_input.hh"
#include "lib/icmp/steps.hh"
#include "lib/wire/checksum.hh"
#include "lib/wire/ethernet.hh"
#include "lib/wire/icmp.hh"
#include "lib/wire/ipv4.hh"
#include "lib/wire/ipv6.hh"
#include "tests/golden/vectors.hh"
#include "tests/unit/test_util.hh"

namespace {

using namespace pw::icmp;
namespace wire = pw::wire;
namespace golden = pw::golden;
using pw::test::ip4;
using pw::test::ip6;
using pw::test::mac;
using Buf = std::vector<std::byte>;

struct Named {
    const char* name;
    std::span<const std::uint8_t> bytes;
};

// Every golden vector (tests/golden/vectors.hh), frames or not.
const Named golden_vectors[] = {
    {"echo4_req", golden::echo4_req},
    {"echo4_reply", golden::echo4_reply},
    {"vlan_echo4_req", golden::vlan_echo4_req},
    {"arp_req", golden::arp_req},
    {"arp_reply", golden::arp_reply},
    {"arp_probe_req", golden::arp_probe_req},
    {"arp_probe_reply", golden::arp_probe_reply},
    {"arp_req_secondary", golden::arp_req_secondary},
    {"arp_req_secondary_reply", golden::arp_req_secondary_reply},
    {"arp_hw_ieee802", golden::arp_hw_ieee802},
    {"arp_proto_ipv6", golden::arp_proto_ipv6},
    {"arp_hwlen8", golden::arp_hwlen8},
    {"arp_plen16", golden::arp_plen16},
    {"echo4_big_req", golden::echo4_big_req},
    {"echo4_big_reply", golden::echo4_big_reply},
    {"echo4_opts_req", golden::echo4_opts_req},
    {"echo4_opts_reply", golden::echo4_opts_reply},
    {"echo4_max_opts_req", golden::echo4_max_opts_req},
    {"echo4_max_opts_reply", golden::echo4_max_opts_reply},
    {"echo4_padded_req", golden::echo4_padded_req},
    {"echo4_padded_reply", golden::echo4_padded_reply},
    {"echo4_secondary_req", golden::echo4_secondary_req},
    {"echo4_secondary_reply", golden::echo4_secondary_reply},
    {"ip4_frag_first", golden::ip4_frag_first},
    {"ip4_frag_later", golden::ip4_frag_later},
    {"echo6_req", golden::echo6_req},
    {"echo6_reply", golden::echo6_reply},
    {"echo6_big_req", golden::echo6_big_req},
    {"echo6_big_reply", golden::echo6_big_reply},
    {"echo6_hbh_req", golden::echo6_hbh_req},
    {"echo6_hbh_reply", golden::echo6_hbh_reply},
    {"echo6_allnodes_ll_req", golden::echo6_allnodes_ll_req},
    {"echo6_allnodes_ll_reply", golden::echo6_allnodes_ll_reply},
    {"echo6_allnodes_global_req", golden::echo6_allnodes_global_req},
    {"echo6_allnodes_global_reply", golden::echo6_allnodes_global_reply},
    {"echo6_allnodes_second_prefix_req", golden::echo6_allnodes_second_prefix_req},
    {"echo6_allnodes_second_prefix_reply", golden::echo6_allnodes_second_prefix_reply},
    {"echo6_ll_req", golden::echo6_ll_req},
    {"echo6_ll_reply", golden::echo6_ll_reply},
    {"echo6_padded_req", golden::echo6_padded_req},
    {"echo6_padded_reply", golden::echo6_padded_reply},
    {"echo6_all_ext_req", golden::echo6_all_ext_req},
    {"echo6_all_ext_reply", golden::echo6_all_ext_reply},
    {"ip6_frag_first", golden::ip6_frag_first},
    {"ip6_frag_later", golden::ip6_frag_later},
    {"ip6_routing", golden::ip6_routing},
    {"ip6_dest_opts_udp", golden::ip6_dest_opts_udp},
    {"ip6_no_next_header", golden::ip6_no_next_header},
    {"ip6_hbh_truncated", golden::ip6_hbh_truncated},
    {"ip6_dest_opts_len_past", golden::ip6_dest_opts_len_past},
    {"ip6_second_ext_truncated", golden::ip6_second_ext_truncated},
    {"ip6_hbh_not_first", golden::ip6_hbh_not_first},
    {"ns_mcast_req", golden::ns_mcast_req},
    {"ns_mcast_reply", golden::ns_mcast_reply},
    {"ns_mcast_router_reply", golden::ns_mcast_router_reply},
    {"ns_slla_differs_req", golden::ns_slla_differs_req},
    {"ns_unicast_req", golden::ns_unicast_req},
    {"ns_unicast_reply", golden::ns_unicast_reply},
    {"ns_dad_req", golden::ns_dad_req},
    {"ns_dad_reply", golden::ns_dad_reply},
    {"ns_ll_req", golden::ns_ll_req},
    {"ns_ll_reply", golden::ns_ll_reply},
    {"ns_nonce_req", golden::ns_nonce_req},
    {"na_tlla", golden::na_tlla},
    {"opt_slla", golden::opt_slla},
    {"opt_tlla", golden::opt_tlla},
    {"udp4", golden::udp4},
    {"udp4_odd", golden::udp4_odd},
    {"udp6", golden::udp6},
    {"udp6_odd", golden::udp6_odd},
    {"udp4_zero_payload", golden::udp4_zero_payload},
    {"ph_udp4", golden::ph_udp4},
    {"ph_udp4_odd", golden::ph_udp4_odd},
    {"ph_udp6", golden::ph_udp6},
    {"ph_echo6", golden::ph_echo6},
    {"ph_jumbo6", golden::ph_jumbo6},
    {"ll_of_us_mac", golden::ll_of_us_mac},
    {"ll_of_mac_a", golden::ll_of_mac_a},
    {"ll_of_mac_b", golden::ll_of_mac_b},
    {"snm_of_us6", golden::snm_of_us6},
    {"snm_of_us6b", golden::snm_of_us6b},
    {"snm_of_2001_2_abcd", golden::snm_of_2001_2_abcd},
    {"snm_mac_of_us6", golden::snm_mac_of_us6},
    {"snm_mac_of_2001_2_abcd", golden::snm_mac_of_2001_2_abcd},
    {"mac_of_allnodes", golden::mac_of_allnodes},
    {"bad_ip4_ihl4", golden::bad_ip4_ihl4},
    {"bad_ip4_ihl0", golden::bad_ip4_ihl0},
    {"bad_ip4_ihl15", golden::bad_ip4_ihl15},
    {"bad_ip4_len_long", golden::bad_ip4_len_long},
    {"bad_ip4_len_short", golden::bad_ip4_len_short},
    {"bad_ip4_len_in_options", golden::bad_ip4_len_in_options},
    {"bad_ip4_version", golden::bad_ip4_version},
    {"bad_ip4_checksum", golden::bad_ip4_checksum},
    {"bad_icmp4_checksum", golden::bad_icmp4_checksum},
    {"bad_icmp4_empty", golden::bad_icmp4_empty},
    {"bad_icmp4_7_bytes", golden::bad_icmp4_7_bytes},
    {"bad_unknown_ethertype", golden::bad_unknown_ethertype},
    {"bad_other_mac", golden::bad_other_mac},
    {"bad_unjoined_group_mac", golden::bad_unjoined_group_mac},
    {"bad_echo4_directed_broadcast", golden::bad_echo4_directed_broadcast},
    {"bad_echo4_limited_broadcast", golden::bad_echo4_limited_broadcast},
    {"bad_ip4_unicast_in_l2_broadcast", golden::bad_ip4_unicast_in_l2_broadcast},
    {"bad_ip4_not_for_us", golden::bad_ip4_not_for_us},
    {"bad_ip4_martian_zero", golden::bad_ip4_martian_zero},
    {"bad_ip4_martian_this_net", golden::bad_ip4_martian_this_net},
    {"bad_ip4_martian_loopback", golden::bad_ip4_martian_loopback},
    {"bad_ip4_martian_multicast", golden::bad_ip4_martian_multicast},
    {"bad_ip4_martian_reserved", golden::bad_ip4_martian_reserved},
    {"bad_ip4_martian_limited_broadcast", golden::bad_ip4_martian_limited_broadcast},
    {"bad_ip4_martian_directed_broadcast", golden::bad_ip4_martian_directed_broadcast},
    {"bad_ip4_fragment_mf", golden::bad_ip4_fragment_mf},
    {"bad_ip4_fragment_offset", golden::bad_ip4_fragment_offset},
    {"bad_ip4_udp", golden::bad_ip4_udp},
    {"bad_icmp4_echo_reply", golden::bad_icmp4_echo_reply},
    {"bad_icmp4_timestamp", golden::bad_icmp4_timestamp},
    {"bad_icmp4_unreachable", golden::bad_icmp4_unreachable},
    {"bad_arp_not_ours", golden::bad_arp_not_ours},
    {"bad_arp_reply", golden::bad_arp_reply},
    {"bad_arp_group_sender", golden::bad_arp_group_sender},
    {"bad_eth_bcast_source", golden::bad_eth_bcast_source},
    {"bad_frame_too_long", golden::bad_frame_too_long},
    {"bad_frame_too_long6", golden::bad_frame_too_long6},
    {"bad_eth_mcast_source6", golden::bad_eth_mcast_source6},
    {"bad_arp_hwtype", golden::bad_arp_hwtype},
    {"bad_ip6_version", golden::bad_ip6_version},
    {"bad_ip6_plen_long", golden::bad_ip6_plen_long},
    {"bad_ip6_martian_multicast", golden::bad_ip6_martian_multicast},
    {"bad_ip6_martian_loopback", golden::bad_ip6_martian_loopback},
    {"bad_echo6_unspecified_source", golden::bad_echo6_unspecified_source},
    {"bad_ip6_not_for_us", golden::bad_ip6_not_for_us},
    {"bad_ip6_unjoined_group", golden::bad_ip6_unjoined_group},
    {"bad_ip6_ext_truncated", golden::bad_ip6_ext_truncated},
    {"bad_ip6_ext_len_past", golden::bad_ip6_ext_len_past},
    {"bad_ip6_hbh_not_first", golden::bad_ip6_hbh_not_first},
    {"bad_ip6_fragment", golden::bad_ip6_fragment},
    {"bad_ip6_fragment_later", golden::bad_ip6_fragment_later},
    {"bad_ip6_udp", golden::bad_ip6_udp},
    {"bad_ip6_no_next_header", golden::bad_ip6_no_next_header},
    {"bad_icmp6_7_bytes", golden::bad_icmp6_7_bytes},
    {"bad_icmp6_empty", golden::bad_icmp6_empty},
    {"bad_icmp6_checksum", golden::bad_icmp6_checksum},
    {"bad_icmp6_echo_reply", golden::bad_icmp6_echo_reply},
    {"bad_icmp6_unreachable", golden::bad_icmp6_unreachable},
    {"bad_icmp6_unknown_informational", golden::bad_icmp6_unknown_informational},
    {"bad_nd_na", golden::bad_nd_na},
    {"bad_nd_rs", golden::bad_nd_rs},
    {"bad_nd_ra", golden::bad_nd_ra},
    {"bad_nd_redirect", golden::bad_nd_redirect},
    {"bad_ns_hlim64", golden::bad_ns_hlim64},
    {"bad_ns_hlim254_unicast", golden::bad_ns_hlim254_unicast},
    {"bad_ns_target_not_ours_unicast", golden::bad_ns_target_not_ours_unicast},
    {"bad_ns_target_not_ours_same_group", golden::bad_ns_target_not_ours_same_group},
    {"bad_ns_truncated", golden::bad_ns_truncated},
    {"bad_ns_code1", golden::bad_ns_code1},
    {"bad_ns_target_multicast", golden::bad_ns_target_multicast},
    {"bad_ns_option_len0", golden::bad_ns_option_len0},
    {"bad_ns_option_past_end", golden::bad_ns_option_past_end},
    {"bad_ns_dad_with_slla", golden::bad_ns_dad_with_slla},
    {"bad_ns_dad_to_allnodes", golden::bad_ns_dad_to_allnodes},
    {"bad_ns_dad_to_unicast", golden::bad_ns_dad_to_unicast},
    {"csum_data_0", golden::csum_data_0},
    {"csum_data_1", golden::csum_data_1},
    {"csum_data_2", golden::csum_data_2},
    {"csum_data_3", golden::csum_data_3},
    {"csum_data_4", golden::csum_data_4},
    {"csum_data_5", golden::csum_data_5},
    {"csum_data_6", golden::csum_data_6},
    {"csum_data_7", golden::csum_data_7},
    {"csum_data_8", golden::csum_data_8},
    {"csum_data_9", golden::csum_data_9},
    {"csum_data_10", golden::csum_data_10},
    {"csum_data_11", golden::csum_data_11},
    {"csum_data_12", golden::csum_data_12},
    {"csum_data_13", golden::csum_data_13},
    {"csum_data_14", golden::csum_data_14},
    {"csum_data_15", golden::csum_data_15},
    {"csum_data_16", golden::csum_data_16},
    {"csum_data_17", golden::csum_data_17},
    {"csum_data_18", golden::csum_data_18},
    {"csum_data_19", golden::csum_data_19},
    {"csum_data_20", golden::csum_data_20},
    {"csum_data_21", golden::csum_data_21},
    {"csum_data_22", golden::csum_data_22},
    {"csum_data_23", golden::csum_data_23},
    {"csum_data_24", golden::csum_data_24},
    {"csum_data_25", golden::csum_data_25},
    {"csum_data_26", golden::csum_data_26},
    {"csum_data_27", golden::csum_data_27},
    {"csum_data_28", golden::csum_data_28},
    {"csum_data_29", golden::csum_data_29},
    {"csum_data_30", golden::csum_data_30},
    {"csum_data_31", golden::csum_data_31},
    {"csum_data_32", golden::csum_data_32},
    {"csum_data_33", golden::csum_data_33},
    {"csum_data_34", golden::csum_data_34},
    {"csum_data_35", golden::csum_data_35},
    {"csum_data_36", golden::csum_data_36},
    {"csum_data_37", golden::csum_data_37},
    {"csum_data_38", golden::csum_data_38},
    {"csum_data_39", golden::csum_data_39},
    {"csum_data_40", golden::csum_data_40},
    {"csum_data_41", golden::csum_data_41},
    {"csum_data_42", golden::csum_data_42},
    {"csum_data_43", golden::csum_data_43},
    {"csum_data_44", golden::csum_data_44},
    {"csum_data_45", golden::csum_data_45},
    {"csum_data_46", golden::csum_data_46},
    {"csum_data_47", golden::csum_data_47},
    {"csum_data_48", golden::csum_data_48},
    {"csum_data_49", golden::csum_data_49},
    {"csum_data_50", golden::csum_data_50},
    {"csum_data_51", golden::csum_data_51},
    {"csum_data_52", golden::csum_data_52},
    {"csum_data_53", golden::csum_data_53},
    {"csum_data_54", golden::csum_data_54},
    {"csum_data_55", golden::csum_data_55},
    {"csum_data_56", golden::csum_data_56},
    {"csum_data_57", golden::csum_data_57},
    {"csum_data_58", golden::csum_data_58},
    {"csum_data_59", golden::csum_data_59},
    {"csum_data_60", golden::csum_data_60},
    {"csum_data_61", golden::csum_data_61},
    {"csum_data_62", golden::csum_data_62},
    {"csum_data_63", golden::csum_data_63},
    {"csum_data_64", golden::csum_data_64},
    {"csum_data_65", golden::csum_data_65},
    {"csum_data_127", golden::csum_data_127},
    {"csum_data_128", golden::csum_data_128},
    {"csum_data_255", golden::csum_data_255},
    {"csum_data_256", golden::csum_data_256},
    {"csum_data_1023", golden::csum_data_1023},
    {"csum_data_1024", golden::csum_data_1024},
    {"csum_data_1499", golden::csum_data_1499},
    {"csum_data_1500", golden::csum_data_1500},
    {"csum_data_1501", golden::csum_data_1501},
    {"csum_data_4097", golden::csum_data_4097},
    {"csum_data_9001", golden::csum_data_9001},
    {"csum_ones", golden::csum_ones},
    {"csum_zeros", golden::csum_zeros},
    {"csum_sums_to_ffff", golden::csum_sums_to_ffff},
    {"csum_carries", golden::csum_carries},
    {"csum_rfc1071_example", golden::csum_rfc1071_example},
    {"err_inv4_64", golden::err_inv4_64},
    {"err4_port_unreach_64", golden::err4_port_unreach_64},
    {"err_inv4_548", golden::err_inv4_548},
    {"err4_port_unreach_548", golden::err4_port_unreach_548},
    {"err_inv4_576", golden::err_inv4_576},
    {"err4_port_unreach_576", golden::err4_port_unreach_576},
    {"err_inv4_1232", golden::err_inv4_1232},
    {"err4_port_unreach_1232", golden::err4_port_unreach_1232},
    {"err_inv4_1280", golden::err_inv4_1280},
    {"err4_port_unreach_1280", golden::err4_port_unreach_1280},
    {"err_inv4_1500", golden::err_inv4_1500},
    {"err4_port_unreach_1500", golden::err4_port_unreach_1500},
    {"err_inv4_proto_64", golden::err_inv4_proto_64},
    {"err4_proto_unreach_64", golden::err4_proto_unreach_64},
    {"err_inv4_proto_1500", golden::err_inv4_proto_1500},
    {"err4_proto_unreach_1500", golden::err4_proto_unreach_1500},
    {"err4_time_exceeded_64", golden::err4_time_exceeded_64},
    {"err4_reasm_time_exceeded_64", golden::err4_reasm_time_exceeded_64},
    {"err4_time_exceeded_576", golden::err4_time_exceeded_576},
    {"err4_reasm_time_exceeded_576", golden::err4_reasm_time_exceeded_576},
    {"err4_time_exceeded_1500", golden::err4_time_exceeded_1500},
    {"err4_reasm_time_exceeded_1500", golden::err4_reasm_time_exceeded_1500},
    {"err_inv6_64", golden::err_inv6_64},
    {"err6_port_unreach_64", golden::err6_port_unreach_64},
    {"err_inv6_548", golden::err_inv6_548},
    {"err6_port_unreach_548", golden::err6_port_unreach_548},
    {"err_inv6_576", golden::err_inv6_576},
    {"err6_port_unreach_576", golden::err6_port_unreach_576},
    {"err_inv6_1232", golden::err_inv6_1232},
    {"err6_port_unreach_1232", golden::err6_port_unreach_1232},
    {"err_inv6_1280", golden::err_inv6_1280},
    {"err6_port_unreach_1280", golden::err6_port_unreach_1280},
    {"err_inv6_1500", golden::err_inv6_1500},
    {"err6_port_unreach_1500", golden::err6_port_unreach_1500},
    {"err6_param_problem0_64", golden::err6_param_problem0_64},
    {"err6_param_problem1_64", golden::err6_param_problem1_64},
    {"err6_reasm_time_exceeded_64", golden::err6_reasm_time_exceeded_64},
    {"err6_param_problem0_1280", golden::err6_param_problem0_1280},
    {"err6_param_problem1_1280", golden::err6_param_problem1_1280},
    {"err6_reasm_time_exceeded_1280", golden::err6_reasm_time_exceeded_1280},
    {"err6_param_problem0_1500", golden::err6_param_problem0_1500},
    {"err6_param_problem1_1500", golden::err6_param_problem1_1500},
    {"err6_reasm_time_exceeded_1500", golden::err6_reasm_time_exceeded_1500},
    {"he_udp4_closed", golden::he_udp4_closed},
    {"he_udp4_closed_error", golden::he_udp4_closed_error},
    {"he_udp4_secondary", golden::he_udp4_secondary},
    {"he_udp4_secondary_error", golden::he_udp4_secondary_error},
    {"he_udp4_secondary_error_ingress", golden::he_udp4_secondary_error_ingress},
    {"he_udp4_padded", golden::he_udp4_padded},
    {"he_udp4_padded_error", golden::he_udp4_padded_error},
    {"he_udp4_no_checksum", golden::he_udp4_no_checksum},
    {"he_udp4_bad_checksum", golden::he_udp4_bad_checksum},
    {"he_udp4_directed_broadcast", golden::he_udp4_directed_broadcast},
    {"he_udp6_closed", golden::he_udp6_closed},
    {"he_udp6_closed_error", golden::he_udp6_closed_error},
    {"he_udp6_secondary", golden::he_udp6_secondary},
    {"he_udp6_secondary_error", golden::he_udp6_secondary_error},
    {"he_udp6_zero_checksum", golden::he_udp6_zero_checksum},
    {"he_udp6_bad_checksum", golden::he_udp6_bad_checksum},
    {"he_udp6_allnodes", golden::he_udp6_allnodes},
    {"he_proto4_253", golden::he_proto4_253},
    {"he_proto4_253_error", golden::he_proto4_253_error},
    {"he_tcp4", golden::he_tcp4},
    {"he_tcp4_rst", golden::he_tcp4_rst},
    {"he_nh6_253", golden::he_nh6_253},
    {"he_nh6_253_error", golden::he_nh6_253_error},
    {"he_nh6_253_dstopt", golden::he_nh6_253_dstopt},
    {"he_nh6_253_dstopt_error", golden::he_nh6_253_dstopt_error},
    {"he_tcp6", golden::he_tcp6},
    {"he_tcp6_rst", golden::he_tcp6_rst},
    {"he_ext_len_past_error", golden::he_ext_len_past_error},
    {"he_ext_truncated_error", golden::he_ext_truncated_error},
    {"he_hbh_not_first_error", golden::he_hbh_not_first_error},
    {"he_timestamp_req", golden::he_timestamp_req},
    {"he_timestamp_reply", golden::he_timestamp_reply},
    {"he_echo4_broadcast_reply", golden::he_echo4_broadcast_reply},
    {"he_redirect4", golden::he_redirect4},
    {"he_source_quench4", golden::he_source_quench4},
    {"he_info_request4", golden::he_info_request4},
    {"he_mask_request4", golden::he_mask_request4},
    {"he_probe4_name_req", golden::he_probe4_name_req},
    {"he_probe4_name_reply", golden::he_probe4_name_reply},
    {"he_probe4_index_req", golden::he_probe4_index_req},
    {"he_probe4_index_reply", golden::he_probe4_index_reply},
    {"he_probe4_addr4_req", golden::he_probe4_addr4_req},
    {"he_probe4_addr4_reply", golden::he_probe4_addr4_reply},
    {"he_probe4_addr6_req", golden::he_probe4_addr6_req},
    {"he_probe4_addr6_reply", golden::he_probe4_addr6_reply},
    {"he_probe4_nosuch_req", golden::he_probe4_nosuch_req},
    {"he_probe4_nosuch_reply", golden::he_probe4_nosuch_reply},
    {"he_probe4_shared_req", golden::he_probe4_shared_req},
    {"he_probe4_shared_reply", golden::he_probe4_shared_reply},
    {"he_probe4_proxy_req", golden::he_probe4_proxy_req},
    {"he_probe4_proxy_reply", golden::he_probe4_proxy_reply},
    {"he_probe6_name_req", golden::he_probe6_name_req},
    {"he_probe6_name_reply", golden::he_probe6_name_reply},
    {"he_opt00_unicast", golden::he_opt00_unicast},
    {"he_opt00_allnodes", golden::he_opt00_allnodes},
    {"he_opt40_unicast", golden::he_opt40_unicast},
    {"he_opt40_allnodes", golden::he_opt40_allnodes},
    {"he_opt80_unicast", golden::he_opt80_unicast},
    {"he_opt80_allnodes", golden::he_opt80_allnodes},
    {"he_optc0_unicast", golden::he_optc0_unicast},
    {"he_optc0_allnodes", golden::he_optc0_allnodes},
    {"he_opt00_unicast_error", golden::he_opt00_unicast_error},
    {"he_opt80_unicast_error", golden::he_opt80_unicast_error},
    {"he_opt80_allnodes_error", golden::he_opt80_allnodes_error},
    {"he_optc0_unicast_error", golden::he_optc0_unicast_error},
    {"rt_inv4_64", golden::rt_inv4_64},
    {"rt_inv6_64", golden::rt_inv6_64},
    {"rt_inv4_201", golden::rt_inv4_201},
    {"rt_inv6_201", golden::rt_inv6_201},
    {"rt_inv4_1500", golden::rt_inv4_1500},
    {"rt_inv6_1500", golden::rt_inv6_1500},
    {"rt4_net_unreach_64", golden::rt4_net_unreach_64},
    {"rt4_host_unreach_64", golden::rt4_host_unreach_64},
    {"rt4_admin_prohibited_64", golden::rt4_admin_prohibited_64},
    {"rt4_ttl_exceeded_64", golden::rt4_ttl_exceeded_64},
    {"rt4_frag_needed_64", golden::rt4_frag_needed_64},
    {"rt6_no_route_64", golden::rt6_no_route_64},
    {"rt6_admin_prohibited_64", golden::rt6_admin_prohibited_64},
    {"rt6_beyond_scope_64", golden::rt6_beyond_scope_64},
    {"rt6_addr_unreach_64", golden::rt6_addr_unreach_64},
    {"rt6_hop_limit_exceeded_64", golden::rt6_hop_limit_exceeded_64},
    {"rt6_packet_too_big_64", golden::rt6_packet_too_big_64},
    {"rt4_net_unreach_1500", golden::rt4_net_unreach_1500},
    {"rt4_host_unreach_1500", golden::rt4_host_unreach_1500},
    {"rt4_admin_prohibited_1500", golden::rt4_admin_prohibited_1500},
    {"rt4_ttl_exceeded_1500", golden::rt4_ttl_exceeded_1500},
    {"rt4_frag_needed_1500", golden::rt4_frag_needed_1500},
    {"rt6_no_route_1500", golden::rt6_no_route_1500},
    {"rt6_admin_prohibited_1500", golden::rt6_admin_prohibited_1500},
    {"rt6_beyond_scope_1500", golden::rt6_beyond_scope_1500},
    {"rt6_addr_unreach_1500", golden::rt6_addr_unreach_1500},
    {"rt6_hop_limit_exceeded_1500", golden::rt6_hop_limit_exceeded_1500},
    {"rt6_packet_too_big_1500", golden::rt6_packet_too_big_1500},
    {"rt_inv6_mcast", golden::rt_inv6_mcast},
    {"rt6_packet_too_big_mcast", golden::rt6_packet_too_big_mcast},
    {"ext4_ttl_exceeded_64", golden::ext4_ttl_exceeded_64},
    {"ext6_hop_limit_exceeded_64", golden::ext6_hop_limit_exceeded_64},
    {"ext4_ttl_exceeded_201", golden::ext4_ttl_exceeded_201},
    {"ext6_hop_limit_exceeded_201", golden::ext6_hop_limit_exceeded_201},
    {"ext4_ttl_exceeded_1500", golden::ext4_ttl_exceeded_1500},
    {"ext6_hop_limit_exceeded_1500", golden::ext6_hop_limit_exceeded_1500},
    {"ext4_frag_needed_1500", golden::ext4_frag_needed_1500},
    {"ext4_net_unreach_long_name_1500", golden::ext4_net_unreach_long_name_1500},
    {"ext6_no_route_long_name_1500", golden::ext6_no_route_long_name_1500},
    {"ext4_host_unreach_outgoing_201", golden::ext4_host_unreach_outgoing_201},
    {"ext6_addr_unreach_mtu_only_201", golden::ext6_addr_unreach_mtu_only_201},
    {"ext4_ttl_exceeded_201_orig128", golden::ext4_ttl_exceeded_201_orig128},
    {"ext6_hop_limit_exceeded_1500_orig128", golden::ext6_hop_limit_exceeded_1500_orig128},
    {"ext_structure_v4", golden::ext_structure_v4},
    {"ext_structure_v6", golden::ext_structure_v6},
    {"ext_structure_long6", golden::ext_structure_long6},
    {"redir_inv4_64", golden::redir_inv4_64},
    {"redir4_64", golden::redir4_64},
    {"redir4_1500", golden::redir4_1500},
    {"redir_inv4_net2", golden::redir_inv4_net2},
    {"redir4_net2", golden::redir4_net2},
    {"redir_inv4_lsrr", golden::redir_inv4_lsrr},
    {"redir_inv4_rr", golden::redir_inv4_rr},
    {"redir6_201", golden::redir6_201},
    {"redir6_1500", golden::redir6_1500},
    {"redir6_no_tlla_1500", golden::redir6_no_tlla_1500},
    {"redir6_onlink_64", golden::redir6_onlink_64},
    {"probe_arp_bcast", golden::probe_arp_bcast},
    {"probe_arp_unicast", golden::probe_arp_unicast},
    {"probe_ns_mcast", golden::probe_ns_mcast},
    {"probe_ns_mcast_wide", golden::probe_ns_mcast_wide},
    {"probe_ns_unicast", golden::probe_ns_unicast},
    {"probe_ns_ll", golden::probe_ns_ll},
    {"probe_ns_dad", golden::probe_ns_dad},
};

Buf to_buf(std::span<const std::uint8_t> s) {
    return pw::test::copy(s);
}

// --- The world the frames arrive in ------------------------------------------------------

// Port 0 (ingress): the interface of the golden vectors. Port 1: a second subnet. Port 2: a
// third, whose subnet is the destination of forwarded directed broadcasts.
struct World {
    Iface a, b, c;
    Iface b_small;  // port 1 again, with a small MTU (a distinct object: ip4_forward's
                    // same-interface test is by address)
    std::array<ProbeIface, 3> probes{};
    HostPolicy policy;
    RateLimitConfig rate;
    SharedBucket global;
    RateLimiter limiter;
    IcmpStats stats;
    RouterPolicy router;
    std::uint16_t ident = 0;
    std::uint64_t now = 0;
    FastPolicy fp;
    std::vector<Route> routes;

    World() {
        a.mac = mac("02:00:00:00:00:01");
        a.add_v4({ip4("198.18.0.1"), 24});
        a.add_v4({ip4("198.19.255.1"), 32});
        a.add_v6({ip6("2001:2::1"), 64});
        a.add_v6({ip6("2001:2:0:1::10"), 64});
        a.add_link_local();
        // Odd but accepted configurations, so that the corners they make are tried: an
        // address that is also a directed broadcast of ours, a multicast address.
        a.add_v4({ip4("198.18.2.1"), 24});
        a.add_v4({ip4("198.18.2.255"), 32});
        a.add_v6({ip6("ff05::1:3"), 128});
        b.mac = mac("02:00:00:00:00:0b");
        b.add_v4({ip4("198.18.1.1"), 24});
        b.add_v6({ip6("2001:2:0:2::1"), 64});
        b.add_link_local();
        c.mac = mac("02:00:00:00:00:0c");
        c.mtu = 9000;
        c.add_v4({ip4("198.19.7.1"), 24});
        c.add_v6({ip6("2001:2:0:7::1"), 64});
        c.add_link_local();
        b_small = b;
        b_small.mtu = 576;
        const Iface* ifs[3] = {&a, &b, &c};
        for (std::uint32_t i = 0; i < 3; ++i) {
            probes[i].iface = ifs[i];
            probes[i].index = i + 1;
            std::snprintf(probes[i].name.data(), probes[i].name.size(), "port%u", i);
        }
        rate.host_table_sets = 4;
        global.configure(1'000'000, 50);
        limiter.configure(rate, &global, 1);
        fp = make_fast_policy(policy, rate, true);

        // Routes the forwarding step is tried with, after a successful forward*_check.
        const auto route = [](Route::Kind k, std::uint16_t port, const Iface* e) {
            Route r;
            r.kind = k;
            r.port = port;
            r.egress = e;
            r.gw4 = ip4("198.18.1.254");
            r.gw6 = ip6("fe80::1");
            return r;
        };
        using K = Route::Kind;
        routes = {route(K::connected, 1, &b),       route(K::via, 1, &b),
                  route(K::connected, 0, &a),       route(K::via, 0, &a),
                  route(K::connected, 1, &b_small), route(K::via, 2, &c),
                  route(K::connected, 2, &c),       route(K::none, 1, &b),
                  route(K::reject, 1, &b),          route(K::blackhole, 1, &b),
                  route(K::connected, 0, &b)};
        Route denied = route(K::via, 1, &b);
        denied.denied = true;
        routes.push_back(denied);
        Route global_gw = route(K::via, 1, &b);
        global_gw.gw6 = ip6("2001:2:0:2::fe");
        routes.push_back(global_gw);
        // Back out of the ingress interface through a gateway on the sender's subnet: a
        // Redirect is owed when redirects are on (whatever the port says).
        for (const unsigned port : {0U, 1U}) {
            Route back = route(K::via, static_cast<std::uint16_t>(port), &a);
            back.gw4 = ip4("198.18.0.254");
            back.gw6 = ip6("fe80::fe");
            routes.push_back(back);
        }
    }

    HostContext context(bool router_mode) {
        HostContext ctx;
        ctx.iface = &a;
        ctx.policy = &policy;
        ctx.limiter = &limiter;
        ctx.stats = &stats;
        ctx.now_ns = now += 1'000'000;
        ctx.ip_ident = &ident;
        ctx.probe_ifaces = {probes.data(), probes.size()};
        ctx.router = router_mode ? &router : nullptr;
        ctx.learns_neighbours = router_mode;
        ctx.plan = &plan;
        ctx.sighting = &sighting;
        return ctx;
    }
    ErrorPlan plan;
    Sighting sighting;
};

// --- The differential ----------------------------------------------------------------------

struct Tally {
    std::uint64_t frames = 0;
    std::uint64_t echo4 = 0, echo6 = 0;            // answered by the fast path
    std::uint64_t echo4_full = 0, echo6_full = 0;  // answered by the full path
    std::uint64_t fwd4_check = 0, fwd6_check = 0;  // forward*_check accepted
    std::uint64_t fwd4 = 0, fwd6 = 0;              // forward*_apply forwarded (frame x route)
    std::uint64_t fwd4_full = 0, fwd6_full = 0;    // the full path forwarded them (same pairs)
    std::uint64_t mismatches = 0;

    void operator+=(const Tally& o) {
        frames += o.frames;
        echo4 += o.echo4;
        echo6 += o.echo6;
        echo4_full += o.echo4_full;
        echo6_full += o.echo6_full;
        fwd4_check += o.fwd4_check;
        fwd6_check += o.fwd6_check;
        fwd4 += o.fwd4;
        fwd6 += o.fwd6;
        fwd4_full += o.fwd4_full;
        fwd6_full += o.fwd6_full;
        mismatches += o.mismatches;
    }
    std::string str() const {
        return std::to_string(frames) + " frames (each in 3 configurations): echo4 fast " +
               std::to_string(echo4) + " / full " + std::to_string(echo4_full) + ", echo6 fast " +
               std::to_string(echo6) + " / full " + std::to_string(echo6_full) +
               ", forward4 checked " + std::to_string(fwd4_check) + " forwarded " +
               std::to_string(fwd4) + " (full path forwarded " + std::to_string(fwd4_full) +
               " of those frame x route pairs), forward6 checked " + std::to_string(fwd6_check) +
               " forwarded " + std::to_string(fwd6) + " (full " + std::to_string(fwd6_full) +
               "), mismatches " + std::to_string(mismatches);
    }
};

class Differential {
public:
    Tally tally;

    // One frame through every configuration: host and router mode, redirects off and on.
    void run(const Buf& frame) {
        ++tally.frames;
        run_one(frame, false);
        world_.router.send_redirects = false;
        run_one(frame, true);
        world_.router.send_redirects = true;
        run_one(frame, true);
        world_.router.send_redirects = false;
    }
    World& world() { return world_; }

private:
    void mismatch(const Buf& frame, const std::string& what) {
        if (++tally.mismatches <= 20)
            ADD_FAILURE() << what << "\n  frame: "
                          << pw::test::hex(frame, 0, std::min<std::size_t>(frame.size(), 80));
    }

    void run_one(const Buf& frame, bool router_mode) {
        HostContext ctx = world_.context(router_mode);
        FastPolicy fp = world_.fp;
        fp.router = router_mode;

        // The full path on a copy: host_input's verdict and bytes.
        Buf full = frame;
        const Verdict v = host_input(full, full.size(), ctx);
        const bool replied = v.next == Next::reply;
        if (replied && v.kind == Reply::echo4_reply) ++tally.echo4_full;
        if (replied && v.kind == Reply::echo6_reply) ++tally.echo6_full;

        // The echo fast paths.
        Buf fast = frame;
        std::size_t len = echo4_fast(fast, world_.a, fp);
        Reply kind = Reply::echo4_reply;
        if (len == 0) {
            if (fast != frame) mismatch(frame, "echo4_fast declined and changed the frame");
            len = echo6_fast(fast, world_.a, fp);
            kind = Reply::echo6_reply;
            if (len == 0 && fast != frame)
                mismatch(frame, "echo6_fast declined and changed the frame");
        }
        if (len != 0) {
            ++(kind == Reply::echo4_reply ? tally.echo4 : tally.echo6);
            if (!replied || v.kind != kind || v.len != len || fast != full)
                mismatch(frame,
                         std::string("fast echo answered, full path: ") +
                             (replied ? std::string(reply_name(v.kind)) + " len " +
                                            std::to_string(v.len) + " vs " + std::to_string(len) +
                                            (fast != full ? " bytes differ" : "")
                                      : std::string(wire::drop_name(v.drop))));
        }

        // The forwarding fast paths.
        std::uint32_t dst4 = 0;
        const bool c4 = forward4_check(frame, ctx, fp, dst4);
        wire::Ipv6Addr dst6;
        const bool c6 = forward6_check(frame, ctx, fp, dst6);
        if (c4 && c6) mismatch(frame, "both forward checks accepted");
        if (!c4 && !c6) return;
        if (len != 0) mismatch(frame, "answered and forwarded");
        if (v.next != Next::route || v.v6 != c6 || v.l3_from != wire::eth::header_len) {
            mismatch(frame, "forward check accepted, host_input: " +
                                std::string(replied ? "reply" : wire::drop_name(v.drop)));
            return;
        }
        if (full != frame) mismatch(frame, "host_input's route verdict changed the frame");
        const wire::ConstBytes l3 = wire::ConstBytes(frame).subspan(wire::eth::header_len);
        if (c4 && dst4 != wire::load32(l3, wire::ipv4::field::dst))
            mismatch(frame, "forward4_check's destination");
        if (c6 && dst6 != wire::load_bytes<wire::Ipv6Addr>(l3, wire::ipv6::field::dst))
            mismatch(frame, "forward6_check's destination");
        ++(c4 ? tally.fwd4_check : tally.fwd6_check);

        for (const Route& r : world_.routes) {
            Buf f = frame;
            Buf g = frame;
            wire::Ipv4Addr nh4;
            wire::Ipv6Addr nh6;
            const bool ok =
                c4 ? forward4_apply(f, r, 0, ctx, nh4) : forward6_apply(f, r, 0, ctx, nh6);
            const Verdict fv = c4 ? ip4_forward(g, wire::eth::header_len, r, ctx)
                                  : ip6_forward(g, wire::eth::header_len, r, ctx);
            if (!ok) {
                if (f != frame) mismatch(frame, "forward_apply declined and changed the frame");
                continue;
            }
            ++(c4 ? tally.fwd4 : tally.fwd6);
            const bool same = fv.next == Next::forward && !fv.fragment_needed && !fv.owes_error() &&
                              fv.egress_port == r.port && f == g &&
                              fv.next_hop == (c4 ? wire::v4_mapped(nh4) : nh6);
            if (!same) {
                mismatch(frame, std::string("fast forward, full path: ") +
                                    (fv.next == Next::forward ? "forward"
                                                              : wire::drop_name(fv.drop).data()) +
                                    (fv.fragment_needed ? " fragment" : "") +
                                    (fv.owes_error() ? " error" : "") + (f != g ? " bytes" : "") +
                                    " route kind " + std::to_string(int(r.kind)) + " port " +
                                    std::to_string(r.port));
            } else {
                ++(c4 ? tally.fwd4_full : tally.fwd6_full);
            }
        }
    }

    World world_;
};

// --- Frame surgery --------------------------------------------------------------------------

// The IP header's offset in an Ethernet frame (untagged or one tag), or 0 when not IP.
std::size_t l3_offset(const Buf& f, bool& v6) {
    if (f.size() < wire::eth::header_len) return 0;
    std::size_t off = wire::eth::header_len;
    std::uint16_t type = wire::load16(wire::ConstBytes(f), wire::eth::field::type);
    if (type == wire::eth::type_vlan) {
        if (f.size() < off + 4) return 0;
        type = wire::load16(wire::ConstBytes(f), wire::eth::field::inner_type);
        off += 4;
    }
    if (type != wire::eth::type_ipv4 && type != wire::eth::type_ipv6) return 0;
    v6 = type == wire::eth::type_ipv6;
    return off;
}

// Recomputes the IPv4 header checksum and the ICMP / ICMPv6 checksum where the frame parses,
// so that a mutation gets past the checksum checks.
void repair(Buf& f) {
    using namespace pw::wire;
    bool v6 = false;
    const std::size_t off = l3_offset(f, v6);
    if (off == 0) return;
    const Bytes l3 = Bytes(f).subspan(off);
    if (!v6) {
        const auto ip = ipv4::View<std::byte>::checked(l3);
        if (!ip) return;
        ip->fill_checksum();
        if (ip->protocol() == ipv4::proto_icmp && ip->payload().size() >= icmp::header_len)
            icmp::View<std::byte>::checked(ip->payload(), Drop::icmp4_truncated)
                ->fill_checksum_v4();
        return;
    }
    const auto ip = ipv6::View<std::byte>::checked(l3);
    if (!ip) return;
    const auto w = ipv6::walk_extensions(ip->bytes());
    if (!w.upper || w.upper->protocol != ipv6::nh_icmp6) return;
    const auto msg = ip->bytes().subspan(w.upper->offset);
    if (msg.size() < icmp::header_len) return;
    icmp::View<std::byte>::checked(msg, Drop::icmp6_truncated)
        ->fill_checksum_v6(pseudo_sum_v6(ip->src(), ip->dst(),
                                         static_cast<std::uint32_t>(msg.size()), ipv6::nh_icmp6));
}

// Out of line: GCC 12 inlines it into a false -Wfree-nonheap-object (GCC PR 105705).
[[gnu::noinline]] Buf repaired(const Buf& f) {
    Buf r = f;
    repair(r);
    return r;
}

void set16(Buf& f, std::size_t off, std::uint16_t v) {
    if (off + 2 <= f.size()) wire::store16(f, off, v);
}
std::uint16_t get16(const Buf& f, std::size_t off) {
    return off + 2 <= f.size() ? wire::load16(wire::ConstBytes(f), off) : 0;
}
void set_bytes(Buf& f, std::size_t off, std::span<const std::uint8_t> v) {
    for (std::size_t i = 0; i < v.size() && off + i < f.size(); ++i) f[off + i] = std::byte{v[i]};
}

const std::vector<wire::Ipv4Addr>& interesting_v4() {
    static const std::vector<wire::Ipv4Addr> v = {
        ip4("198.18.0.1"),   ip4("198.19.255.1"),    ip4("198.18.0.2"),      ip4("198.18.0.255"),
        ip4("198.18.0.0"),   ip4("255.255.255.255"), ip4("0.0.0.0"),         ip4("0.1.2.3"),
        ip4("127.0.0.1"),    ip4("224.0.0.1"),       ip4("239.255.255.255"), ip4("240.0.0.1"),
        ip4("198.18.1.1"),   ip4("198.18.1.255"),    ip4("198.18.1.50"),     ip4("198.19.7.7"),
        ip4("198.19.7.255"), ip4("198.19.7.0"),      ip4("198.19.7.1"),      ip4("198.19.255.255"),
        ip4("198.19.200.9"), ip4("198.18.2.255"),    ip4("198.18.2.1")};
    return v;
}
const std::vector<wire::Ipv6Addr>& interesting_v6() {
    static const std::vector<wire::Ipv6Addr> v = {ip6("2001:2::1"),
                                                  ip6("2001:2:0:1::10"),
                                                  ip6("fe80::ff:fe00:1"),
                                                  ip6("2001:2::2"),
                                                  ip6("fe80::ff:fe00:2"),
                                                  ip6("::"),
                                                  ip6("::1"),
                                                  ip6("ff02::1"),
                                                  ip6("ff02::1:ff00:1"),
                                                  ip6("ff05::2"),
                                                  ip6("2001:2:0:2::1"),
                                                  ip6("2001:2:0:2::50"),
                                                  ip6("2001:2:0:7::1"),
                                                  ip6("2001:2:0:99::7"),
                                                  ip6("fe80::1"),
                                                  ip6("::ffff:198.18.0.1"),
                                                  ip6("ff05::1:3")};
    return v;
}
const std::vector<wire::MacAddr>& interesting_macs() {
    static const std::vector<wire::MacAddr> v = {
        mac("02:00:00:00:00:01"), mac("ff:ff:ff:ff:ff:ff"), mac("33:33:00:00:00:01"),
        mac("33:33:ff:00:00:01"), mac("02:00:00:00:00:02"), mac("03:00:00:00:00:01"),
        mac("02:00:00:00:00:0b"), mac("00:00:00:00:00:00")};
    return v;
}

// Structured mutations of an IP frame; kind picks one, r its parameters. Returns false when
// it does not apply (not an IP frame).
bool mutate(Buf& f, unsigned kind, std::mt19937& r) {
    bool v6 = false;
    const std::size_t l3 = l3_offset(f, v6);
    const auto pick = [&r](std::size_t n) { return static_cast<std::size_t>(r() % n); };
    switch (kind % 14) {
        case 0: {  // a byte of the headers set to a random or interesting value
            if (f.empty()) return false;
            const std::size_t pos = pick(std::min<std::size_t>(f.size(), 110));
            static const std::uint8_t vals[] = {0x00, 0xff, 0x01, 0x80, 0x7f, 0x40, 0x45, 0x3a};
            f[pos] = (r() % 2 != 0) ? std::byte{vals[pick(std::size(vals))]}
                                    : std::byte{static_cast<std::uint8_t>(r())};
            return true;
        }
        case 1: {  // a bit flipped anywhere
            if (f.empty()) return false;
            f[pick(f.size())] ^= std::byte{static_cast<std::uint8_t>(1U << pick(8))};
            return true;
        }
        case 2:  // cut
            if (f.empty()) return false;
            f.resize(pick(f.size()));
            return true;
        case 3:  // extended (link-layer padding or garbage after the datagram)
            f.resize(f.size() + 1 + pick(64),
                     std::byte{static_cast<std::uint8_t>(r() % 2 ? 0 : 0xa5)});
            return true;
        case 4: {  // Ethernet destination
            if (f.size() < 6) return false;
            const auto& m = interesting_macs()[pick(interesting_macs().size())];
            set_bytes(f, 0, m.bytes);
            return true;
        }
        case 5:  // VLAN tag inserted
            if (f.size() < 14) return false;
            {
                Buf t(f.size() + 4);
                std::copy(f.begin(), f.begin() + 12, t.begin());
                t[12] = std::byte{0x81};
                t[13] = std::byte{0};
                t[14] = std::byte{0};
                t[15] = std::byte{5};
                std::copy(f.begin() + 12, f.end(), t.begin() + 16);
                f.swap(t);
                return true;
            }
        default:
            break;
    }
    if (l3 == 0) return false;
    switch (kind % 14) {
        case 6: {  // source address
            if (v6)
                set_bytes(f, l3 + 8, interesting_v6()[pick(interesting_v6().size())].bytes);
            else
                set_bytes(f, l3 + 12, interesting_v4()[pick(interesting_v4().size())].bytes);
            return true;
        }
        case 7: {  // destination address
            if (v6)
                set_bytes(f, l3 + 24, interesting_v6()[pick(interesting_v6().size())].bytes);
            else
                set_bytes(f, l3 + 16, interesting_v4()[pick(interesting_v4().size())].bytes);
            return true;
        }
        case 8: {  // TTL / hop limit
            static const std::uint8_t t[] = {0, 1, 2, 64, 254, 255};
            const std::size_t at = l3 + (v6 ? 7 : 8);
            if (at < f.size()) f[at] = std::byte{t[pick(std::size(t))]};
            return true;
        }
        case 9: {  // length field off by a little, or by a lot
            const std::size_t at = l3 + (v6 ? 4 : 2);
            const int d[] = {-9, -8, -2, -1, 1, 2, 8, 1000};
            set16(f, at, static_cast<std::uint16_t>(get16(f, at) + d[pick(std::size(d))]));
            return true;
        }
        case 10: {  // IPv4 flags and fragment offset; IPv6 next header
            if (v6) {
                static const std::uint8_t nh[] = {0, 6, 17, 43, 44, 58, 59, 60, 253};
                if (l3 + 6 < f.size()) f[l3 + 6] = std::byte{nh[pick(std::size(nh))]};
            } else {
                static const std::uint16_t fl[] = {0,      0x4000, 0x2000, 0x8000, 0xc000,
                                                   0x0001, 0x1fff, 0x6001, 0xffff};
                set16(f, l3 + 6, fl[pick(std::size(fl))]);
            }
            return true;
        }
        case 11: {  // version / IHL; IPv6 version nibble
            static const std::uint8_t vi[] = {0x45, 0x46, 0x44, 0x4f, 0x55, 0x65, 0x60, 0x40};
            if (l3 < f.size()) f[l3] = std::byte{vi[pick(std::size(vi))]};
            return true;
        }
        case 12: {  // ICMP type and code
            static const std::uint8_t ty[] = {8, 0, 13, 42, 3, 11, 128, 129, 135, 136, 160, 200};
            const std::size_t at = l3 + (v6 ? 40 : 20);
            if (at + 1 < f.size()) {
                f[at] = std::byte{ty[pick(std::size(ty))]};
                if (r() % 3 == 0) f[at + 1] = std::byte{static_cast<std::uint8_t>(r())};
            }
            return true;
        }
        default: {  // protocol
            static const std::uint8_t pr[] = {1, 6, 17, 58, 253};
            if (!v6 && l3 + 9 < f.size()) f[l3 + 9] = std::byte{pr[pick(std::size(pr))]};
            return !v6;
        }
    }
}

// A checksum off by one (or in its other representation) after a repair.
void checksum_off(Buf& f, std::mt19937& r) {
    bool v6 = false;
    const std::size_t l3 = l3_offset(f, v6);
    if (l3 == 0) return;
    std::size_t at;
    if (v6) {
        at = l3 + 42;
    } else {
        const std::size_t ihl =
            l3 < f.size() ? (std::to_integer<std::size_t>(f[l3]) & 0xf) * 4 : 20;
        at = r() % 2 != 0 ? l3 + 10 : l3 + ihl + 2;
    }
    const std::uint16_t c = get16(f, at);
    switch (r() % 3) {
        case 0:
            set16(f, at, static_cast<std::uint16_t>(c + 1));
            break;
        case 1:
            set16(f, at, static_cast<std::uint16_t>(c - 1));
            break;
        default:
            set16(f, at, c == 0 ? 0xffff : c == 0xffff ? 0 : c);
            break;
    }
}

// The frames the mutations start from: every golden IPv4/IPv6 Ethernet frame up to 1600 bytes,
// each also sent to our MAC, and plain forwardable datagrams of both families.
std::vector<Buf> bases() {
    std::vector<Buf> out;
    for (const auto& g : golden_vectors) {
        Buf f = to_buf(g.bytes);
        bool v6 = false;
        if (f.size() > 1600 || l3_offset(f, v6) == 0) continue;
        out.push_back(f);
        Buf to_us = f;
        set_bytes(to_us, 0, mac("02:00:00:00:00:01").bytes);
        if (to_us != f) out.push_back(to_us);
    }
    const auto forwardable = [&out](std::span<const std::uint8_t> g, std::size_t dst_off,
                                    std::span<const std::uint8_t> dst) {
        Buf f = to_buf(g);
        set_bytes(f, dst_off, dst);
        repair(f);
        out.push_back(f);
    };
    for (const char* d : {"198.19.200.9", "198.18.1.50", "198.19.7.7", "198.19.7.255"}) {
        forwardable(golden::echo4_req, 14 + 16, ip4(d).bytes);
        forwardable(golden::he_udp4_closed, 14 + 16, ip4(d).bytes);
        forwardable(golden::echo4_opts_req, 14 + 16, ip4(d).bytes);
    }
    for (const char* d : {"2001:2:0:99::7", "2001:2:0:2::50"}) {
        forwardable(golden::echo6_req, 14 + 24, ip6(d).bytes);
        forwardable(golden::echo6_hbh_req, 14 + 24, ip6(d).bytes);
        forwardable(golden::he_udp6_closed, 14 + 24, ip6(d).bytes);
    }
    return out;
}

void report(const char* what, const Tally& t) {
    std::cout << what << ": " << t.str() << "\n";
}

// --- Tests ----------------------------------------------------------------------------------

TEST(FastPath, GoldenVectors) {
    Differential d;
    for (const auto& g : golden_vectors) {
        SCOPED_TRACE(g.name);
        const Buf f = to_buf(g.bytes);
        d.run(f);
        Buf to_us = f;
        set_bytes(to_us, 0, mac("02:00:00:00:00:01").bytes);
        d.run(to_us);
    }
    report("golden", d.tally);
    EXPECT_EQ(d.tally.mismatches, 0U);
    EXPECT_GT(d.tally.echo4, 0U);
    EXPECT_GT(d.tally.echo6, 0U);
}

TEST(FastPath, PlainCasesTakeTheFastPath) {
    // The common cases must actually be taken (a fast path declining everything would pass the
    // differential): each answered exactly as the golden reply says.
    World w;
    const FastPolicy fp = w.fp;
    const auto answered = [&](std::span<const std::uint8_t> req, std::span<const std::uint8_t> want,
                              bool v6) {
        Buf f = to_buf(req);
        const std::size_t n = v6 ? echo6_fast(f, w.a, fp) : echo4_fast(f, w.a, fp);
        ASSERT_EQ(n, want.size());
        EXPECT_TRUE(pw::test::same_bytes(wire::ConstBytes(f).first(n), want));
    };
    answered(golden::echo4_req, golden::echo4_reply, false);
    answered(golden::echo4_big_req, golden::echo4_big_reply, false);
    answered(golden::echo4_secondary_req, golden::echo4_secondary_reply, false);
    answered(golden::echo6_req, golden::echo6_reply, true);
    answered(golden::echo6_big_req, golden::echo6_big_reply, true);
    answered(golden::echo6_ll_req, golden::echo6_ll_reply, true);
    answered(golden::echo6_padded_req, golden::echo6_padded_reply, true);

    // Left to the full path: options, extension headers, an all-zero reply message (its
    // checksum is recomputed there), multicast, broadcast, VLAN.
    for (const auto g : {std::span<const std::uint8_t>(golden::echo4_opts_req),
                         std::span<const std::uint8_t>(golden::echo4_padded_req),
                         std::span<const std::uint8_t>(golden::vlan_echo4_req),
                         std::span<const std::uint8_t>(golden::bad_echo4_directed_broadcast),
                         std::span<const std::uint8_t>(golden::echo6_hbh_req),
                         std::span<const std::uint8_t>(golden::echo6_allnodes_ll_req),
                         std::span<const std::uint8_t>(golden::arp_req),
                         std::span<const std::uint8_t>(golden::ns_mcast_req)}) {
        Buf f = to_buf(g);
        const Buf before = f;
        EXPECT_EQ(echo4_fast(f, w.a, fp), 0U);
        EXPECT_EQ(echo6_fast(f, w.a, fp), 0U);
        EXPECT_EQ(f, before);
    }

    // Forwarding: a datagram to a remote subnet, checked then applied on a route via port 1.
    Buf f4 = to_buf(golden::echo4_req);
    set_bytes(f4, 14 + 16, ip4("198.19.200.9").bytes);
    repair(f4);
    HostContext ctx = w.context(true);
    std::uint32_t dst = 0;
    ASSERT_TRUE(forward4_check(f4, ctx, w.fp, dst));
    EXPECT_EQ(dst, ip4("198.19.200.9").to_u32());
    wire::Ipv4Addr nh;
    ASSERT_TRUE(forward4_apply(f4, w.routes[1], 0, ctx, nh));
    EXPECT_EQ(nh, ip4("198.18.1.254"));
    EXPECT_EQ(std::to_integer<int>(f4[14 + 8]), 60);  // TTL 61 - 1
    EXPECT_EQ(wire::ones_sum(wire::ConstBytes(f4).subspan(14, 20)), 0xffff);
    // Not in host mode.
    EXPECT_FALSE(forward4_check(f4, w.context(false), w.fp, dst));
    FastPolicy host = w.fp;
    host.router = false;
    EXPECT_FALSE(forward4_check(f4, ctx, host, dst));

    Buf f6 = to_buf(golden::echo6_req);
    set_bytes(f6, 14 + 24, ip6("2001:2:0:99::7").bytes);
    repair(f6);
    wire::Ipv6Addr d6;
    ASSERT_TRUE(forward6_check(f6, ctx, w.fp, d6));
    EXPECT_EQ(d6, ip6("2001:2:0:99::7"));
    wire::Ipv6Addr nh6;
    ASSERT_TRUE(forward6_apply(f6, w.routes[0], 0, ctx, nh6));
    EXPECT_EQ(nh6, ip6("2001:2:0:99::7"));  // connected: the destination itself

    // A route with no egress interface (the full path would not take one either).
    Route none = w.routes[1];
    none.egress = nullptr;
    const Buf before4 = f4, before6 = f6;
    EXPECT_FALSE(forward4_apply(f4, none, 0, ctx, nh));
    EXPECT_FALSE(forward6_apply(f6, none, 0, ctx, nh6));
    EXPECT_EQ(f4, before4);
    EXPECT_EQ(f6, before6);
}

TEST(FastPath, PolicyTurnsEchoOff) {
    HostPolicy pol;
    RateLimitConfig rate;
    EXPECT_TRUE(make_fast_policy(pol, rate, false).echo4);
    EXPECT_TRUE(make_fast_policy(pol, rate, false).echo6);
    EXPECT_FALSE(make_fast_policy(pol, rate, false).router);
    EXPECT_TRUE(make_fast_policy(pol, rate, true).router);
    pol.echo_ignore_all = true;
    EXPECT_FALSE(make_fast_policy(pol, rate, false).echo4);
    EXPECT_TRUE(make_fast_policy(pol, rate, false).echo6);
    pol = HostPolicy{};
    pol.echo6_ignore_all = true;
    EXPECT_TRUE(make_fast_policy(pol, rate, false).echo4);
    EXPECT_FALSE(make_fast_policy(pol, rate, false).echo6);
    // Echo replies in the rate-limit mask: the limiter decides, so the full path does.
    pol = HostPolicy{};
    rate.mask_v4.set(wire::icmpv4::echo_reply);
    rate.mask_v6.set(wire::icmpv6::echo_reply);
    EXPECT_FALSE(make_fast_policy(pol, rate, false).echo4);
    EXPECT_FALSE(make_fast_policy(pol, rate, false).echo6);
    // Other policy knobs change nothing the fast paths answer.
    rate = RateLimitConfig{};
    pol.echo_ignore_broadcasts = false;
    pol.echo6_ignore_multicast = true;
    pol.timestamp_reply = false;
    pol.probe = true;
    EXPECT_TRUE(make_fast_policy(pol, rate, false).echo4);
    EXPECT_TRUE(make_fast_policy(pol, rate, false).echo6);

    // With echo off the fast path declines and leaves the frame alone.
    World w;
    FastPolicy off = w.fp;
    off.echo4 = off.echo6 = false;
    Buf f = to_buf(golden::echo4_req);
    EXPECT_EQ(echo4_fast(f, w.a, off), 0U);
    Buf g = to_buf(golden::echo6_req);
    EXPECT_EQ(echo6_fast(g, w.a, off), 0U);
    EXPECT_EQ(f, to_buf(golden::echo4_req));
    EXPECT_EQ(g, to_buf(golden::echo6_req));
}

TEST(FastPath, OurMacAsAGroupAddress) {
    // A misconfigured group MAC: host_input drops IPv4 unicast in a group frame (RFC 1122
    // 3.3.6); the fast path must not answer it.
    Differential d;
    d.world().a.mac = mac("03:00:00:00:00:01");
    Buf f = to_buf(golden::echo4_req);
    set_bytes(f, 0, mac("03:00:00:00:00:01").bytes);
    d.run(f);
    Buf g = to_buf(golden::echo6_req);
    set_bytes(g, 0, mac("03:00:00:00:00:01").bytes);
    d.run(g);
    EXPECT_EQ(d.tally.mismatches, 0U);
    EXPECT_EQ(d.tally.echo4, 0U);
}

TEST(FastPath, SystematicMutations) {
    Differential d;
    std::mt19937 rng(5);
    for (const Buf& base : bases()) {
        d.run(base);
        // Each header byte set to interesting values, as is and with checksums repaired.
        const std::size_t upto = std::min<std::size_t>(base.size(), 14 + 40 + 16);
        for (std::size_t pos = 0; pos < upto; ++pos) {
            const auto o = std::to_integer<std::uint8_t>(base[pos]);
            const std::uint8_t vals[] = {0x00,
                                         0xff,
                                         0x01,
                                         0x80,
                                         static_cast<std::uint8_t>(o ^ 0x01),
                                         static_cast<std::uint8_t>(o ^ 0x80),
                                         static_cast<std::uint8_t>(o + 1),
                                         static_cast<std::uint8_t>(o - 1)};
            for (const std::uint8_t v : vals) {
                if (v == o) continue;
                Buf m = base;
                m[pos] = std::byte{v};
                d.run(m);
                const Buf r = repaired(m);
                if (r != m) d.run(r);
            }
        }
        // Every cut, and a few extensions.
        for (std::size_t len = 0; len < base.size(); ++len)
            d.run(Buf(base.begin(), base.begin() + static_cast<std::ptrdiff_t>(len)));
        for (const std::size_t ext : {1U, 2U, 7U, 8U, 64U}) {
            Buf m = base;
            m.resize(base.size() + ext, std::byte{0});
            d.run(m);
        }
        // Every structured mutation, a few draws each, repaired and then a checksum off.
        for (unsigned kind = 4; kind < 14; ++kind) {
            for (int k = 0; k < 6; ++k) {
                Buf m = base;
                if (!mutate(m, kind, rng)) break;
                d.run(m);
                repair(m);
                d.run(m);
                checksum_off(m, rng);
                d.run(m);
            }
        }
    }
    report("systematic", d.tally);
    EXPECT_EQ(d.tally.mismatches, 0U);
    EXPECT_GT(d.tally.echo4, 0U);
    EXPECT_GT(d.tally.echo6, 0U);
    EXPECT_GT(d.tally.fwd4, 0U);
    EXPECT_GT(d.tally.fwd6, 0U);
}

TEST(FastPath, RandomMutations) {
    // PW_FAST_PATH_FRAMES overrides the count (for longer runs by hand).
    std::uint64_t count = 300'000;
    if (const char* e = std::getenv("PW_FAST_PATH_FRAMES")) count = std::strtoull(e, nullptr, 10);
    const std::vector<Buf> from = bases();
    Differential d;
    std::mt19937 rng(20240);
    for (std::uint64_t i = 0; i < count; ++i) {
        Buf f = from[rng() % from.size()];
        for (auto k = 1 + rng() % 3; k > 0; --k) mutate(f, static_cast<unsigned>(rng()), rng);
        if (rng() % 10 < 7) repair(f);
        if (rng() % 8 == 0) checksum_off(f, rng);
        d.run(f);
    }
    report("random", d.tally);
    EXPECT_EQ(d.tally.mismatches, 0U);
    EXPECT_GT(d.tally.echo4, 0U);
    EXPECT_GT(d.tally.echo6, 0U);
    EXPECT_GT(d.tally.fwd4, 0U);
    EXPECT_GT(d.tally.fwd6, 0U);
}

// --- ip4_reply_in_place ---------------------------------------------------------------------

// The reply rewrite as it was, with a full header checksum recompute: the reference.
std::size_t reference_reply(pw::icmp::Frame& f, const wire::ipv4::View<std::byte>& ip,
                            std::size_t payload_len, const Iface& iface) {
    namespace ipv4 = wire::ipv4;
    const auto src = ip.src();
    const auto dst = ip.dst();
    const std::size_t hlen = ip.header_length();
    const wire::Bytes l3 = f.l3();
    if (hlen > ipv4::min_header_len)
        std::memmove(l3.data() + ipv4::min_header_len, l3.data() + hlen, payload_len);
    const std::size_t total = ipv4::min_header_len + payload_len;
    ip.set_ihl(5);
    ip.set_total_length(static_cast<std::uint16_t>(total));
    ip.set_flags_frag(ip.dont_fragment() ? ipv4::flag_df : 0);
    ip.set_ttl(64);
    ip.set_src(dst);
    ip.set_dst(src);
    ip.fill_checksum();
    f.reply_l2(f.eth_src, iface);
    return f.l2_len + total;
}

// Runs ip4_reply_in_place and the reference on copies of frame; both must agree byte for byte.
void expect_same_reply(const Buf& frame, std::size_t payload_len, const Iface& iface,
                       const wire::Ipv4Addr* rewrite_dst = nullptr) {
    Buf a = frame, b = frame;
    std::size_t na = 0, nb = 0;
    for (Buf* x : {&a, &b}) {
        pw::icmp::Frame f{*x,
                          x->size(),
                          14,
                          wire::load_bytes<wire::MacAddr>(wire::ConstBytes(*x), 6),
                          wire::load_bytes<wire::MacAddr>(wire::ConstBytes(*x), 0),
                          false};
        const auto ip = *wire::ipv4::View<std::byte>::checked(f.l3());
        // As icmp4_input answers a broadcast: dst rewritten, the header checksum left stale.
        if (rewrite_dst != nullptr) ip.set_dst(*rewrite_dst);
        (x == &a ? na : nb) = x == &a ? ip4_reply_in_place(f, ip, payload_len, iface)
                                      : reference_reply(f, ip, payload_len, iface);
    }
    ASSERT_EQ(na, nb);
    ASSERT_TRUE(pw::test::same_bytes(a, b));
}

TEST(Ip4ReplyInPlace, IncrementalChecksumEqualsFullRecompute) {
    // Every TTL x flags/fragment variants x random headers (TOS, identification, protocol,
    // addresses, lengths), the reply as long as the request or shorter (Timestamp, PROBE).
    World w;
    std::mt19937 rng(1624);
    const std::uint16_t flag_words[] = {0x0000, 0x4000, 0x2000, 0x6000, 0x8000, 0xc000,
                                        0x0001, 0x1fff, 0x4123, 0xffff, 0xbfff};
    std::uint64_t n = 0;
    for (int h = 0; h < 60; ++h) {
        const std::size_t payload = 8 + rng() % 60;
        Buf frame(14 + 20 + payload);
        for (auto& x : frame) x = std::byte{static_cast<std::uint8_t>(rng())};
        const wire::Bytes l3 = wire::Bytes(frame).subspan(14);
        wire::store8(l3, 0, 0x45);
        wire::store16(l3, 2, static_cast<std::uint16_t>(20 + payload));
        for (std::uint32_t ttl = 0; ttl <= 255; ++ttl) {
            for (const std::uint16_t fw : flag_words) {
                wire::store8(l3, 8, static_cast<std::uint8_t>(ttl));
                wire::store16(l3, 6, fw);
                wire::store16(l3, 10, 0);
                wire::store16(l3, 10, wire::checksum(l3.first(20)));
                expect_same_reply(frame, payload, w.a);
                expect_same_reply(frame, payload - 1 - rng() % 7, w.a);
                if (HasFatalFailure()) return;
                n += 2;
            }
        }
    }
    EXPECT_GT(n, 300'000U);
}

TEST(Ip4ReplyInPlace, StaleOrUnusualStoredChecksum) {
    World w;
    std::mt19937 rng(1071);
    for (int h = 0; h < 20000; ++h) {
        const std::size_t payload = 8 + rng() % 40;
        Buf frame(14 + 20 + payload);
        for (auto& x : frame) x = std::byte{static_cast<std::uint8_t>(rng())};
        const wire::Bytes l3 = wire::Bytes(frame).subspan(14);
        wire::store8(l3, 0, 0x45);
        wire::store16(l3, 2, static_cast<std::uint16_t>(20 + payload));
        wire::store16(l3, 10, 0);
        wire::store16(l3, 10, wire::checksum(l3.first(20)));
        // dst rewritten after the check (an echo to a broadcast answered from our address).
        const wire::Ipv4Addr us = w.a.v4[0].addr;
        expect_same_reply(frame, payload, w.a, &us);
        // The stored checksum in its other representation: a header whose other words sum
        // to 0xffff carries 0x0000 (what a full computation gives) or 0xffff (RFC 1624's -0).
        wire::store16(l3, 4, 0);
        wire::store16(l3, 10, 0);
        const std::uint16_t rest = wire::ones_sum(l3.first(20));
        wire::store16(l3, 4, static_cast<std::uint16_t>(~rest));
        ASSERT_EQ(wire::ones_sum(l3.first(20)), 0xffff);
        expect_same_reply(frame, payload, w.a);
        wire::store16(l3, 10, 0xffff);
        ASSERT_EQ(wire::ones_sum(l3.first(20)), 0xffff);
        expect_same_reply(frame, payload, w.a);
        // With options: the full recompute path, as before.
        Buf opt(14 + 24 + payload);
        std::copy(frame.begin(), frame.begin() + 34, opt.begin());
        std::copy(frame.begin() + 34, frame.end(), opt.begin() + 38);
        const wire::Bytes o3 = wire::Bytes(opt).subspan(14);
        wire::store8(o3, 0, 0x46);
        wire::store32(o3, 20, 0x01010100);  // NOP NOP NOP EOL
        wire::store16(o3, 2, static_cast<std::uint16_t>(24 + payload));
        wire::store16(o3, 10, 0);
        wire::store16(o3, 10, wire::checksum(o3.first(24)));
        expect_same_reply(opt, payload, w.a);
        if (HasFatalFailure()) return;
    }
}

}  // namespace
