// The jsonl exporter: every product as one JSON object per line (field names as keys, see
// <factory/util/render.hpp>), either one file per pclass, <dir>/<pclass>.jsonl, or everything in one
// file with a "pclass" key first. Written through a large buffer: on_flush() hands it to the OS,
// and with fsync=true makes it durable. A batch that cannot be written is answered with retry
// and nothing of it stays written; a file removed under the run is an error at flush (what it
// took since the last flush goes to the dead-letter output) and is made afresh after.
// At open, each output file is locked against a second run and the mode setting says what
// happens to one that exists (refuse, append, replace; see file_settings.hpp).
// Checkpoints: on_commit records each file's length per epoch (epoch_log.hpp) in
// <dir>/.factory-epochs-jsonl, or <file>.factory-epochs in file mode; a resumed job cuts its files
// back to their lengths at the resume epoch: exactly once.
#pragma once

#include "../common/file_output/file_settings.hpp"
#include "../common/file_output/output_file.hpp"
#include "../common/file_output/output_lock.hpp"
#include "../common/file_output/pclass_files.hpp"

#include <factory/exporter.hpp>
#include <factory/util/render.hpp>

#include <memory>
#include <string>
#include <vector>

namespace factory::output {

class jsonl_exporter : public factory::exporter {
public:
    static constexpr factory::info info{"jsonl", "1.0.0",
                                        "products as JSON lines, one file per pclass or one file"};
    static constexpr const char* notes =
        "One JSON object per product and line, field names as keys: one file per pclass, or one file\n"
        "with a \"pclass\" key first. u64 values above 2^53 lose precision in JavaScript-based readers;\n"
        "ipv4/ipv6 are strings, time_ns integer ns (time=iso8601: ISO 8601 UTC).\n"
        "Checkpoints: exactly once; each file's length per epoch is kept in .factory-epochs-jsonl\n"
        "(file mode: <file>.factory-epochs) and a resumed job cuts the files back to it.";
    static inline const factory::setting settings[] = {
        {"dir", FACTORY_SETTING_PATH_OUT, "factory-out",
         "folder for one <pclass>.jsonl file per pclass (made if missing)"},
        {"file", FACTORY_SETTING_STRING, "",
         "one file for all products instead, each with a \"pclass\" key; empty: use dir"},
        mode_setting,
        {"fsync", FACTORY_SETTING_BOOL, "false", "make every flush durable (fsync)"},
        {"buffer", FACTORY_SETTING_SIZE, "1MiB", "bytes buffered per file before writing"},
        {"time", FACTORY_SETTING_ENUM, "ns",
         "time_ns fields as integer nanoseconds or ISO 8601 UTC text", "ns|iso8601"},
    };

    jsonl_exporter(const factory::settings& s, factory::host h, const factory::export_info& info);
    // Writes what is still buffered; a failure is logged, naming the file.
    ~jsonl_exporter();

    factory::export_result on_export(const factory::batch& b);
    factory::export_result on_flush();
    void on_commit(std::uint64_t epoch);

private:
    render::options render_;
    std::unique_ptr<pclass_files> files_;  // dir mode
    std::unique_ptr<output_lock> lock_;    // file mode
    std::unique_ptr<epoch_log> epochs_;    // file mode
    std::unique_ptr<output_file> single_;  // file mode
    std::vector<std::string> prefixes_;    // file mode: {"pclass":"<name>" per pclass
    std::string why_;
};

} // namespace factory::output
