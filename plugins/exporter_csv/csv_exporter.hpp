// The csv exporter: one file per pclass, <dir>/<pclass>.csv, a header row of field names written
// once per file (when the file is new or empty), then one row per product (RFC 4180 quoting,
// rows end with "\n"; see <factory/util/render.hpp> for how values look; invalid UTF-8 in a string
// becomes U+FFFD, as in JSON). Appending to a file that already has rows adds no second header.
// Buffering, flush, fsync, failures, the lock and the mode setting as in the jsonl exporter.
// Checkpoints: on_commit records each file's length per epoch in <dir>/.factory-epochs-csv; a
// resumed job cuts its files back (a file cut to nothing gets its header again): exactly once.
#pragma once

#include "../common/file_output/file_settings.hpp"
#include "../common/file_output/pclass_files.hpp"

#include <factory/exporter.hpp>
#include <factory/util/render.hpp>

#include <memory>
#include <string>
#include <vector>

namespace factory::output {

class csv_exporter : public factory::exporter {
public:
    static constexpr factory::info info{"csv", "1.0.0", "products as CSV, one file per pclass"};
    static constexpr const char* notes =
        "One file per pclass, <dir>/<pclass>.csv: a header row of field names, then one row per product\n"
        "(RFC 4180 quoting). ipv4/ipv6 as text, time_ns as integer ns (time=iso8601: ISO 8601 UTC),\n"
        "u64 as unsigned decimal.\n"
        "Checkpoints: exactly once; each file's length per epoch is kept in .factory-epochs-csv\n"
        "and a resumed job cuts the files back to it.";
    static inline const factory::setting settings[] = {
        {"dir", FACTORY_SETTING_PATH_OUT, "factory-out",
         "folder for one <pclass>.csv file per pclass (made if missing)"},
        mode_setting,
        {"fsync", FACTORY_SETTING_BOOL, "false", "make every flush durable (fsync)"},
        {"buffer", FACTORY_SETTING_SIZE, "1MiB", "bytes buffered per file before writing"},
        {"time", FACTORY_SETTING_ENUM, "ns",
         "time_ns fields as integer nanoseconds or ISO 8601 UTC text", "ns|iso8601"},
    };

    csv_exporter(const factory::settings& s, factory::host h, const factory::export_info& info);
    // Writes what is still buffered; a failure is logged, naming the file.
    ~csv_exporter();

    factory::export_result on_export(const factory::batch& b);
    factory::export_result on_flush();
    void on_commit(std::uint64_t epoch) { files_.commit(epoch); }

private:
    render::options render_;
    pclass_files files_;
    std::string why_;
};

} // namespace factory::output
