// The start-up barrier every child passes: report ready, then wait until the host says the run
// begins (true) or is aborted (false). Materials flow only after every process has opened its
// plugins, so a plugin that fails to start stops the run before anything was purchased.
#pragma once

#include "shm/segment.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>

namespace factory::shm {

inline bool wait_for_start(segment& seg, process_block& me) {
    me.state.store(static_cast<std::uint32_t>(child_state::ready), std::memory_order_release);
    auto& h = seg.header();
    for (;;) {
        if (h.abort_now.load(std::memory_order_acquire) != 0) return false;
        if (h.phase.load(std::memory_order_acquire) == static_cast<std::uint32_t>(run_phase::running)) {
            me.state.store(static_cast<std::uint32_t>(child_state::running), std::memory_order_release);
            return true;
        }
        // Start-up only: a millisecond of latency here is invisible.
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
}

// Reports a start-up failure with its message (one line) for the host to print.
inline void report_failure(process_block& me, const std::string& message) {
    std::size_t n = std::min(message.size(), sizeof(me.message) - 1);
    std::memcpy(me.message, message.data(), n);
    me.message[n] = '\0';
    me.state.store(static_cast<std::uint32_t>(child_state::failed), std::memory_order_release);
}

} // namespace factory::shm
