#include "synthetic_source.hpp"

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

} // namespace

synthetic_source::synthetic_source(const factory::settings& s, factory::host h)
    : source(h), skew_(checked_skew(s)),
      generator_(checked_keys(s), s.uinteger("seed"), parse_protocol_mix(s.text("protocols"))),
      count_(s.uinteger("count")) {
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
    return count_ != 0 && made_ == count_ ? factory::fill_result::end : factory::fill_result::more;
}

} // namespace factory::synthetic
