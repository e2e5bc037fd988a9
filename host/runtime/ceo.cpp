#include "runtime/ceo.hpp"

#include "common/log.hpp"
#include "ops/accounting.hpp"
#include "runtime/resolve.hpp"
#include "runtime/supervisor.hpp"
#include "shm/segment.hpp"

#include <bit>
#include <cstdio>
#include <fstream>

#include <unistd.h>

namespace factory::runtime {

namespace {

std::uint64_t ring_size(std::uint64_t bytes) {
    return std::bit_ceil(std::max<std::uint64_t>(bytes, 64u << 10));
}

} // namespace

int ceo(const cli::run_options& opts) {
    make_logger(department::ceo, "factory", opts.quiet ? "warn" : opts.log_level);
    run_config cfg;
    try {
        cfg = resolve(opts);
    } catch (const std::exception& e) {
        log().error("{}", e.what());
        return 2;
    }
    for (const auto& name : shm::segment::remove_stale()) log().info("removed /dev/shm/{} left by an ended run", name);

    std::string name = shm::segment::name_for(static_cast<int>(::getpid()));
    std::optional<shm::segment> seg;
    try {
        seg.emplace(shm::segment::create(name, cfg.workshops, ring_size(opts.line_bytes), ring_size(opts.lane_bytes),
                                         cfg.to_json()));
    } catch (const std::exception& e) {
        log().critical("{}", e.what());
        return 3;
    }

    supervisor boss(*seg, name, cfg, opts.duration_ns);
    bool started = boss.run();
    if (!started) {
        log().error("{}", boss.failure());
        shm::segment::remove(name);
        return 2;
    }

    std::vector<std::string> exporter_names;
    for (const auto& e : cfg.exporters) exporter_names.push_back(e.name);
    auto books = ops::accounting::read(*seg, exporter_names);
    make_logger(department::accounting, "accounting", opts.quiet ? "warn" : opts.log_level);
    // Balanced books are not enough for a clean run: nothing may have been lost or left undelivered
    // because a process crashed or an exporter failed.
    bool clean = books.balanced() && boss.children_clean() && books.lost_materials == 0;
    if (clean) log().info("{}", books.line());
    else log().warn("{}", books.line());
    if (opts.summary_json) {
        std::ofstream out(*opts.summary_json);
        out << books.json(boss.seconds(), cfg.workshops) << '\n';
        if (!out) log().error("cannot write --summary-json {}", opts.summary_json->string());
    }
    shm::segment::remove(name);
    return clean ? 0 : 1;
}

} // namespace factory::runtime
