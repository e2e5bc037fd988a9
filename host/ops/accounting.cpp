#include "ops/accounting.hpp"

#include <factory/abi.h>

#include <nlohmann/json.hpp>

#include <fmt/format.h>

namespace factory::ops {

namespace {

const char* reason_name(unsigned r) {
    switch (r) {
    case FACTORY_FIRED_IDLE: return "idle";
    case FACTORY_FIRED_MAX_AGE: return "max_age";
    case FACTORY_FIRED_DONE: return "done";
    case FACTORY_FIRED_SHUTDOWN: return "shutdown";
    case FACTORY_FIRED_EVICTED: return "evicted";
    default: return "other";
    }
}

} // namespace

accounting accounting::read(shm::segment& seg, const std::vector<std::string>& exporter_names) {
    accounting a;
    auto& p = seg.purchasing();
    a.purchased = p.purchased.get();
    a.rejected = p.rejected.get();
    a.oversize = p.oversize.get();
    a.waits = p.waits.get();
    a.max_line_backlog = p.max_backlog.get();
    a.end_of_input = p.end_of_input.load() != 0;
    a.source_failed = p.source_failed.load() != 0;
    a.purchasing_rss_kib = seg.process(shm::purchasing_slot).peak_rss_kib.get();
    a.transport_rss_kib = seg.process(shm::transport_slot).peak_rss_kib.get();
    latency_summary all;
    for (std::uint32_t i = 0; i < seg.workshops(); ++i) {
        auto& w = seg.workshop(i);
        workshop_counts c;
        c.assembled = w.assembled.get();
        c.failed = w.failed.get();
        c.quarantined = w.quarantined.get();
        c.hired = w.hired.get();
        c.inspections = w.inspections.get();
        c.shipped = w.shipped.get();
        c.refused = w.refused.get();
        c.roster = w.roster.get();
        c.lost_workers = w.lost_workers.get();
        c.lost_materials = w.lost_materials.get();
        c.pushed = seg.line_info(i).pushed.get();
        c.restarts = seg.process(shm::workshop_slot(i)).restarts.load();
        c.peak_rss_kib = seg.process(shm::workshop_slot(i)).peak_rss_kib.get();
        for (unsigned r = 0; r < shm::fire_reasons; ++r) c.fired[r] = w.fired[r].get();
        latency_summary one;
        one.add(w.latency);
        all.add(w.latency);
        c.latency_count = one.total;
        c.latency_p50_ns = one.quantile(0.5);
        c.latency_p99_ns = one.quantile(0.99);
        c.latency_p999_ns = one.quantile(0.999);
        a.assembled += c.assembled - c.lost_materials;
        a.restarts += c.restarts;
        a.failed += c.failed;
        a.quarantined += c.quarantined;
        a.lost_materials += c.lost_materials;
        a.lost_workers += c.lost_workers;
        a.shipped += c.shipped;
        a.refused += c.refused;
        a.in_lines += shm::backlog_records(seg.line(i));
        a.workshops.push_back(c);
    }
    a.lost_in_purchasing = p.lost.get();
    a.lost_materials += a.lost_in_purchasing;
    a.restarts += seg.process(shm::transport_slot).restarts.load();
    a.latency_p50_ns = all.quantile(0.5);
    a.latency_p99_ns = all.quantile(0.99);
    a.latency_p999_ns = all.quantile(0.999);
    auto& t = seg.transport();
    a.received = t.received.get();
    for (std::size_t e = 0; e < exporter_names.size() && e < shm::max_exporters; ++e) {
        exporter_counts c;
        c.name = exporter_names[e];
        c.exported = t.exporters[e].exported.get();
        c.dead_lettered = t.exporters[e].dead_lettered.get();
        c.retries = t.exporters[e].retries.get();
        c.batches = t.exporters[e].batches.get();
        c.flush_failures = t.exporters[e].flush_failures.get();
        c.lost = t.exporters[e].lost.get();
        a.exporters.push_back(c);
    }
    return a;
}

bool accounting::products_balance() const noexcept {
    for (const auto& e : exporters)
        if (shipped != e.exported + e.dead_lettered + e.lost) return false;
    return true;
}

std::string accounting::line() const {
    std::string s = fmt::format("purchased {} = assembled {} + dead-lettered {}", purchased, assembled,
                                dead_materials());
    if (lost_materials != 0) s += fmt::format(" + lost in crashes {}", lost_materials);
    s += fmt::format(" | shipped {}", shipped);
    for (const auto& e : exporters) {
        s += fmt::format(" = {} exported {} + dead-lettered {}", e.name, e.exported, e.dead_lettered);
        if (e.lost != 0) s += fmt::format(" + lost in crashes {}", e.lost);
    }
    if (restarts != 0) s += fmt::format(" | {} restart{}", restarts, restarts == 1 ? "" : "s");
    if (refused != 0) s += fmt::format(" | refused at shipping {}", refused);
    s += balanced() ? " | balanced" : " | NOT BALANCED";
    return s;
}

std::string accounting::json(double seconds, std::uint32_t workshops_count) const {
    using nlohmann::json;
    json ws = json::array();
    for (std::size_t i = 0; i < workshops.size(); ++i) {
        const auto& c = workshops[i];
        json fired = json::object();
        for (unsigned r = 1; r < shm::fire_reasons; ++r) fired[reason_name(r)] = c.fired[r];
        ws.push_back({{"workshop", i + 1},
                      {"pushed", c.pushed},
                      {"assembled", c.assembled},
                      {"dead_lettered", c.failed + c.quarantined},
                      {"blueprint_errors", c.failed},
                      {"quarantined", c.quarantined},
                      {"hired", c.hired},
                      {"fired", fired},
                      {"inspections", c.inspections},
                      {"shipped", c.shipped},
                      {"refused", c.refused},
                      {"lost_workers", c.lost_workers},
                      {"lost_materials", c.lost_materials},
                      {"restarts", c.restarts},
                      {"peak_rss_kib", c.peak_rss_kib},
                      {"latency_ns", {{"count", c.latency_count}, {"p50", c.latency_p50_ns},
                                      {"p99", c.latency_p99_ns}, {"p999", c.latency_p999_ns}}}});
    }
    json ex = json::array();
    std::uint64_t exported_min = exporters.empty() ? 0 : UINT64_MAX, export_dead = 0;
    for (const auto& e : exporters) {
        ex.push_back({{"name", e.name}, {"exported", e.exported}, {"dead_lettered", e.dead_lettered}, {"lost", e.lost},
                      {"retries", e.retries}, {"batches", e.batches}, {"flush_failures", e.flush_failures}});
        exported_min = std::min(exported_min, e.exported);
        export_dead += e.dead_lettered;
    }
    json doc{{"balanced", balanced()},
             {"seconds", seconds},
             {"workshops_count", workshops_count},
             {"purchased", purchased},
             {"assembled", assembled},
             {"dead_lettered",
              {{"materials", dead_materials()},
               {"products", export_dead + refused},
               {"reasons",
                {{"rejected_by_source", rejected - oversize},
                 {"larger_than_max_material", oversize},
                 {"blueprint_error", failed},
                 {"quarantined", quarantined},
                 {"product_refused", refused},
                 {"export_failed", export_dead}}}}},
             {"lost_in_crashes",
              {{"materials", lost_materials}, {"workers", lost_workers}, {"in_purchasing", lost_in_purchasing}}},
             {"restarts", restarts},
             {"left_on_lines", in_lines},
             {"shipped", shipped},
             {"exported", exported_min},
             {"received_by_transportation", received},
             {"end_of_input", end_of_input},
             {"source_failed", source_failed},
             {"latency_ns", {{"p50", latency_p50_ns}, {"p99", latency_p99_ns}, {"p999", latency_p999_ns}}},
             {"purchasing", {{"waits", waits}, {"max_line_backlog", max_line_backlog}}},
             {"peak_rss_kib", {{"purchasing", purchasing_rss_kib}, {"transportation", transport_rss_kib}}},
             {"workshops", ws},
             {"exporters", ex}};
    return doc.dump(2);
}

} // namespace factory::ops
