// Packets from a network interface, through libpcap (pcap_create / pcap_activate), with
// nanosecond timestamps where the system offers them and a read timeout of 100 ms, so that a
// quiet interface never keeps the source from returning to the host.
//
// Capturing needs the right to: root, or CAP_NET_RAW and CAP_NET_ADMIN on the executable. Errors
// at open throw factory::error naming the interface, with libpcap's reason and what to do.
#pragma once

#include "capture_record.hpp"

#include <cstdint>
#include <string>

struct pcap;
struct pcap_pkthdr;

namespace factory::pcap {

struct live_options {
    std::string interface;
    std::uint32_t snaplen = 256;
    bool promiscuous = true;
    std::uint64_t buffer_bytes = 32u << 20;
};

class live_capture {
public:
    explicit live_capture(const live_options& o);
    ~live_capture();
    live_capture(const live_capture&) = delete;
    live_capture& operator=(const live_capture&) = delete;

    // Calls sink(const raw_record&) for at most `max` packets, those that arrive within the read
    // timeout; returns how many. Throws factory::error when the capture fails (interface gone).
    template <class Sink>
    int dispatch(int max, Sink& sink) {
        return dispatch_raw(max, &call<Sink>, &sink);
    }

    // Packets the kernel dropped because the source did not keep up (pcap_stats), 0 if unknown.
    std::uint64_t kernel_drops() const noexcept;
    std::uint32_t link() const noexcept { return link_; }
    const std::string& name() const noexcept { return o_.interface; }

private:
    using sink_fn = void (*)(void* sink, const raw_record& r);
    template <class Sink>
    static void call(void* sink, const raw_record& r) {
        (*static_cast<Sink*>(sink))(r);
    }
    int dispatch_raw(int max, sink_fn fn, void* sink);
    static void on_packet(unsigned char* user, const pcap_pkthdr* h, const unsigned char* bytes);

    live_options o_;
    ::pcap* handle_ = nullptr;
    std::uint32_t link_ = 0;
    bool nano_ = false;
    sink_fn fn_ = nullptr;
    void* sink_ = nullptr;
};

} // namespace factory::pcap
