#include "pcap_format.hpp"

#include "packet_decoder.hpp"

#include <cstdio>

namespace factory::pcap {
namespace {

constexpr std::uint32_t magic_us = 0xa1b2c3d4U;
constexpr std::uint32_t magic_ns = 0xa1b23c4dU;

} // namespace

bool pcap_format::recognise(const std::uint8_t* p) noexcept {
    const byte_order host{};
    const std::uint32_t m = host.u32(p);
    return m == magic_us || m == magic_ns || m == __builtin_bswap32(magic_us) || m == __builtin_bswap32(magic_ns);
}

step pcap_format::start(const std::uint8_t* p, std::size_t available, read_state& st, char* why,
                        std::size_t why_size) noexcept {
    if (available < header_size) {
        st.need = header_size;
        return step::need;
    }
    const std::uint32_t m = byte_order{}.u32(p);
    order_.swap = m == __builtin_bswap32(magic_us) || m == __builtin_bswap32(magic_ns);
    const bool ns = order_.u32(p) == magic_ns;
    ns_per_frac_ = ns ? 1 : 1000;
    const std::uint16_t major = order_.u16(p + 4);
    if (major != 2) {
        std::snprintf(why, why_size, "classic pcap version %u is not supported (only 2.x)",
                      static_cast<unsigned>(major));
        return step::corrupt;
    }
    const std::uint32_t snaplen = order_.u32(p + 16);
    max_caplen_ = snaplen < 262144 ? 262144 : snaplen > max_record_bytes ? max_record_bytes : snaplen;
    // The upper bits may carry an FCS length (libpcap's LT_FCS_* flags); the link type is the rest.
    link_ = order_.u32(p + 20) & 0x03ffffffU;
    if (!supported_link(link_)) {
        std::snprintf(why, why_size, "link type %u is not supported (supported: %s)", link_, supported_links());
        return step::corrupt;
    }
    st.consumed = header_size;
    return step::other;
}

step pcap_format::corrupt(const std::uint8_t* p, char* why, std::size_t why_size) const noexcept {
    std::snprintf(why, why_size, "corrupt record header: captured length %u is above the largest possible (%u)",
                  order_.u32(p + 8), max_caplen_);
    return step::corrupt;
}

} // namespace factory::pcap
