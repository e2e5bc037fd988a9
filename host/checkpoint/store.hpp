// The checkpoint folder DIR of a job:
//   DIR/lock                       flock'd by the run that uses DIR; holds its pid, for messages
//   DIR/quarantine                 "SEQ<TAB>why" lines: materials a workshop died on
//   DIR/epoch-000000000007/        one folder per checkpoint (12 digits, so names sort as numbers)
//       purchasing.snap, workshop-I.snap, transport.snap   (snapshot.hpp)
//       MANIFEST                   written last (manifest.hpp): its presence marks it complete
//
// Thread rules: one thread uses a store at a time. Only the host process writes MANIFESTs and the
// quarantine; child processes write their snapshot files into dir_for(k) by path.
#pragma once

#include "checkpoint/manifest.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace factory::checkpoint {

class store {
public:
    // Opens the checkpoint folder, creating it (mode 0700, and any missing parents) when absent.
    // Refuses with checkpoint_error, naming the folder and saying what to do: a folder another
    // user owns, one group or others may write to ("chmod go-w DIR"), or one a live run holds (an
    // flock on DIR/lock held while this object lives: "another factory-host (pid N) uses DIR").
    // The lock's descriptor is close-on-exec: an exec'd child does not hold it.
    static store open(const std::filesystem::path& dir);

    // For reading only (`factory-host checkpoints DIR`): takes no lock, creates nothing; publish()
    // and quarantine() throw. Throws checkpoint_error when DIR is not a folder.
    static store view(const std::filesystem::path& dir);

    store(store&&) noexcept;
    store& operator=(store&&) noexcept;
    ~store();

    const std::filesystem::path& dir() const { return dir_; }

    // DIR/epoch-000000000007, created (mode 0700) when absent.
    std::filesystem::path dir_for(std::uint64_t epoch) const;
    static std::string folder_name(std::uint64_t epoch);

    // Writes DIR/epoch-K/MANIFEST atomically (temp file, fsync, rename, fsync of the epoch folder
    // and DIR), then removes older checkpoints beyond the newest `keep` complete ones (keep 0 is
    // taken as 1: the one just published always stays), and any incomplete one older than this.
    // Throws checkpoint_error (the checkpoint then did not happen; older ones stay). A folder that
    // cannot be removed is left for the next publish and said in prune_problems().
    void publish(const manifest& m, std::uint32_t keep);
    const std::vector<std::string>& prune_problems() const { return prune_problems_; }

    struct entry {
        std::uint64_t epoch = 0;
        bool complete = false;  // its MANIFEST exists and parses
        std::optional<manifest> m;
        std::uint64_t bytes = 0; // on disk, all files
        std::string problem;     // why it is not complete/usable, empty when fine
    };
    // Ascending epoch; without verifying checksums (a listed file that is missing or of another
    // size is a problem of a complete entry).
    std::vector<entry> list() const;

    // The newest complete checkpoint whose files exist with the manifest's sizes and checksums
    // (verified by reading them); `skipped` gets one line per newer one passed over and why
    // ("epoch 7: workshop-1.snap: checksum mismatch (the file is damaged)").
    std::optional<manifest> latest(std::vector<std::string>& skipped) const;

    // Why a listed checkpoint cannot be restored ("" when it can): its problem, or a file whose
    // checksum, size, epoch or worker count differs from its MANIFEST (read in full to check).
    std::string verify(const entry& e) const;

    // The highest epoch any folder in DIR has (complete or not), 0 when none: a new checkpoint
    // takes a higher one.
    std::uint64_t highest_epoch() const;

    // Materials a workshop died on, by purchase sequence number (a replay skips them): appended
    // to DIR/quarantine with fsync. `why` is kept on one line.
    void quarantine(std::uint64_t seq, const std::string& why);
    std::vector<std::uint64_t> quarantined() const; // ascending, unique; unreadable lines skipped

private:
    store(std::filesystem::path dir, int lock_fd) : dir_(std::move(dir)), lock_fd_(lock_fd) {}
    void prune(std::uint64_t published, std::uint32_t keep);

    std::filesystem::path dir_;
    int lock_fd_ = -1; // -1 for a view
    std::vector<std::string> prune_problems_;
};

} // namespace factory::checkpoint
