// A workshop's periodic snapshot, written off the director's thread (as Flink's asynchronous
// snapshots are). At a barrier the director copies every worker into memory (encode_worker: tens
// of bytes each, no system call) and passes the barrier on at once; this thread then writes,
// checksums and fdatasyncs the file, and says how it went in the workshop's stats
// (snapshot_written or snapshot_failed = the epoch). The host completes a checkpoint only once
// every workshop's snapshot is written, so the line stops for the copy, not for the disk.
//
// One write at a time: the next barrier waits for the previous write. The copy's memory is kept
// and reused, so after the first checkpoint a snapshot allocates nothing.
#pragma once

#include "checkpoint/snapshot.hpp"
#include "shm/stats.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

namespace factory::workshop {

class snapshot_thread {
public:
    explicit snapshot_thread(shm::workshop_stats& stats) : stats_(stats) {}
    ~snapshot_thread() { (void)wait(); }
    snapshot_thread(const snapshot_thread&) = delete;
    snapshot_thread& operator=(const snapshot_thread&) = delete;

    // Waits for the write in progress, if any. Returns why it failed, or "" (none, or it worked).
    std::string wait();

    // Starts a copy for `epoch` (after wait()): the file, its header and trailer facts.
    void begin(std::filesystem::path file, std::uint32_t index, std::uint64_t epoch, checkpoint::blueprint_identity bp,
               std::int64_t clock_ns, checkpoint::counters counts, std::size_t workers_hint);
    void add(std::uint64_t pid, std::int64_t hired_ns, std::int64_t last_seen_ns, std::uint32_t materials,
             const void* state) {
        if (used_ + record_bytes_ > copy_.size()) grow();
        checkpoint::encode_worker(copy_.data() + used_, bp_.state_size, pid, hired_ns, last_seen_ns, materials, state);
        used_ += record_bytes_;
        ++workers_;
    }
    // Writes the copy on the thread (or here, before it returns, if no thread can be started: the
    // result is the same, only later).
    void start();

private:
    void grow();
    void write() noexcept; // on the thread (or here): the file, then the stats

    shm::workshop_stats& stats_;
    std::thread thread_;
    std::vector<std::byte> copy_;
    std::size_t used_ = 0, record_bytes_ = 0;
    std::uint64_t workers_ = 0;
    std::filesystem::path file_;
    std::uint32_t index_ = 0;
    std::uint64_t epoch_ = 0;
    checkpoint::blueprint_identity bp_;
    std::int64_t clock_ns_ = 0;
    checkpoint::counters counts_;
    std::string failure_; // written by the thread, read after join
};

} // namespace factory::workshop
