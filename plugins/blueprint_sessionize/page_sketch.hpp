// How many distinct pages a session visited, in 32 bytes of worker state: a 256-bit linear
// counting sketch (Whang et al., 1990). A page sets bit b = the top 8 bits of
// FNV-1a 64(page) * 0x9e3779b97f4a7c15 (FNV-1a's low bits hardly change with a page's last byte;
// the multiply spreads every bit into the top ones); the estimate is
// round(256 * ln(256 / zero bits)), which is the exact count while no two pages share a bit
// (certain for 1 page, about 96% likely for 5, 84% for 10) and has a standard error near 5% at
// 300 pages; with every bit set it reads 1420 (256 ln 256), its ceiling.
#pragma once

#include <factory/hash.hpp>

#include <bit>
#include <cmath>
#include <cstdint>
#include <string_view>

namespace factory::sessionize {

struct page_sketch {
    std::uint64_t bits[4];

    void add(std::string_view page) noexcept {
        const unsigned b = static_cast<unsigned>((factory::fnv1a(page) * 0x9e3779b97f4a7c15ULL) >> 56);
        bits[b >> 6] |= std::uint64_t{1} << (b & 63u);
    }

    std::uint32_t estimate() const noexcept {
        int set = 0;
        for (std::uint64_t w : bits) set += std::popcount(w);
        if (set == 0) return 0;
        const int zeros = 256 - set;
        if (zeros == 0) return 1420;
        return static_cast<std::uint32_t>(std::lround(256.0 * std::log(256.0 / zeros)));
    }
};

} // namespace factory::sessionize
