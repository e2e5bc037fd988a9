// The synthetic source: random IPv4 flow records (FACTORY_FORMAT_FLOW4) over `keys` address
// pairs, as the original template made them. See flow_generator.hpp for how materials and their
// pids are derived; the same settings give the same materials.
#pragma once

#include "flow_generator.hpp"

#include <factory/source.hpp>

#include <cstdint>
#include <memory>

namespace factory::synthetic {

class synthetic_source : public factory::source {
public:
    static constexpr factory::info info{
        "synthetic", "1.0.0", "random IPv4 flow records (FLOW4) over a fixed set of address pairs"};
    static constexpr const char* notes =
        "Random FLOW4 materials over keys= address pairs; the same seed gives the same materials.\n"
        "No event time: the run uses the wall clock.\n"
        "Checkpoints: resumable; the position is the count of materials made (same seed, same continuation).";
    static inline const factory::setting settings[] = {
        {"keys", FACTORY_SETTING_UINT, "5000",
         "how many distinct address pairs (pids) exist, at least 1; each material picks one at "
         "random, so keys repeat and workers live; pid = splitmix64 finaliser of "
         "(src << 32 | dst), addresses as host-order integers"},
        {"count", FACTORY_SETTING_UINT, "0", "materials to make before the input ends; 0: unlimited"},
        {"seed", FACTORY_SETTING_UINT, "1", "random seed: the same seed gives the same materials"},
        {"skew", FACTORY_SETTING_FLOAT, "0",
         "0: every key as likely; S > 0: key k (from 0) drawn with weight 1/(k+1)^S (Zipf), so a few "
         "pids carry most materials (1.0-1.5 is typical of real traffic); at most 16777216 keys"},
        {"protocols", FACTORY_SETTING_STRING, "tcp:70,udp:25,icmp:5",
         "protocol mix as name:weight pairs (name: tcp, udp, icmp or a protocol number 0-255; "
         "shares are rounded to 1/256)"},
    };

    synthetic_source(const factory::settings& s, factory::host h);

    // Adds min(room, what is left of count) materials; pid = mix64(src << 32 | dst) with the
    // splitmix64 finaliser over the host-order addresses.
    factory::fill_result on_fill(factory::filler& f);

    // Checkpoints: the position is the number of materials made so far (with the seed and keys,
    // so that a position of a run with other settings is refused); after on_seek(n) the source
    // makes exactly what an uninterrupted run makes from material n on.
    std::size_t on_position(std::span<std::byte> out);
    void on_seek(std::span<const std::byte> position);

private:
    std::unique_ptr<zipf_keys> skew_; // before generator_, which points at it
    flow_generator generator_;
    std::uint64_t count_;    // 0: unlimited
    std::uint64_t seed_;
    std::uint64_t keys_;
    std::uint64_t mix_;      // FNV-1a of the skew and the protocol table: they shape materials too
    std::uint64_t made_ = 0;
};

} // namespace factory::synthetic
