// Pacing of purchasing (--rate N materials per second): how many materials the next fill may add so
// that the total never runs ahead of rate * elapsed time, and how long to sleep when none may.
// rate 0 means unpaced: every fill gets the whole batch.
//
// A paced fill waits until a quantum of materials is due: about 20 us worth (1 material at
// 1,000/s, 180 at 9 million/s, never more than a batch). Handing out whatever is due at each turn
// would make fills of one or two materials at high rates: every fill then publishes the line's
// index and stamps its clocks, the line's cache lines bounce between purchasing and the workshop
// for every material or two, both sides slow down, and a rate that is half of full speed falls
// behind (measured: p99 latency 1.6 ms at 9 million/s with 1 workshop, runs of 2 materials per
// fill). A material's purchase stamp is taken when its fill begins, so waiting for the quantum
// adds nothing to the latency the factory reports; it is what a source's input buffer does.
#pragma once

#include "common/clock.hpp"

#include <algorithm>
#include <cstdint>
#include <thread>

namespace factory::purchasing {

class pacer {
public:
    static constexpr double quantum_s = 20e-6;

    pacer(double rate, std::uint32_t batch) noexcept : pacer(rate, batch, mono_ns()) {}

    // For tests: the run starts at `start_ns` of the caller's clock.
    pacer(double rate, std::uint32_t batch, std::int64_t start_ns) noexcept
        : rate_(rate), batch_(batch), start_ns_(start_ns),
          quantum_(rate <= 0 ? batch
                             : static_cast<std::uint32_t>(std::clamp(rate * quantum_s, 1.0, double(batch)))) {}

    // Materials the next fill may add at `now_ns`, having purchased `purchased`: 0 until a quantum
    // is due, then all that is due, at most a batch.
    std::uint32_t room(std::uint64_t purchased, std::int64_t now_ns) const noexcept {
        if (rate_ <= 0) return batch_;
        double elapsed_s = static_cast<double>(now_ns - start_ns_) * 1e-9;
        auto allowed = static_cast<std::uint64_t>(elapsed_s * rate_) + 1;
        if (allowed < purchased + quantum_) return 0;
        return static_cast<std::uint32_t>(std::min<std::uint64_t>(batch_, allowed - purchased));
    }
    std::uint32_t room(std::uint64_t purchased) const noexcept { return room(purchased, mono_ns()); }

    // When the next quantum is due, having purchased `purchased`.
    std::int64_t due_ns(std::uint64_t purchased) const noexcept {
        double due_s = static_cast<double>(purchased + quantum_ - 1) / rate_;
        return start_ns_ + static_cast<std::int64_t>(due_s * 1e9);
    }

    std::uint32_t quantum() const noexcept { return quantum_; }

    // Sleeps until the next quantum is due (at most 50 ms at a time, so a stop is seen quickly).
    template <class Stop>
    void wait(std::uint64_t purchased, Stop&& stop) const {
        if (stop()) return;
        std::int64_t delay = std::clamp<std::int64_t>(due_ns(purchased) - mono_ns(), 0, 50'000'000);
        if (delay > 0) std::this_thread::sleep_for(std::chrono::nanoseconds(delay));
    }

private:
    double rate_;
    std::uint32_t batch_;
    std::int64_t start_ns_;
    std::uint32_t quantum_;
};

} // namespace factory::purchasing
