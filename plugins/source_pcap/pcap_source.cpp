#include "pcap_source.hpp"

#include "packet_decoder.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace factory::pcap {
namespace {

constexpr std::size_t damaged_bytes_kept = 4096;

} // namespace

pcap_source::pcap_source(const factory::settings& s, factory::host h)
    : source(h), key_(s.text("key") == "biflow" ? key_mode::biflow : key_mode::five_tuple),
      reject_non_ip_(s.text("non_ip") == "reject") {
    const std::string file = s.string("file");
    const std::string iface = s.string("interface");
    if (file.empty() == iface.empty())
        throw factory::error(file.empty() ? "source pcap: give file=<capture.pcap> or interface=<name>"
                                          : "source pcap: give either file or interface, not both");
    if (!file.empty()) {
        file_ = std::make_unique<capture_file>(file);
    } else {
        live_options o;
        o.interface = iface;
        o.snaplen = static_cast<std::uint32_t>(s.uinteger("snaplen"));
        if (o.snaplen < 64)
            throw factory::error("setting 'snaplen': " + std::to_string(o.snaplen) +
                                 " bytes cannot hold the headers of a packet; give at least 64 (256 is usual)");
        o.promiscuous = s.boolean("promiscuous");
        o.buffer_bytes = s.size_bytes("buffer");
        live_ = std::make_unique<live_capture>(o);
    }
}

bool pcap_source::take(factory::filler& f, const raw_record& r) {
    const std::uint64_t number = n_.packets + 1;
    factory_packet pk;
    char why[224];
    // A record that says it captured more than the packet held on the wire is damage, not a
    // packet: its byte counts cannot both be true, and counting either would be a guess.
    verdict v = verdict::malformed;
    if (r.wire_length < r.caplen)
        std::snprintf(why, sizeof why, "damaged record: original length %u is below its captured length %u",
                      r.wire_length, r.caplen);
    else
        v = decode_frame(r.link, r.frame, r.caplen, r.wire_length, pk, why, sizeof why);
    if (v != verdict::flow) {
        n_.packets = number;
        if (v == verdict::not_ip) {
            ++n_.not_ip;
            if (!reject_non_ip_) return true;
        }
        char reason[256];
        std::snprintf(reason, sizeof reason, "packet %llu: %s", static_cast<unsigned long long>(number), why);
        f.reject(reason, r.frame, r.caplen);
        ++n_.rejected;
        return true;
    }
    pk.if_index = r.if_index;
    pk.packet_number = number;
    const std::int64_t t = r.time_ns != 0 ? r.time_ns : 1;
    void* slot = f.add(flow_pid(pk, key_), t, FACTORY_FORMAT_PACKET, sizeof pk);
    if (slot == nullptr) return false;
    std::memcpy(slot, &pk, sizeof pk);
    n_.packets = number;
    ++n_.flow_packets;
    if (t < latest_ns_) ++n_.late;
    else latest_ns_ = t;
    return true;
}

factory::fill_result pcap_source::fill_file(factory::filler& f) {
    std::uint32_t room = f.room();
    raw_record r;
    while (room != 0) {
        switch (file_->next(r)) {
        case capture_file::result::packet:
            if (!take(f, r)) {
                // The run is stopping: keep the packet, so that nothing read goes uncounted.
                file_->unread();
                return factory::fill_result::more;
            }
            // Rejected packets take no room; counting them anyway keeps a call short on bad input.
            --room;
            break;
        case capture_file::result::wait: return factory::fill_result::more;
        case capture_file::result::end: log_totals("end of"); return factory::fill_result::end;
        case capture_file::result::damaged: {
            const std::size_t keep = std::min(file_->damaged_size(), damaged_bytes_kept);
            f.reject(file_->problem(), file_->damaged_data(), keep);
            ++n_.rejected;
            host().log(factory::log_level::warn, "'" + file_->path() + "' is damaged at " +
                                                     file_->problem() + " (dead-lettered); reading stops there");
            break;
        }
        }
    }
    return factory::fill_result::more;
}

factory::fill_result pcap_source::fill_live(factory::filler& f) {
    auto sink = [&](const raw_record& r) {
        if (!take(f, r)) ++lost_at_stop_;
    };
    (void)live_->dispatch(static_cast<int>(f.room()), sink);
    if (host().stopping()) log_totals("stopping capture on");
    return factory::fill_result::more;
}

factory::fill_result pcap_source::on_fill(factory::filler& f) {
    return file_ != nullptr ? fill_file(f) : fill_live(f);
}

void pcap_source::log_totals(const char* what) {
    if (logged_) return;
    logged_ = true;
    std::string text = std::string(what) + " '" + (file_ != nullptr ? file_->path() : live_->name()) +
                       "': " + std::to_string(n_.packets) + " packets, " + std::to_string(n_.flow_packets) +
                       " in flows, " + std::to_string(n_.not_ip) + " not IP (" +
                       (reject_non_ip_ ? "dead-lettered" : "skipped") + "), " + std::to_string(n_.rejected) +
                       " dead-lettered, " + std::to_string(n_.late) + " late";
    if (live_ != nullptr)
        text += ", " + std::to_string(live_->kernel_drops()) + " dropped by the kernel, " +
                std::to_string(lost_at_stop_) + " arrived while stopping";
    host().log(factory::log_level::info, text);
}

namespace {
constexpr std::uint32_t position_magic = 0x50434150; // "PCAP"
} // namespace

std::size_t pcap_source::on_position(std::span<std::byte> out) {
    if (live_ != nullptr)
        throw factory::error("pcap captures live from '" + live_->name() + "', which cannot be read again after a crash; "
                             "give a capture file (file=) to use --checkpoint");
    if (!file_->resumable())
        throw factory::error("pcap reads '" + file_->path() + "' as a stream (stdin or a pipe), which cannot be read "
                             "again after a crash; give a capture file (file=) to use --checkpoint");
    factory::position_writer w(out);
    w.put(position_magic);
    w.put(n_);
    w.put(latest_ns_);
    file_->save(w);
    return w.size();
}

void pcap_source::on_seek(std::span<const std::byte> position) {
    factory::position_reader r(position);
    if (r.get<std::uint32_t>() != position_magic)
        throw factory::error("source pcap: the checkpoint's position was not written by the pcap source");
    if (file_ == nullptr || !file_->resumable())
        throw factory::error("source pcap: only a capture file can be read again from a checkpoint's position");
    const auto n = r.get<counts>();
    const auto latest = r.get<std::int64_t>();
    file_->restore(r);
    r.finish();
    n_ = n;
    latest_ns_ = latest;
}

} // namespace factory::pcap
