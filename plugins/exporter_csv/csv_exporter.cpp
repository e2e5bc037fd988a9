#include "csv_exporter.hpp"

namespace factory::output {

csv_exporter::csv_exporter(const factory::settings& s, factory::host h, const factory::export_info& info)
    : exporter(h), render_(render_options(s)), files_(s.string("dir"), ".csv", file_settings(s), info) {}

csv_exporter::~csv_exporter() {
    files_.close([this](const std::string& why) { report_close_failure(host(), "csv", why); });
}

factory::export_result csv_exporter::on_export(const factory::batch& b) {
    if (auto sizes = factory::check_record_sizes(b); sizes.code() != FACTORY_OK) return sizes;
    const factory_pclass& pc = b.schema();
    output_file* out = files_.get(b.pclass(), why_);
    if (out == nullptr) return factory::export_result::retry(why_);
    std::string& buf = out->buffer();
    const std::size_t mark = buf.size();
    // A file that held rows before has its header already; one made afresh (a removed file's
    // successor) gets it again. A rolled-back batch takes its header along.
    if (out->untouched()) {
        render::append_csv_header(buf, pc);
        buf.push_back('\n');
    }
    for (const factory_product* p : b) {
        render::append_csv_row(buf, pc, factory_product_payload(p), render_);
        buf.push_back('\n');
    }
    if (!out->commit(mark, why_)) return factory::export_result::retry(why_);
    return factory::export_result::ok();
}

factory::export_result csv_exporter::on_flush() {
    bool lost = false;
    if (files_.flush(why_, lost)) return factory::export_result::ok();
    // A removed file lost what it took: no retry brings that back.
    return lost ? factory::export_result::error(why_) : factory::export_result::retry(why_);
}

} // namespace factory::output
