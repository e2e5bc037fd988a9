#include "transportation/warehouse.hpp"

#include <cstring>

namespace factory::transportation {

void warehouse::store(const factory_product& p) {
    bay& b = bays_[p.pclass];
    std::size_t bytes = sizeof(factory_product) + p.size;
    std::size_t words = (bytes + 7) / 8;
    if (b.used_words + words > b.arena.size()) b.arena.resize((b.used_words + words) * 2);
    std::memcpy(b.arena.data() + b.used_words, &p, bytes);
    b.used_words += words;
    ++b.count;
    ++products_;
    bytes_ += words * 8;
}

const std::vector<const factory_product*>& warehouse::shelf(std::uint32_t pclass) {
    bay& b = bays_[pclass];
    b.index.clear();
    std::size_t at = 0;
    for (std::size_t i = 0; i < b.count; ++i) {
        auto* p = reinterpret_cast<const factory_product*>(b.arena.data() + at);
        b.index.push_back(p);
        at += (sizeof(factory_product) + p->size + 7) / 8;
    }
    return b.index;
}

void warehouse::clear(std::uint32_t pclass) noexcept {
    bay& b = bays_[pclass];
    products_ -= b.count;
    bytes_ -= b.used_words * 8;
    b.used_words = 0;
    b.count = 0;
    b.index.clear();
}

} // namespace factory::transportation
