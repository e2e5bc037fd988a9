#include "runtime/ceo.hpp"

#include "checkpoint/store.hpp"
#include "common/clock.hpp"
#include "common/exit_codes.hpp"
#include "common/log.hpp"
#include "ops/accounting.hpp"
#include "plugins/loader.hpp"
#include "runtime/checkpoint_keeper.hpp"
#include "runtime/configure.hpp"
#include "runtime/resume.hpp"
#include "runtime/supervisor.hpp"
#include "shm/segment.hpp"

#include <factory/abi.h>

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <optional>
#include <random>

#include <unistd.h>

namespace factory::runtime {

namespace {

// Past --max-dead-letters, as a count of every dead letter or a share of purchased materials.
bool over_dead_letter_limit(const cli::run_options& opts, const ops::accounting& books) {
    if (opts.max_dead_letters && books.dead_letters_made() > *opts.max_dead_letters) return true;
    if (opts.max_dead_letter_percent && books.purchased != 0) {
        const double share = 100.0 * static_cast<double>(books.rejected + books.failed + books.quarantined) /
                             static_cast<double>(books.purchased);
        if (share > *opts.max_dead_letter_percent) return true;
    }
    return false;
}

// How the run ended, for people and for --summary-json.
std::string ended_by(const supervisor& boss, const ops::accounting& books) {
    if (books.end_of_input) return "end of input";
    if (books.source_failed) return "source failure";
    return boss.ended_by().empty() ? "unknown" : boss.ended_by();
}

// The run's name for exporters (FACTORY_RUN_ENV, inherited by every child): the segment name
// alone repeats wherever host pids do (a container's), so 64 random bits follow it.
std::string run_name(const std::string& segment) {
    std::random_device rd;
    const std::uint64_t r = (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(r));
    return segment + "-" + hex;
}


// The run's end: its books, the summary, the exit code.
// `gave_up`: why the host stopped rolling back (the run then ends here, not clean), or empty.
int settle_books(const cli::run_options& opts, const run_config& cfg, const supervisor& boss, shm::segment& seg,
                 const std::string& name, const ops::accounting::checkpoint_facts& facts,
                 const std::string& gave_up = {}) {
    std::vector<std::string> exporter_names;
    for (const auto& e : cfg.exporters) exporter_names.push_back(e.name);
    auto books = ops::accounting::read(seg, exporter_names);
    books.checkpoints = facts;
    make_logger(department::accounting, "accounting", opts.quiet ? "warn" : opts.log_level);
    // Balanced books are not enough for a clean run: nothing may have been lost, or left
    // undelivered because a process crashed or an exporter failed.
    const bool clean = gave_up.empty() && books.balanced() && boss.children_clean() && !books.lost_anything() &&
                       facts.rollbacks == 0;
    const bool over_limit = over_dead_letter_limit(opts, books);
    const std::string how = gave_up.empty() ? ended_by(boss, books) : gave_up;
    std::string line = books.line();
    if (how.rfind("SIG", 0) == 0) line += " | stopped by " + how + " before the end of its input";
    if (clean) log().info("{}", line);
    else log().warn("{}", line);
    // Dead letters are a warning whatever the log level: a run that refused records must say so.
    if (const std::uint64_t letters = books.dead_letters(); letters != 0 || books.unwritten_materials != 0) {
        log().warn("{} dead letter{} ({}) in {}/", letters, letters == 1 ? "" : "s", books.dead_letter_reasons(),
                   cfg.dead_letter_dir);
    }
    if (over_limit) {
        log().error("more dead letters than --max-dead-letters {} allows: the run failed",
                    opts.max_dead_letters ? std::to_string(*opts.max_dead_letters)
                                          : fmt::format("{}%", *opts.max_dead_letter_percent));
    }
    const host_exit result = over_limit ? host_exit::dead_letter_limit : clean ? host_exit::clean : host_exit::not_clean;
    if (opts.summary_json) {
        std::ofstream out(*opts.summary_json);
        out << books.json(boss.seconds(), cfg.workshops, ops::run_end{clean, how, code(result)}) << '\n';
        if (!out) log().error("cannot write --summary-json {}", opts.summary_json->string());
    }
    shm::segment::remove(name);
    return code(result);
}

// Whether an exporter commits epochs (exactly once under --checkpoint).
bool exporter_commits(const plugin_choice& e) {
    const auto p = plugins::load_file(e.file);
    return p.descriptor->exporter != nullptr && p.descriptor->exporter->on_commit != nullptr;
}

} // namespace

int ceo(const cli::run_options& opts) {
    make_logger(department::ceo, "factory", opts.quiet ? "warn" : opts.log_level);
    run_config cfg;
    std::optional<checkpoint::store> store;
    job_identity job;
    try {
        cfg = configure(opts);
        if (cfg.checkpoints()) {
            store.emplace(checkpoint::store::open(cfg.checkpoint_dir));
            job = identify_job(cfg);
            for (const auto& e : cfg.exporters)
                if (!exporter_commits(e))
                    log().warn("exporter {} cannot take back what it exported: after a crash, what it exported since the "
                               "last checkpoint is exported again (at least once)", e.name);
        }
    } catch (const std::exception& e) {
        log().error("{}", e.what());
        return code(host_exit::refused);
    }
    for (const auto& name : shm::segment::remove_stale()) log().info("removed /dev/shm/{} left by an ended run", name);

    ops::accounting::checkpoint_facts facts;
    facts.on = store.has_value();
    std::deque<std::int64_t> rollback_times;
    std::uint64_t purchased_at_death = 0;
    bool first = true;
    for (;;) {
        if (store) {
            try {
                plan_resume(*store, job, cfg);
            } catch (const std::exception& e) {
                log().error("{}", e.what());
                return code(host_exit::refused);
            }
            if (first) {
                facts.resumed = cfg.resuming;
                facts.resumed_from = cfg.resume_epoch;
            }
        }
        std::string name;
        std::vector<std::string> taken;
        std::optional<shm::segment> seg;
        try {
            seg.emplace(shm::segment::create_for_run(static_cast<int>(::getpid()), name, taken, cfg.workshops,
                                                     ring_capacity_for(opts.line_bytes),
                                                     ring_capacity_for(opts.lane_bytes), cfg.to_json()));
        } catch (const std::exception& e) {
            for (std::size_t i = 0; i + 1 < taken.size(); ++i) log().warn("{}", taken[i]);
            log().critical("{}", e.what());
            return code(host_exit::fatal);
        }
        for (const auto& t : taken) log().warn("{}; this run uses /dev/shm/{} instead", t, name);
        std::optional<checkpoint_keeper> keeper;
        if (store) {
            seg->header().next_epoch.store(store->highest_epoch() + 1);
            if (cfg.resuming) {
                const std::uint64_t from = restore_counters(*seg, cfg);
                if (!first) facts.replayed += purchased_at_death > from ? purchased_at_death - from : 0;
            }
            keeper.emplace(*seg, cfg, *store, job.fields);
        }
        if (first) ::setenv(FACTORY_RUN_ENV, run_name(name).c_str(), 1);
        first = false;
        supervisor boss(*seg, name, cfg, opts.duration_ns, keeper ? &*keeper : nullptr);
        bool started = boss.run();
        if (!started) {
            log().error("{}", boss.failure());
            shm::segment::remove(name);
            return code(host_exit::refused);
        }
        if (keeper) {
            facts.taken += keeper->taken();
            facts.longest_ns = std::max(facts.longest_ns, keeper->longest_ns());
        }
        if (boss.rolled_back()) {
            purchased_at_death = seg->purchasing().purchased.get();
            ++facts.rollbacks;
            // "Keeps crashing" is a rate, as for restarts: more than --max-restarts within a minute.
            const std::int64_t now = mono_ns();
            rollback_times.push_back(now);
            while (now - rollback_times.front() > 60'000'000'000) rollback_times.pop_front();
            if (rollback_times.size() > cfg.max_restarts) {
                log().error("the factory was rolled back {} times within a minute (last: {}); giving up (raise "
                            "--max-restarts to allow more); the next run with --checkpoint {} resumes from checkpoint {}",
                            rollback_times.size(), boss.rollback_reason(), cfg.checkpoint_dir, keeper->last());
                // The books as they stood at the last crash: what was replayed and lost is in them.
                facts.last = keeper->last();
                return settle_books(opts, cfg, boss, *seg, name, facts, "rollbacks: gave up");
            }
            shm::segment::remove(name);
            continue;
        }
        if (keeper) {
            keeper->finished();
            facts.last = keeper->last();
            facts.kept_workers = keeper->kept_workers();
            facts.longest_ns = std::max(facts.longest_ns, keeper->longest_ns());
            facts.last_bytes = keeper->last_bytes();
            for (std::uint32_t i = 0; i < seg->workshops(); ++i)
                facts.restore_ns = std::max(facts.restore_ns, seg->workshop(i).restore_ns.get());
        }
        return settle_books(opts, cfg, boss, *seg, name, facts);
    }
}

} // namespace factory::runtime
