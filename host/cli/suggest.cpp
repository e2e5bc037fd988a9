#include "cli/suggest.hpp"

#include <algorithm>

namespace factory::cli {

std::size_t edit_distance(std::string_view a, std::string_view b) {
    // Optimal string alignment: Levenshtein plus the swap of two neighbours, the commonest typo.
    const std::size_t n = a.size(), m = b.size();
    std::vector<std::size_t> before(m + 1), prev(m + 1), cur(m + 1);
    for (std::size_t j = 0; j <= m; ++j) prev[j] = j;
    for (std::size_t i = 1; i <= n; ++i) {
        cur[0] = i;
        for (std::size_t j = 1; j <= m; ++j) {
            const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                cur[j] = std::min(cur[j], before[j - 2] + 1);
        }
        before.swap(prev);
        prev.swap(cur);
    }
    return prev[m];
}

std::string closest(std::string_view typed, const std::vector<std::string>& candidates) {
    if (typed.empty()) return {};
    const std::size_t allowed = typed.size() <= 4 ? 1 : typed.size() <= 8 ? 2 : 3;
    std::string best;
    std::size_t best_distance = allowed + 1;
    for (const auto& c : candidates) {
        if (c == typed) continue;
        std::size_t d = edit_distance(typed, c);
        const bool prefix = c.size() > typed.size() ? c.starts_with(typed) : typed.starts_with(c);
        if (prefix && typed.size() >= 3 && c.size() >= 3) d = std::min(d, allowed);
        if (d < best_distance) {
            best = c;
            best_distance = d;
        }
    }
    return best;
}

std::string did_you_mean(std::string_view typed, const std::vector<std::string>& candidates,
                         std::string_view prefix) {
    const std::string c = closest(typed, candidates);
    if (c.empty()) return {};
    return "did you mean '" + std::string(prefix) + c + "'?";
}

} // namespace factory::cli
