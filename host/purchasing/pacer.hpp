// Pacing of purchasing (--rate N materials per second): how many materials the next fill may add so
// that the total never runs ahead of rate * elapsed time, and how long to sleep when none may.
// rate 0 means unpaced: every fill gets the whole batch.
#pragma once

#include "common/clock.hpp"

#include <algorithm>
#include <cstdint>
#include <thread>

namespace factory::purchasing {

class pacer {
public:
    explicit pacer(double rate) noexcept : rate_(rate), start_ns_(mono_ns()) {}

    std::uint32_t room(std::uint32_t batch, std::uint64_t purchased) const noexcept {
        if (rate_ <= 0) return batch;
        double elapsed_s = static_cast<double>(mono_ns() - start_ns_) * 1e-9;
        auto allowed = static_cast<std::uint64_t>(elapsed_s * rate_) + 1;
        if (allowed <= purchased) return 0;
        return static_cast<std::uint32_t>(std::min<std::uint64_t>(batch, allowed - purchased));
    }

    // Sleeps until the next material is due (at most 50 ms at a time, so a stop is seen quickly).
    template <class Stop>
    void wait(std::uint64_t purchased, Stop&& stop) const {
        if (stop()) return;
        double due_s = static_cast<double>(purchased) / rate_;
        auto due_ns = start_ns_ + static_cast<std::int64_t>(due_s * 1e9);
        std::int64_t delay = std::clamp<std::int64_t>(due_ns - mono_ns(), 0, 50'000'000);
        if (delay > 0) std::this_thread::sleep_for(std::chrono::nanoseconds(delay));
    }

private:
    double rate_;
    std::int64_t start_ns_;
};

} // namespace factory::purchasing
