// Fuzz target for the pcap source's frame decoder (plugins/source_pcap/packet_decoder.*): one
// captured frame of any bytes, under a link type chosen by the input's first byte (each supported
// one, or any 16-bit value), with a wire length from the second.
//
// Checks beyond ASan/UBSan: the verdict is bad_link exactly for unsupported links; a flow is IPv4
// or IPv6 with its link header inside the capture and an IPv4 address in the first 4 bytes only;
// every other verdict explains itself in one NUL-terminated line inside the caller's buffer; the
// same frame decodes the same way twice.
#include "fuzz_check.hpp"

#include "source_pcap/packet_decoder.hpp"

#include <cstdint>
#include <cstring>
#include <memory>

using namespace factory::pcap;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 4) return 0;
    static constexpr std::uint32_t links[] = {link_null,      link_ethernet, link_raw,        link_loop,
                                              link_linux_sll, link_ipv4,     link_ipv6,       link_linux_sll2};
    const std::uint32_t link = data[0] < 8 * 28 ? links[data[0] % 8] : static_cast<std::uint32_t>(data[1] << 8 | data[2]);
    const std::uint32_t caplen = static_cast<std::uint32_t>(size - 3);
    const std::uint32_t wire = caplen + (data[1] & 0x7f);
    // The frame alone on the heap, so that ASan sees a read past its end.
    auto frame = std::make_unique<std::uint8_t[]>(caplen);
    std::memcpy(frame.get(), data + 3, caplen);

    factory_packet out{};
    char why[200];
    std::memset(why, 0x5a, sizeof why);
    const std::size_t why_size = 1 + data[2] % 160;
    const verdict v = decode_frame(link, frame.get(), caplen, wire, out, why, why_size);
    for (std::size_t i = why_size; i < sizeof why; ++i) FUZZ_CHECK(why[i] == 0x5a, "the reason ran past its buffer");
    FUZZ_CHECK((v == verdict::bad_link) == !supported_link(link), "bad_link and supported_link disagree");

    if (v == verdict::flow) {
        FUZZ_CHECK(out.ip_version == 4 || out.ip_version == 6, "a flow that is neither IPv4 nor IPv6");
        FUZZ_CHECK(out.link_length < caplen, "the IP header starts past the capture");
        FUZZ_CHECK(out.wire_length == wire, "the wire length changed");
        if (out.ip_version == 4)
            for (int i = 4; i < 16; ++i)
                FUZZ_CHECK(out.src_addr[i] == 0 && out.dst_addr[i] == 0, "an IPv4 address beyond 4 bytes");
    } else {
        FUZZ_CHECK(std::memchr(why, '\0', why_size) != nullptr, "the reason is not NUL-terminated");
        FUZZ_CHECK(why_size == 1 || why[0] != '\0', "a refusal without a reason");
    }

    factory_packet again{};
    FUZZ_CHECK(decode_frame(link, frame.get(), caplen, wire, again, nullptr, 0) == v, "another verdict the second time");
    if (v == verdict::flow) FUZZ_CHECK(std::memcmp(&out, &again, sizeof out) == 0, "another packet the second time");
    return 0;
}
