// The workers of one completed checkpoint, as a source walks them in on_checkpoint_done
// (factory_state_walk): the epoch's workshop snapshots are read one file at a time, so a walk
// holds one workshop's workers in memory, never the whole checkpoint's.
#pragma once

#include "checkpoint/snapshot.hpp"

#include <factory/abi.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace factory::purchasing {

class state_walk {
public:
    // Every workshop-*.snap in `epoch_folder` (in workshop order). Reads nothing yet.
    explicit state_walk(const std::filesystem::path& epoch_folder);

    // The ABI view: valid while this object lives.
    const factory_state_walk* raw() noexcept { return &raw_; }

    // The next worker: FACTORY_OK, FACTORY_END, or FACTORY_ERROR with `why` (the file and what is
    // wrong with it).
    int next(factory_worker_image& out, std::string& why);

private:
    struct entry {
        checkpoint::worker_record record;
        const void* state;
    };
    static int next_thunk(void* self, factory_worker_image* out, factory_error* err);
    bool open_next_file(std::string& why);

    std::vector<std::filesystem::path> files_;
    std::size_t next_file_ = 0;
    std::unique_ptr<checkpoint::snapshot_reader> reader_;
    std::vector<entry> entries_; // of the current file
    std::size_t next_entry_ = 0;
    factory_state_walk raw_{};
};

} // namespace factory::purchasing
