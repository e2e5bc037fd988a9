#include "delivery_round.hpp"

#include <cstdint>

namespace factory::kafka {

std::uint32_t delivery_round::add(std::uint32_t pclass, std::uint64_t pid, std::int64_t time_ns,
                                  std::size_t value_begin) {
    messages_.push_back(message{pid, time_ns, value_begin, static_cast<std::uint32_t>(arena_.size() - value_begin),
                                pclass, state::in_flight});
    ++counts_[static_cast<int>(state::in_flight)];
    return static_cast<std::uint32_t>(messages_.size() - 1);
}

// The generation sits above the index, so a report of an older round never names a message of
// this one, even at the same index.
void* delivery_round::opaque(std::uint32_t i) const noexcept {
    return reinterpret_cast<void*>(static_cast<std::uintptr_t>((generation_ << index_bits) | i));
}

delivery_round::message* delivery_round::find(void* opaque) noexcept {
    const auto v = static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(opaque));
    if ((v >> index_bits) != generation_) return nullptr;
    const std::uint64_t i = v & ((std::uint64_t{1} << index_bits) - 1);
    return i < messages_.size() ? &messages_[i] : nullptr;
}

void delivery_round::move(message& m, state to) noexcept {
    --counts_[static_cast<int>(m.st)];
    ++counts_[static_cast<int>(to)];
    m.st = to;
}

void delivery_round::failed(message& m, bool refused, std::string_view why) {
    move(m, refused ? state::refused : state::failed);
    if (first_error_.empty()) first_error_.assign(why);
}

void delivery_round::reset() noexcept {
    arena_.clear();
    messages_.clear();
    for (auto& c : counts_) c = 0;
    first_error_.clear();
    generation_ = (generation_ + 1) & ((std::uint64_t{1} << (64 - index_bits)) - 1);
    if (generation_ == 0) generation_ = 1;
}

} // namespace factory::kafka
