#include "http/metrics_text.hpp"

#include "build_info.hpp"

#include <factory/blueprint.hpp>

#include <fmt/format.h>

#include <iterator>

namespace factory::http {

namespace {

using out_t = fmt::memory_buffer;

void family(out_t& o, const char* name, const char* type, const char* help) {
    fmt::format_to(std::back_inserter(o), "# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

template <class V>
void one(out_t& o, const char* name, const char* type, const char* help, V v) {
    family(o, name, type, help);
    fmt::format_to(std::back_inserter(o), "{} {}\n", name, v);
}

// Label values are escaped as the format asks: backslash, double quote and newline.
std::string escaped(std::string_view v) {
    std::string s;
    for (char c : v) {
        if (c == '\\' || c == '"') s += '\\';
        if (c == '\n') {
            s += "\\n";
            continue;
        }
        s += c;
    }
    return s;
}

void rings(out_t& o, const char* what, const char* label, const std::vector<ring_status>& rs) {
    const std::string records = fmt::format("factory_{}_backlog_records", what);
    const std::string bytes = fmt::format("factory_{}_backlog_bytes", what);
    const std::string capacity = fmt::format("factory_{}_capacity_bytes", what);
    family(o, records.c_str(), "gauge", fmt::format("Records waiting on each {}.", label).c_str());
    for (std::size_t i = 0; i < rs.size(); ++i)
        fmt::format_to(std::back_inserter(o), "{}{{{}=\"{}\"}} {}\n", records, what, i + 1, rs[i].records);
    family(o, bytes.c_str(), "gauge", fmt::format("Bytes waiting on each {} (framing included).", label).c_str());
    for (std::size_t i = 0; i < rs.size(); ++i)
        fmt::format_to(std::back_inserter(o), "{}{{{}=\"{}\"}} {}\n", bytes, what, i + 1, rs[i].bytes);
    family(o, capacity.c_str(), "gauge", fmt::format("Bytes each {} holds.", label).c_str());
    for (std::size_t i = 0; i < rs.size(); ++i)
        fmt::format_to(std::back_inserter(o), "{}{{{}=\"{}\"}} {}\n", capacity, what, i + 1, rs[i].capacity_bytes);
}

void latency(out_t& o, const latency_summary& l) {
    const char* name = "factory_assembly_latency_seconds";
    family(o, name, "histogram", "Time from purchase to assembly of each material.");
    std::uint64_t cumulative = 0;
    double sum_ns = 0;
    unsigned i = 0;
    // Bucket boundaries at 2^k ns, k = 10..36. A value of exactly 2^k ns counts in the next
    // bucket: the shared histogram splits at 2^k - 1 (one nanosecond off, on purpose kept simple).
    for (unsigned k = 10; k <= 36; ++k) {
        const std::uint64_t bound = (std::uint64_t{1} << k) - 1;
        for (; i < latency_histogram::buckets && latency_histogram::upper_of(i) <= bound; ++i) {
            cumulative += l.counts[i];
            const std::uint64_t lo = i == 0 ? 0 : latency_histogram::upper_of(i - 1) + 1;
            sum_ns += static_cast<double>(l.counts[i]) * 0.5 * static_cast<double>(lo + latency_histogram::upper_of(i));
        }
        fmt::format_to(std::back_inserter(o), "{}_bucket{{le=\"{}\"}} {}\n", name,
                       static_cast<double>(std::uint64_t{1} << k) / 1e9, cumulative);
    }
    for (; i < latency_histogram::buckets; ++i) {
        const std::uint64_t lo = latency_histogram::upper_of(i - 1) + 1;
        sum_ns += static_cast<double>(l.counts[i]) * 0.5 * static_cast<double>(lo + latency_histogram::upper_of(i));
    }
    fmt::format_to(std::back_inserter(o), "{}_bucket{{le=\"+Inf\"}} {}\n{}_sum {}\n{}_count {}\n", name, l.total,
                   name, sum_ns / 1e9, name, l.total);
}

} // namespace

std::string render_metrics(const status& s) {
    out_t o;
    const auto& b = s.books;
    const auto put = [&](std::string_view f, const auto&... args) { fmt::format_to(std::back_inserter(o), fmt::runtime(f), args...); };

    family(o, "factory_build_info", "gauge", "The factory-host build: version and plugin ABI.");
    put("factory_build_info{{version=\"{}\",abi=\"{}\"}} 1\n", escaped(build::version), build::abi_version);
    one(o, "factory_ready", "gauge", "1 while every process runs and purchasing buys, else 0.", s.ready ? 1 : 0);
    one(o, "factory_run_seconds", "gauge", "Seconds since every process of the run started.", s.run_seconds);

    one(o, "factory_materials_purchased_total", "counter", "Materials taken from the source, good or bad.", b.purchased);
    family(o, "factory_materials_pushed_total", "counter", "Materials put on each production line.");
    for (std::size_t i = 0; i < b.workshops.size(); ++i) put("factory_materials_pushed_total{{line=\"{}\"}} {}\n", i + 1, b.workshops[i].pushed);
    family(o, "factory_materials_assembled_total", "counter", "Materials each workshop's blueprint took.");
    for (std::size_t i = 0; i < b.workshops.size(); ++i)
        put("factory_materials_assembled_total{{workshop=\"{}\"}} {}\n", i + 1,
            b.workshops[i].assembled - b.workshops[i].lost_materials);
    one(o, "factory_materials_lost_total", "counter", "Materials lost in crashes.", b.lost_materials);
    one(o, "factory_workers_lost_total", "counter", "Workers that died with a crashed workshop.", b.lost_workers);

    std::uint64_t export_dead = 0;
    for (const auto& e : b.exporters) export_dead += e.dead_lettered;
    family(o, "factory_dead_letters_total", "counter", "Records sent to the dead-letter output, by stage and reason.");
    put("factory_dead_letters_total{{stage=\"purchasing\",reason=\"rejected_by_source\"}} {}\n", b.rejected - b.oversize);
    put("factory_dead_letters_total{{stage=\"purchasing\",reason=\"larger_than_max_material\"}} {}\n", b.oversize);
    put("factory_dead_letters_total{{stage=\"workshop\",reason=\"blueprint_error\"}} {}\n", b.failed);
    put("factory_dead_letters_total{{stage=\"workshop\",reason=\"quarantined\"}} {}\n", b.quarantined);
    put("factory_dead_letters_total{{stage=\"shipping\",reason=\"product_refused\"}} {}\n", b.refused);
    put("factory_dead_letters_total{{stage=\"transportation\",reason=\"export_failed\"}} {}\n", export_dead);
    family(o, "factory_dead_letters_unwritten_total", "counter", "Dead letters that could not be written (lost).");
    put("factory_dead_letters_unwritten_total{{kind=\"materials\"}} {}\n", b.unwritten_materials);
    std::uint64_t export_unwritten = 0;
    for (const auto& e : b.exporters) export_unwritten += e.unwritten;
    put("factory_dead_letters_unwritten_total{{kind=\"products\"}} {}\n", b.unwritten_refused + export_unwritten);

    family(o, "factory_products_shipped_total", "counter", "Products each workshop put on its lane.");
    for (std::size_t i = 0; i < b.workshops.size(); ++i) put("factory_products_shipped_total{{workshop=\"{}\"}} {}\n", i + 1, b.workshops[i].shipped);
    one(o, "factory_products_received_total", "counter", "Products transportation took off the lanes.", s.received);
    one(o, "factory_warehouse_products", "gauge", "Products waiting in transportation's warehouse.", s.warehouse);
    family(o, "factory_products_exported_total", "counter", "Products each exporter took.");
    for (const auto& e : b.exporters) put("factory_products_exported_total{{exporter=\"{}\"}} {}\n", escaped(e.name), e.exported);
    family(o, "factory_export_dead_letters_total", "counter", "Products each exporter refused or never took.");
    for (const auto& e : b.exporters) put("factory_export_dead_letters_total{{exporter=\"{}\"}} {}\n", escaped(e.name), e.dead_lettered);
    family(o, "factory_export_retries_total", "counter", "RETRY answers of each exporter.");
    for (const auto& e : b.exporters) put("factory_export_retries_total{{exporter=\"{}\"}} {}\n", escaped(e.name), e.retries);
    family(o, "factory_export_batches_total", "counter", "Batches handed to each exporter.");
    for (const auto& e : b.exporters) put("factory_export_batches_total{{exporter=\"{}\"}} {}\n", escaped(e.name), e.batches);
    family(o, "factory_export_flush_failures_total", "counter", "Failed flushes of each exporter.");
    for (const auto& e : b.exporters) put("factory_export_flush_failures_total{{exporter=\"{}\"}} {}\n", escaped(e.name), e.flush_failures);
    family(o, "factory_products_lost_total", "counter", "Products lost in crashes, per exporter.");
    for (const auto& e : b.exporters) put("factory_products_lost_total{{exporter=\"{}\"}} {}\n", escaped(e.name), e.lost);

    family(o, "factory_restarts_total", "counter", "Restarts of each process after a crash or hang.");
    for (const auto& p : s.processes)
        if (p.name != "host") put("factory_restarts_total{{process=\"{}\"}} {}\n", p.name, p.restarts);

    rings(o, "line", "production line", s.lines);
    rings(o, "lane", "transportation lane", s.lanes);

    family(o, "factory_roster_workers", "gauge", "Live workers in each workshop.");
    for (std::size_t i = 0; i < b.workshops.size(); ++i) put("factory_roster_workers{{workshop=\"{}\"}} {}\n", i + 1, b.workshops[i].roster);
    family(o, "factory_workers_hired_total", "counter", "Workers each workshop hired.");
    for (std::size_t i = 0; i < b.workshops.size(); ++i) put("factory_workers_hired_total{{workshop=\"{}\"}} {}\n", i + 1, b.workshops[i].hired);
    family(o, "factory_workers_fired_total", "counter", "Workers each workshop fired, by reason.");
    for (std::size_t i = 0; i < b.workshops.size(); ++i)
        for (unsigned r = 1; r < shm::fire_reasons; ++r)
            put("factory_workers_fired_total{{workshop=\"{}\",reason=\"{}\"}} {}\n", i + 1,
                to_string(static_cast<fire_reason>(r)), b.workshops[i].fired[r]);
    family(o, "factory_inspections_total", "counter", "Inspector visits in each workshop.");
    for (std::size_t i = 0; i < b.workshops.size(); ++i) put("factory_inspections_total{{workshop=\"{}\"}} {}\n", i + 1, b.workshops[i].inspections);

    latency(o, s.latency);

    if (const auto& c = s.checkpoints; c.on) {
        one(o, "factory_checkpoints_total", "counter", "Checkpoints completed since the factory (re)started.", c.taken);
        one(o, "factory_checkpoint_failures_total", "counter", "Checkpoints that could not be taken.", c.failed);
        one(o, "factory_checkpoint_last_epoch", "gauge", "The newest complete checkpoint: a crash returns there.",
            c.last_epoch);
        one(o, "factory_checkpoint_last_timestamp_seconds", "gauge",
            "Unix time the newest checkpoint completed (0: none since the factory started).", c.last_unix_seconds);
        one(o, "factory_checkpoint_last_duration_seconds", "gauge", "From the request to the manifest, newest checkpoint.",
            c.last_duration_seconds);
        one(o, "factory_checkpoint_last_size_bytes", "gauge", "Bytes of the newest checkpoint's files.", c.last_bytes);
    }

    one(o, "factory_purchasing_waits_total", "counter", "Times a full production line made purchasing wait.", b.waits);
    one(o, "factory_purchasing_wait_seconds_total", "counter", "Time purchasing spent waiting on full lines.",
        static_cast<double>(s.wait_ns) / 1e9);

    family(o, "factory_process_cpu_seconds_total", "counter", "User and system CPU time of the host and each child.");
    for (const auto& p : s.processes)
        if (p.alive) put("factory_process_cpu_seconds_total{{process=\"{}\"}} {}\n", p.name, p.cpu_seconds);
    family(o, "factory_process_resident_memory_bytes", "gauge", "Resident memory of the host and each child.");
    for (const auto& p : s.processes)
        if (p.alive) put("factory_process_resident_memory_bytes{{process=\"{}\"}} {}\n", p.name, p.rss_bytes);

    one(o, "factory_http_requests_total", "counter", "Requests the ops HTTP server answered.", s.server.requests);
    one(o, "factory_http_refused_connections_total", "counter",
        "Connections closed at once because the server had its maximum open.", s.server.refused_connections);
    one(o, "factory_http_bad_requests_total", "counter", "Requests refused as malformed or too large.", s.server.bad_requests);
    one(o, "factory_http_timeouts_total", "counter", "Connections closed for taking too long.", s.server.timeouts);
    return fmt::to_string(o);
}

} // namespace factory::http
