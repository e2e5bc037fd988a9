// The run's shared-memory segment: one per run, created by the host (the CEO) with owner-only
// permissions, opened by every child process, removed by the host at exit. It holds the run's
// settings (as text), the control and statistics blocks, the doorbells, the production lines
// and the transportation lanes, all at offsets computed by segment_layout from four numbers in
// the header, so every process finds everything without pointers.
//
// Failing to create or map the segment is fatal for the run (segment_error).
#pragma once

#include "shm/doorbell.hpp"
#include "shm/ring.hpp"
#include "shm/stats.hpp"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace factory::shm {

class segment_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// create() found something already at the name (left alone): what() says what is there and what
// the user can do.
class segment_name_taken : public segment_error {
public:
    using segment_error::segment_error;
};

enum class run_phase : std::uint32_t {
    starting = 0, // children are loading their plugins
    running = 1,  // materials may flow
    aborting = 2  // stop at once: a child failed to start, or a second signal
};

inline constexpr std::uint64_t segment_magic = 0x31'59'52'4f'54'43'41'46ULL; // "FACTORY1"
inline constexpr std::uint32_t layout_version = 3;

struct alignas(64) segment_header {
    std::uint64_t magic;
    std::uint32_t layout_version;
    std::uint32_t workshops;
    std::uint64_t total_size;
    std::uint64_t line_bytes;
    std::uint64_t lane_bytes;
    std::uint64_t config_size;
    std::int32_t host_pid;
    std::atomic<std::uint32_t> phase;           // run_phase, written by the host
    std::atomic<std::uint32_t> stop_purchasing; // host -> purchasing: end the run (drain and finish)
    std::atomic<std::uint32_t> abort_now;       // host -> everyone: stop at once, drain nothing
    std::atomic<std::int64_t> started_mono_ns;  // when the run began
    // Checkpoints (checkpoint/barrier.hpp says how they pass). Epochs come from next_epoch only
    // (fetch_add), so the host's periodic ones and purchasing's final one never share a number.
    std::atomic<std::uint64_t> next_epoch;            // the next unused epoch number
    std::atomic<std::uint64_t> checkpoint_wanted;     // host -> purchasing: put barrier k in the lines
    std::atomic<std::uint64_t> checkpoint_final;      // purchasing: the epoch of its final barrier, 0 none
    std::atomic<std::uint32_t> final_end_of_input;    // purchasing: that final barrier ends the input
    std::atomic<std::uint64_t> checkpoint_committed;  // transportation: the latest epoch exported and committed
    std::atomic<std::uint64_t> checkpoint_failed;     // anyone: the latest epoch that could not be taken
    char checkpoint_problem[256];                     // why, written before checkpoint_failed
    // host (checkpoint_keeper) -> purchasing: the latest epoch whose manifest is written, so the
    // source may commit its input up to that checkpoint's position (on_checkpoint_done).
    std::atomic<std::uint64_t> checkpoint_complete;
    // purchasing -> host: the latest epoch purchasing took on its own (host_checkpoint_now), for
    // the host to complete like one it asked for.
    std::atomic<std::uint64_t> checkpoint_asked;
};

// Where everything lives, from the numbers in the header.
struct segment_layout {
    std::uint32_t workshops = 0;
    std::uint64_t line_bytes = 0, lane_bytes = 0, config_size = 0;

    std::size_t processes_at = 0, purchasing_at = 0, lines_stats_at = 0, workshops_at = 0,
                transport_at = 0, bells_at = 0, config_at = 0, lines_at = 0, lanes_at = 0, total = 0;
    std::size_t line_stride = 0, lane_stride = 0;

    static segment_layout compute(std::uint32_t workshops, std::uint64_t line_bytes,
                                  std::uint64_t lane_bytes, std::uint64_t config_size);
};

// Process slots: 0 purchasing, 1 transportation, 2 + i workshop i.
inline constexpr std::uint32_t purchasing_slot = 0;
inline constexpr std::uint32_t transport_slot = 1;
inline constexpr std::uint32_t workshop_slot(std::uint32_t i) { return 2 + i; }

class segment {
public:
    // Creates and initialises a new segment and takes the run's lock on it, held until this
    // object is destroyed (segment_file.hpp says why). Throws segment_name_taken when the name
    // exists (what is there is left as it was), segment_error for anything else.
    static segment create(const std::string& name, std::uint32_t workshops, std::uint64_t line_bytes,
                          std::uint64_t lane_bytes, std::string_view config);
    // create() for the run of host process `pid`: at name_for(pid), or when that name is taken, at
    // name_for(pid) + "-1" ... "-3". `name` gets the name used; `taken` what each taken name held.
    static segment create_for_run(int pid, std::string& name, std::vector<std::string>& taken,
                                  std::uint32_t workshops, std::uint64_t line_bytes, std::uint64_t lane_bytes,
                                  std::string_view config);
    // Maps an existing segment and checks its header.
    static segment open(const std::string& name);
    // Removes the name; the memory goes when the last process unmaps it. Never throws.
    static bool remove(const std::string& name) noexcept;
    // Removes the segments left by ended runs of this user (no live host holds their lock:
    // segment_file.hpp); anything else at a factory-looking name is left alone. Returns the names
    // removed.
    static std::vector<std::string> remove_stale();
    // The name a run of host process `pid` uses.
    static std::string name_for(int pid);

    segment(segment&&) noexcept;
    segment& operator=(segment&&) noexcept;
    ~segment();

    segment_header& header() noexcept { return *reinterpret_cast<segment_header*>(base_); }
    const segment_layout& layout() const noexcept { return layout_; }
    std::uint32_t workshops() const noexcept { return layout_.workshops; }
    std::string_view config() const noexcept;

    process_block& process(std::uint32_t slot) noexcept;
    purchasing_stats& purchasing() noexcept;
    line_stats& line_info(std::uint32_t i) noexcept;
    workshop_stats& workshop(std::uint32_t i) noexcept;
    transport_stats& transport() noexcept;

    ring_control* line(std::uint32_t i) noexcept;
    ring_control* lane(std::uint32_t i) noexcept;

    // Doorbells: who sleeps on them, and who rings them.
    doorbell& purchasing_bell() noexcept;            // purchasing waits for room; workshops ring
    doorbell& transport_bell() noexcept;             // transportation waits for products; workshops ring
    doorbell& line_bell(std::uint32_t i) noexcept;   // workshop i waits for materials; purchasing rings
    doorbell& lane_bell(std::uint32_t i) noexcept;   // workshop i waits for lane room; transportation rings

private:
    struct mapping;
    segment(std::unique_ptr<mapping> m, segment_layout layout);
    template <class T>
    T* at(std::size_t offset) noexcept { return reinterpret_cast<T*>(base_ + offset); }

    std::unique_ptr<mapping> map_;
    segment_layout layout_;
    unsigned char* base_ = nullptr;
};

} // namespace factory::shm
