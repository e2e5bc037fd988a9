// Pacing of datagrams: at most `rate` per second on average, with up to `burst` sent back to
// back after a pause (a generic cell rate algorithm: each send moves a theoretical arrival time
// one interval on; a send may go once the clock is within burst - 1 intervals of it). Pure
// arithmetic on a clock the caller passes in (monotonic ns), so a test can drive it.
//
// Why: a collector reads its UDP socket from one thread; thousands of datagrams sent at memory
// speed overflow its socket buffer, and the kernel drops the excess without telling anyone.
#pragma once

#include <algorithm>
#include <cstdint>

namespace factory::ipfix {

class pacer {
public:
    // `rate` 0: no pacing (every wait is 0). `burst` is at least 1.
    pacer(std::uint64_t rate, std::uint64_t burst) noexcept
        : interval_ns_(rate == 0 ? 0 : std::max<std::int64_t>(1, static_cast<std::int64_t>(1'000'000'000 / rate))),
          tolerance_ns_(interval_ns_ * static_cast<std::int64_t>(std::max<std::uint64_t>(burst, 1) - 1)) {}

    // Nanoseconds to wait from `now_ns` before the next datagram may go (0: now).
    std::int64_t wait_ns(std::int64_t now_ns) const noexcept {
        if (interval_ns_ == 0 || !started_) return 0;
        return std::max<std::int64_t>(0, tat_ns_ - tolerance_ns_ - now_ns);
    }

    // Records that a datagram went at `now_ns`.
    void sent(std::int64_t now_ns) noexcept {
        if (interval_ns_ == 0) return;
        tat_ns_ = (started_ ? std::max(tat_ns_, now_ns) : now_ns) + interval_ns_;
        started_ = true;
    }

    std::int64_t interval_ns() const noexcept { return interval_ns_; }

private:
    std::int64_t interval_ns_;
    std::int64_t tolerance_ns_;
    std::int64_t tat_ns_ = 0;
    bool started_ = false;
};

} // namespace factory::ipfix
