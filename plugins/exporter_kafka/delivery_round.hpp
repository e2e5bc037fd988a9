// The products of one driver round in the kafka exporter, from the first on_export after a good
// flush to the flush that finds every one of them acknowledged by the brokers. A product counts as
// exported only then, so the round keeps each message (its rendered value in one arena, reused
// round after round) until its delivery report came: a message that failed is sent again at the
// next flush (the host's retry), one refused for good makes the flush answer error (the host's
// dead letter). A round the host gave up on is dropped with reset(); reports of its messages that
// arrive afterwards carry the old round's generation in their opaque and are ignored.
//
// No librdkafka here: the exporter feeds it reports, the unit tests feed it theirs.
// Thread rules: one thread (the exporter's hooks, where librdkafka's delivery reports are served).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace factory::kafka {

class delivery_round {
public:
    enum class state : std::uint8_t {
        in_flight, // handed to the producer, no report yet
        delivered, // acknowledged by the brokers
        failed,    // not delivered, worth sending again
        refused    // not delivered, and never will be (too large, not authorised, ...)
    };
    struct message {
        std::uint64_t pid;
        std::int64_t time_ns;
        std::size_t offset; // of its value in the arena
        std::uint32_t size; // of its value
        std::uint32_t pclass;
        state st;
    };

    // Where on_export renders the next message's value: append to it, then add().
    std::string& arena() noexcept { return arena_; }
    // Adds a message (in flight) whose value is arena()[value_begin, end). Returns its index.
    std::uint32_t add(std::uint32_t pclass, std::uint64_t pid, std::int64_t time_ns, std::size_t value_begin);

    message& operator[](std::uint32_t i) noexcept { return messages_[i]; }
    std::string_view value(const message& m) const noexcept { return {arena_.data() + m.offset, m.size}; }
    std::uint32_t size() const noexcept { return static_cast<std::uint32_t>(messages_.size()); }

    // The opaque to hand librdkafka with message i, and back: the message it names in this round,
    // or nullptr when it names one of an earlier round.
    void* opaque(std::uint32_t i) const noexcept;
    message* find(void* opaque) noexcept;

    // Reports. failed/refused keep the first reason of the round.
    void delivered(message& m) noexcept { move(m, state::delivered); }
    void failed(message& m, bool refused, std::string_view why);
    void sent_again(message& m) noexcept { move(m, state::in_flight); }

    std::uint32_t count(state s) const noexcept { return counts_[static_cast<int>(s)]; }
    bool complete() const noexcept { return count(state::delivered) == size(); }
    const std::string& first_error() const noexcept { return first_error_; }

    // Forgets every message (keeping the memory) and starts a new generation.
    void reset() noexcept;

private:
    static constexpr unsigned index_bits = 40;
    void move(message& m, state to) noexcept;

    std::string arena_;
    std::vector<message> messages_;
    std::uint32_t counts_[4] = {};
    std::uint64_t generation_ = 1; // kept within 64 - index_bits bits
    std::string first_error_;
};

} // namespace factory::kafka
