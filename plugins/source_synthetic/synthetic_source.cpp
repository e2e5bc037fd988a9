#include "synthetic_source.hpp"

#include <factory/hash.hpp>

#include <string>

namespace factory::synthetic {
namespace {

std::uint64_t checked_keys(const factory::settings& s) {
    std::uint64_t keys = s.uinteger("keys");
    if (keys == 0)
        throw factory::error("setting 'keys' is 0: there must be at least one address pair; "
                             "use keys=1 or more");
    return keys;
}

std::unique_ptr<zipf_keys> checked_skew(const factory::settings& s) {
    const double skew = s.real("skew");
    if (!(skew >= 0 && skew <= 10))
        throw factory::error("setting 'skew' is " + std::string(s.text("skew")) + ": give 0 (no skew) or an "
                             "exponent up to 10, such as skew=1.2");
    const std::uint64_t keys = s.uinteger("keys");
    if (skew == 0 || keys == 0) return nullptr; // keys=0 is refused with its own message
    if (keys > zipf_keys::max_keys)
        throw factory::error("setting 'skew' needs keys=" + std::to_string(zipf_keys::max_keys) +
                             " or fewer (its table holds one entry per key); lower keys or set skew=0");
    return std::make_unique<zipf_keys>(keys, skew);
}

// The skew (its value: "1" and "1.0" are the same) and the protocol mix's table, as one number.
std::uint64_t shape_of(const factory::settings& s) {
    const double skew = s.real("skew");
    const protocol_table table = parse_protocol_mix(s.text("protocols"));
    std::uint64_t h = factory::fnv1a(std::string_view(reinterpret_cast<const char*>(&skew), sizeof skew));
    for (const protocol_slot& p : table) {
        const char bytes[2] = {static_cast<char>(p.protocol), static_cast<char>(p.has_ports)};
        h = factory::fnv1a(std::string_view(bytes, 2), h);
    }
    return h;
}

} // namespace

synthetic_source::synthetic_source(const factory::settings& s, factory::host h)
    : source(h), skew_(checked_skew(s)),
      generator_(checked_keys(s), s.uinteger("seed"), parse_protocol_mix(s.text("protocols"))),
      count_(s.uinteger("count")), seed_(s.uinteger("seed")), keys_(s.uinteger("keys")),
      mix_(shape_of(s)) {
    generator_.use_skew(skew_.get());
}

factory::fill_result synthetic_source::on_fill(factory::filler& f) {
    std::uint64_t n = f.room();
    if (count_ != 0 && count_ - made_ < n) n = count_ - made_;
    // A local copy keeps the generator's state in registers across the host_add calls, which
    // the compiler must otherwise assume may change it.
    flow_generator g = generator_;
    std::uint64_t i = 0;
    for (; i < n; ++i) {
        factory_flow4 flow;
        std::uint64_t pid = g.next(flow);
        auto* out = f.add<factory_flow4>(pid, 0, FACTORY_FORMAT_FLOW4);
        if (out == nullptr) break; // the run is stopping; this material was never purchased
        *out = flow;
    }
    generator_ = g;
    made_ += i;
    // A stop drew one material that was never added: put the generator back where made_ says.
    if (i < n) generator_.skip_to(made_);
    return count_ != 0 && made_ == count_ ? factory::fill_result::end : factory::fill_result::more;
}

namespace {
constexpr std::uint32_t position_magic = 0x53594e31; // "SYN1"
} // namespace

std::size_t synthetic_source::on_position(std::span<std::byte> out) {
    factory::position_writer w(out);
    w.put(position_magic);
    w.put(seed_);
    w.put(keys_);
    w.put(mix_);
    w.put(made_);
    return w.size();
}

void synthetic_source::on_seek(std::span<const std::byte> position) {
    factory::position_reader r(position);
    if (r.get<std::uint32_t>() != position_magic)
        throw factory::error("source synthetic: the checkpoint's position was not written by the synthetic source");
    const auto seed = r.get<std::uint64_t>();
    const auto keys = r.get<std::uint64_t>();
    const auto mix = r.get<std::uint64_t>();
    const auto made = r.get<std::uint64_t>();
    r.finish();
    if (seed != seed_ || keys != keys_)
        throw factory::error("source synthetic: the checkpoint was taken with seed=" + std::to_string(seed) +
                             " keys=" + std::to_string(keys) + ", this run has seed=" + std::to_string(seed_) +
                             " keys=" + std::to_string(keys_) + "; resume with the settings of the checkpointed run");
    if (mix != mix_)
        throw factory::error("source synthetic: the checkpoint was taken with other skew or protocols settings; "
                             "resume with the settings of the checkpointed run");
    if (count_ != 0 && made > count_)
        throw factory::error("source synthetic: the checkpoint is at material " + std::to_string(made) +
                             ", past count=" + std::to_string(count_) + "; resume with the same count");
    made_ = made;
    generator_.skip_to(made_);
}

} // namespace factory::synthetic
