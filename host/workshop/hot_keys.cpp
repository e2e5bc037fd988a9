#include "workshop/hot_keys.hpp"

#include <algorithm>

namespace factory::workshop {

void hot_keys::count(std::uint64_t pid) noexcept {
    ++samples_;
    for (std::size_t i = 0; i < used_; ++i) {
        if (entries_[i].pid == pid) {
            ++entries_[i].count;
            return;
        }
    }
    if (used_ < slots) {
        entries_[used_++] = hot_key{pid, 1, 0};
        return;
    }
    // Full: the pid takes the place of the least counted entry, inheriting its count as its
    // possible overestimate.
    auto least = std::min_element(entries_.begin(), entries_.end(),
                                  [](const hot_key& a, const hot_key& b) { return a.count < b.count; });
    *least = hot_key{pid, least->count + 1, least->count};
}

std::size_t hot_keys::top(hot_key* out, std::size_t n) const noexcept {
    std::array<hot_key, slots> sorted = entries_;
    auto end = sorted.begin() + static_cast<std::ptrdiff_t>(used_);
    std::sort(sorted.begin(), end, [](const hot_key& a, const hot_key& b) {
        return a.count != b.count ? a.count > b.count : a.pid < b.pid;
    });
    const std::size_t k = std::min(n, used_);
    std::copy(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(k), out);
    return k;
}

void hot_keys::reset() noexcept {
    used_ = 0;
    samples_ = 0;
}

void publish_hot_keys(hot_keys& summary, shm::workshop_stats& stats) noexcept {
    hot_key top[shm::hot_key_slots];
    const std::size_t n = summary.top(top, shm::hot_key_slots);
    // A sequence lock: odd while the set is being written, so a reader can tell a torn read.
    const std::uint64_t v = stats.hot_version.load(std::memory_order_relaxed);
    stats.hot_version.store(v + 1, std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_release);
    for (std::size_t i = 0; i < shm::hot_key_slots; ++i) {
        stats.hot[i].pid.set(i < n ? top[i].pid : 0);
        stats.hot[i].materials.set(i < n ? top[i].count * hot_keys::sample_every : 0);
    }
    stats.hot_count.set(n);
    stats.hot_version.store(v + 2, std::memory_order_release);
    summary.reset();
}

std::size_t read_hot_keys(const shm::workshop_stats& stats, shm::hot_key_stat* out) noexcept {
    for (int attempt = 0; attempt < 8; ++attempt) {
        const std::uint64_t before = stats.hot_version.load(std::memory_order_acquire);
        if ((before & 1) != 0) continue;
        const std::size_t n = std::min<std::uint64_t>(stats.hot_count.get(), shm::hot_key_slots);
        for (std::size_t i = 0; i < n; ++i) {
            out[i].pid.set(stats.hot[i].pid.get());
            out[i].materials.set(stats.hot[i].materials.get());
        }
        std::atomic_thread_fence(std::memory_order_acquire);
        if (stats.hot_version.load(std::memory_order_relaxed) == before) return n;
    }
    return 0;
}

} // namespace factory::workshop
