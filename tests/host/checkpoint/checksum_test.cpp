// checksum.hpp: one-shot and incremental values agree however the bytes are split, and any
// single flipped bit or a different length changes the value.
#include "checkpoint/checksum.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

using factory::checkpoint::checksum;
using factory::checkpoint::hasher;

namespace {

std::vector<unsigned char> sample(std::size_t n) {
    std::vector<unsigned char> v(n);
    std::uint32_t x = 12345;
    for (auto& b : v) {
        x = x * 1103515245u + 12345u;
        b = static_cast<unsigned char>(x >> 16);
    }
    return v;
}

} // namespace

TEST_CASE("a hasher fed in pieces gives the one-shot checksum, for every split") {
    const auto data = sample(203);
    const std::uint64_t whole = checksum(data.data(), data.size());
    for (std::size_t a = 0; a <= data.size(); a += 7)
        for (std::size_t b = a; b <= data.size(); b += 13) {
            hasher h;
            h.add(data.data(), a);
            h.add(data.data() + a, b - a);
            h.add(data.data() + b, data.size() - b);
            INFO("split at " << a << " and " << b);
            CHECK(h.value() == whole);
            CHECK(h.bytes() == data.size());
        }
}

TEST_CASE("flipping any single bit changes the checksum") {
    auto data = sample(100);
    const std::uint64_t original = checksum(data.data(), data.size());
    int unchanged = 0;
    for (std::size_t i = 0; i < data.size(); ++i)
        for (int bit = 0; bit < 8; ++bit) {
            data[i] ^= static_cast<unsigned char>(1u << bit);
            if (checksum(data.data(), data.size()) == original) ++unchanged;
            data[i] ^= static_cast<unsigned char>(1u << bit);
        }
    CHECK(unchanged == 0);
    CHECK(checksum(data.data(), data.size()) == original);
}

TEST_CASE("trailing zero bytes, the seed and the empty input each give another value") {
    std::vector<unsigned char> zeros(16, 0);
    CHECK(checksum(zeros.data(), 8) != checksum(zeros.data(), 9));
    CHECK(checksum(zeros.data(), 16) != checksum(zeros.data(), 15));
    CHECK(checksum(zeros.data(), 0) != checksum(zeros.data(), 1));
    CHECK(checksum(zeros.data(), 16, 1) != checksum(zeros.data(), 16, 2));
    CHECK(hasher().value() == checksum(nullptr, 0));
}
