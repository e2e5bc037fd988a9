#include "partition_table.hpp"

#include <factory/hash.hpp>
#include <factory/settings.hpp>

namespace factory::kafka {
namespace {

constexpr std::byte magic{'K'};
constexpr std::byte version{1};

struct writer {
    std::span<std::byte> out;
    std::size_t at = 0;
    bool full = false;
    void byte(std::uint8_t b) noexcept {
        if (at < out.size()) out[at] = std::byte{b};
        else full = true;
        ++at;
    }
    void varint(std::uint64_t v) noexcept {
        while (v >= 0x80) {
            byte(static_cast<std::uint8_t>(v | 0x80));
            v >>= 7;
        }
        byte(static_cast<std::uint8_t>(v));
    }
};

struct reader {
    std::span<const std::byte> in;
    std::size_t at = 0;
    std::uint8_t byte() {
        if (at >= in.size())
            throw factory::error("kafka source position is cut short (" + std::to_string(in.size()) + " bytes)");
        return std::to_integer<std::uint8_t>(in[at++]);
    }
    std::uint64_t varint() {
        std::uint64_t v = 0;
        for (unsigned shift = 0; shift < 64; shift += 7) {
            std::uint8_t b = byte();
            v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
            if ((b & 0x80) == 0) return v;
        }
        throw factory::error("kafka source position holds a number longer than 64 bits");
    }
};

} // namespace

void partition_table::assign(std::uint32_t topic, std::int32_t partition, std::int64_t next) {
    if (entry* e = find(topic, partition)) {
        e->at.next = next;
        e->at_end = false;
        return;
    }
    entries_.push_back(entry{partition_offset{topic, partition, next}, false});
}

void partition_table::revoke(std::uint32_t topic, std::int32_t partition) noexcept {
    for (std::size_t i = 0; i < entries_.size(); ++i)
        if (entries_[i].at.topic == topic && entries_[i].at.partition == partition) {
            entries_.erase(entries_.begin() + static_cast<std::ptrdiff_t>(i));
            last_ = 0;
            return;
        }
}

partition_table::entry* partition_table::find(std::uint32_t topic, std::int32_t partition) noexcept {
    if (last_ < entries_.size() && entries_[last_].at.topic == topic && entries_[last_].at.partition == partition)
        return &entries_[last_];
    for (std::size_t i = 0; i < entries_.size(); ++i)
        if (entries_[i].at.topic == topic && entries_[i].at.partition == partition) {
            last_ = i;
            return &entries_[i];
        }
    return nullptr;
}

bool partition_table::all_at_end() const noexcept {
    for (const entry& e : entries_)
        if (!e.at_end) return false;
    return true;
}

std::uint64_t topics_fingerprint(const std::vector<std::string>& topics) noexcept {
    std::uint64_t h = factory::fnv1a_offset;
    for (std::size_t i = 0; i < topics.size(); ++i) {
        if (i > 0) h = factory::fnv1a(",", h);
        h = factory::fnv1a(topics[i], h);
    }
    return h;
}

std::size_t encode_position(const partition_table& table, std::uint64_t fingerprint, std::span<std::byte> out) {
    writer w{out};
    w.byte(std::to_integer<std::uint8_t>(magic));
    w.byte(std::to_integer<std::uint8_t>(version));
    for (int i = 0; i < 8; ++i) w.byte(static_cast<std::uint8_t>(fingerprint >> (8 * i)));
    std::uint64_t known = 0;
    for (const auto& e : table.entries())
        if (e.at.next >= 0) ++known;
    w.varint(known);
    for (const auto& e : table.entries()) {
        if (e.at.next < 0) continue;
        w.varint(e.at.topic);
        w.varint(static_cast<std::uint32_t>(e.at.partition));
        w.varint(static_cast<std::uint64_t>(e.at.next));
    }
    if (w.full)
        throw factory::error("the kafka source's position (the offsets of " + std::to_string(known) +
                             " partitions) needs " + std::to_string(w.at) + " bytes, more than the " +
                             std::to_string(out.size()) + " a position may take");
    return w.at;
}

std::vector<partition_offset> decode_position(std::span<const std::byte> in, std::uint64_t fingerprint,
                                              std::size_t topic_count) {
    reader r{in};
    if (in.size() < 2 || in[0] != magic || in[1] != version)
        throw factory::error("this position was not written by the kafka source (version 1)");
    r.at = 2;
    std::uint64_t written_for = 0;
    for (int i = 0; i < 8; ++i) written_for |= static_cast<std::uint64_t>(r.byte()) << (8 * i);
    if (written_for != fingerprint)
        throw factory::error("this position was written for other topics (the topic setting differs, or lists them "
                             "in another order): resume with the topic setting of the run that wrote it");
    const std::uint64_t n = r.varint();
    if (n > in.size()) throw factory::error("kafka source position counts more partitions than it holds");
    std::vector<partition_offset> out;
    out.reserve(static_cast<std::size_t>(n));
    for (std::uint64_t i = 0; i < n; ++i) {
        partition_offset p;
        const std::uint64_t topic = r.varint();
        const std::uint64_t partition = r.varint();
        const std::uint64_t next = r.varint();
        if (topic >= topic_count)
            throw factory::error("kafka source position names topic " + std::to_string(topic) + " of a topic setting "
                                 "with " + std::to_string(topic_count));
        if (partition > INT32_MAX || next > static_cast<std::uint64_t>(INT64_MAX))
            throw factory::error("kafka source position holds a partition or offset out of range");
        p.topic = static_cast<std::uint32_t>(topic);
        p.partition = static_cast<std::int32_t>(partition);
        p.next = static_cast<std::int64_t>(next);
        out.push_back(p);
    }
    if (r.at != in.size())
        throw factory::error("kafka source position has " + std::to_string(in.size() - r.at) + " bytes left over");
    return out;
}

} // namespace factory::kafka
