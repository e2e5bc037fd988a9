// The stdout exporter: one line per product on standard output, either
//   text:   "<pclass> name=value name=value ..."  (see <factory/util/render.hpp> for values)
//   jsonl:  {"pclass":"<pclass>","name":value,...}
// Written through a buffer; on_flush() writes it out. A pipe or terminal cannot take back a partial
// write: bytes already out stay out and the rest follows, so no product is cut in the middle for
// good.
#pragma once

#include "../common/file_output/file_settings.hpp"
#include "../common/file_output/output_file.hpp"

#include <factory/exporter.hpp>
#include <factory/util/render.hpp>

#include <string>
#include <vector>

namespace factory::output {

class stdout_exporter : public factory::exporter {
public:
    static constexpr factory::info info{"stdout", "1.0.0", "products as lines on standard output"};
    static constexpr const char* notes =
        "One line per product: text (\"<pclass> name=value ...\") or jsonl. Written at each flush;\n"
        "a pipe cannot take back a partial write, so this exporter is at least once.";
    static inline const factory::setting settings[] = {
        {"format", FACTORY_SETTING_ENUM, "text",
         "text: 'pclass name=value ...' lines; jsonl: JSON objects with a pclass key", "text|jsonl"},
        {"time", FACTORY_SETTING_ENUM, "iso8601",
         "time_ns fields as integer nanoseconds or ISO 8601 UTC text", "ns|iso8601"},
        {"buffer", FACTORY_SETTING_SIZE, "64KiB", "bytes buffered before writing"},
    };

    stdout_exporter(const factory::settings& s, factory::host h, const factory::export_info& info);
    // Writes what is still buffered; a failure is logged.
    ~stdout_exporter();

    factory::export_result on_export(const factory::batch& b);
    factory::export_result on_flush();

private:
    bool json_;
    render::options render_;
    output_file out_;
    std::vector<std::string> prefixes_; // per pclass: "<name> " or {"pclass":"<name>"
    std::string why_;
};

} // namespace factory::output
