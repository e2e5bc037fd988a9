#include "csv_exporter.hpp"

namespace factory::output {

csv_exporter::csv_exporter(const factory::settings& s, factory::host h, const factory::export_info& info)
    : exporter(h), render_(render_options(s)), files_(s.string("dir"), ".csv", file_settings(s), info),
      header_written_(info.size(), false) {}

csv_exporter::~csv_exporter() {
    files_.close([this](const std::string& why) {
        try {
            host().log(factory::log_level::error,
                       "exporter csv: " + why + " at close; the products still buffered are lost");
        } catch (...) {
            // Nothing more can be done from a destructor.
        }
    });
}

factory::export_result csv_exporter::on_export(const factory::batch& b) {
    const factory_pclass& pc = b.schema();
    output_file* out = files_.get(b.pclass(), why_);
    if (out == nullptr) return factory::export_result::retry(why_);
    std::string& buf = out->buffer();
    const std::size_t mark = buf.size();
    // A file that held rows before this run has its header already.
    const bool header = !header_written_[b.pclass()] && out->was_empty();
    if (header) {
        render::append_csv_header(buf, pc);
        buf.push_back('\n');
    }
    for (const factory_product* p : b) {
        if (p->size < pc.record_size) {
            buf.resize(mark);
            return factory::export_result::error("product of " + std::to_string(p->size) + " bytes in pclass '" +
                                                 pc.name + "', whose records have " +
                                                 std::to_string(pc.record_size));
        }
        render::append_csv_row(buf, pc, factory_product_payload(p), render_);
        buf.push_back('\n');
    }
    // The header counts as written only once its batch is taken: a rolled-back batch takes it along.
    if (!out->commit(mark, why_)) return factory::export_result::retry(why_);
    header_written_[b.pclass()] = true;
    return factory::export_result::ok();
}

factory::export_result csv_exporter::on_flush() {
    return files_.flush(why_) ? factory::export_result::ok() : factory::export_result::retry(why_);
}

} // namespace factory::output
