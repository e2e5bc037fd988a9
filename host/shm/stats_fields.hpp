// The counters of each statistics block by name, for what must outlive one segment: a checkpoint
// keeps every department's counts as they were at its barrier, and a run that resumes from it
// starts from them, so the books of a job balance across crashes and restarts. One list per block,
// used both to save and to restore (f(name, counter&)). Gauges (roster, warehouse, the hot keys,
// the cursor) and the latency histogram are not kept: they describe one process's present.
#pragma once

#include "shm/stats.hpp"

#include <string>

namespace factory::shm {

template <class F>
void each_counter(purchasing_stats& s, F&& f) {
    f("purchased", s.purchased);
    f("rejected", s.rejected);
    f("oversize", s.oversize);
    f("lost", s.lost);
    f("waits", s.waits);
    f("wait_ns", s.wait_ns);
    f("unwritten", s.unwritten);
    f("skipped", s.skipped);
}

template <class F>
void each_counter(line_stats& s, F&& f) {
    f("pushed", s.pushed);
}

template <class F>
void each_counter(workshop_stats& s, F&& f) {
    f("assembled", s.assembled);
    f("failed", s.failed);
    f("quarantined", s.quarantined);
    f("hired", s.hired);
    for (unsigned r = 0; r < fire_reasons; ++r) f("fired_" + std::to_string(r), s.fired[r]);
    f("inspections", s.inspections);
    f("shipped", s.shipped);
    f("refused", s.refused);
    f("unwritten_materials", s.unwritten_materials);
    f("unwritten_products", s.unwritten_products);
    f("handed_over", s.handed_over);
    f("lost_workers", s.lost_workers);
    f("lost_materials", s.lost_materials);
}

template <class F>
void each_counter(exporter_stats& s, F&& f) {
    f("exported", s.exported);
    f("dead_lettered", s.dead_lettered);
    f("unwritten", s.unwritten);
    f("retries", s.retries);
    f("batches", s.batches);
    f("flush_failures", s.flush_failures);
    f("lost", s.lost);
}

template <class F>
void each_counter(transport_stats& s, unsigned exporters, F&& f) {
    f("received", s.received);
    f("deliveries", s.deliveries);
    for (unsigned e = 0; e < exporters && e < max_exporters; ++e)
        each_counter(s.exporters[e], [&](const std::string& name, counter& c) {
            f("exporter_" + std::to_string(e) + "_" + name, c);
        });
}

} // namespace factory::shm
