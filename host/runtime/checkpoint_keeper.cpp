#include "runtime/checkpoint_keeper.hpp"

#include "checkpoint/snapshot.hpp"
#include "checkpoint/paths.hpp"
#include "common/clock.hpp"
#include "common/log.hpp"
#include "shm/checkpoint_frame.hpp"
#include "workshop/line_cursor.hpp"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace factory::runtime {

namespace {

std::string hex_of(std::string_view bytes) {
    static const char digits[] = "0123456789abcdef";
    std::string s;
    for (unsigned char c : bytes) {
        s += digits[c >> 4];
        s += digits[c & 15];
    }
    return s;
}

} // namespace

checkpoint_keeper::checkpoint_keeper(shm::segment& seg, const run_config& cfg, checkpoint::store& store,
                                     checkpoint::manifest job)
    : seg_(seg), cfg_(cfg), store_(store), job_(std::move(job)) {
    last_ = cfg_.resuming ? cfg_.resume_epoch : 0;
}

void checkpoint_keeper::started() {
    if (!cfg_.resuming && !complete(0, false))
        throw std::runtime_error("could not write the job's first checkpoint (epoch 0) in " + cfg_.checkpoint_dir);
}

void checkpoint_keeper::request() {
    auto& h = seg_.header();
    if (in_flight_ != 0 || h.stop_purchasing.load(std::memory_order_acquire) != 0) return;
    in_flight_ = h.next_epoch.fetch_add(1, std::memory_order_acq_rel);
    asked_ns_ = mono_ns();
    h.checkpoint_wanted.store(in_flight_, std::memory_order_release);
}

bool checkpoint_keeper::snapshots_written(std::uint64_t epoch) {
    for (std::uint32_t i = 0; i < seg_.workshops(); ++i)
        if (seg_.workshop(i).snapshot_written.load(std::memory_order_acquire) < epoch) return false;
    return true;
}

bool checkpoint_keeper::snapshot_failed(std::uint64_t epoch) {
    for (std::uint32_t i = 0; i < seg_.workshops(); ++i) {
        if (seg_.workshop(i).snapshot_failed.load(std::memory_order_acquire) < epoch) continue;
        // Said where every department says a checkpoint failed, so a source waiting in
        // host_checkpoint_now for this epoch hears it too, instead of waiting for the run's end.
        auto& h = seg_.header();
        const std::string why = "workshop " + std::to_string(i + 1) + " could not write its snapshot";
        const std::size_t n = std::min(why.size(), sizeof(h.checkpoint_problem) - 1);
        std::memcpy(h.checkpoint_problem, why.data(), n);
        h.checkpoint_problem[n] = '\0';
        std::uint64_t failed = h.checkpoint_failed.load(std::memory_order_acquire);
        while (failed < epoch && !h.checkpoint_failed.compare_exchange_weak(failed, epoch, std::memory_order_acq_rel)) {
        }
        return true;
    }
    return false;
}

bool checkpoint_keeper::poll_asked() {
    auto& h = seg_.header();
    const std::uint64_t asked = h.checkpoint_asked.load(std::memory_order_acquire);
    if (asked <= asked_done_) return false;
    if (h.checkpoint_committed.load(std::memory_order_acquire) >= asked && snapshots_written(asked)) {
        asked_done_ = asked;
        if (complete(asked, false)) {
            last_unix_ns_ = unix_ns();
            log().info("checkpoint {} (taken by the source) complete", asked);
        } else {
            ++failed_;
        }
    } else if (h.checkpoint_failed.load(std::memory_order_acquire) >= asked || snapshot_failed(asked)) {
        asked_done_ = asked;
        ++failed_;
    }
    return asked > asked_done_;
}

bool checkpoint_keeper::poll() {
    // The keeper's own epoch is older than one purchasing took since (epochs only grow), so it is
    // completed first, below; one taken by purchasing alone is completed here.
    if (in_flight_ == 0) return poll_asked();
    auto& h = seg_.header();
    // Purchasing may take one (host_checkpoint_now) just before the keeper asks for its own, and
    // waits for it before putting the keeper's in the lines: that one is completed first.
    if (h.checkpoint_asked.load(std::memory_order_acquire) < in_flight_ && poll_asked()) return true;
    if (snapshot_failed(in_flight_)) {
        // The workshop logs why at its next barrier; the next period tries again.
        log().warn("checkpoint {}: a workshop could not write its snapshot; the previous checkpoint stays the one to "
                   "resume from",
                   in_flight_);
        in_flight_ = 0;
        ++failed_;
        return false;
    }
    // Transportation committed the exporters, and every workshop's snapshot is on disk (they are
    // written off the line: workshop/snapshot_thread.hpp).
    if (h.checkpoint_committed.load(std::memory_order_acquire) >= in_flight_ && snapshots_written(in_flight_)) {
        const std::uint64_t epoch = in_flight_;
        in_flight_ = 0;
        if (complete(epoch, false)) {
            const auto took = static_cast<std::uint64_t>(mono_ns() - asked_ns_);
            longest_ns_ = std::max(longest_ns_, took);
            last_ns_ = took;
            last_unix_ns_ = unix_ns();
            log().info("checkpoint {} complete in {} ms ({} KiB)", epoch, took / 1'000'000, last_bytes_ / 1024);
        } else {
            ++failed_;
        }
        poll_asked();
        return false;
    }
    if (h.checkpoint_failed.load(std::memory_order_acquire) >= in_flight_) {
        // The department that failed logged why; the next period tries again.
        in_flight_ = 0;
        ++failed_;
        return false;
    }
    return true;
}

void checkpoint_keeper::finished() {
    auto& h = seg_.header();
    const std::uint64_t final_epoch = h.checkpoint_final.load(std::memory_order_acquire);
    if (final_epoch == 0 || h.checkpoint_committed.load(std::memory_order_acquire) != final_epoch ||
        !snapshots_written(final_epoch)) {
        if (final_epoch != 0)
            log().warn("the final checkpoint ({}) did not complete: the next run resumes from checkpoint {}", final_epoch,
                       last_);
        return;
    }
    if (complete(final_epoch, true)) {
        const bool end = h.final_end_of_input.load() != 0;
        log().info("final checkpoint {} complete{}", final_epoch,
                   end ? ": the job's input ended"
                       : kept_workers_ != 0 ? " (a savepoint: the next run continues its workers)" : "");
    }
}

bool checkpoint_keeper::complete(std::uint64_t epoch, bool final_one) {
    checkpoint::manifest m = job_;
    m.epoch = epoch;
    m.created_unix_ns = unix_ns();
    m.final = final_one;
    m.end_of_input = final_one && seg_.header().final_end_of_input.load() != 0;
    std::uint64_t workers = 0, bytes = 0;
    try {
        const auto dir = epoch_dir(cfg_.checkpoint_dir, epoch);
        for (const auto& entry : std::filesystem::directory_iterator(dir)) {
            if (entry.path().extension() != ".snap") continue;
            checkpoint::snapshot_reader snap(entry.path());
            m.files.push_back({entry.path().filename().string(), std::filesystem::file_size(entry.path()),
                               snap.checksum(), snap.workers()});
            workers += snap.workers();
            bytes += m.files.back().bytes;
            if (snap.what() == checkpoint::part::purchasing) {
                m.position_text = hex_of(snap.blob());
                for (const auto& [name, value] : snap.counter_values())
                    if (name == "seq") m.purchased = value;
            }
        }
        store_.publish(m, cfg_.checkpoints_kept);
    } catch (const std::exception& e) {
        log().warn("checkpoint {}: {}; the previous checkpoint stays the one to resume from", epoch, e.what());
        return false;
    }
    last_ = epoch;
    last_bytes_ = bytes;
    seg_.header().checkpoint_complete.store(epoch, std::memory_order_release);
    if (epoch != 0) ++taken_;
    if (final_one) kept_workers_ = workers;
    return true;
}

bool checkpoint_keeper::quarantine(std::uint32_t index, const std::string& why, dead_letter_writer& dead) {
    workshop::line_cursor cursor(seg_.workshop(index));
    if (!cursor.busy()) return false;
    shm::consumer line(seg_.line(index), nullptr);
    line.seek(cursor.position());
    shm::consumer::record rec;
    if (!line.try_peek(rec)) return false;
    const auto& m = *static_cast<const factory_material*>(rec.data);
    if (shm::is_barrier(m) || workshop::busy_material_settled(line.records_popped(), cursor.settled_count())) return false;
    dead.material(why + "; this material was never assembled and is skipped when the run replays from a checkpoint", m);
    store_.quarantine(m.seq, why);
    return true;
}

} // namespace factory::runtime
