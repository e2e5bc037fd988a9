#include "live_capture.hpp"

#include "packet_decoder.hpp"

#include <factory/settings.hpp>

#include <pcap/pcap.h>

namespace factory::pcap {
namespace {

std::string pcap_message(::pcap* p, int rc) {
    std::string text = pcap_statustostr(rc);
    const char* detail = p != nullptr ? pcap_geterr(p) : nullptr;
    if (detail != nullptr && *detail != '\0') text += std::string(": ") + detail;
    return text;
}

} // namespace

live_capture::live_capture(const live_options& o) : o_(o) {
    char err[PCAP_ERRBUF_SIZE] = {};
    handle_ = pcap_create(o.interface.c_str(), err);
    if (handle_ == nullptr)
        throw factory::error("source pcap: cannot capture on '" + o.interface + "': " + err);
    pcap_set_snaplen(handle_, static_cast<int>(o.snaplen));
    pcap_set_promisc(handle_, o.promiscuous ? 1 : 0);
    pcap_set_timeout(handle_, 100);
    pcap_set_buffer_size(handle_, static_cast<int>(o.buffer_bytes > 0x7fffffff ? 0x7fffffff : o.buffer_bytes));
    nano_ = pcap_set_tstamp_precision(handle_, PCAP_TSTAMP_PRECISION_NANO) == 0;
    const int rc = pcap_activate(handle_);
    if (rc < 0) {
        std::string why = pcap_message(handle_, rc);
        pcap_close(handle_);
        handle_ = nullptr;
        std::string hint = rc == PCAP_ERROR_PERM_DENIED
                               ? "; capturing needs root, or: setcap cap_net_raw,cap_net_admin=eip factory-host"
                           : rc == PCAP_ERROR_NO_SUCH_DEVICE ? "; list the interfaces with: ip link"
                                                              : "";
        throw factory::error("source pcap: cannot capture on '" + o.interface + "': " + why + hint);
    }
    // pcap_activate() may answer a warning (> 0): the capture works, with a limitation.
    nano_ = nano_ && pcap_get_tstamp_precision(handle_) == PCAP_TSTAMP_PRECISION_NANO;
    link_ = static_cast<std::uint32_t>(pcap_datalink(handle_));
    if (!supported_link(link_)) {
        pcap_close(handle_);
        handle_ = nullptr;
        throw factory::error("source pcap: interface '" + o.interface + "' has link type " + std::to_string(link_) +
                             ", which is not supported (supported: " + supported_links() + ")");
    }
}

live_capture::~live_capture() {
    if (handle_ != nullptr) pcap_close(handle_);
}

void live_capture::on_packet(unsigned char* user, const pcap_pkthdr* h, const unsigned char* bytes) {
    auto* me = reinterpret_cast<live_capture*>(user);
    raw_record r;
    r.frame = bytes;
    r.caplen = h->caplen;
    r.wire_length = h->len;
    r.time_ns = static_cast<std::int64_t>(h->ts.tv_sec) * 1'000'000'000 +
                static_cast<std::int64_t>(h->ts.tv_usec) * (me->nano_ ? 1 : 1000);
    r.link = me->link_;
    me->fn_(me->sink_, r);
}

int live_capture::dispatch_raw(int max, sink_fn fn, void* sink) {
    fn_ = fn;
    sink_ = sink;
    const int n = pcap_dispatch(handle_, max, &on_packet, reinterpret_cast<unsigned char*>(this));
    if (n == PCAP_ERROR)
        throw factory::error("source pcap: capture on '" + o_.interface + "' failed: " + pcap_geterr(handle_));
    return n < 0 ? 0 : n;
}

std::uint64_t live_capture::kernel_drops() const noexcept {
    pcap_stat st{};
    if (handle_ == nullptr || pcap_stats(handle_, &st) != 0) return 0;
    return st.ps_drop;
}

} // namespace factory::pcap
