// One pid's session as the sessions blueprint keeps it, and the two products it makes of it.
// Plain functions over trivially copyable structs, so that they can be tested without a host.
//
// A session holds the materials of one pid from its first material until its worker is fired
// (idle, maximum age, shutdown, eviction, or max_materials reached). Times are material event
// times (Unix ns) except progress_product::at, the workshop clock at the inspection.
#pragma once

#include <factory/blueprint.hpp>
#include <factory/schema.hpp>

#include <cstdint>
#include <string_view>

namespace example::sessions {

// Kept in the roster for every live pid: it must stay trivially copyable.
struct session_state {
    std::int64_t start_ns;             // earliest material time seen
    std::int64_t end_ns;               // latest material time seen
    std::uint64_t materials;
    std::uint64_t bytes;
    std::uint64_t reported_materials;  // totals at the last progress report
    std::uint64_t reported_bytes;
    std::uint32_t reports;             // progress products shipped for this session
};

// pclass "session": shipped once, when the worker is fired.
struct session_product {
    std::uint64_t pid;
    factory::time_ns start;
    factory::time_ns end;
    std::int64_t duration_ns;    // end - start
    std::uint64_t materials;
    std::uint64_t bytes;
    double bytes_per_second;     // bytes / duration; 0 for a session of zero duration
    std::uint32_t reports;       // progress products shipped during the session
    char end_reason[8];          // idle, max_age, done, shutdown or evicted; NUL-padded
    std::uint8_t reserved[4];    // explicit padding: no uninitialised bytes are shipped
};

// pclass "progress": the running totals, shipped by the inspector.
struct progress_product {
    std::uint64_t pid;
    factory::time_ns start;
    factory::time_ns at;         // when the inspector visited (workshop clock)
    std::uint64_t materials;     // totals so far
    std::uint64_t bytes;
    std::uint64_t new_materials; // since the previous report of this session
    std::uint64_t new_bytes;
    std::uint32_t report;        // 1 for the session's first report, then 2, 3, ...
    std::uint8_t reserved[4];
};

inline const factory::schema session_schema = factory::make_schema<session_product>({
    FACTORY_FIELD(session_product, pid),
    FACTORY_FIELD(session_product, start),
    FACTORY_FIELD(session_product, end),
    FACTORY_FIELD(session_product, duration_ns),
    FACTORY_FIELD(session_product, materials),
    FACTORY_FIELD(session_product, bytes),
    FACTORY_FIELD(session_product, bytes_per_second),
    FACTORY_FIELD(session_product, reports),
    FACTORY_FIELD(session_product, end_reason),
});

inline const factory::schema progress_schema = factory::make_schema<progress_product>({
    FACTORY_FIELD(progress_product, pid),
    FACTORY_FIELD(progress_product, start),
    FACTORY_FIELD(progress_product, at),
    FACTORY_FIELD(progress_product, materials),
    FACTORY_FIELD(progress_product, bytes),
    FACTORY_FIELD(progress_product, new_materials),
    FACTORY_FIELD(progress_product, new_bytes),
    FACTORY_FIELD(progress_product, report),
});

// When the inspector ships a progress product.
enum class progress_mode : std::uint8_t {
    changed, // only for sessions that received materials since their last report
    always,  // at every visit
    off      // never
};

// Parses the setting's text; throws factory::error naming the setting for anything else.
progress_mode parse_progress_mode(std::string_view text);

// Counts one material of `bytes` bytes at event time `time_ns`.
void add(session_state& s, std::int64_t time_ns, std::uint64_t bytes) noexcept;

// Fills `out` and marks the totals as reported when `mode` says a report is due at `now_ns`;
// returns false (and changes nothing) otherwise.
bool take_progress(session_state& s, progress_mode mode, std::uint64_t pid, std::int64_t now_ns,
                   progress_product& out) noexcept;

// The session's final product.
session_product finish(const session_state& s, std::uint64_t pid, factory::fire_reason reason) noexcept;

} // namespace example::sessions
