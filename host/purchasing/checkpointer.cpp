#include "purchasing/checkpointer.hpp"

#include "checkpoint/snapshot.hpp"
#include "checkpoint/paths.hpp"
#include "common/log.hpp"
#include "purchasing/state_walk.hpp"
#include "shm/checkpoint_frame.hpp"
#include "shm/stats_fields.hpp"

#include <algorithm>
#include <chrono>
#include <thread>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace factory::purchasing {

checkpointer::checkpointer(shm::segment& seg, const run_config& cfg, source_instance& source, buyer& buy)
    : seg_(seg), header_(seg.header()), cfg_(cfg), source_(source), buy_(buy) {}

void checkpointer::prepare() {
    if (!cfg_.resuming) {
        // A new job: epoch 0 is the input's start, where a crash before the first checkpoint returns.
        write_snapshot(0);
        return;
    }
    const auto file = epoch_dir(cfg_.checkpoint_dir, cfg_.resume_epoch) / purchasing_snapshot_name();
    checkpoint::snapshot_reader snap(file);
    std::uint64_t seq = 0;
    std::int64_t watermark = 0;
    for (const auto& [name, value] : snap.counter_values()) {
        if (name == "seq") seq = value;
        else if (name == "watermark_ns") watermark = static_cast<std::int64_t>(value);
    }
    if (!snap.blob().empty()) {
        try {
            source_.seek(std::string(snap.blob()));
        } catch (const std::exception& e) {
            throw std::runtime_error("cannot resume from checkpoint " + std::to_string(cfg_.resume_epoch) + " in " +
                                     cfg_.checkpoint_dir + ": " + e.what());
        }
    }
    buy_.resume_at(seq, watermark, cfg_.skip_seqs);
    told_ = cfg_.resume_epoch;
    // Asking once now also proves the source can say where it stands (stdin cannot).
    (void)source_.position();
    last_ = cfg_.resume_epoch;
}

void checkpointer::write_snapshot(std::uint64_t epoch) {
    const auto dir = epoch_dir(cfg_.checkpoint_dir, epoch);
    std::filesystem::create_directories(dir);
    const std::string position = source_.position();
    checkpoint::snapshot_writer out(dir / purchasing_snapshot_name(), checkpoint::part::purchasing, 0, epoch, {});
    checkpoint::counters counts;
    shm::each_counter(seg_.purchasing(), [&](const std::string& name, shm::counter& c) { counts.emplace_back(name, c.get()); });
    for (std::uint32_t i = 0; i < seg_.workshops(); ++i)
        shm::each_counter(seg_.line_info(i), [&](const std::string& name, shm::counter& c) {
            counts.emplace_back("line_" + std::to_string(i) + "_" + name, c.get());
        });
    counts.emplace_back("seq", buy_.purchased());
    counts.emplace_back("watermark_ns", static_cast<std::uint64_t>(buy_.watermark_ns()));
    out.set_counters(counts);
    out.set_blob(position.data(), position.size());
    out.finish();
    // A checkpoint completes a few periods after its snapshot at most: 16 is plenty.
    if (positions_.size() == 16) positions_.pop_front();
    positions_.emplace_back(epoch, position);
}

void checkpointer::tell_complete() {
    const std::uint64_t epoch = header_.checkpoint_complete.load(std::memory_order_acquire);
    told_ = epoch;
    if (!source_.wants_checkpoint_done()) return;
    const std::string* position = nullptr;
    for (const auto& [e, pos] : positions_)
        if (e == epoch) position = &pos;
    if (position == nullptr) {
        // Not taken by this process (a checkpoint of before a rollback): its source is told of the
        // next one.
        return;
    }
    state_walk workers(epoch_dir(cfg_.checkpoint_dir, epoch));
    try {
        source_.checkpoint_done(epoch, *position, workers.raw());
    } catch (const std::exception& e) {
        log().warn("checkpoint {} is complete, but {}", epoch, e.what());
    }
}

bool checkpointer::take(std::uint64_t epoch, std::uint16_t kind) {
    last_ = std::max(last_, epoch);
    // The lines' counts must include everything before the barrier: publish first.
    buy_.publish_all();
    try {
        write_snapshot(epoch);
    } catch (const std::exception& e) {
        log().warn("checkpoint {}: {}; the run goes on, the previous checkpoint stays the one to resume from", epoch,
                   e.what());
        const std::string why = e.what();
        const std::size_t n = std::min(why.size(), sizeof(header_.checkpoint_problem) - 1);
        std::memcpy(header_.checkpoint_problem, why.data(), n);
        header_.checkpoint_problem[n] = '\0';
        header_.checkpoint_failed.store(epoch, std::memory_order_release);
        return false;
    }
    return buy_.push_barrier(epoch, kind);
}

void checkpointer::take_wanted() {
    const std::uint64_t epoch = header_.checkpoint_wanted.load(std::memory_order_acquire);
    take(epoch, static_cast<std::uint16_t>(shm::barrier_kind::periodic));
}

void checkpointer::take_last() {
    if (header_.abort_now.load(std::memory_order_acquire) != 0) return;
    std::string why;
    if (!take_and_wait(why, true))
        log().warn("the last checkpoint for source {} before its close: {}; its storage keeps the previous one",
                   cfg_.source.name, why);
}

void checkpointer::wait_final_exported() {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (final_ != 0 && header_.checkpoint_committed.load(std::memory_order_acquire) < final_ &&
           header_.abort_now.load(std::memory_order_acquire) == 0 && std::chrono::steady_clock::now() < until) {
        seg_.process(shm::purchasing_slot).heartbeat.add(); // waiting, not hanging
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
}

bool checkpointer::take_and_wait(std::string& why, bool stopping) {
    // An epoch the host asked for first goes in the lines first: epochs pass in order.
    if (header_.checkpoint_wanted.load(std::memory_order_acquire) > last_) take_wanted();
    const std::uint64_t epoch = header_.next_epoch.fetch_add(1, std::memory_order_acq_rel);
    header_.checkpoint_asked.store(epoch, std::memory_order_release);
    if (!take(epoch, static_cast<std::uint16_t>(shm::barrier_kind::periodic))) {
        why = "checkpoint " + std::to_string(epoch) + " could not be taken: " + header_.checkpoint_problem;
        return false;
    }
    // The workshops, transportation and the host go on meanwhile; the lines drain to the barrier.
    while (header_.checkpoint_complete.load(std::memory_order_acquire) < epoch) {
        if (header_.checkpoint_failed.load(std::memory_order_acquire) >= epoch) {
            why = "checkpoint " + std::to_string(epoch) + " failed: " + header_.checkpoint_problem;
            return false;
        }
        if (header_.abort_now.load(std::memory_order_acquire) != 0 ||
            (!stopping && header_.stop_purchasing.load(std::memory_order_acquire) != 0)) {
            why = "checkpoint " + std::to_string(epoch) + " did not complete: the run is ending";
            return false;
        }
        seg_.process(shm::purchasing_slot).heartbeat.add(); // waiting, not hanging
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    tell_complete();
    return true;
}

void checkpointer::finish(bool end_of_input) {
    if (header_.abort_now.load(std::memory_order_acquire) != 0) return;
    const std::uint64_t epoch = header_.next_epoch.fetch_add(1, std::memory_order_acq_rel);
    header_.final_end_of_input.store(end_of_input ? 1 : 0, std::memory_order_relaxed);
    header_.checkpoint_final.store(epoch, std::memory_order_release);
    final_ = epoch;
    const auto kind = !end_of_input && cfg_.savepoint_on_stop ? shm::barrier_kind::final_keep : shm::barrier_kind::final_fire;
    take(epoch, static_cast<std::uint16_t>(kind));
}

} // namespace factory::purchasing
