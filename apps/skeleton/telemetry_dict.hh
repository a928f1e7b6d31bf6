// A DPDK telemetry reply under construction (rte_tel_data dictionaries and arrays) that
// knows how long its JSON will be. DPDK 22.11 writes a reply into 16 KiB and silently leaves
// out what does not fit (an entry, a whole nested dictionary); a command that pages or
// refuses has to know the size before it answers. Sizes are exact for what DPDK prints
// (no spaces; strings are not escaped, names are ours).
//
// Limits DPDK sets: 256 entries a dictionary, 512 an array, names and strings of 127 bytes;
// a name is letters, digits, '_' and '/' only (DPDK 22.11 refuses an entry with another).
#pragma once

#include <rte_telemetry.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

namespace pw::app::tel {

// DPDK's reply buffer (telemetry.c MAX_OUTPUT_LEN), less the command name's wrapping.
inline constexpr std::size_t reply_budget = 16 * 1024 - 64;

inline std::size_t digits(std::uint64_t v) noexcept {
    std::size_t n = 1;
    while (v >= 10) {
        v /= 10;
        ++n;
    }
    return n;
}

// A dictionary: either the reply itself (wrapping the rte_tel_data DPDK passes) or a nested
// one (allocated; handed to its parent by add, or freed by the destructor).
class Dict {
public:
    explicit Dict(rte_tel_data* reply) : d_(reply), owned_(false) { rte_tel_data_start_dict(d_); }
    Dict() : d_(rte_tel_data_alloc()), owned_(true) {
        if (d_ != nullptr) rte_tel_data_start_dict(d_);
    }
    Dict(const Dict&) = delete;
    Dict& operator=(const Dict&) = delete;
    Dict(Dict&& o) noexcept : d_(o.d_), owned_(o.owned_), size_(o.size_), n_(o.n_) {
        o.d_ = nullptr;
    }
    ~Dict() {
        if (owned_ && d_ != nullptr) rte_tel_data_free(d_);
    }

    void u64(std::string_view name, std::uint64_t v) {
        if (d_ == nullptr || !room()) return;
        if (rte_tel_data_add_dict_u64(d_, std::string(name).c_str(), v) == 0) grow(name, digits(v));
    }
    void i64(std::string_view name, std::int64_t v) {
        if (d_ == nullptr || !room()) return;
        const int iv = static_cast<int>(v);
        if (rte_tel_data_add_dict_int(d_, std::string(name).c_str(), iv) == 0)
            grow(name, std::to_string(iv).size());
    }
    void str(std::string_view name, std::string_view v) {
        if (d_ == nullptr || !room()) return;
        const std::string s(v.substr(0, RTE_TEL_MAX_STRING_LEN - 1));
        if (rte_tel_data_add_dict_string(d_, std::string(name).c_str(), s.c_str()) == 0)
            grow(name, s.size() + 2);
    }
    // Moves child (a Dict or an Array) in; its JSON counts toward this one's size.
    template <class Child>
    void add(std::string_view name, Child&& child) {
        if (d_ == nullptr || child.data() == nullptr || !room()) return;
        if (rte_tel_data_add_dict_container(d_, std::string(name).c_str(), child.data(), 0) == 0) {
            grow(name, child.json_size());
            child.release();
        }
    }

    // The JSON length of this dictionary ("{...}").
    std::size_t json_size() const noexcept { return n_ == 0 ? 2 : size_ + 1; }
    std::size_t entries() const noexcept { return n_; }
    rte_tel_data* data() const noexcept { return d_; }
    void release() noexcept { d_ = nullptr; }

private:
    bool room() const noexcept { return n_ < RTE_TEL_MAX_DICT_ENTRIES; }
    // ,"name":value (the first entry's comma is the opening brace)
    void grow(std::string_view name, std::size_t value_len) noexcept {
        size_ += 1 + name.size() + 3 + value_len;
        ++n_;
    }
    rte_tel_data* d_;
    bool owned_;
    std::size_t size_ = 0;
    std::size_t n_ = 0;
};

// An array of one type (u64 or strings), always nested.
class Array {
public:
    enum class Of { u64, string };
    explicit Array(Of of) : d_(rte_tel_data_alloc()), of_(of) {
        if (d_ != nullptr)
            rte_tel_data_start_array(d_, of == Of::u64 ? RTE_TEL_U64_VAL : RTE_TEL_STRING_VAL);
    }
    Array(const Array&) = delete;
    Array& operator=(const Array&) = delete;
    Array(Array&& o) noexcept : d_(o.d_), of_(o.of_), size_(o.size_), n_(o.n_) { o.d_ = nullptr; }
    ~Array() {
        if (d_ != nullptr) rte_tel_data_free(d_);
    }
    void u64(std::uint64_t v) {
        if (d_ == nullptr || of_ != Of::u64 || n_ >= RTE_TEL_MAX_ARRAY_ENTRIES) return;
        if (rte_tel_data_add_array_u64(d_, v) == 0) grow(digits(v));
    }
    void str(std::string_view v) {
        if (d_ == nullptr || of_ != Of::string || n_ >= RTE_TEL_MAX_ARRAY_ENTRIES) return;
        const std::string s(v.substr(0, RTE_TEL_MAX_STRING_LEN - 1));
        if (rte_tel_data_add_array_string(d_, s.c_str()) == 0) grow(s.size() + 2);
    }
    std::size_t json_size() const noexcept { return n_ == 0 ? 2 : size_ + 1; }
    rte_tel_data* data() const noexcept { return d_; }
    void release() noexcept { d_ = nullptr; }

private:
    void grow(std::size_t len) noexcept {
        size_ += 1 + len;
        ++n_;
    }
    rte_tel_data* d_;
    Of of_;
    std::size_t size_ = 0;
    std::size_t n_ = 0;
};

// The answer to a request that cannot be served: {"error": what}.
inline int error_reply(rte_tel_data* d, const std::string& what) {
    Dict r(d);
    r.str("error", what);
    return 0;
}

// A page start or a port id: a decimal number (nothing for another text).
inline std::optional<unsigned long> number(const char* params) {
    if (params == nullptr || *params == '\0') return std::nullopt;
    char* end = nullptr;
    const unsigned long v = std::strtoul(params, &end, 10);
    if (*end != '\0' || params[0] == '-' || params[0] == '+' || params[0] == ' ')
        return std::nullopt;
    return v;
}

// One page of rows from the parameter's index (0 when none): {"count", "from", "shown",
// "next" (0: the last page), what: {key: row, ...}}, as many rows as fit DPDK's reply. fill
// writes row i into a Dict and returns its key.
template <class Rows, class Fill>
int page(rte_tel_data* d, const char* params, const Rows& rows, const char* what, Fill&& fill) {
    std::size_t from = 0;
    if (params != nullptr && *params != '\0') {
        const auto n = number(params);
        if (!n)
            return error_reply(d, "'" + std::string(params) + "' is not a " + what +
                                      " index (from 0; the reply says next)");
        from = *n;
    }
    Dict entries;
    std::size_t i = from;
    // Room for the counts and the wrapping.
    const std::size_t budget = reply_budget - 128;
    for (; i < rows.size() && entries.entries() + 1 < RTE_TEL_MAX_DICT_ENTRIES; ++i) {
        Dict row;
        const std::string key = fill(row, rows[i], i);
        if (entries.json_size() + key.size() + 4 + row.json_size() > budget) break;
        entries.add(key, std::move(row));
    }
    Dict r(d);
    r.u64("count", rows.size());
    r.u64("from", from);
    r.u64("shown", entries.entries());
    r.u64("next", i < rows.size() ? i : 0);  // 0: this was the last page
    r.add(what, std::move(entries));
    return 0;
}

}  // namespace pw::app::tel
