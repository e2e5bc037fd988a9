#include "pcapng_format.hpp"

#include <cstdio>

namespace factory::pcap {
namespace {

constexpr std::uint32_t block_section = 0x0a0d0d0aU;
constexpr std::uint32_t block_interface = 1;
constexpr std::uint32_t block_packet_obsolete = 2;
constexpr std::uint32_t block_simple = 3;
constexpr std::uint32_t block_enhanced = 6;
constexpr std::uint32_t byte_order_magic = 0x1a2b3c4dU;

constexpr std::uint16_t opt_end = 0;
constexpr std::uint16_t opt_tsresol = 9;
constexpr std::uint16_t opt_tsoffset = 14;

__extension__ typedef unsigned __int128 u128;

} // namespace

bool pcapng_format::recognise(const std::uint8_t* p) noexcept {
    // The block type reads the same in either byte order.
    return byte_order{}.u32(p) == block_section;
}

step pcapng_format::section(const std::uint8_t* p, std::size_t available, read_state& st, char* why,
                            std::size_t why_size) {
    if (available < 12) {
        st.need = 12;
        return step::need;
    }
    const std::uint32_t magic = byte_order{}.u32(p + 8);
    if (magic != byte_order_magic && magic != __builtin_bswap32(byte_order_magic)) {
        std::snprintf(why, why_size, "corrupt section header: byte-order magic 0x%08x is not 0x1a2b3c4d", magic);
        return step::corrupt;
    }
    byte_order order{magic != byte_order_magic};
    const std::uint32_t total = order.u32(p + 4);
    if (total < 28 || total % 4 != 0 || total > max_record_bytes) {
        std::snprintf(why, why_size, "corrupt section header: block length %u", total);
        return step::corrupt;
    }
    if (available < total) {
        st.need = total;
        return step::need;
    }
    if (order.u32(p + total - 4) != total) {
        std::snprintf(why, why_size, "corrupt section header: its trailing length differs from %u", total);
        return step::corrupt;
    }
    const std::uint16_t major = order.u16(p + 12);
    if (major != 1) {
        std::snprintf(why, why_size, "pcapng version %u is not supported (only 1.x)", static_cast<unsigned>(major));
        return step::corrupt;
    }
    order_ = order;
    in_section_ = true;
    ifaces_.clear();
    st.consumed = total;
    return step::other;
}

step pcapng_format::describe_interface(const std::uint8_t* body, std::size_t body_len, char* why,
                                       std::size_t why_size) {
    if (body_len < 8) {
        std::snprintf(why, why_size, "corrupt interface description: %zu bytes of body, below 8", body_len);
        return step::corrupt;
    }
    interface i;
    i.link = order_.u16(body);
    i.snaplen = order_.u32(body + 4);
    // Options; a malformed option list ends the list (the interface stays usable with defaults).
    std::size_t at = 8;
    while (at + 4 <= body_len) {
        const std::uint16_t code = order_.u16(body + at);
        const std::uint16_t len = order_.u16(body + at + 2);
        if (code == opt_end || at + 4 + len > body_len) break;
        const std::uint8_t* v = body + at + 4;
        if (code == opt_tsresol && len >= 1) {
            const unsigned r = v[0];
            if ((r & 0x80) != 0) {
                i.binary = true;
                i.shift = (r & 0x7f) > 63 ? 63 : (r & 0x7f);
            } else {
                const unsigned e = r > 18 ? 18 : r;
                i.mul = 1;
                i.div = 1;
                for (unsigned k = e; k < 9; ++k) i.mul *= 10;
                for (unsigned k = 9; k < e; ++k) i.div *= 10;
            }
        } else if (code == opt_tsoffset && len >= 8) {
            i.offset_ns = static_cast<std::int64_t>(order_.u64(v)) * 1'000'000'000;
        }
        at += 4 + ((len + 3u) & ~3u);
    }
    ifaces_.push_back(i);
    return step::other;
}

std::int64_t pcapng_format::time_of(const interface& i, std::uint64_t units) const noexcept {
    if (i.binary)
        return static_cast<std::int64_t>((static_cast<u128>(units) * 1'000'000'000U) >> i.shift) +
               i.offset_ns;
    return static_cast<std::int64_t>(units * i.mul / i.div) + i.offset_ns;
}

step pcapng_format::next(const std::uint8_t* p, std::size_t available, raw_record& out, read_state& st, char* why,
                         std::size_t why_size) {
    if (available < 8) {
        st.need = 8;
        return step::need;
    }
    const std::uint32_t type = order_.u32(p);
    if (type == block_section) return section(p, available, st, why, why_size);
    if (!in_section_) {
        std::snprintf(why, why_size, "the file does not start with a pcapng section header (block type 0x%08x)", type);
        return step::corrupt;
    }
    const std::uint32_t total = order_.u32(p + 4);
    if (total < 12 || total % 4 != 0 || total > max_record_bytes) {
        std::snprintf(why, why_size, "corrupt block (type %u): length %u is below 12, above %u or not a multiple of 4",
                      type, total, max_record_bytes);
        return step::corrupt;
    }
    if (available < total) {
        st.need = total;
        return step::need;
    }
    if (order_.u32(p + total - 4) != total) {
        std::snprintf(why, why_size, "corrupt block (type %u): its trailing length differs from %u", type, total);
        return step::corrupt;
    }
    st.consumed = total;
    const std::uint8_t* body = p + 8;
    const std::size_t body_len = total - 12;
    std::uint32_t iface = 0, caplen = 0, wire = 0;
    std::uint64_t units = 0;
    const std::uint8_t* data = nullptr;
    std::size_t fixed = 0;
    switch (type) {
    case block_interface: return describe_interface(body, body_len, why, why_size);
    case block_enhanced:
    case block_packet_obsolete:
        // The same layout, but for the interface id: 32 bits, or 16 (then 16 bits of drop count).
        fixed = 20;
        if (body_len < fixed) break;
        iface = type == block_enhanced ? order_.u32(body) : order_.u16(body);
        units = std::uint64_t{order_.u32(body + 4)} << 32 | order_.u32(body + 8);
        caplen = order_.u32(body + 12);
        wire = order_.u32(body + 16);
        data = body + 20;
        break;
    case block_simple: {
        fixed = 4;
        if (body_len < fixed) break;
        wire = order_.u32(body);
        const std::uint32_t room = static_cast<std::uint32_t>(body_len - 4);
        caplen = wire < room ? wire : room;
        if (!ifaces_.empty() && ifaces_[0].snaplen != 0 && caplen > ifaces_[0].snaplen) caplen = ifaces_[0].snaplen;
        data = body + 4;
        break;
    }
    default: return step::other;
    }
    if (data == nullptr) {
        std::snprintf(why, why_size, "corrupt packet block (type %u): %zu bytes of body, below %zu", type, body_len,
                      fixed);
        return step::corrupt;
    }
    if (caplen > body_len - fixed) {
        std::snprintf(why, why_size, "corrupt packet block (type %u): captured length %u does not fit in its %zu bytes",
                      type, caplen, body_len - fixed);
        return step::corrupt;
    }
    if (iface >= ifaces_.size()) {
        std::snprintf(why, why_size, "packet block names interface %u, but the section describes %zu", iface,
                      ifaces_.size());
        return step::corrupt;
    }
    const interface& i = ifaces_[iface];
    out.frame = data;
    out.caplen = caplen;
    out.wire_length = wire;
    out.time_ns = type == block_simple ? last_time_ns_ : time_of(i, units);
    out.link = i.link;
    out.if_index = iface;
    last_time_ns_ = out.time_ns;
    return step::packet;
}

void pcapng_format::save(factory::position_writer& w) const {
    w.put(static_cast<std::uint8_t>(order_.swap));
    w.put(static_cast<std::uint8_t>(in_section_));
    w.put(last_time_ns_);
    w.put(static_cast<std::uint32_t>(ifaces_.size()));
    for (const interface& i : ifaces_) {
        w.put(i.link);
        w.put(i.snaplen);
        w.put(i.mul);
        w.put(i.div);
        w.put(i.shift);
        w.put(static_cast<std::uint8_t>(i.binary));
        w.put(i.offset_ns);
    }
}

void pcapng_format::load(factory::position_reader& r) {
    order_.swap = r.get<std::uint8_t>() != 0;
    in_section_ = r.get<std::uint8_t>() != 0;
    last_time_ns_ = r.get<std::int64_t>();
    const auto n = r.get<std::uint32_t>();
    // Each interface takes 37 bytes: a count beyond what the position holds is not one of ours.
    if (n > r.left() / 37) throw factory::error("source pcap: the checkpoint's position lists more interfaces than it holds");
    ifaces_.assign(n, interface{});
    for (interface& i : ifaces_) {
        i.link = r.get<std::uint32_t>();
        i.snaplen = r.get<std::uint32_t>();
        i.mul = r.get<std::uint64_t>();
        i.div = r.get<std::uint64_t>();
        i.shift = r.get<std::uint32_t>();
        i.binary = r.get<std::uint8_t>() != 0;
        i.offset_ns = r.get<std::int64_t>();
    }
}

} // namespace factory::pcap
