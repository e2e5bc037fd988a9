#include "shm/segment.hpp"

#include "shm/segment_file.hpp"

#include <boost/interprocess/mapped_region.hpp>
#include <boost/interprocess/shared_memory_object.hpp>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <new>

#include <unistd.h>

namespace factory::shm {

namespace bip = boost::interprocess;

namespace {

constexpr std::size_t line_size = 64;

std::size_t round_up(std::size_t n, std::size_t to) { return (n + to - 1) / to * to; }

// Each doorbell gets a cache line of its own: the futex words of different sleepers must not
// share a line that their wakers write.
constexpr std::size_t bell_stride = line_size;

} // namespace

struct segment::mapping {
    bip::shared_memory_object object;
    bip::mapped_region region;
};

segment_layout segment_layout::compute(std::uint32_t workshops, std::uint64_t line_bytes,
                                       std::uint64_t lane_bytes, std::uint64_t config_size) {
    segment_layout l;
    l.workshops = workshops;
    l.line_bytes = line_bytes;
    l.lane_bytes = lane_bytes;
    l.config_size = config_size;
    std::size_t at = round_up(sizeof(segment_header), line_size);
    l.processes_at = at;
    at += round_up(sizeof(process_block) * (2 + workshops), line_size);
    l.purchasing_at = at;
    at += round_up(sizeof(purchasing_stats), line_size);
    l.lines_stats_at = at;
    at += round_up(sizeof(line_stats) * workshops, line_size);
    l.workshops_at = at;
    at += round_up(sizeof(workshop_stats) * workshops, line_size);
    l.transport_at = at;
    at += round_up(sizeof(transport_stats), line_size);
    l.bells_at = at;
    at += bell_stride * (2 + 2 * workshops);
    l.config_at = at;
    at += round_up(config_size + 1, line_size);
    // Rings start on a page so their data areas do not share pages with the control blocks.
    at = round_up(at, 4096);
    l.line_stride = round_up(ring_footprint(line_bytes), 4096);
    l.lane_stride = round_up(ring_footprint(lane_bytes), 4096);
    l.lines_at = at;
    at += l.line_stride * workshops;
    l.lanes_at = at;
    at += l.lane_stride * workshops;
    l.total = at;
    return l;
}

std::string segment::name_for(int pid) { return "factory-" + std::to_string(pid); }

segment segment::create(const std::string& name, std::uint32_t workshops, std::uint64_t line_bytes,
                        std::uint64_t lane_bytes, std::string_view config) {
    auto layout = segment_layout::compute(workshops, line_bytes, lane_bytes, config.size());
    auto m = std::make_unique<mapping>();
    bool made = false;
    try {
        bip::permissions owner_only(0600);
        m->object = bip::shared_memory_object(bip::create_only, name.c_str(), bip::read_write, owner_only);
        made = true;
        // Locked before it is sized: until then another run's stale check sees no magic.
        if (!detail::hold_for_life(m->object.get_mapping_handle().handle)) {
            const int e = errno;
            remove(name);
            throw segment_error("cannot lock the shared segment /dev/shm/" + name + ": " + std::strerror(e));
        }
        m->object.truncate(static_cast<bip::offset_t>(layout.total));
        m->region = bip::mapped_region(m->object, bip::read_write);
    } catch (const bip::interprocess_exception& e) {
        // Only what this call made is removed: a file already at the name is someone else's.
        if (made) remove(name);
        if (!made && e.get_error_code() == bip::already_exists_error)
            throw segment_name_taken("cannot create the shared segment: " +
                                     detail::describe(name, detail::look_at(name)));
        if (!made)
            throw segment_error("cannot create the shared segment /dev/shm/" + name + ": " + e.what());
        throw segment_error("cannot create the shared segment /dev/shm/" + name + " (" +
                            std::to_string(layout.total >> 20) + " MiB): " + e.what() +
                            "; check free memory in /dev/shm or lower --line-size/--lane-size/--workshops");
    }
    segment s(std::move(m), layout);
    unsigned char* base = s.base_;
    // A fresh POSIX shared memory object is zero-filled; construct the typed parts in place.
    auto* h = new (base) segment_header{};
    h->magic = segment_magic;
    h->layout_version = layout_version;
    h->workshops = workshops;
    h->total_size = layout.total;
    h->line_bytes = line_bytes;
    h->lane_bytes = lane_bytes;
    h->config_size = config.size();
    h->host_pid = static_cast<std::int32_t>(::getpid());
    for (std::uint32_t i = 0; i < 2 + workshops; ++i) new (&s.process(i)) process_block{};
    new (&s.purchasing()) purchasing_stats{};
    for (std::uint32_t i = 0; i < workshops; ++i) {
        new (&s.line_info(i)) line_stats{};
        new (&s.workshop(i)) workshop_stats{};
    }
    new (&s.transport()) transport_stats{};
    for (std::uint32_t i = 0; i < 2 + 2 * workshops; ++i)
        new (base + layout.bells_at + i * bell_stride) doorbell{};
    std::memcpy(base + layout.config_at, config.data(), config.size());
    for (std::uint32_t i = 0; i < workshops; ++i) {
        ring_create(base + layout.lines_at + i * layout.line_stride, line_bytes);
        ring_create(base + layout.lanes_at + i * layout.lane_stride, lane_bytes);
    }
    return s;
}

segment segment::open(const std::string& name) {
    auto m = std::make_unique<mapping>();
    try {
        m->object = bip::shared_memory_object(bip::open_only, name.c_str(), bip::read_write);
        m->region = bip::mapped_region(m->object, bip::read_write);
    } catch (const bip::interprocess_exception& e) {
        throw segment_error("cannot map the shared segment /dev/shm/" + name + ": " + e.what());
    }
    auto* h = static_cast<const segment_header*>(m->region.get_address());
    if (m->region.get_size() < sizeof(segment_header) || h->magic != segment_magic ||
        h->layout_version != layout_version)
        throw segment_error("/dev/shm/" + name + " is not a factory segment of this version");
    auto layout = segment_layout::compute(h->workshops, h->line_bytes, h->lane_bytes, h->config_size);
    if (layout.total != h->total_size || m->region.get_size() < layout.total)
        throw segment_error("/dev/shm/" + name + " has an inconsistent layout");
    return segment(std::move(m), layout);
}

bool segment::remove(const std::string& name) noexcept {
    try {
        return bip::shared_memory_object::remove(name.c_str());
    } catch (...) {
        return false;
    }
}

segment segment::create_for_run(int pid, std::string& name, std::vector<std::string>& taken,
                                std::uint32_t workshops, std::uint64_t line_bytes, std::uint64_t lane_bytes,
                                std::string_view config) {
    constexpr int other_names = 3;
    for (int i = 0;; ++i) {
        name = name_for(pid) + (i == 0 ? "" : "-" + std::to_string(i));
        try {
            return create(name, workshops, line_bytes, lane_bytes, config);
        } catch (const segment_name_taken& e) {
            taken.emplace_back(e.what());
            if (i == other_names) throw;
        }
    }
}

std::vector<std::string> segment::remove_stale() {
    std::vector<std::string> removed;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator("/dev/shm", ec)) {
        std::string file = entry.path().filename().string();
        // factory-<pid> or factory-<pid>-<n>: the names name_for() and create_for_run() give.
        if (file.rfind("factory-", 0) != 0) continue;
        const std::size_t digits = file.find_first_not_of("0123456789-", 8);
        if (digits != std::string::npos || file.size() == 8) continue;
        if (detail::remove_if_stale(file)) removed.push_back(file);
    }
    return removed;
}

segment::segment(std::unique_ptr<mapping> m, segment_layout layout)
    : map_(std::move(m)), layout_(layout),
      base_(static_cast<unsigned char*>(map_->region.get_address())) {}

segment::segment(segment&&) noexcept = default;
segment& segment::operator=(segment&&) noexcept = default;
segment::~segment() = default;

std::string_view segment::config() const noexcept {
    return {reinterpret_cast<const char*>(base_ + layout_.config_at), layout_.config_size};
}

process_block& segment::process(std::uint32_t slot) noexcept {
    return at<process_block>(layout_.processes_at)[slot];
}
purchasing_stats& segment::purchasing() noexcept { return *at<purchasing_stats>(layout_.purchasing_at); }
line_stats& segment::line_info(std::uint32_t i) noexcept { return at<line_stats>(layout_.lines_stats_at)[i]; }
workshop_stats& segment::workshop(std::uint32_t i) noexcept { return at<workshop_stats>(layout_.workshops_at)[i]; }
transport_stats& segment::transport() noexcept { return *at<transport_stats>(layout_.transport_at); }

ring_control* segment::line(std::uint32_t i) noexcept {
    return at<ring_control>(layout_.lines_at + i * layout_.line_stride);
}
ring_control* segment::lane(std::uint32_t i) noexcept {
    return at<ring_control>(layout_.lanes_at + i * layout_.lane_stride);
}

doorbell& segment::purchasing_bell() noexcept { return *at<doorbell>(layout_.bells_at); }
doorbell& segment::transport_bell() noexcept { return *at<doorbell>(layout_.bells_at + bell_stride); }
doorbell& segment::line_bell(std::uint32_t i) noexcept {
    return *at<doorbell>(layout_.bells_at + (2 + i) * bell_stride);
}
doorbell& segment::lane_bell(std::uint32_t i) noexcept {
    return *at<doorbell>(layout_.bells_at + (2 + layout_.workshops + i) * bell_stride);
}

} // namespace factory::shm
