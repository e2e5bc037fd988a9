// Snapshot files: what one process of the factory keeps at checkpoint k (purchasing.snap,
// workshop-I.snap, transport.snap in DIR/epoch-k/). One file is written sequentially through a
// large buffer (one write() per few MiB, no syscall or allocation per worker) under a temporary
// name, and appears under its own name only once it is complete and on disk.
//
// The format (little-endian, as the machine writes it; docs/design.md "Checkpoint files"):
//   header  56 bytes: magic "FACTSNAP", format_version, part, file length, epoch, blueprint
//           layout, index, state size, state align, name and version lengths; then the blueprint's
//           name and version, padded to 8 bytes;
//   workers one record each: worker_record (32 bytes) then state_size bytes, padded to 8;
//   trailer clock, worker count, counters, blob, padded to 8;
//   footer  32 bytes: trailer offset, file length, checksum, end magic "SNAPEND".
// The checksum (checksum.hpp) covers every byte before it, with the header's length hashed as 0,
// followed by the length itself (the header's length is filled in last).
//
// Thread rules: a writer or a reader belongs to one thread at a time.
#pragma once

#include "checkpoint/checksum.hpp"
#include "checkpoint/error.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace factory::checkpoint {

inline constexpr std::uint32_t format_version = 1;
enum class part : std::uint32_t { purchasing = 1, workshop = 2, transportation = 3 };

// "purchasing", "workshop", "transportation" (or "part N" for a value no writer makes).
std::string to_string(part p);

struct blueprint_identity {
    std::string name, version;
    std::uint32_t state_size = 0, state_align = 0;
    std::uint64_t layout = 0; // the state-layout fingerprint (computed elsewhere)
};
bool operator==(const blueprint_identity& a, const blueprint_identity& b);

using counters = std::vector<std::pair<std::string, std::uint64_t>>;

// One worker as a checkpoint keeps it (times: Unix ns on the workshop's clock). Exactly its 32
// bytes are in the file.
struct worker_record {
    std::uint64_t pid;
    std::int64_t hired_ns;
    std::int64_t last_seen_ns;
    std::uint32_t materials;
    std::uint32_t state_size;
};
static_assert(sizeof(worker_record) == 32);

inline constexpr std::size_t max_blob_bytes = 4096;

// Bytes one worker takes in a snapshot: its record, then its state padded to 8.
constexpr std::size_t worker_bytes(std::uint32_t state_size) noexcept {
    return sizeof(worker_record) + ((state_size + std::size_t{7}) & ~std::size_t{7});
}

// Writes one worker as a snapshot holds it at `p` (worker_bytes(state_size) bytes): the record,
// the state (zeros for a null `state`), zeroed padding, so the same workers always make the same
// bytes.
inline void encode_worker(std::byte* p, std::uint32_t state_size, std::uint64_t pid, std::int64_t hired_ns,
                          std::int64_t last_seen_ns, std::uint32_t materials, const void* state) noexcept {
    const worker_record r{pid, hired_ns, last_seen_ns, materials, state_size};
    std::memcpy(p, &r, sizeof r);
    if (state != nullptr)
        std::memcpy(p + sizeof r, state, state_size);
    else
        std::memset(p + sizeof r, 0, state_size);
    std::memset(p + sizeof r + state_size, 0, worker_bytes(state_size) - sizeof r - state_size);
}

class snapshot_writer {
public:
    // Writes `path` through a temporary name in the same folder (".NAME.tmp"); nothing appears at
    // `path` until finish() succeeds. Throws checkpoint_error (message names the file and the
    // errno text), also for a blueprint name or version over 65535 bytes.
    snapshot_writer(const std::filesystem::path& path, part what, std::uint32_t index, std::uint64_t epoch,
                    const blueprint_identity& bp);
    ~snapshot_writer(); // removes the temporary file when finish() did not succeed
    snapshot_writer(const snapshot_writer&) = delete;
    snapshot_writer& operator=(const snapshot_writer&) = delete;

    void set_clock(std::int64_t now_ns);            // workshop: its clock at the barrier
    void set_counters(const counters& c);           // names up to 65535 bytes
    void set_blob(const void* data, std::size_t n); // purchasing: the source position (<= 4096)

    // Buffered; state: bp.state_size bytes (may be 0; a null `state` writes zeros). Throws
    // checkpoint_error when a full buffer cannot be written (the disk is full, ...); after that
    // the writer is failed: finish() throws and the temporary file is removed.
    void add_worker(std::uint64_t pid, std::int64_t hired_ns, std::int64_t last_seen_ns, std::uint32_t materials,
                    const void* state) {
        if (used_ + record_bytes_ <= capacity_ && !failed_) {
            encode_worker(buffer_.get() + used_, state_size_, pid, hired_ns, last_seen_ns, materials, state);
            used_ += record_bytes_;
            ++workers_;
            return;
        }
        add_worker_slow(pid, hired_ns, last_seen_ns, materials, state);
    }
    // `workers` workers already encoded (encode_worker, this writer's state size) in `bytes`.
    // Throws as add_worker does.
    void add_encoded(const std::byte* data, std::size_t bytes, std::uint64_t workers);

    struct result {
        std::uint64_t bytes = 0, checksum = 0, workers = 0;
    };
    // Writes what is left, the trailer (clock, counters, blob, worker count) and the footer
    // (checksum of the whole file), fdatasync, rename to `path`. The rename is durable once the
    // folder is synced (store::publish syncs the epoch folder). Throws checkpoint_error (ENOSPC:
    // "the disk is full" and the folder); the temporary file is then removed. Call once.
    result finish();

private:
    void add_worker_slow(std::uint64_t pid, std::int64_t hired_ns, std::int64_t last_seen_ns, std::uint32_t materials,
                         const void* state);
    void append(const void* data, std::size_t n);
    void flush();
    void check_usable() const;

    std::filesystem::path path_, temp_;
    int fd_ = -1;
    std::unique_ptr<std::byte[]> buffer_;
    std::size_t capacity_ = 0, used_ = 0;
    std::uint32_t state_size_ = 0;
    std::size_t record_bytes_ = 0;
    std::uint64_t written_ = 0; // bytes already handed to write()
    std::uint64_t workers_ = 0;
    std::int64_t clock_ns_ = 0;
    counters counters_;
    std::string blob_;
    hasher hash_;
    bool failed_ = false, finished_ = false;
};

class snapshot_reader {
public:
    // Reads and verifies the whole file (magic, format_version, length, checksum) into memory.
    // Throws checkpoint_error naming the file and what is wrong: "truncated (N of M bytes)",
    // "checksum mismatch", "not a factory checkpoint snapshot", "format version X, this
    // factory-host reads 1", or the system's reason it cannot be read.
    explicit snapshot_reader(const std::filesystem::path& path);

    part what() const noexcept { return part_; }
    std::uint32_t index() const noexcept { return index_; }
    std::uint64_t epoch() const noexcept { return epoch_; }
    const blueprint_identity& blueprint() const noexcept { return blueprint_; }
    std::int64_t clock_ns() const noexcept { return clock_ns_; }
    const checkpoint::counters& counter_values() const noexcept { return counters_; }
    std::string_view blob() const noexcept { return blob_; }
    std::uint64_t workers() const noexcept { return workers_; }
    std::uint64_t checksum() const noexcept { return checksum_; }
    std::uint64_t bytes() const noexcept { return bytes_; }

    // f(const worker_record&, const void* state) for every worker, in file order. `state` points
    // into the reader's buffer (8-byte aligned, valid while the reader lives); copy it into
    // storage of the blueprint's alignment before using it as its type.
    template <class F>
    void each_worker(F&& f) const {
        const std::byte* p = data_.get() + records_begin_;
        for (std::uint64_t i = 0; i < workers_; ++i, p += record_bytes_) {
            worker_record r;
            std::memcpy(&r, p, sizeof r);
            f(static_cast<const worker_record&>(r), static_cast<const void*>(p + sizeof r));
        }
    }

private:
    std::unique_ptr<std::byte[]> data_;
    std::uint64_t bytes_ = 0;
    part part_ = part::workshop;
    std::uint32_t index_ = 0;
    std::uint64_t epoch_ = 0;
    blueprint_identity blueprint_;
    std::int64_t clock_ns_ = 0;
    checkpoint::counters counters_;
    std::string blob_;
    std::uint64_t workers_ = 0, checksum_ = 0;
    std::size_t records_begin_ = 0, record_bytes_ = 0;
};

} // namespace factory::checkpoint
