// The capture maker, part 2: writing pcap and pcapng files.
//
//   capture::writer w("x.pcap", {.format = capture::file_format::pcap_us});
//   w.write(spec);                      // builds the frame (frame.hpp) and writes one record
//   w.write(time_ns, bytes, wire_length);
//
// Formats:
//   - pcap_us / pcap_ns: the classic libpcap format, magic 0xa1b2c3d4 (microsecond timestamps)
//     or 0xa1b23c4d (nanosecond), version 2.4, one link type for the whole file (options.link).
//     Microsecond files truncate times to the microsecond: give times that are multiples of 1000
//     ns when a test compares them exactly.
//   - pcapng: a Section Header Block, then one Interface Description Block per interface
//     (add_interface(); the first write() adds interface 0 from options.link and
//     options.tsresol_exp when none was added), then one Enhanced Packet Block per packet
//     (write_simple() writes a Simple Packet Block instead: no interface, no time). Interface
//     timestamps are in units of 10^-tsresol_exp seconds (if_tsresol option; 6 is the default
//     and is written anyway).
//   - big_endian: the file is written in big-endian byte order (both formats), as a capture made
//     on such a machine would be.
//
// Damage for reader tests: write_bytes() appends arbitrary bytes (a corrupt or cut record);
// truncate_to() cuts the file. Throws std::runtime_error when the file cannot be written.
#pragma once

#include "frame.hpp"

#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include <unistd.h>

namespace factory::capture {

enum class file_format { pcap_us, pcap_ns, pcapng };

struct writer_options {
    file_format format = file_format::pcap_us;
    link_type link = link_type::ethernet;
    std::uint32_t snaplen = 262144;
    bool big_endian = false;
    std::uint8_t tsresol_exp = 6; // pcapng: the default interface's timestamp unit, 10^-exp s
};

class writer {
public:
    writer(const std::string& path, writer_options o = {}) : path_(path), o_(o) {
        f_ = std::fopen(path.c_str(), "wb");
        if (f_ == nullptr) throw std::runtime_error("capture writer: cannot create " + path);
        std::setvbuf(f_, nullptr, _IOFBF, 1 << 20);
        if (o_.format == file_format::pcapng) {
            section_header();
        } else {
            u32(o_.format == file_format::pcap_ns ? 0xa1b23c4dU : 0xa1b2c3d4U);
            u16(2);
            u16(4);
            u32(0);
            u32(0);
            u32(o_.snaplen);
            u32(static_cast<std::uint32_t>(o_.link));
        }
    }
    ~writer() {
        if (f_ != nullptr) std::fclose(f_);
    }
    writer(const writer&) = delete;
    writer& operator=(const writer&) = delete;

    // pcapng: declares the next interface (numbered from 0). Returns its number.
    std::uint32_t add_interface(link_type link, std::uint8_t tsresol_exp = 6,
                                std::uint32_t snaplen = 262144) {
        if (o_.format != file_format::pcapng) throw std::logic_error("add_interface: pcapng only");
        // IDB: link type, reserved, snaplen, option if_tsresol (9), opt_endofopt.
        u32(1);
        u32(32);
        u16(static_cast<std::uint16_t>(link));
        u16(0);
        u32(snaplen);
        u16(9);
        u16(1);
        put({tsresol_exp, 0, 0, 0});
        u32(0);
        u32(32);
        tsresol_.push_back(tsresol_exp);
        return static_cast<std::uint32_t>(tsresol_.size() - 1);
    }

    // One packet built from its spec (interface spec.if_index in pcapng).
    void write(const packet_spec& s) {
        std::vector<std::uint8_t> frame = build_frame(s);
        write(s.time_ns, frame, facts_of(s).wire_length, s.if_index);
    }

    // One record: `data` is what was captured, `wire_length` the packet's length on the wire.
    void write(std::int64_t time_ns, const std::vector<std::uint8_t>& data, std::uint32_t wire_length,
               std::uint32_t if_index = 0) {
        const auto caplen = static_cast<std::uint32_t>(data.size());
        if (o_.format == file_format::pcapng) {
            if (tsresol_.empty()) add_interface(o_.link, o_.tsresol_exp, o_.snaplen);
            if (if_index >= tsresol_.size()) throw std::logic_error("write: no such interface");
            std::uint64_t units = static_cast<std::uint64_t>(time_ns);
            for (int e = tsresol_[if_index]; e < 9; ++e) units /= 10;
            for (int e = 9; e < tsresol_[if_index]; ++e) units *= 10;
            const std::uint32_t padded = (caplen + 3) & ~3U;
            const std::uint32_t total = 32 + padded;
            u32(6);
            u32(total);
            u32(if_index);
            u32(static_cast<std::uint32_t>(units >> 32));
            u32(static_cast<std::uint32_t>(units));
            u32(caplen);
            u32(wire_length);
            put(data);
            put(std::vector<std::uint8_t>(padded - caplen, 0));
            u32(total);
        } else {
            const std::int64_t div = o_.format == file_format::pcap_ns ? 1'000'000'000 : 1'000'000;
            const std::int64_t per = 1'000'000'000 / div;
            u32(static_cast<std::uint32_t>(time_ns / 1'000'000'000));
            u32(static_cast<std::uint32_t>(time_ns % 1'000'000'000 / per));
            u32(caplen);
            u32(wire_length);
            put(data);
        }
        ++records_;
    }

    // pcapng: a Simple Packet Block (interface 0, no timestamp).
    void write_simple(const std::vector<std::uint8_t>& data, std::uint32_t wire_length) {
        if (o_.format != file_format::pcapng) throw std::logic_error("write_simple: pcapng only");
        if (tsresol_.empty()) add_interface(o_.link, o_.tsresol_exp, o_.snaplen);
        const std::uint32_t padded = (static_cast<std::uint32_t>(data.size()) + 3) & ~3U;
        u32(3);
        u32(16 + padded);
        u32(wire_length);
        put(data);
        put(std::vector<std::uint8_t>(padded - data.size(), 0));
        u32(16 + padded);
        ++records_;
    }

    // pcapng: a block of a type readers must skip (e.g. 0x0BAD, custom), with `body` bytes.
    void write_unknown_block(std::uint32_t type, std::uint32_t body) {
        const std::uint32_t total = 12 + ((body + 3) & ~3U);
        u32(type);
        u32(total);
        put(std::vector<std::uint8_t>(total - 12, 0xee));
        u32(total);
    }

    // pcapng: a new section (readers must forget the interfaces of the previous one).
    void new_section() {
        if (o_.format != file_format::pcapng) throw std::logic_error("new_section: pcapng only");
        tsresol_.clear();
        section_header();
    }

    // Raw bytes appended as they are (damage, in the file's byte order via u32/u16 if needed).
    void write_bytes(const std::vector<std::uint8_t>& bytes) { put(bytes); }
    void u32(std::uint32_t v) {
        std::uint8_t b[4];
        for (int i = 0; i < 4; ++i) b[o_.big_endian ? i : 3 - i] = static_cast<std::uint8_t>(v >> (8 * (3 - i)));
        if (std::fwrite(b, 1, 4, f_) != 4) fail();
    }
    void u16(std::uint16_t v) {
        std::uint8_t b[2];
        b[o_.big_endian ? 0 : 1] = static_cast<std::uint8_t>(v >> 8);
        b[o_.big_endian ? 1 : 0] = static_cast<std::uint8_t>(v);
        if (std::fwrite(b, 1, 2, f_) != 2) fail();
    }

    // Flushes and closes; the file is complete afterwards.
    void close() {
        if (f_ == nullptr) return;
        int rc = std::fclose(f_);
        f_ = nullptr;
        if (rc != 0) fail();
    }

    std::uint64_t records() const noexcept { return records_; }
    const std::string& path() const noexcept { return path_; }

private:
    void section_header() {
        u32(0x0a0d0d0a);
        u32(28);
        u32(0x1a2b3c4d);
        u16(1);
        u16(0);
        u32(0xffffffff); // section length unknown
        u32(0xffffffff);
        u32(28);
    }
    void put(const std::vector<std::uint8_t>& b) {
        if (!b.empty() && std::fwrite(b.data(), 1, b.size(), f_) != b.size()) fail();
    }
    [[noreturn]] void fail() { throw std::runtime_error("capture writer: cannot write " + path_); }

    std::string path_;
    writer_options o_;
    std::FILE* f_ = nullptr;
    std::vector<std::uint8_t> tsresol_;
    std::uint64_t records_ = 0;
};

// Cuts a file to `size` bytes (a capture cut off mid-record, as a full disk or a kill leaves it).
inline void truncate_to(const std::string& path, std::uint64_t size) {
    if (::truncate(path.c_str(), static_cast<off_t>(size)) != 0)
        throw std::runtime_error("capture: cannot truncate " + path);
}

} // namespace factory::capture
