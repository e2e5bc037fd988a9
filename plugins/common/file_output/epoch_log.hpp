// The epochs of a file exporter under --checkpoint: a small text file beside its outputs (the
// "sidecar") that holds, for each of the last 8 epochs committed, the length of every output file.
// A run that resumes from epoch k cuts each file back to its length at k, so what the files hold is
// exactly what had been exported when checkpoint k was taken: products exported after it are
// exported again by the replay, and appear once.
//
//   factory-epochs 1
//   file flows.jsonl          one line per output, in the exporter's order (names, not paths)
//   file alerts.jsonl
//   epoch 0 0 0               the epoch, then each file's length in bytes (0: empty or missing)
//   epoch 1 5120 0
//
// The sidecar is replaced whole (written to "<sidecar>.tmp", fsync'ed, renamed over it, its folder
// fsync'ed), so a crash leaves the old one or the new one. commit() fsyncs every output before it
// records their lengths, so a recorded length is on disk even after a power loss. Use from one
// thread; every error throws factory::error naming the file and saying what to do.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace factory::output {

class epoch_log {
public:
    static constexpr std::size_t kept = 8; // epochs kept, as <factory/abi.h> asks of on_commit

    // `sidecar`: the log's path; `files`: the outputs' paths, all in the sidecar's folder.
    epoch_log(std::string sidecar, std::vector<std::string> files);

    // A job starts: what the outputs hold now is epoch 0; epochs of an earlier job are forgotten.
    void start();
    // A job resumes from `epoch`: cuts every output back to its length then (a file created after it
    // is emptied), and forgets later epochs. Throws when the sidecar is missing, lists other files,
    // has no such epoch, or a file is now shorter than it was then (its bytes were lost).
    void resume(std::uint64_t epoch);
    // Everything the outputs hold now (flushed) is epoch `epoch`: makes them durable, records their
    // lengths, forgets any epoch >= `epoch` recorded before (an epoch a crash left unconfirmed) and
    // all but the last `kept`.
    void commit(std::uint64_t epoch);

    const std::string& path() const noexcept { return sidecar_; }

private:
    struct entry {
        std::uint64_t epoch;
        std::vector<std::uint64_t> lengths;
    };
    std::vector<entry> read() const;
    void write(const std::vector<entry>& entries) const;
    std::vector<std::uint64_t> lengths(bool sync) const;

    std::string sidecar_;
    std::vector<std::string> files_;
    std::vector<std::string> names_;
};

} // namespace factory::output
