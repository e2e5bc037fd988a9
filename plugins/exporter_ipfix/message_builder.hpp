// RFC 7011 framing: builds one IPFIX message at a time in a buffer of fixed size, with a template
// set and data sets of records encoded per their template (field_map.hpp). No allocation after
// construction; never throws after construction.
//
//   message_builder m(1472);
//   m.begin();
//   m.add_templates(layouts);                    // when templates are due
//   while (m.add_record(plan.layout_for(r), r))  // false: the message is full
//       ...;
//   auto bytes = m.finish(export_time, sequence, domain);
//
// Message layout: the 16-byte header (version 10, length, export time, sequence number,
// observation domain id), then sets, each a 4-byte set header (id 2 for templates, the template
// id for data) and its records. Consecutive records of one template share a data set; sets are
// not padded.
#pragma once

#include "field_map.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace factory::ipfix {

inline constexpr std::size_t message_header_size = 16;
inline constexpr std::size_t set_header_size = 4;

class message_builder {
public:
    // `max_size`: the largest message, in bytes (above 65535, the IPFIX length field's range, it
    // is cut to 65535).
    explicit message_builder(std::size_t max_size);

    std::size_t max_size() const noexcept { return buf_.size(); }

    // Starts a new, empty message (the previous one is dropped).
    void begin() noexcept;

    // Appends one template set holding `layouts`. False, and nothing appended, when it does not fit.
    bool add_templates(std::span<const layout* const> layouts) noexcept;

    // Appends `record` (a product record laid out as the pclass that `l` was planned from) as a data
    // record of template `l`. False, and nothing appended, when it does not fit.
    bool add_record(const layout& l, const unsigned char* record) noexcept;

    // Bytes `record` takes as a data record of `l` (strings by their content).
    static std::size_t record_size(const layout& l, const unsigned char* record) noexcept;

    // Data records in the message so far.
    std::uint32_t records() const noexcept { return records_; }
    // True when the message holds no set.
    bool empty() const noexcept { return used_ == message_header_size; }

    // Writes the header and returns the message; valid until the next begin().
    std::span<const unsigned char> finish(std::uint32_t export_time, std::uint32_t sequence,
                                          std::uint32_t domain) noexcept;

private:
    void close_set() noexcept;

    std::vector<unsigned char> buf_;
    std::size_t used_ = message_header_size;
    std::size_t set_start_ = 0; // 0: no data set open
    std::uint16_t set_id_ = 0;
    std::uint32_t records_ = 0;
};

// Encodes `record`'s columns of `l` at `out`, which has room for record_size(l, record) bytes;
// returns the end.
unsigned char* encode_record(const layout& l, const unsigned char* record, unsigned char* out) noexcept;

} // namespace factory::ipfix
