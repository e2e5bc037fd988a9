// Skewed key choice for the synthetic source (skew=S): key index k is drawn with weight
// 1 / (k + 1)^S, Zipf's law, so index 0 is the heaviest. The cumulative weights are kept once as
// 64-bit thresholds; a draw is a binary search of a uniform 64-bit number among them. Built at
// open (no allocation per material); `keys` is bounded so the table stays small.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace factory::synthetic {

class zipf_keys {
public:
    static constexpr std::uint64_t max_keys = std::uint64_t{1} << 24; // a 128 MiB table at most

    zipf_keys(std::uint64_t keys, double skew) : thresholds_(keys) {
        double total = 0;
        for (std::uint64_t k = 0; k < keys; ++k) total += std::pow(static_cast<double>(k + 1), -skew);
        double running = 0;
        for (std::uint64_t k = 0; k < keys; ++k) {
            running += std::pow(static_cast<double>(k + 1), -skew);
            const double share = std::min(1.0, running / total);
            thresholds_[k] = share >= 1.0 ? UINT64_MAX : static_cast<std::uint64_t>(share * 18446744073709551616.0);
        }
        thresholds_.back() = UINT64_MAX;
    }

    // The key index a uniform 64-bit draw picks.
    std::uint64_t index(std::uint64_t r) const noexcept {
        return static_cast<std::uint64_t>(std::lower_bound(thresholds_.begin(), thresholds_.end(), r) -
                                          thresholds_.begin());
    }
    const std::uint64_t* data() const noexcept { return thresholds_.data(); }
    std::uint64_t size() const noexcept { return thresholds_.size(); }

private:
    std::vector<std::uint64_t> thresholds_;
};

} // namespace factory::synthetic
