// The ipfix exporter: products as IPFIX (RFC 7011) data records over UDP to a collector such as
// nfdump's nfcapd. Each pclass gets a template (two when it carries addresses of both families,
// see field_map.hpp), sent with the first data of that pclass, again every template_refresh, and
// again after a failed send (the collector may have restarted and forgotten it).
//
// Messages: at most mtu minus the IP and UDP headers; each export call sends every record of its
// batch, the last message partly filled. The header's sequence number counts the data records
// sent before it in this run (mod 2^32); export time is the wall clock's second at sending.
//
// Pacing: at most `rate` messages per second, `burst` back to back; a collector reading from one
// thread loses datagrams silently when thousands arrive at once (see README.md for the figures).
// on_export() waits for the pacer, so a slow collector slows transportation down
// (backpressure), never the other way round.
//
// Failures: a send that fails (nothing listens: ECONNREFUSED, no buffer space: ENOBUFS, no route)
// answers retry with the reason. Datagrams already handed to the kernel cannot be called back, so
// when the host retries the same batch, sending resumes at the first record not yet sent instead
// of sending the earlier ones twice; if the host gives up, it dead-letters the whole batch,
// including records the collector may already have. UDP itself gives no delivery receipt: a
// datagram the collector drops is noticed there, through the sequence numbers.
#pragma once

#include "collector_socket.hpp"
#include "field_map.hpp"
#include "message_builder.hpp"
#include "pacer.hpp"

#include <factory/exporter.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace factory::ipfix {

class ipfix_exporter : public factory::exporter {
public:
    static constexpr factory::info info{"ipfix", "1.0.0",
                                        "products as IPFIX (RFC 7011) over UDP to a collector such as nfcapd"};
    static constexpr const char* notes =
        "Field map by name and type: src_addr/dst_addr 8/12 (27/28 for ipv6), src_port 7, dst_port 11,\n"
        "protocol 4, tcp_flags 6, tos 5, packets 2, bytes 1, first_seen/last_seen 152/153 (time_unit),\n"
        "end_reason 136, vlan 58, if_index 10, ip_version 60, flow_id 148, ttl 192.\n"
        "Other fields: skipped (unknown=skip, listed in the open log) or refused (unknown=error);\n"
        "map=field:element names one. i8..i64 go as signed64, f32 as float64.\n"
        "UDP: a collector that falls behind loses datagrams silently; rate= paces the sender.\n"
        "More: share/doc/factory/plugins/exporter_ipfix.md";
    static inline const factory::setting settings[] = {
        {"collector", FACTORY_SETTING_STRING, "127.0.0.1:4739",
         "where to send: host:port, [ipv6]:port, or host (port 4739)"},
        {"domain", FACTORY_SETTING_UINT, "0", "observation domain id in every message header (0..4294967295)"},
        {"mtu", FACTORY_SETTING_SIZE, "1500",
         "path MTU: messages are at most this minus the IP and UDP headers (up to 65535 on loopback)"},
        {"rate", FACTORY_SETTING_UINT, "5000",
         "messages per second at most (0: unpaced; a burst of thousands overruns nfcapd silently)"},
        {"burst", FACTORY_SETTING_UINT, "16", "messages that may go back to back after a pause (1 or more)"},
        {"template_refresh", FACTORY_SETTING_DURATION, "60s",
         "send each template again after this long (0: with every message)"},
        {"map", FACTORY_SETTING_STRING, "",
         "fields to map or skip: field:element,... (element: IANA name, number, PEN/number, or skip)"},
        {"unknown", FACTORY_SETTING_ENUM, "skip",
         "a field with no known element: skip it, or refuse to start", "skip|error"},
        {"time_unit", FACTORY_SETTING_ENUM, "milli",
         "first_seen/last_seen as flowStart/End Seconds, Milliseconds, Microseconds or Nanoseconds",
         "sec|milli|micro|nano"},
    };

    ipfix_exporter(const factory::settings& s, factory::host h, const factory::export_info& info);

    factory::export_result on_export(const factory::batch& b);

    // Counters for tests and the close log.
    std::uint64_t messages_sent() const noexcept { return messages_; }
    std::uint32_t sequence() const noexcept { return sequence_; }
    const pclass_plan& plan(std::uint32_t pclass) const { return plans_.at(pclass); }

    ~ipfix_exporter();

private:
    // Where a batch that answered retry stopped, to resume it when the host calls again. The host's
    // buffers are reused from round to round, so a batch is known again by its pointers and count
    // and by a digest of its products' keys and ship times (a new batch in the same place).
    struct resume_point {
        const factory_product* const* products = nullptr;
        std::uint32_t count = 0;
        std::uint32_t pclass = 0;
        std::uint64_t digest = 0;
        std::uint32_t next = 0; // index of the first record not sent
    };

    void start_message(std::uint32_t pclass, std::int64_t now_ns);
    bool send_message(std::uint32_t pclass, std::string& why, bool& fatal);
    bool same_batch(const factory::batch& b) const noexcept;
    void remember(const factory::batch& b, std::uint32_t next) noexcept;
    static std::uint64_t digest(const factory::batch& b) noexcept;

    std::uint32_t domain_;
    std::int64_t refresh_ns_;
    std::vector<pclass_plan> plans_;
    std::vector<const layout*> template_list_; // scratch for add_templates
    std::vector<std::int64_t> templates_sent_ns_; // per pclass, monotonic; -1: never
    bool message_has_templates_ = false;
    collector_socket socket_;
    message_builder message_;
    pacer pacer_;
    std::uint32_t sequence_ = 0;
    std::uint64_t messages_ = 0;
    std::uint64_t records_ = 0;
    resume_point resume_;
    std::string why_;
};

} // namespace factory::ipfix
