#include "workshop/snapshot_thread.hpp"

#include <exception>
#include <system_error>

namespace factory::workshop {

std::string snapshot_thread::wait() {
    if (thread_.joinable()) thread_.join();
    std::string why;
    why.swap(failure_);
    return why;
}

void snapshot_thread::begin(std::filesystem::path file, std::uint32_t index, std::uint64_t epoch,
                            checkpoint::blueprint_identity bp, std::int64_t clock_ns, checkpoint::counters counts,
                            std::size_t workers_hint) {
    file_ = std::move(file);
    index_ = index;
    epoch_ = epoch;
    bp_ = std::move(bp);
    clock_ns_ = clock_ns;
    counts_ = std::move(counts);
    record_bytes_ = checkpoint::worker_bytes(bp_.state_size);
    used_ = 0;
    workers_ = 0;
    // Sized once for the roster as it stands (and kept): add() then never grows at this barrier.
    if (copy_.size() < workers_hint * record_bytes_) copy_.resize(workers_hint * record_bytes_);
}

void snapshot_thread::grow() { copy_.resize(copy_.size() < record_bytes_ ? 64 * record_bytes_ : 2 * copy_.size()); }

void snapshot_thread::start() {
    try {
        thread_ = std::thread([this] { write(); });
    } catch (const std::system_error&) {
        write();
    }
}

void snapshot_thread::write() noexcept {
    try {
        checkpoint::snapshot_writer out(file_, checkpoint::part::workshop, index_, epoch_, bp_);
        out.set_clock(clock_ns_);
        out.set_counters(counts_);
        out.add_encoded(copy_.data(), used_, workers_);
        out.finish();
        stats_.snapshot_written.store(epoch_, std::memory_order_release);
    } catch (const std::exception& e) {
        failure_ = e.what();
        stats_.snapshot_failed.store(epoch_, std::memory_order_release);
    }
}

} // namespace factory::workshop
