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
    shm::hot_key_value keys[shm::hot_key_slots];
    for (std::size_t i = 0; i < n; ++i) keys[i] = {top[i].pid, top[i].count * hot_keys::sample_every};
    shm::write_hot_keys(stats, keys, n);
    summary.reset();
}

} // namespace factory::workshop
