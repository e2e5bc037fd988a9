#include "jsonl_exporter.hpp"

#include <sys/stat.h>

namespace factory::output {
namespace {

// Under --checkpoint a file is cut back after a crash; a pipe or device cannot be.
void refuse_unreplayable(const std::string& file) {
    struct stat st{};
    if (::stat(file.c_str(), &st) == 0 && !S_ISREG(st.st_mode))
        throw factory::error("setting 'file': '" + file + "' is not a regular file, so what was written to it after "
                             "the last checkpoint cannot be taken back after a crash; with --checkpoint give a "
                             "regular file (or use the stdout exporter, at least once)");
}

} // namespace

jsonl_exporter::jsonl_exporter(const factory::settings& s, factory::host h, const factory::export_info& info)
    : exporter(h), render_(render_options(s)) {
    file_options fo = file_settings(s);
    std::string file(values::trim(s.text("file")));
    if (file.empty()) {
        files_ = std::make_unique<pclass_files>(s.string("dir"), ".jsonl", fo, info);
        return;
    }
    if (info.checkpoints() || info.resuming()) refuse_unreplayable(file);
    lock_ = std::make_unique<output_lock>(file, "file");
    if (!lock_->resumed() && !info.resuming()) apply_mode(file, fo.mode, "file");
    epochs_ = std::make_unique<epoch_log>(file + ".factory-epochs", std::vector<std::string>{file});
    if (info.resuming()) epochs_->resume(info.resume_epoch());
    else if (info.checkpoints()) epochs_->start();
    single_ = std::make_unique<output_file>(file, fo.buffer_size, fo.durable);
    for (const factory_pclass& pc : info) {
        std::string p = "{\"pclass\":";
        render::append_json_string(p, pc.name);
        prefixes_.push_back(std::move(p));
    }
}

jsonl_exporter::~jsonl_exporter() {
    auto report = [this](const std::string& why) { report_close_failure(host(), "jsonl", why); };
    std::string why;
    if (single_ && !single_->close(why)) report(why);
    if (files_) files_->close(report);
}

factory::export_result jsonl_exporter::on_export(const factory::batch& b) {
    if (auto sizes = factory::check_record_sizes(b); sizes.code() != FACTORY_OK) return sizes;
    const factory_pclass& pc = b.schema();
    output_file* out = single_ ? single_.get() : files_->get(b.pclass(), why_);
    if (out == nullptr || (out->lost() && !out->reopen(why_))) return factory::export_result::retry(why_);
    if (single_ && b.pclass() >= prefixes_.size())
        return factory::export_result::error("batch of undeclared pclass " + std::to_string(b.pclass()));
    std::string& buf = out->buffer();
    const std::size_t mark = buf.size();
    for (const factory_product* p : b) {
        const void* record = factory_product_payload(p);
        if (single_) {
            buf.append(prefixes_[b.pclass()]);
            if (pc.field_count > 0) buf.push_back(',');
            render::append_json_members(buf, pc, record, render_);
            buf.append("}\n");
        } else {
            render::append_json(buf, pc, record, render_);
            buf.push_back('\n');
        }
    }
    if (!out->commit(mark, why_)) return factory::export_result::retry(why_);
    return factory::export_result::ok();
}

factory::export_result jsonl_exporter::on_flush() {
    bool lost = false;
    bool ok = single_ ? single_->flush(why_) : files_->flush(why_, lost);
    if (ok) return factory::export_result::ok();
    // A removed file lost what it took: no retry brings that back.
    if (lost || (single_ && single_->lost())) return factory::export_result::error(why_);
    return factory::export_result::retry(why_);
}

void jsonl_exporter::on_commit(std::uint64_t epoch) {
    if (single_) epochs_->commit(epoch);
    else files_->commit(epoch);
}

} // namespace factory::output
