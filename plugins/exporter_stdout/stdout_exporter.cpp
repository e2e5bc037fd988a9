#include "stdout_exporter.hpp"

namespace factory::output {

stdout_exporter::stdout_exporter(const factory::settings& s, factory::host h, const factory::export_info& info)
    : exporter(h), json_(s.text("format") == "jsonl"), render_(render_options(s)),
      out_(file_settings(s).buffer_size) {
    for (const factory_pclass& pc : info) {
        std::string p;
        if (json_) {
            p = "{\"pclass\":";
            render::append_json_string(p, pc.name);
        } else {
            p = std::string(pc.name) + " ";
        }
        prefixes_.push_back(std::move(p));
    }
}

stdout_exporter::~stdout_exporter() {
    std::string why;
    if (!out_.close(why)) report_close_failure(host(), "stdout", why);
}

factory::export_result stdout_exporter::on_export(const factory::batch& b) {
    if (auto sizes = factory::check_record_sizes(b); sizes.code() != FACTORY_OK) return sizes;
    const factory_pclass& pc = b.schema();
    if (b.pclass() >= prefixes_.size())
        return factory::export_result::error("batch of undeclared pclass " + std::to_string(b.pclass()));
    std::string& buf = out_.buffer();
    const std::size_t mark = buf.size();
    for (const factory_product* p : b) {
        const void* record = factory_product_payload(p);
        buf.append(prefixes_[b.pclass()]);
        if (json_) {
            if (pc.field_count > 0) buf.push_back(',');
            render::append_json_members(buf, pc, record, render_);
            buf.push_back('}');
        } else {
            render::append_text(buf, pc, record, render_);
        }
        buf.push_back('\n');
    }
    if (!out_.commit(mark, why_)) return factory::export_result::retry(why_);
    return factory::export_result::ok();
}

factory::export_result stdout_exporter::on_flush() {
    return out_.flush(why_) ? factory::export_result::ok() : factory::export_result::retry(why_);
}

} // namespace factory::output
