// The director's part of a checkpoint: the snapshot of its workers at a barrier, and their return
// when a run resumes from one (restore).
#include "workshop/director.hpp"

#include "checkpoint/snapshot.hpp"
#include "checkpoint/paths.hpp"
#include "common/clock.hpp"
#include "common/hash.hpp"
#include "common/log.hpp"
#include "plugins/state_fingerprint.hpp"
#include "shm/checkpoint_frame.hpp"
#include "shm/stats_fields.hpp"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <vector>

namespace factory::workshop {

namespace {

checkpoint::blueprint_identity identity_of(const factory_descriptor& d) {
    checkpoint::blueprint_identity id;
    id.name = d.name;
    id.version = d.version;
    id.state_size = d.state_size;
    id.state_align = d.state_align;
    id.layout = plugins::state_fingerprint(d);
    return id;
}

// A time from a snapshot taken when the workshop's clock read `saved_clock_ns`, as a tick of this
// clock (`now_tick` standing for the restored present): the same distance back from the present.
// On the material clock the present is the saved clock, so this is exactly tick_of_ns(t).
tick restored_tick(std::int64_t t, std::int64_t saved_clock_ns, tick now_tick) {
    return now_tick - (tick_of_ns(saved_clock_ns) - tick_of_ns(t));
}

} // namespace

bool director::write_snapshot(std::uint64_t epoch) {
    try {
        const auto dir = epoch_dir(cfg_.checkpoint_dir, epoch);
        std::filesystem::create_directories(dir);
        checkpoint::snapshot_writer out(dir / workshop_snapshot_name(index_), checkpoint::part::workshop, index_, epoch,
                                        identity_of(bp_.descriptor()));
        out.set_clock(now_ns_);
        checkpoint::counters counts;
        shm::each_counter(stats_, [&](const std::string& name, shm::counter& c) { counts.emplace_back(name, c.get()); });
        out.set_counters(counts);
        staff_.each([&](const worker_slot& w, const void* state) {
            out.add_worker(w.pid, ns_of_tick(w.hired, now_tick_, now_ns_), ns_of_tick(w.last_seen, now_tick_, now_ns_),
                           w.materials, state);
        });
        out.finish();
        stats_.snapshot_written.store(epoch, std::memory_order_release);
        return true;
    } catch (const std::exception& e) {
        log().warn("checkpoint {}: workshop {} could not write its snapshot: {}; the run goes on", epoch, index_ + 1,
                   e.what());
        stats_.snapshot_failed.store(epoch, std::memory_order_release);
        return false;
    }
}

bool director::copy_snapshot(std::uint64_t epoch) {
    try {
        const auto dir = epoch_dir(cfg_.checkpoint_dir, epoch);
        std::filesystem::create_directories(dir);
        checkpoint::counters counts;
        shm::each_counter(stats_, [&](const std::string& name, shm::counter& c) { counts.emplace_back(name, c.get()); });
        snapshots_.begin(dir / workshop_snapshot_name(index_), index_, epoch, identity_of(bp_.descriptor()), now_ns_,
                         std::move(counts), staff_.size());
        staff_.each([&](const worker_slot& w, const void* state) {
            snapshots_.add(w.pid, ns_of_tick(w.hired, now_tick_, now_ns_), ns_of_tick(w.last_seen, now_tick_, now_ns_),
                           w.materials, state);
        });
        snapshots_.start();
        return true;
    } catch (const std::exception& e) {
        log().warn("checkpoint {}: workshop {} could not copy its workers: {}; the run goes on", epoch, index_ + 1,
                   e.what());
        stats_.snapshot_failed.store(epoch, std::memory_order_release);
        return false;
    }
}

void director::take_control(const factory_material& frame) {
    const std::uint64_t pid = frame.pid;
    const std::uint64_t mixed = mix(pid);
    if (frame.format == static_cast<std::uint16_t>(shm::barrier_kind::release_worker)) {
        // Its partition belongs to another run now, which continues this worker: no on_fire here.
        if (staff_.dismiss(pid, mixed)) stats_.released.add();
        return;
    }
    shm::control_worker w{};
    const auto* payload = static_cast<const unsigned char*>(factory_material_payload(&frame));
    const std::uint32_t state_size = bp_.descriptor().state_size;
    if (frame.size < sizeof w) return;
    std::memcpy(&w, payload, sizeof w);
    if (w.state_size != state_size || frame.size != sizeof w + state_size) {
        log().warn("workshop {}: the worker of pid {} to restore has {} bytes of state, blueprint {} keeps {}: not "
                   "restored (its next material hires it afresh)",
                   index_ + 1, pid, w.state_size, bp_.descriptor().name, state_size);
        stats_.restore_refused.add();
        return;
    }
    // On the material clock before any material: the clock starts at the worker's last event, so
    // its times are not measured from the epoch.
    if (cfg_.material_clock && !clock_started_) set_time(w.last_seen_ns, tick_of_ns(w.last_seen_ns));
    // A worker this run already has (its pid came before the frame) keeps its own state.
    void* into = staff_.restore(pid, mixed, restored_tick(w.hired_ns, now_ns_, now_tick_),
                                restored_tick(w.last_seen_ns, now_ns_, now_tick_), w.materials);
    if (into == nullptr) {
        stats_.restore_refused.add();
        return;
    }
    if (state_size != 0) std::memcpy(into, payload + sizeof w, state_size);
    stats_.restored.add();
    stats_.roster.set(staff_.size());
}

void director::pass_barrier(const factory_material& barrier) {
    const std::uint64_t epoch = barrier.pid;
    const auto kind = static_cast<shm::barrier_kind>(barrier.format);
    cursor_.take(line_.position());
    if (shm::is_control(barrier)) {
        take_control(barrier);
        stats_.barriers.add(); // counted with the barriers: the line cursor settles both alike
        line_.pop();
        cursor_.settle(line_.position());
        line_.release();
        return;
    }
    // The previous snapshot's write ended long ago, as a rule (one period); the host has its result.
    if (const std::string why = snapshots_.wait(); !why.empty())
        log().warn("workshop {} could not write its last snapshot: {}; that checkpoint failed, the run goes on",
                   index_ + 1, why);
    if (kind == shm::barrier_kind::final_fire) {
        // The run ends with its workers fired: their products belong before the barrier, and the
        // snapshot holds no worker.
        end_time();
        staff_.fire_all(FACTORY_FIRED_SHUTDOWN, now_tick_);
        ship_.publish();
    }
    // A periodic snapshot is written off this thread, so the line waits only for the copy; the
    // run's last one is written here, as the process is about to end.
    const bool ok = kind == shm::barrier_kind::periodic ? copy_snapshot(epoch) : write_snapshot(epoch);
    if (kind == shm::barrier_kind::final_keep && ok) keep_workers_ = true;
    ship_.barrier(epoch, ok);
    stats_.barriers.add();
    line_.pop();
    cursor_.settle(line_.position());
    line_.release();
}

void director::restore() {
    const std::int64_t began = mono_ns();
    const auto dir = epoch_dir(cfg_.checkpoint_dir, cfg_.resume_epoch);
    const auto& d = bp_.descriptor();
    const std::uint64_t fingerprint = plugins::state_fingerprint(d);
    const std::uint64_t previous = plugins::previous_state_fingerprint(d);
    std::vector<checkpoint::snapshot_reader> files;
    for (std::uint32_t j = 0; j < cfg_.resume_workshops; ++j) {
        const auto path = dir / workshop_snapshot_name(j);
        if (std::filesystem::exists(path)) files.emplace_back(path);
    }
    // The material clock continues from this workshop's own clock when the workshops are as many
    // as before, and otherwise from the earliest clock of any snapshot: no restored worker's next
    // event may lie before the clock (it would come late, after materials it should precede),
    // and every worker's next event lies after its own snapshot's clock. The wall clock goes on
    // from now, with every contract as far from its end as when the snapshot was taken.
    if (cfg_.material_clock) {
        std::int64_t clock = 0;
        for (const auto& f : files) {
            if (cfg_.resume_workshops == seg_.workshops() && f.index() != index_) continue;
            if (f.clock_ns() != 0 && (clock == 0 || f.clock_ns() < clock)) clock = f.clock_ns();
        }
        if (clock != 0) set_time(clock, tick_of_ns(clock));
    }
    std::uint64_t restored = 0;
    factory_error err{};
    for (const auto& f : files) {
        const bool upgrade = f.blueprint().layout != fingerprint;
        if (upgrade && (previous == 0 || f.blueprint().layout != previous))
            throw std::runtime_error("checkpoint " + std::to_string(cfg_.resume_epoch) + " holds state of blueprint " +
                                     f.blueprint().name + " with another layout than " + d.name + "'s");
        f.each_worker([&](const checkpoint::worker_record& w, const void* state) {
            const std::uint64_t mixed = mix(w.pid);
            if (seg_.workshops() != 1 && route(mixed, seg_.workshops()) != index_) return;
            void* into = staff_.restore(w.pid, mixed, restored_tick(w.hired_ns, f.clock_ns(), now_tick_),
                                        restored_tick(w.last_seen_ns, f.clock_ns(), now_tick_), w.materials);
            if (into == nullptr) return;
            if (!upgrade) {
                if (d.state_size != 0) std::memcpy(into, state, d.state_size);
            } else if (bp_.upgrade(state, into, &err) != FACTORY_OK) {
                throw std::runtime_error("blueprint " + std::string(d.name) + " could not upgrade the state of pid " +
                                         std::to_string(w.pid) + ": " + err.message);
            }
            ++restored;
        });
    }
    stats_.roster.set(staff_.size());
    stats_.restore_ns.set(static_cast<std::uint64_t>(mono_ns() - began));
    log().info("workshop {}: restored {} workers from checkpoint {}", index_ + 1, restored, cfg_.resume_epoch);
}

} // namespace factory::workshop
