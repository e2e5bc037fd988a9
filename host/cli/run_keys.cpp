#include "cli/run_keys.hpp"

#include "cli/units.hpp"

#include <factory/abi.h>
#include <factory/util/values.hpp>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace factory::cli {
namespace {

using where_t = const std::string&;

[[noreturn]] void bad(where_t where, const std::string& want, std::string_view got) {
    throw std::invalid_argument(where + " wants " + want + ", got '" + std::string(got) + "'");
}

std::uint64_t count(std::string_view t, std::uint64_t lo, std::uint64_t hi, where_t where) {
    std::uint64_t v = 0;
    if (!values::parse_uint(t, v) || v < lo || v > hi)
        bad(where, "an integer from " + std::to_string(lo) + " to " + std::to_string(hi), t);
    return v;
}

std::int64_t duration(std::string_view t, bool zero_means_none, where_t where) {
    std::int64_t v = 0;
    if (!values::parse_duration_ns(t, v) || (!zero_means_none && v == 0))
        bad(where, zero_means_none ? "a duration such as 500ms, 5s or 2m (0: none)"
                                   : "a duration above 0 such as 500ms, 5s or 2m", t);
    return v;
}

std::uint64_t size(std::string_view t, std::uint64_t lo, std::uint64_t hi, where_t where) {
    std::uint64_t v = 0;
    if (!values::parse_size(t, v) || v < lo || v > hi)
        bad(where, "a size from " + format_size(lo) + " to " + format_size(hi) + " such as 64KiB or 4MiB", t);
    return v;
}

std::string word(std::string_view t, std::string_view choices, where_t where) {
    if (!values::is_choice(t, choices)) bad(where, "one of " + std::string(choices), t);
    return std::string(values::trim(t));
}

std::string path(std::string_view t, where_t where) {
    if (values::trim(t).empty()) bad(where, "a path", t);
    return std::string(t);
}

std::string number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%g", v);
    return buf;
}

constexpr std::uint64_t kib = 1024, gib = 1024 * 1024 * 1024;

void dead_letter_limit(run_options& o, std::string_view t, where_t where) {
    std::string_view v = values::trim(t);
    o.max_dead_letters.reset();
    o.max_dead_letter_percent.reset();
    if (v == "none") return;
    if (!v.empty() && v.back() == '%') {
        double p = 0;
        std::string num(v.substr(0, v.size() - 1));
        char* end = nullptr;
        p = std::strtod(num.c_str(), &end);
        if (num.empty() || end != num.c_str() + num.size() || !(p >= 0 && p <= 100))
            bad(where, "a count such as 1000, a percentage from 0% to 100% such as 0.5%, or none", t);
        o.max_dead_letter_percent = p;
        return;
    }
    o.max_dead_letters = count(v, 0, UINT64_MAX - 1, where);
}

const run_key keys[] = {
    {"workshops", "Workshops", "N", "workshop processes, one worker thread each",
     [](run_options& o, std::string_view t, where_t w) { o.workshops = static_cast<unsigned>(count(t, 1, 1024, w)); },
     [](const run_options& o) { return o.workshops == 0 ? std::string("one per core") : std::to_string(o.workshops); }},
    {"contract", "Workshops", "DUR", "idle timeout: a worker with no material for this long is fired",
     [](run_options& o, std::string_view t, where_t w) { o.contract_ns = duration(t, false, w); },
     [](const run_options& o) { return format_duration(o.contract_ns); }},
    {"inspect", "Workshops", "DUR", "period of the inspector's visit to each worker (0: no inspector)",
     [](run_options& o, std::string_view t, where_t w) { o.inspect_ns = duration(t, true, w); },
     [](const run_options& o) { return format_duration(o.inspect_ns); }},
    {"max-age", "Workshops", "DUR", "fire a worker once it is this old, busy or not (0: never)",
     [](run_options& o, std::string_view t, where_t w) { o.max_age_ns = duration(t, true, w); },
     [](const run_options& o) { return format_duration(o.max_age_ns); }},
    {"expect-workers", "Workshops", "N",
     "live workers a workshop should expect: its roster is sized once for them, so it never stalls to grow (0: grow as needed)",
     [](run_options& o, std::string_view t, where_t w) { o.expect_workers = count(t, 0, UINT64_MAX, w); },
     [](const run_options& o) { return std::to_string(o.expect_workers); }},
    {"max-workers", "Workshops", "N", "live workers per workshop before the one due soonest is evicted (0: no limit)",
     [](run_options& o, std::string_view t, where_t w) { o.max_workers = count(t, 0, UINT64_MAX, w); },
     [](const run_options& o) { return std::to_string(o.max_workers); }},
    {"clock", "Workshops", "wall|material",
     "what contracts and inspectors count: wall time or material (event) time, in whole milliseconds "
     "(a gap is measured between floored 1 ms ticks)",
     [](run_options& o, std::string_view t, where_t w) {
         o.clock = word(t, "wall|material", w) == "wall" ? clock_mode::wall : clock_mode::material; },
     [](const run_options& o) {
         if (!o.clock) return std::string("material when the source gives event time, else wall");
         return std::string(*o.clock == clock_mode::wall ? "wall" : "material"); }},
    {"rate", "Purchasing", "N", "materials purchased per second at most (0: as fast as the lines take them)",
     [](run_options& o, std::string_view t, where_t w) {
         double v = 0;
         if (!values::parse_double(t, v) || v < 0) bad(w, "a number of materials per second, 0 or more", t);
         o.rate = v; },
     [](const run_options& o) { return number(o.rate); }},
    {"max-material", "Purchasing", "SIZE", "largest material payload a source may add",
     [](run_options& o, std::string_view t, where_t w) { o.max_material = size(t, 1, gib, w); },
     [](const run_options& o) { return format_size(o.max_material); }},
    {"line-size", "Lines", "SIZE", "bytes of each production line (purchasing to one workshop)",
     [](run_options& o, std::string_view t, where_t w) { o.line_bytes = size(t, 4 * kib, gib, w); },
     [](const run_options& o) { return format_size(o.line_bytes); }},
    {"lane-size", "Lines", "SIZE", "bytes of each transportation lane (one workshop to transportation)",
     [](run_options& o, std::string_view t, where_t w) { o.lane_bytes = size(t, 4 * kib, gib, w); },
     [](const run_options& o) { return format_size(o.lane_bytes); }},
    {"flush", "Transportation", "DUR", "the driver's period: how often the warehouse goes to the exporters",
     [](run_options& o, std::string_view t, where_t w) { o.flush_ns = duration(t, false, w); },
     [](const run_options& o) { return format_duration(o.flush_ns); }},
    {"export-retries", "Transportation", "N", "RETRY answers an exporter may give a batch before it is dead-lettered",
     [](run_options& o, std::string_view t, where_t w) {
         o.export_retries = static_cast<std::uint32_t>(count(t, 0, 1'000'000, w)); },
     [](const run_options& o) { return std::to_string(o.export_retries); }},
    {"retry-backoff", "Transportation", "DUR", "first wait before a retry; doubles up to 30s",
     [](run_options& o, std::string_view t, where_t w) { o.retry_backoff_ns = duration(t, false, w); },
     [](const run_options& o) { return format_duration(o.retry_backoff_ns); }},
    {"duration", "Run", "DUR", "end the run after this long (0: at end of input or on a signal)",
     [](run_options& o, std::string_view t, where_t w) { o.duration_ns = duration(t, true, w); },
     [](const run_options& o) { return format_duration(o.duration_ns); }},
    {"hang-timeout", "Faults", "DUR", "restart a workshop that makes no progress for this long (0: never; at least 1s)",
     [](run_options& o, std::string_view t, where_t w) { o.hang_timeout_ns = duration(t, true, w); },
     [](const run_options& o) { return format_duration(o.hang_timeout_ns); }},
    {"max-restarts", "Faults", "N", "deaths of one process within a minute before the run gives up on it",
     [](run_options& o, std::string_view t, where_t w) {
         o.max_restarts = static_cast<std::uint32_t>(count(t, 0, 1'000'000, w)); },
     [](const run_options& o) { return std::to_string(o.max_restarts); }},
    {"max-dead-letters", "Faults", "N|P%",
     "fail the run (exit code 4) past this many dead letters, or past this share of purchased materials "
     "(1%); a count also stops the run as soon as it is passed (none: no limit)",
     [](run_options& o, std::string_view t, where_t w) { dead_letter_limit(o, t, w); },
     [](const run_options& o) {
         return o.max_dead_letters ? std::to_string(*o.max_dead_letters)
                : o.max_dead_letter_percent ? number(*o.max_dead_letter_percent) + "%" : std::string("none"); }},
    {"dead-letter", "Run", "DIR", "folder for dead letters: records that failed, with their reason",
     [](run_options& o, std::string_view t, where_t w) { o.dead_letter_dir = path(t, w); },
     [](const run_options& o) { return o.dead_letter_dir.string(); }},
    {"summary-json", "Run", "FILE", "write the run's accounting as JSON to this file",
     [](run_options& o, std::string_view t, where_t w) { o.summary_json = path(t, w); },
     [](const run_options& o) { return o.summary_json ? o.summary_json->string() : std::string(); }},
    {"log-level", "Run", "LEVEL", "trace|debug|info|warn|error",
     [](run_options& o, std::string_view t, where_t w) { o.log_level = word(t, "trace|debug|info|warn|error", w); },
     [](const run_options& o) { return o.log_level; }},
    {"quiet", "Run", nullptr, "no ops lines: warnings and errors only",
     [](run_options& o, std::string_view t, where_t w) {
         if (!values::parse_bool(t, o.quiet)) bad(w, "true or false", t); },
     [](const run_options& o) { return std::string(o.quiet ? "true" : "false"); }},
    {"http", "Ops", "ADDR:PORT",
     "serve /metrics (Prometheus), /api/status, /healthz, /readyz and a live dashboard at / on this address; "
     "a loopback address such as 127.0.0.1:9100 unless --http-public (off when not given)",
     [](run_options& o, std::string_view t, where_t w) {
         if (values::trim(t).empty()) bad(w, "an address and port such as 127.0.0.1:9100", t);
         o.http = std::string(values::trim(t)); },
     [](const run_options& o) { return o.http; }},
    {"http-linger", "Ops", "DUR",
     "after the run ends, keep serving its final figures this long, so a scraper gets them (with --http)",
     [](run_options& o, std::string_view t, where_t w) { o.http_linger_ns = duration(t, true, w); },
     [](const run_options& o) { return format_duration(o.http_linger_ns); }},
    {"checkpoint", "Checkpoints", "DIR",
     "keep checkpoints of every worker's state and the input's position in this folder, and resume from the "
     "newest one found there (off when not given)",
     [](run_options& o, std::string_view t, where_t w) { o.checkpoint_dir = path(t, w); },
     [](const run_options& o) { return o.checkpoint_dir ? o.checkpoint_dir->string() : std::string(); }},
    {"checkpoint-every", "Checkpoints", "DUR", "how often a checkpoint is taken (with --checkpoint)",
     [](run_options& o, std::string_view t, where_t w) { o.checkpoint_every_ns = duration(t, false, w); },
     [](const run_options& o) { return format_duration(o.checkpoint_every_ns); }},
    {"checkpoints-kept", "Checkpoints", "N", "complete checkpoints kept; older ones are removed (1 to 8)",
     [](run_options& o, std::string_view t, where_t w) {
         o.checkpoints_kept = static_cast<std::uint32_t>(count(t, 1, 8, w)); },
     [](const run_options& o) { return std::to_string(o.checkpoints_kept); }},
    {"on-stop", "Checkpoints", "fire|savepoint",
     "what a signal or --duration does to the workers: fire them (their final products go out), or keep them in "
     "a last checkpoint (a savepoint) that the next run with the same --checkpoint continues",
     [](run_options& o, std::string_view t, where_t w) { o.savepoint_on_stop = word(t, "fire|savepoint", w) == "savepoint"; },
     [](const run_options& o) { return std::string(o.savepoint_on_stop ? "savepoint" : "fire"); }},
    {"http-public", "Ops", nullptr,
     "allow --http on a non-loopback address: the endpoint has no authentication and shows every figure of the run",
     [](run_options& o, std::string_view t, where_t w) {
         if (!values::parse_bool(t, o.http_public)) bad(w, "true or false", t); },
     [](const run_options& o) { return std::string(o.http_public ? "true" : "false"); }},
};

} // namespace

std::span<const run_key> run_keys() { return keys; }

const run_key* find_run_key(std::string_view name) {
    for (const auto& k : keys)
        if (name == k.name) return &k;
    return nullptr;
}

void check_run_options(const run_options& o) {
    const std::uint64_t need = o.max_material + sizeof(factory_material);
    if (o.line_bytes < need)
        throw std::invalid_argument("--line-size " + format_size(o.line_bytes) + " cannot hold one largest material (--max-material " +
                                    format_size(o.max_material) + " plus its " + std::to_string(sizeof(factory_material)) +
                                    "-byte header); raise --line-size or lower --max-material");
}

} // namespace factory::cli
