// The classic libpcap file format: a 24-byte file header (magic 0xa1b2c3d4 for microsecond or
// 0xa1b23c4d for nanosecond timestamps, in either byte order; version 2.x; snaplen; link type),
// then records of a 16-byte header (seconds, fraction, captured length, wire length) and the
// captured bytes.
//
// A record header is corrupt when its captured length is above both the file's snaplen and
// 262144 (what libpcap itself accepts): nothing after it can be trusted, since classic pcap has no
// way to find the next record. (Like libpcap, a fraction of a second out of range is taken as it is.)
#pragma once

#include "capture_record.hpp"

#include <factory/source.hpp>

namespace factory::pcap {

class pcap_format {
public:
    static constexpr std::size_t header_size = 24;
    static constexpr std::size_t record_header_size = 16;

    // True when the first 4 bytes are a classic pcap magic number (either byte order).
    static bool recognise(const std::uint8_t* p) noexcept;

    // Reads the file header. `why` gets a reason for `corrupt` (an unsupported version, a link
    // type decode_frame() does not know: the whole file is unusable).
    step start(const std::uint8_t* p, std::size_t available, read_state& st, char* why, std::size_t why_size) noexcept;

    // Reads the next record.
    step next(const std::uint8_t* p, std::size_t available, raw_record& out, read_state& st, char* why,
              std::size_t why_size) const noexcept {
        if (available < record_header_size) {
            st.need = record_header_size;
            return step::need;
        }
        const std::uint32_t caplen = order_.u32(p + 8);
        if (caplen > max_caplen_) return corrupt(p, why, why_size);
        const std::size_t total = record_header_size + caplen;
        if (available < total) {
            st.need = total;
            return step::need;
        }
        out.frame = p + record_header_size;
        out.caplen = caplen;
        out.wire_length = order_.u32(p + 12);
        out.time_ns = static_cast<std::int64_t>(order_.u32(p)) * 1'000'000'000 +
                      static_cast<std::int64_t>(order_.u32(p + 4)) * ns_per_frac_;
        out.link = link_;
        out.if_index = 0;
        st.consumed = total;
        return step::packet;
    }

    // What reading from the middle of the file needs of its header (checkpoints): byte order, link
    // type, largest captured length, timestamp unit.
    void save(factory::position_writer& w) const {
        w.put(static_cast<std::uint8_t>(order_.swap));
        w.put(link_);
        w.put(max_caplen_);
        w.put(ns_per_frac_);
    }
    void load(factory::position_reader& r) {
        order_.swap = r.get<std::uint8_t>() != 0;
        link_ = r.get<std::uint32_t>();
        max_caplen_ = r.get<std::uint32_t>();
        ns_per_frac_ = r.get<std::int64_t>();
    }

    std::uint32_t link() const noexcept { return link_; }
    bool nanoseconds() const noexcept { return ns_per_frac_ == 1; }

private:
    step corrupt(const std::uint8_t* p, char* why, std::size_t why_size) const noexcept;

    byte_order order_;
    std::uint32_t link_ = 0;
    std::uint32_t max_caplen_ = 262144;
    std::int64_t ns_per_frac_ = 1000;
};

} // namespace factory::pcap
