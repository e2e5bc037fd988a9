// Products as tab-separated lines on standard output, through every renderer of the SDK.
#include <factory/exporter.hpp>
#include <factory/util/render.hpp>

#include <cstdio>
#include <string>

namespace {

class tsv_exporter : public factory::exporter {
public:
    static constexpr factory::info info{"tsv", "1.0.0", "products as tab-separated lines (install test)"};
    static constexpr const char* notes = "One line per product: pclass, then each field as text.";

    tsv_exporter(const factory::settings&, factory::host h, const factory::export_info&) : exporter(h) {}

    factory::export_result on_export(const factory::batch& b) {
        line_.clear();
        for (const factory_product* p : b) {
            const void* record = factory_product_payload(p);
            line_.append(b.schema().name);
            for (std::uint32_t i = 0; i < b.schema().field_count; ++i) {
                line_.push_back('\t');
                factory::render::append_field(line_, b.schema().fields[i], record, factory::render::style::text);
            }
            line_.push_back('\t');
            factory::render::append_json(line_, b.schema(), record);
            line_.push_back('\t');
            factory::render::append_csv_row(line_, b.schema(), record);
            line_.push_back('\n');
        }
        if (std::fwrite(line_.data(), 1, line_.size(), stdout) != line_.size())
            return factory::export_result::retry("standard output refused the lines");
        return factory::export_result::ok();
    }

private:
    std::string line_;
};

} // namespace

FACTORY_EXPORTER(tsv_exporter)
