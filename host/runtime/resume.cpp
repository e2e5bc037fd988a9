#include "runtime/resume.hpp"

#include "checkpoint/snapshot.hpp"
#include "checkpoint/paths.hpp"
#include "common/log.hpp"
#include "plugins/loader.hpp"
#include "plugins/state_fingerprint.hpp"
#include "shm/stats_fields.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <map>
#include <stdexcept>

namespace factory::runtime {

namespace {

std::string settings_text(const plugin_choice& p) {
    std::string s;
    for (const auto& [k, v] : p.settings) s += (s.empty() ? "" : ",") + k + "=" + v;
    return s;
}

std::string describe(const checkpoint::blueprint_identity& b) {
    return fmt::format("{} {} (state of {} bytes, layout {:016x})", b.name, b.version, b.state_size, b.layout);
}

using counts = std::map<std::string, std::uint64_t>;

counts read_counts(const std::filesystem::path& file) {
    counts c;
    if (!std::filesystem::exists(file)) return c;
    checkpoint::snapshot_reader snap(file);
    for (const auto& [name, value] : snap.counter_values()) c[name] += value;
    return c;
}

template <class Block>
void add_into(Block& block, const counts& c, const std::string& prefix = "") {
    shm::each_counter(block, [&](const std::string& name, shm::counter& k) {
        if (auto it = c.find(prefix + name); it != c.end()) k.add(it->second);
    });
}

} // namespace

job_identity identify_job(const run_config& cfg) {
    job_identity job;
    checkpoint::manifest& m = job.fields;
    m.workshops = cfg.workshops;
    m.source_name = cfg.source.name;
    m.source_settings = settings_text(cfg.source);
    const auto bp = plugins::load_file(cfg.blueprint.file);
    m.blueprint.name = bp.descriptor->name;
    m.blueprint.version = bp.descriptor->version;
    m.blueprint.state_size = bp.descriptor->state_size;
    m.blueprint.state_align = bp.descriptor->state_align;
    m.blueprint.layout = plugins::state_fingerprint(*bp.descriptor);
    job.previous_layout = plugins::previous_state_fingerprint(*bp.descriptor);
    for (const auto& e : cfg.exporters) m.exporters.push_back(e.name);
    return job;
}

void plan_resume(const checkpoint::store& store, const job_identity& identity, run_config& cfg) {
    const checkpoint::manifest& job = identity.fields;
    std::vector<std::string> skipped;
    const auto found = store.latest(skipped);
    for (const auto& why : skipped) log().warn("checkpoint folder {}: {}", cfg.checkpoint_dir, why);
    cfg.resuming = false;
    cfg.resume_epoch = 0;
    cfg.skip_seqs.clear();
    if (!found) {
        // Folders without a manifest are checkpoints that never finished (a crash as the job
        // began, or during one): nothing to resume. A complete one that failed its checks is.
        bool any_complete = false;
        for (const auto& e : store.list()) any_complete = any_complete || e.complete;
        if (any_complete)
            throw std::runtime_error("--checkpoint " + cfg.checkpoint_dir +
                                     " holds checkpoints, but none is complete and intact, so this job cannot resume; "
                                     "move the folder away to start the job again from its input's start");
        log().info("checkpoints in {}: none yet; the job starts from the start of its input", cfg.checkpoint_dir);
        return;
    }
    const auto& m = *found;
    if (m.end_of_input)
        throw std::runtime_error("the job in --checkpoint " + cfg.checkpoint_dir + " has finished: its input ended at checkpoint " +
                                 std::to_string(m.epoch) + "; give another --checkpoint folder (or remove this one) to run it again");
    if (m.source_name != job.source_name || m.source_settings != job.source_settings)
        throw std::runtime_error("checkpoint " + std::to_string(m.epoch) + " in " + cfg.checkpoint_dir +
                                 " was taken reading source " + m.source_name + " (" + m.source_settings +
                                 "), and this run reads source " + job.source_name + " (" + job.source_settings +
                                 "): a checkpoint resumes only the same input; give the same source and settings, or "
                                 "another --checkpoint folder");
    const std::uint64_t previous = identity.previous_layout;
    if (m.blueprint.layout != job.blueprint.layout && (previous == 0 || m.blueprint.layout != previous))
        throw std::runtime_error("checkpoint " + std::to_string(m.epoch) + " in " + cfg.checkpoint_dir +
                                 " holds the state of blueprint " + describe(m.blueprint) + ", which blueprint " +
                                 describe(job.blueprint) +
                                 " cannot read: its state layout differs and it declares no upgrade from that one "
                                 "(state_previous and on_upgrade)");
    cfg.resuming = true;
    cfg.resume_epoch = m.epoch;
    cfg.resume_workshops = m.workshops;
    cfg.skip_seqs = store.quarantined();
    log().info("resuming from checkpoint {} in {} ({} materials purchased before it{}{})", m.epoch, cfg.checkpoint_dir,
               m.purchased, m.workshops != cfg.workshops ? fmt::format(", taken with {} workshops", m.workshops) : "",
               m.blueprint.layout != job.blueprint.layout ? ", upgrading the state of " + describe(m.blueprint) : "");
}

std::uint64_t restore_counters(shm::segment& seg, const run_config& cfg) {
    const auto dir = epoch_dir(cfg.checkpoint_dir, cfg.resume_epoch);
    const std::uint32_t now = seg.workshops();
    const auto bought = read_counts(dir / purchasing_snapshot_name());
    add_into(seg.purchasing(), bought);
    // A workshop that no longer exists (a rescale down) gives its counts to workshop 1, which then
    // also holds the materials of its line.
    for (std::uint32_t j = 0; j < cfg.resume_workshops; ++j) {
        const std::uint32_t to = j < now ? j : 0;
        add_into(seg.line_info(to), bought, "line_" + std::to_string(j) + "_");
        add_into(seg.workshop(to), read_counts(dir / workshop_snapshot_name(j)));
    }
    for (std::uint32_t i = 0; i < now; ++i) {
        auto& w = seg.workshop(i);
        w.settled_base.set(w.assembled.get() + w.failed.get() + w.quarantined.get());
    }
    const auto carried = read_counts(dir / transport_snapshot_name());
    shm::each_counter(seg.transport(), static_cast<unsigned>(cfg.exporters.size()),
                      [&](const std::string& name, shm::counter& k) {
                          if (auto it = carried.find(name); it != carried.end()) k.add(it->second);
                      });
    auto it = bought.find("purchased");
    return it != bought.end() ? it->second : 0;
}

} // namespace factory::runtime
