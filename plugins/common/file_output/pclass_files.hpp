// One output file per pclass in a folder, <dir>/<pclass><extension>, for the jsonl and csv
// exporters. The folder is made at open (an error then names it), every pclass's file is locked
// (output_lock.hpp: a second run writing the same files is refused) and the mode setting is
// applied to each, all before anything is written; a pclass's file is created at its first
// batch, so a pclass that ships nothing leaves no file, and a file that cannot be created then is
// a retry for that batch, not the end of the run.
//
// Checkpoints (export_info::checkpoints()): the files' lengths per epoch are kept in
// <dir>/.factory-epochs-<extension without its dot> (epoch_log.hpp). A job that starts applies the
// mode setting as any run does (mode=refuse still refuses files that exist) and records what the
// files hold then as epoch 0; a job that resumes (export_info::resuming()) takes the files as its
// own, whatever the mode, and cuts them back to their lengths at the resume epoch.
#pragma once

#include "epoch_log.hpp"
#include "file_settings.hpp"
#include "output_file.hpp"
#include "output_lock.hpp"

#include <factory/exporter.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace factory::output {

// Creates `dir` and its missing parents with mode 0700; throws factory::error naming the folder
// when that fails or it is not writable.
void make_folder(const std::string& dir, const char* setting);

class pclass_files {
public:
    // Throws factory::error (folder not usable, a pclass name unfit for a file name, a file that
    // another run writes, or that exists when mode=refuse, or cannot be emptied for mode=replace).
    pclass_files(const std::string& dir, const std::string& extension, const file_options& o,
                 const factory::export_info& info);

    // The file of `pclass`, created on first use; nullptr when it cannot be, with `why`.
    output_file* get(std::uint32_t pclass, std::string& why);

    // Flushes every open file; false with the first failure's `why` (the others are still tried),
    // and `lost` when a file was found removed (see output_file.hpp).
    bool flush(std::string& why, bool& lost);

    // Closes every open file, writing what they hold; calls failed(why) for each that fails.
    template <class Report>
    void close(Report&& failed) {
        std::string why;
        for (auto& f : files_)
            if (f && !f->close(why)) failed(why);
    }

    std::string path_of(std::uint32_t pclass) const { return paths_.at(pclass); }

    // Records the files' lengths as `epoch` (call after a successful flush); throws factory::error.
    void commit(std::uint64_t epoch) { epochs_->commit(epoch); }
    const epoch_log& epochs() const noexcept { return *epochs_; }

private:
    file_options options_;
    std::unique_ptr<epoch_log> epochs_;
    std::vector<std::string> paths_;
    std::vector<std::unique_ptr<output_lock>> locks_;
    std::vector<std::unique_ptr<output_file>> files_;
};

} // namespace factory::output
