// What the component tests share: one EAL (--no-huge, its run directory removed at the end),
// one mbuf pool, and ports built from pairs of rings and set up by the drivers layer like any
// other port. Frames go in through a port's RX ring and come out of its TX ring.
//
// Mbuf accounting: every test gives back every mbuf it took. EalEnv installs a listener that
// fails any test after which the pool has fewer free mbufs than before it (checked once the
// test body and its locals are gone, before the result is printed); PoolBalance checks a
// scope inside a test, e.g. while a rig still runs:
//
//     test::PoolBalance balance;      // the pool's free count now
//     ... inject, poll, drain, free ...
//     EXPECT_TRUE(balance.ok());      // as many free as at the start, or how many are missing
#pragma once

#include <gtest/gtest.h>
#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "drivers/mempool.hh"
#include "drivers/port.hh"
#include "lib/wire/addr.hh"
#include "lib/wire/bytes.hh"

namespace pw::test {

inline rte_mempool* g_pool = nullptr;

// The pool's free mbufs (the lcore caches included) now and at construction.
class PoolBalance {
public:
    explicit PoolBalance(const rte_mempool* pool = g_pool)
        : pool_(pool), before_(drivers::pool_available(pool)) {}
    unsigned before() const noexcept { return before_; }
    unsigned now() const { return drivers::pool_available(pool_); }
    // As many free as at construction; otherwise how many are missing (or extra).
    ::testing::AssertionResult ok() const {
        const unsigned n = now();
        if (n == before_) return ::testing::AssertionSuccess();
        auto r = ::testing::AssertionFailure();
        r << "mempool: " << n << " of " << drivers::pool_size(pool_) << " mbufs free, " << before_
          << " before: ";
        if (n < before_)
            r << before_ - n << " not given back (leaked, or still held in a ring or a stage)";
        else
            r << n - before_ << " more than before (freed twice?)";
        return r;
    }

private:
    const rte_mempool* pool_;
    unsigned before_;
};

// Fails a test whose mbufs did not all come back to g_pool. Appended to the listeners, so
// it sees OnTestEnd before the result printer (gtest calls OnTestEnd in reverse order) and
// its failure counts in the test's result.
class PoolBalanceListener : public ::testing::EmptyTestEventListener {
public:
    void OnTestStart(const ::testing::TestInfo&) override {
        balance_.reset();
        if (g_pool != nullptr) balance_.emplace(g_pool);
    }
    void OnTestEnd(const ::testing::TestInfo& info) override {
        if (!balance_ || info.result()->Skipped()) return;
        EXPECT_TRUE(balance_->ok()) << "after the test, every mbuf it took back in the pool";
        balance_.reset();
    }

private:
    std::optional<PoolBalance> balance_;
};

class EalEnv : public ::testing::Environment {
public:
    explicit EalEnv(std::string name) : prefix_(std::move(name) + "_" + std::to_string(getpid())) {
        ::testing::UnitTest::GetInstance()->listeners().Append(new PoolBalanceListener);
    }
    void SetUp() override {
        std::vector<std::string> args{
            "component_test", "--no-huge", "-m",          "512",          "--no-pci", "-l", "0",
            "--file-prefix",  prefix_,     "--log-level", "lib.eal:error"};
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        ASSERT_GE(rte_eal_init(static_cast<int>(argv.size()), argv.data()), 0);
        auto p = drivers::make_pktmbuf_pool("pw_test_pool", 4095);
        ASSERT_TRUE(std::holds_alternative<rte_mempool*>(p));
        g_pool = std::get<rte_mempool*>(p);
    }
    void TearDown() override {
        rte_eal_cleanup();
        const std::string cmd = "rm -rf /var/run/dpdk/" + prefix_ + " 2>/dev/null";
        [[maybe_unused]] int rc = std::system(cmd.c_str());
    }

private:
    std::string prefix_;
};

struct RingPort {
    rte_ring* rx = nullptr;
    rte_ring* tx = nullptr;
    std::uint16_t port = 0;
    wire::MacAddr mac;

    explicit RingPort(const std::string& name, unsigned tx_ring_size = 1024) {
        rx = rte_ring_create((name + "_rx").c_str(), 1024, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
        tx =
            rte_ring_create((name + "_tx").c_str(), tx_ring_size, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
        EXPECT_NE(rx, nullptr);
        EXPECT_NE(tx, nullptr);
        const int id = rte_eth_from_rings(name.c_str(), &rx, 1, &tx, 1, 0);
        EXPECT_GE(id, 0);
        port = static_cast<std::uint16_t>(id);
        drivers::PortSetup s;
        s.port = port;
        s.pool = g_pool;
        s.rx_desc = 256;
        s.tx_desc = 256;
        s.link_wait_ms = 0;
        auto r = drivers::setup_port(s);
        EXPECT_TRUE(std::holds_alternative<drivers::PortInfo>(r)) << std::get<std::string>(r);
        mac = std::get<drivers::PortInfo>(r).mac;
    }

    // Puts mbufs in the RX ring, as if the wire had delivered them.
    void inject(const std::vector<rte_mbuf*>& ms) {
        ASSERT_EQ(rte_ring_enqueue_burst(rx, reinterpret_cast<void* const*>(ms.data()),
                                         static_cast<unsigned>(ms.size()), nullptr),
                  ms.size());
    }
    void inject(const std::vector<std::byte>& frame);
    // What the port transmitted since the last call.
    std::vector<rte_mbuf*> drain() {
        std::vector<rte_mbuf*> out(1024);
        out.resize(rte_ring_dequeue_burst(tx, reinterpret_cast<void**>(out.data()), 1024, nullptr));
        return out;
    }
};

inline rte_mbuf* to_mbuf(const std::vector<std::byte>& frame) {
    rte_mbuf* m = rte_pktmbuf_alloc(g_pool);
    EXPECT_NE(m, nullptr);
    char* p = rte_pktmbuf_append(m, static_cast<std::uint16_t>(frame.size()));
    EXPECT_NE(p, nullptr);
    std::memcpy(p, frame.data(), frame.size());
    return m;
}

inline void RingPort::inject(const std::vector<std::byte>& frame) {
    inject(std::vector<rte_mbuf*>{to_mbuf(frame)});
}

inline wire::ConstBytes bytes(const rte_mbuf* m) {
    return {rte_pktmbuf_mtod(m, const std::byte*), m->data_len};
}

}  // namespace pw::test
