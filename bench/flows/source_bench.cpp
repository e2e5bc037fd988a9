// The pcap source alone, as purchasing drives it but with a room that only counts materials: its
// own ceiling in packets per second on a capture file (decode, key, copy), from open to close.
//   flows_source_bench FILE [ROUNDS]
#include "source_pcap/pcap_source.hpp"
#include "support/fake_purchasing.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s FILE [ROUNDS]\n", argv[0]);
        return 2;
    }
    const int rounds = argc > 2 ? std::atoi(argv[2]) : 3;
    std::vector<double> rates;
    for (int r = 0; r < rounds; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        factory::testing::fake_purchasing p(factory::detail::source_descriptor<factory::pcap::pcap_source>(),
                                            {{"file", argv[1]}});
        p.room.keep = false;
        if (p.open() != FACTORY_OK) {
            std::fprintf(stderr, "%s\n", p.error.c_str());
            return 1;
        }
        if (p.fill_to_end(4096, 1 << 30) != FACTORY_END) {
            std::fprintf(stderr, "the source did not reach the end: %s\n", p.error.c_str());
            return 1;
        }
        p.close();
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        rates.push_back(static_cast<double>(p.room.added) / s);
        std::fprintf(stderr, "round %d: %llu materials in %.3f s\n", r + 1,
                     static_cast<unsigned long long>(p.room.added), s);
    }
    std::sort(rates.begin(), rates.end());
    std::printf("%.0f\n", rates[rates.size() / 2]);
    return 0;
}
