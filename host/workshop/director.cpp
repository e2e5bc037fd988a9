#include "workshop/director.hpp"

#include "common/clock.hpp"
#include "common/hash.hpp"
#include "common/log.hpp"
#include "shm/checkpoint_frame.hpp"
#include "workshop/quarantine.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <string>

namespace factory::workshop {

namespace {

constexpr std::size_t batch_materials = 256;
// How far ahead of its turn a material's worker is prefetched: far enough for a slot to arrive from
// memory while the materials before it are assembled (roster_bench: 8 to 16 ahead pays most).
constexpr std::size_t prefetch_distance = 8;

contract_policy policy_of(const run_config& cfg) {
    contract_policy p{};
    p.contract = ticks_of_duration_ns(cfg.contract_ns);
    p.inspect = cfg.inspect_ns > 0 ? ticks_of_duration_ns(cfg.inspect_ns) : 0;
    p.max_age = cfg.max_age_ns > 0 ? ticks_of_duration_ns(cfg.max_age_ns) : 0;
    p.max_workers = cfg.max_workers;
    return p;
}

// Counts `n` materials that waited `waited_ns` from purchase to assembly. The stamps come from
// one monotonic clock, but a purchase stamp is taken at the start of a fill, so a material may be
// stamped after the step that assembles it began: that is a wait of 0.
void record_latency(latency_histogram& h, std::int64_t waited_ns, std::uint64_t n) noexcept {
    if (n != 0) h.record(waited_ns > 0 ? static_cast<std::uint64_t>(waited_ns) : 0, n);
}

} // namespace

director::director(shm::segment& seg, std::uint32_t index, const run_config& cfg, blueprint_instance& bp,
                   shipper& ship, dead_letter_writer& dead, std::int64_t& now_ns)
    : seg_(seg), index_(index), cfg_(cfg), bp_(bp), ship_(ship), dead_(dead), stats_(seg.workshop(index)),
      line_info_(seg.line_info(index)), me_(seg.process(shm::workshop_slot(index))),
      line_(seg.line(index), &seg.purchasing_bell()), cursor_(stats_), hooks_{this},
      staff_(hooks_, policy_of(cfg), bp.descriptor().state_size, bp.descriptor().state_align),
      now_ns_(now_ns), monitor_timer_(io_) {
    if (!bp_.inspects()) staff_.disable_inspections();
    // A run that says how many workers a workshop will (or may) hold sizes its roster once: growing
    // a roster of a million rehashes every worker at once, and materials wait meanwhile.
    if (std::uint64_t n = std::max(cfg_.expect_workers, cfg_.max_workers); n != 0) staff_.reserve(n);
    if (cfg_.material_clock) {
        now_ns_ = 0;
    } else {
        now_ns_ = unix_ns();
        now_tick_ = tick_of_ns(mono_ns());
        staff_.start(now_tick_);
        clock_started_ = true;
    }
}

bool director::aborting() const noexcept {
    return seg_.header().abort_now.load(std::memory_order_relaxed) != 0;
}

factory_worker director::view(worker_slot& slot, void* state) const noexcept {
    factory_worker w{};
    w.pid = slot.pid;
    w.state = state;
    // Ticks are milliseconds on the contract clock; show them on the Unix clock the blueprint sees.
    w.hired_ns = ns_of_tick(slot.hired, now_tick_, now_ns_);
    w.last_seen_ns = ns_of_tick(slot.last_seen, now_tick_, now_ns_);
    w.materials = slot.materials;
    return w;
}

void director::fire(worker_slot& slot, void* state, std::uint32_t reason, tick now) {
    now_tick_ = tick_latest(now_tick_, now);
    factory_worker w = view(slot, state);
    // Counted as handed over before the blueprint ships: once the lane is published, these
    // materials are no longer what a crash of this process would lose (see shipper::publish).
    ship_.hand_over(slot.materials);
    bp_.fire(&w, reason, now_ns_);
    if (reason < shm::fire_reasons) stats_.fired[reason].add();
    stats_.roster.set(stats_.roster.get() - 1);
}

bool director::inspect(worker_slot& slot, void* state, tick now) {
    now_tick_ = tick_latest(now_tick_, now);
    factory_worker w = view(slot, state);
    stats_.inspections.add();
    err_.message[0] = '\0';
    int rc = bp_.inspect(&w, now_ns_, &err_);
    if (rc == FACTORY_ERROR) log().warn("inspector: blueprint failed for pid {}: {}", slot.pid, err_.message);
    return rc == FACTORY_DONE;
}

void director::set_time(std::int64_t unix_now, tick t) {
    now_ns_ = unix_now;
    if (!clock_started_) {
        // The material clock starts at the first time it sees, not at the epoch (ticks wrap).
        now_tick_ = t;
        staff_.start(t);
        clock_started_ = true;
        return;
    }
    if (tick_after(t, now_tick_)) {
        staff_.advance(t);
        now_tick_ = t;
    }
}

void director::assemble(const factory_material& m, std::uint64_t mixed) {
    if (cfg_.material_clock && m.time_ns > now_ns_) set_time(m.time_ns, tick_of_ns(m.time_ns));
    bool hired = false;
    worker_slot* slot = staff_.assign(m.pid, mixed, now_tick_, hired);
    void* state = staff_.state(slot);
    factory_worker w = view(*slot, state);
    err_.message[0] = '\0';
    if (hired) {
        if (bp_.hire(&w, &m, &err_) != FACTORY_OK) {
            // The letter before the count: a crash between them must not leave a counted
            // material without its letter (line_cursor.hpp).
            if (!dead_.material(std::string("blueprint refused to hire: ") + err_.message, m))
                stats_.unwritten_materials.add();
            stats_.failed.add();
            staff_.dismiss(m.pid, mixed);
            return;
        }
        stats_.hired.add();
        stats_.roster.set(stats_.roster.get() + 1);
    }
    int rc = bp_.material(&w, &m, &err_);
    if (rc == FACTORY_OK || rc == FACTORY_DONE) {
        stats_.assembled.add();
        if (rc == FACTORY_DONE) staff_.fire(m.pid, mixed, FACTORY_FIRED_DONE, now_tick_);
    } else {
        if (!dead_.material(std::string("blueprint error: ") + (err_.message[0] ? err_.message : "no reason given"), m))
            stats_.unwritten_materials.add();
        stats_.failed.add();
        if (hired) {
            // A worker with nothing assembled is not kept (abi.h): it leaves without on_fire.
            staff_.dismiss(m.pid, mixed);
            stats_.roster.set(stats_.roster.get() - 1);
        } else if (slot->materials != UINT32_MAX) {
            // A worker's count is of materials it assembled (abi.h): this one was not.
            --slot->materials;
        }
    }
}

void director::resume(const char* last_death) {
    if (const factory_material* m = cursor_.resume(line_))
        quarantine_resumed(cursor_, line_, *m, dead_, stats_, last_death);
}

std::size_t director::step() {
    std::int64_t watermark = 0;
    if (cfg_.material_clock) {
        // Read before draining: every material purchased before this watermark is then on the line.
        watermark = line_info_.watermark_ns.load(std::memory_order_acquire);
    } else {
        std::int64_t mono = mono_ns();
        set_time(unix_ns(), tick_of_ns(mono));
    }
    std::int64_t batch_mono = mono_ns();
    // The batch comes off the line before any of it is assembled, so the roster learns which
    // workers come next and each slot is prefetched prefetch_distance materials ahead (with a
    // million workers nearly every lookup would otherwise wait for memory). Popping is local: the
    // records stay in place until release(), and the cursor still moves material by material.
    const factory_material* batch[batch_materials];
    std::uint64_t mixed[batch_materials];
    std::uint64_t at[batch_materials + 1];
    std::size_t n = 0;
    shm::consumer::record rec;
    // A checkpoint barrier ends the batch: it is passed once everything before it is assembled.
    const factory_material* barrier = nullptr;
    while (n < batch_materials && line_.try_peek(rec)) {
        at[n] = line_.position();
        batch[n] = static_cast<const factory_material*>(rec.data);
        if (shm::is_barrier(*batch[n])) [[unlikely]] {
            barrier = batch[n];
            break;
        }
        mixed[n] = mix(batch[n]->pid);
        if (n < prefetch_distance) staff_.prefetch(mixed[n]);
        line_.pop();
        ++n;
    }
    at[n] = line_.position();
    // The materials of one fill share their purchase stamp, and the whole batch its start: the
    // latency histogram takes each run of equal stamps at once instead of material by material.
    std::int64_t run_stamp = batch_mono;
    std::uint64_t run = 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (batch[i]->purchased_ns != run_stamp) {
            record_latency(stats_.latency, batch_mono - run_stamp, run);
            run_stamp = batch[i]->purchased_ns;
            run = 0;
        }
        ++run;
        if (i + prefetch_distance < n) staff_.prefetch(mixed[i + prefetch_distance]);
        cursor_.take(at[i]);
        assemble(*batch[i], mixed[i]);
        cursor_.settle(at[i + 1]);
    }
    record_latency(stats_.latency, batch_mono - run_stamp, run);
    // Hot keys sample every sample_every-th material of the line, in a pass of their own: the
    // assembly loop above pays nothing for them.
    hot_.sample(batch, n);
    if (n != 0) line_.release();
    if (cfg_.material_clock && n < batch_materials && barrier == nullptr && watermark > now_ns_)
        set_time(watermark, tick_of_ns(watermark));
    ship_.publish();
    if (barrier != nullptr) {
        pass_barrier(*barrier);
        ++n; // a step that passed a barrier made progress
    }
    me_.heartbeat.add();
    return n;
}

// The clock as the run ends: the last watermark on the material clock, now on the wall clock.
void director::end_time() {
    if (cfg_.material_clock) {
        std::int64_t watermark = line_info_.watermark_ns.load(std::memory_order_acquire);
        if (watermark > now_ns_) set_time(watermark, tick_of_ns(watermark));
    } else {
        set_time(unix_ns(), tick_of_ns(mono_ns()));
    }
}

void director::monitor() {
    publish_hot_keys(hot_, stats_);
    if (log().should_log(spdlog::level::debug)) {
        shm::hot_key_value hot[shm::hot_key_slots];
        std::string busiest;
        for (std::size_t i = 0, n = shm::read_hot_keys(stats_, hot); i < n && i < 3; ++i)
            busiest += fmt::format("{}{} (~{})", i == 0 ? "" : ", ", hot[i].pid, hot[i].materials);
        log().debug("monitor: roster {} workers, {} assembled, busiest pids {}", staff_.size(),
                    stats_.assembled.get(), busiest.empty() ? "none" : busiest);
    }
    monitor_timer_.expires_after(std::chrono::seconds(1));
    monitor_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) monitor();
    });
}

int director::run() {
    monitor();
    std::int64_t next_poll = mono_ns();
    for (;;) {
        if (aborting()) break;
        std::size_t n = step();
        std::int64_t now = mono_ns();
        if (now >= next_poll) {
            io_.poll();
            next_poll = now + 1'000'000;
        }
        if (n != 0) {
            backoff_.reset();
            continue;
        }
        if (line_.finished()) break;
        // Wall clock: wake often enough that contracts fire within ~10 ms of their tick.
        std::int64_t sleep_ns = staff_.size() == 0 || cfg_.material_clock ? 100'000'000 : 10'000'000;
        shm::consumer::record rec;
        backoff_.idle(seg_.line_bell(index_), [&] { return line_.try_peek(rec) || aborting(); }, sleep_ns);
    }
    if (!aborting() && !keep_workers_) {
        end_time();
        staff_.fire_all(FACTORY_FIRED_SHUTDOWN, now_tick_);
    }
    ship_.close();
    return 0;
}

} // namespace factory::workshop
