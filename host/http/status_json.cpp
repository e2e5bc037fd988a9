#include "http/status_json.hpp"

#include "build_info.hpp"

#include <factory/blueprint.hpp>

#include <nlohmann/json.hpp>

namespace factory::http {

namespace {

using nlohmann::json;

json rings(const std::vector<ring_status>& rs) {
    json a = json::array();
    for (const auto& r : rs)
        a.push_back({{"records", r.records}, {"bytes", r.bytes}, {"capacity_bytes", r.capacity_bytes},
                     {"fill", r.fill()}, {"level", r.level()}});
    return a;
}

} // namespace

std::string render_status_json(const status& s) {
    const auto& b = s.books;
    json workshops = json::array();
    for (std::size_t i = 0; i < b.workshops.size(); ++i) {
        const auto& w = b.workshops[i];
        json fired = json::object();
        for (unsigned r = 1; r < shm::fire_reasons; ++r) fired[to_string(static_cast<fire_reason>(r))] = w.fired[r];
        json hot = json::array();
        // The pid as text: 64-bit keys lose digits as JavaScript numbers.
        for (const auto& k : w.hot_keys)
            hot.push_back({{"pid", std::to_string(k.pid)}, {"materials", k.materials}});
        workshops.push_back({{"workshop", i + 1},
                             {"assembled", w.assembled - w.lost_materials},
                             {"per_second", i < s.workshop_per_s.size() ? s.workshop_per_s[i] : 0.0},
                             {"roster", w.roster},
                             {"hired", w.hired},
                             {"fired", fired},
                             {"shipped", w.shipped},
                             {"dead_lettered", w.failed + w.quarantined + w.refused},
                             {"restarts", w.restarts},
                             {"latency_p99_ns", w.latency_p99_ns},
                             {"hot_keys", hot}});
    }
    json exporters = json::array();
    std::uint64_t export_dead = 0;
    for (std::size_t e = 0; e < b.exporters.size(); ++e) {
        const auto& x = b.exporters[e];
        export_dead += x.dead_lettered;
        exporters.push_back({{"name", x.name},
                             {"exported", x.exported},
                             {"per_second", e < s.exporter_per_s.size() ? s.exporter_per_s[e] : 0.0},
                             {"dead_lettered", x.dead_lettered},
                             {"retries", x.retries},
                             {"lost", x.lost}});
    }
    json processes = json::array();
    std::uint32_t transport_restarts = 0;
    for (const auto& p : s.processes) {
        processes.push_back({{"name", p.name}, {"pid", p.pid}, {"alive", p.alive}, {"cpu_seconds", p.cpu_seconds},
                             {"rss_bytes", p.rss_bytes}, {"restarts", p.restarts}});
        if (p.name == "transportation") transport_restarts = p.restarts;
    }
    json events = json::array();
    for (const auto& e : s.events) events.push_back({{"run_seconds", e.run_seconds}, {"text", e.text}});
    json history = json::array();
    for (const auto& h : s.history)
        history.push_back({h.seconds, h.purchased_per_s, h.assembled_per_s, h.exported_per_s});
    json doc{
        {"version", build::version},
        {"abi", build::abi_version},
        {"unix_seconds", s.unix_seconds},
        {"run_seconds", s.run_seconds},
        {"phase", s.phase},
        {"ready", s.ready},
        {"purchasing",
         {{"purchased", b.purchased},
          {"per_second", s.purchased_per_s},
          {"rejected", b.rejected},
          {"waits", b.waits},
          {"wait_seconds", static_cast<double>(s.wait_ns) / 1e9},
          {"end_of_input", b.end_of_input}}},
        {"lines", rings(s.lines)},
        {"workshops", workshops},
        {"assembled_per_second", s.assembled_per_s},
        {"lanes", rings(s.lanes)},
        {"transportation",
         {{"received", s.received}, {"per_second", s.received_per_s}, {"warehouse", s.warehouse},
          {"restarts", transport_restarts}}},
        {"exporters", exporters},
        {"dead_letters",
         {{"total", b.dead_letters()},
          {"reasons",
           {{"rejected_by_source", b.rejected - b.oversize},
            {"larger_than_max_material", b.oversize},
            {"blueprint_error", b.failed},
            {"quarantined", b.quarantined},
            {"product_refused", b.refused},
            {"export_failed", export_dead}}}}},
        {"restarts", b.restarts},
        {"lost_materials", b.lost_materials},
        {"checkpoints",
         {{"on", s.checkpoints.on},
          {"taken", s.checkpoints.taken},
          {"failed", s.checkpoints.failed},
          {"last_epoch", s.checkpoints.last_epoch},
          {"last_unix_seconds", s.checkpoints.last_unix_seconds},
          {"last_duration_seconds", s.checkpoints.last_duration_seconds},
          {"last_bytes", s.checkpoints.last_bytes}}},
        {"latency_ns", {{"p50", s.latency.quantile(0.5)}, {"p99", s.latency.quantile(0.99)},
                        {"p999", s.latency.quantile(0.999)}}},
        {"processes", processes},
        {"history_columns", {"run_seconds", "purchased_per_second", "assembled_per_second", "exported_per_second"}},
        {"history", history},
        {"events", events},
        {"http", {{"requests", s.server.requests}, {"refused_connections", s.server.refused_connections},
                  {"bad_requests", s.server.bad_requests}, {"timeouts", s.server.timeouts},
                  {"open_connections", s.server.open_connections}}}};
    return doc.dump();
}

} // namespace factory::http
