#include "workshop/hot_keys.hpp"

#include <algorithm>

namespace factory::workshop {

void hot_keys::count(std::uint64_t pid) noexcept {
    ++samples_;
    const std::size_t b = bucket(pid);
    if (in_bucket_[b] != 0) {
        for (std::size_t i = 0; i < used_; ++i) {
            if (pids_[i] == pid) {
                ++counts_[i];
                return;
            }
        }
    }
    ++in_bucket_[b];
    if (used_ < slots) {
        pids_[used_] = pid;
        counts_[used_] = 1;
        errors_[used_] = 0;
        ++used_;
        return;
    }
    // Full: the pid takes the place of the first least counted entry, inheriting its count as its
    // possible overestimate.
    const std::size_t i = least_counted();
    --in_bucket_[bucket(pids_[i])];
    pids_[i] = pid;
    errors_[i] = counts_[i];
    ++counts_[i];
}

// Counts only grow, one at a time, so the least count only grows, and an entry passed over for
// counting more than least_ is never least counted again until least_ grows past it: a search
// goes on from where the last one stopped and starts over only when least_ goes up.
std::size_t hot_keys::least_counted() noexcept {
    for (;;) {
        for (std::size_t i = least_from_; i < slots; ++i) {
            if (counts_[i] == least_) {
                // The caller raises this count above least_.
                least_from_ = i + 1;
                return i;
            }
        }
        ++least_;
        least_from_ = 0;
    }
}

std::size_t hot_keys::top(hot_key* out, std::size_t n) const noexcept {
    std::array<hot_key, slots> sorted{};
    for (std::size_t i = 0; i < used_; ++i) sorted[i] = hot_key{pids_[i], counts_[i], errors_[i]};
    auto end = sorted.begin() + static_cast<std::ptrdiff_t>(used_);
    std::sort(sorted.begin(), end, [](const hot_key& a, const hot_key& b) {
        return a.count != b.count ? a.count > b.count : a.pid < b.pid;
    });
    const std::size_t k = std::min(n, used_);
    std::copy(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(k), out);
    return k;
}

void hot_keys::reset() noexcept {
    for (std::size_t i = 0; i < used_; ++i) in_bucket_[bucket(pids_[i])] = 0;
    used_ = 0;
    samples_ = 0;
    least_ = 1;
    least_from_ = 0;
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
