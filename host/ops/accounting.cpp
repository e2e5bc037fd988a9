#include "ops/accounting.hpp"

#include <factory/abi.h>
#include <factory/blueprint.hpp>

#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <utility>

namespace factory::ops {

accounting accounting::read(shm::segment& seg, const std::vector<std::string>& exporter_names) {
    accounting a;
    auto& p = seg.purchasing();
    a.purchased = p.purchased.get();
    a.rejected = p.rejected.get();
    a.oversize = p.oversize.get();
    a.unwritten_materials = p.unwritten.get();
    // Materials skipped on a replay were quarantined when a workshop died on them.
    a.quarantined += p.skipped.get();
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
        shm::hot_key_value hot[shm::hot_key_slots];
        c.hot_keys.assign(hot, hot + shm::read_hot_keys(w, hot));
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
        a.unwritten_materials += w.unwritten_materials.get();
        a.unwritten_refused += w.unwritten_products.get();
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
        c.unwritten = t.exporters[e].unwritten.get();
        a.exporters.push_back(c);
    }
    return a;
}

bool accounting::products_balance() const noexcept {
    for (const auto& e : exporters)
        if (shipped != e.exported + e.dead_lettered + e.lost) return false;
    return true;
}

bool accounting::lost_anything() const noexcept {
    if (lost_materials != 0 || unwritten_materials != 0 || unwritten_refused != 0) return true;
    for (const auto& e : exporters)
        if (e.lost != 0 || e.unwritten != 0) return true;
    return false;
}

std::uint64_t accounting::dead_letters() const noexcept {
    std::uint64_t n = dead_materials() + refused - unwritten_refused;
    for (const auto& e : exporters) n += e.dead_lettered - e.unwritten;
    return n;
}

std::uint64_t accounting::dead_letters_made() const noexcept {
    std::uint64_t n = rejected + failed + quarantined + refused;
    for (const auto& e : exporters) n += e.dead_lettered;
    return n;
}

std::string accounting::dead_letter_reasons() const {
    std::uint64_t exported_dead = 0;
    for (const auto& e : exporters) exported_dead += e.dead_lettered;
    // By category, as counted: written or not (what could not be written is also reported as lost).
    const std::pair<const char*, std::uint64_t> reasons[] = {
        {"rejected by the source", rejected - oversize},
        {"larger than --max-material", oversize},
        {"refused by the blueprint", failed},
        {"quarantined after a crash", quarantined},
        {"products refused at shipping", refused},
        {"products an exporter could not take", exported_dead}};
    std::string s;
    for (const auto& [name, n] : reasons) {
        if (n == 0) continue;
        if (!s.empty()) s += ", ";
        s += fmt::format("{} {}", n, name);
    }
    return s;
}

std::string accounting::line() const {
    std::string s = fmt::format("purchased {} = assembled {} + dead-lettered {}", purchased, assembled,
                                dead_materials());
    if (unwritten_materials != 0) s += fmt::format(" + dead letters not written {}", unwritten_materials);
    if (lost_materials != 0) s += fmt::format(" + lost in crashes {}", lost_materials);
    s += fmt::format(" | shipped {}", shipped);
    for (const auto& e : exporters) {
        s += fmt::format(" = {} exported {} + dead-lettered {}", e.name, e.exported, e.dead_lettered - e.unwritten);
        if (e.unwritten != 0) s += fmt::format(" + dead letters not written {}", e.unwritten);
        if (e.lost != 0) s += fmt::format(" + lost in crashes {}", e.lost);
    }
    if (restarts != 0) s += fmt::format(" | {} restart{}", restarts, restarts == 1 ? "" : "s");
    if (checkpoints.rollbacks != 0)
        s += fmt::format(" | {} rollback{} to a checkpoint, {} materials replayed", checkpoints.rollbacks,
                         checkpoints.rollbacks == 1 ? "" : "s", checkpoints.replayed);
    if (checkpoints.kept_workers != 0)
        s += fmt::format(" | {} workers kept in savepoint {}", checkpoints.kept_workers, checkpoints.last);
    if (refused != 0) s += fmt::format(" | refused at shipping {}", refused);
    if (unwritten_refused != 0) s += fmt::format(" (dead letters not written {})", unwritten_refused);
    s += !balanced() ? " | NOT BALANCED" : lost_anything() ? " | balanced, with losses" : " | balanced";
    return s;
}

std::string accounting::json(double seconds, std::uint32_t workshops_count, const run_end& end) const {
    using nlohmann::json;
    json ws = json::array();
    for (std::size_t i = 0; i < workshops.size(); ++i) {
        const auto& c = workshops[i];
        json fired = json::object();
        for (unsigned r = 1; r < shm::fire_reasons; ++r) fired[to_string(static_cast<fire_reason>(r))] = c.fired[r];
        json hot = json::array();
        for (const auto& k : c.hot_keys) hot.push_back({{"pid", k.pid}, {"materials", k.materials}});
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
                      {"hot_keys", hot},
                      {"latency_ns", {{"count", c.latency_count}, {"p50", c.latency_p50_ns},
                                      {"p99", c.latency_p99_ns}, {"p999", c.latency_p999_ns}}}});
    }
    json ex = json::array();
    std::uint64_t exported_min = exporters.empty() ? 0 : UINT64_MAX, export_dead = 0, export_unwritten = 0;
    for (const auto& e : exporters) {
        ex.push_back({{"name", e.name}, {"exported", e.exported}, {"dead_lettered", e.dead_lettered - e.unwritten},
                      {"dead_letters_not_written", e.unwritten}, {"lost", e.lost}, {"retries", e.retries},
                      {"batches", e.batches}, {"flush_failures", e.flush_failures}});
        exported_min = std::min(exported_min, e.exported);
        export_dead += e.dead_lettered - e.unwritten;
        export_unwritten += e.unwritten;
    }
    json doc{{"balanced", balanced()},
             {"clean", end.clean},
             {"ended_by", end.ended_by},
             {"exit_code", end.exit_code},
             {"lost_anything", lost_anything()},
             {"seconds", seconds},
             {"workshops_count", workshops_count},
             {"purchased", purchased},
             {"assembled", assembled},
             {"dead_lettered",
              {{"materials", dead_materials()},
               {"products", export_dead + refused - unwritten_refused},
               {"reasons",
                {{"rejected_by_source", rejected - oversize},
                 {"larger_than_max_material", oversize},
                 {"blueprint_error", failed},
                 {"quarantined", quarantined},
                 {"product_refused", refused - unwritten_refused},
                 {"export_failed", export_dead}}}}},
             {"dead_letters_not_written",
              {{"materials", unwritten_materials}, {"products", unwritten_refused + export_unwritten}}},
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
    if (checkpoints.on) {
        doc["checkpoints"] = {{"resumed", checkpoints.resumed},
                              {"resumed_from", checkpoints.resumed_from},
                              {"taken", checkpoints.taken},
                              {"last", checkpoints.last},
                              {"rollbacks", checkpoints.rollbacks},
                              {"replayed", checkpoints.replayed},
                              {"kept_workers", checkpoints.kept_workers},
                              {"longest_ms", static_cast<double>(checkpoints.longest_ns) / 1e6},
                              {"last_bytes", checkpoints.last_bytes},
                              {"restore_ms", static_cast<double>(checkpoints.restore_ns) / 1e6}};
    }
    return doc.dump(2);
}

} // namespace factory::ops
