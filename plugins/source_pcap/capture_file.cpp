#include "capture_file.hpp"

#include <factory/hash.hpp>
#include <factory/settings.hpp>

#include <cstdio>
#include <cstring>

namespace factory::pcap {

namespace {

// Far enough ahead to cover the memory latency of a few dozen records, near enough to stay in L2.
constexpr std::size_t prefetch_distance = 16 * 1024;

} // namespace

capture_file::capture_file(const std::string& path) : in_(path), mapped_(in_.mapped()) {
    // A mapped file has all its bytes: refuse a file that is no capture now, at open.
    if (in_.mapped() || in_.want(1) == capture_input::more::end) (void)detect();
}

bool capture_file::detect() {
    const capture_input::more m = in_.want(4);
    if (m == capture_input::more::wait) return false;
    if (m == capture_input::more::end)
        throw factory::error("source pcap: '" + path() + "' is " + (in_.available() == 0 ? "empty" : "too short") +
                             "; give a pcap or pcapng capture file");
    const std::uint8_t* p = in_.data();
    char why[256] = {};
    if (pcapng_format::recognise(p)) {
        kind_ = kind::pcapng;
        return true;
    }
    if (!pcap_format::recognise(p)) {
        char magic[16];
        std::snprintf(magic, sizeof magic, "%02x %02x %02x %02x", p[0], p[1], p[2], p[3]);
        throw factory::error("source pcap: '" + path() + "' is not a pcap or pcapng file (it starts with " + magic +
                             "); convert it with editcap or tcpdump -w");
    }
    for (;;) {
        read_state st;
        const step s = pcap_.start(in_.data(), in_.available(), st, why, sizeof why);
        if (s == step::other) {
            in_.consume(st.consumed);
            kind_ = kind::pcap;
            return true;
        }
        if (s == step::corrupt) throw factory::error("source pcap: '" + path() + "': " + why);
        const capture_input::more more = in_.want(st.need);
        if (more == capture_input::more::wait) return false;
        if (more == capture_input::more::end)
            throw factory::error("source pcap: '" + path() + "' ends inside its pcap file header");
    }
}

capture_file::result capture_file::damage(const char* what, std::size_t need) {
    done_ = true;
    if (need != 0)
        std::snprintf(why_, sizeof why_,
                      "byte %llu: the file ends inside a record (%zu of its %zu bytes are there); it was probably "
                      "cut while being written",
                      static_cast<unsigned long long>(in_.offset()), in_.available(), need);
    else
        std::snprintf(why_, sizeof why_, "byte %llu: %s; the rest of the file (%zu bytes) cannot be read",
                      static_cast<unsigned long long>(in_.offset()), what, in_.available());
    damaged_data_ = in_.data();
    damaged_size_ = in_.available();
    return result::damaged;
}

capture_file::result capture_file::next(raw_record& out) {
    if (done_) return result::end;
    if (kind_ == kind::unknown && !detect()) return result::wait;
    char why[256];
    for (;;) {
        read_state st;
        const step s = kind_ == kind::pcap
                           ? pcap_.next(in_.data(), in_.available(), out, st, why, sizeof why)
                           : pcapng_.next(in_.data(), in_.available(), out, st, why, sizeof why);
        switch (s) {
        case step::packet:
            in_.consume(st.consumed);
            last_size_ = st.consumed;
            if (mapped_) in_.prefetch(prefetch_distance);
            return result::packet;
        case step::other:
            in_.consume(st.consumed);
            continue;
        case step::corrupt:
            return damage(why, 0);
        case step::need:
            switch (in_.want(st.need)) {
            case capture_input::more::ready: continue;
            case capture_input::more::wait: return result::wait;
            case capture_input::more::end:
                if (in_.available() == 0) {
                    done_ = true;
                    return result::end;
                }
                return damage(nullptr, st.need);
            }
        }
    }
}

void capture_file::unread() noexcept {
    in_.unconsume(last_size_);
    last_size_ = 0;
}

namespace {

std::uint64_t hash_before(const std::uint8_t* data, std::uint64_t offset) noexcept {
    const std::uint64_t n = offset < 64 ? offset : 64;
    return factory::fnv1a(std::string_view(reinterpret_cast<const char*>(data + offset - n), n));
}

} // namespace

void capture_file::save(factory::position_writer& w) const {
    w.put(static_cast<std::uint8_t>(kind_));
    w.put(static_cast<std::uint8_t>(done_));
    w.put(in_.offset());
    w.put(hash_before(in_.map_data(), in_.offset()));
    if (kind_ == kind::pcap) pcap_.save(w);
    else if (kind_ == kind::pcapng) pcapng_.save(w);
}

void capture_file::restore(factory::position_reader& r) {
    const auto k = static_cast<kind>(r.get<std::uint8_t>());
    const bool done = r.get<std::uint8_t>() != 0;
    const auto offset = r.get<std::uint64_t>();
    const auto hash = r.get<std::uint64_t>();
    const auto names = [](kind x) { return x == kind::pcap ? "classic pcap" : x == kind::pcapng ? "pcapng" : "unknown"; };
    if (k != kind_)
        throw factory::error("source pcap: '" + path() + "' is a " + names(kind_) + " file, but the checkpoint read a " +
                             names(k) + " one; give the file the checkpoint read, or start the job afresh");
    if (offset > in_.map_size())
        throw factory::error("source pcap: '" + path() + "' has " + std::to_string(in_.map_size()) +
                             " bytes, but the checkpoint read up to byte " + std::to_string(offset) +
                             ": it is not the file the checkpoint read; give that file, or start the job afresh");
    if (hash_before(in_.map_data(), offset) != hash)
        throw factory::error("source pcap: '" + path() + "' differs from the file the checkpoint read (its bytes before "
                             "offset " + std::to_string(offset) +
                             " are not the same); give that file, or start the job afresh");
    if (k == kind::pcap) pcap_.load(r);
    else if (k == kind::pcapng) pcapng_.load(r);
    in_.seek_to(offset);
    done_ = done;
    last_size_ = 0;
}

} // namespace factory::pcap
