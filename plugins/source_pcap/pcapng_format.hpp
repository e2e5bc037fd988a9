// The pcapng file format (draft-ietf-opsawg-pcapng): blocks of type, total length, body and the
// total length again, in sections that each start with a Section Header Block (byte-order magic
// 0x1a2b3c4d: either byte order, per section).
//
// Read: Section Header (a new section forgets the interfaces of the previous one), Interface
// Description (link type, snaplen, if_tsresol in powers of 10 or 2, if_tsoffset in seconds),
// Enhanced Packet, Simple Packet (interface 0; it has no timestamp, so it takes the time of the
// packet before it in the file, or 0 when it is the first) and the obsolete Packet Block. Every
// other block type (name resolution, statistics, custom, ...) is skipped by its length.
//
// Corrupt (the rest of the file cannot be read: block lengths are the only way forward): a block
// total length that is not a multiple of 4, below 12, or different at the block's end; a first
// block that is not a Section Header; a packet block naming an interface not described, or whose
// captured length does not fit in the block. A Section Header with a major version other than 1
// is corrupt too.
#pragma once

#include "capture_record.hpp"

#include <factory/source.hpp>

#include <vector>

namespace factory::pcap {

class pcapng_format {
public:
    // True when the first 4 bytes are the Section Header Block type.
    static bool recognise(const std::uint8_t* p) noexcept;

    // Reads the next block: a packet, another block (consumed, `other`), `need` more bytes, or
    // `corrupt` with the reason in `why`.
    step next(const std::uint8_t* p, std::size_t available, raw_record& out, read_state& st, char* why,
              std::size_t why_size);

    std::size_t interfaces() const noexcept { return ifaces_.size(); }

    // What reading from the middle of the file needs (checkpoints): the section's byte order, its
    // interfaces (link type, snaplen, timestamp resolution and offset) and the last packet time (a
    // Simple Packet takes it). save() throws factory::error when the interfaces do not fit a position.
    void save(factory::position_writer& w) const;
    void load(factory::position_reader& r);

private:
    struct interface {
        std::uint32_t link = 0;
        std::uint32_t snaplen = 0;
        // ns = units * mul / div (power of 10) or (units * 1e9) >> shift (power of 2), + offset
        std::uint64_t mul = 1000, div = 1;
        std::uint32_t shift = 0;
        bool binary = false;
        std::int64_t offset_ns = 0;
    };

    step section(const std::uint8_t* p, std::size_t available, read_state& st, char* why, std::size_t why_size);
    step describe_interface(const std::uint8_t* body, std::size_t body_len, char* why, std::size_t why_size);
    std::int64_t time_of(const interface& i, std::uint64_t units) const noexcept;

    byte_order order_;
    bool in_section_ = false;
    std::vector<interface> ifaces_;
    std::int64_t last_time_ns_ = 0;
};

} // namespace factory::pcap
