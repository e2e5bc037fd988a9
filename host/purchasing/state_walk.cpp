#include "purchasing/state_walk.hpp"

#include <algorithm>
#include <cstring>
#include <exception>

namespace factory::purchasing {

state_walk::state_walk(const std::filesystem::path& epoch_folder) {
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(epoch_folder, ec)) {
        const std::string name = e.path().filename().string();
        if (name.rfind("workshop-", 0) == 0 && e.path().extension() == ".snap") files_.push_back(e.path());
    }
    // workshop-2 before workshop-10: by the number, not the text.
    std::sort(files_.begin(), files_.end(), [](const auto& a, const auto& b) {
        const auto na = a.stem().string(), nb = b.stem().string();
        return na.size() != nb.size() ? na.size() < nb.size() : na < nb;
    });
    raw_.struct_size = sizeof(factory_state_walk);
    raw_.self = this;
    raw_.host_next_worker = &state_walk::next_thunk;
}

bool state_walk::open_next_file(std::string& why) {
    const auto& path = files_[next_file_++];
    entries_.clear();
    next_entry_ = 0;
    try {
        reader_ = std::make_unique<checkpoint::snapshot_reader>(path);
    } catch (const std::exception& e) {
        reader_.reset();
        why = e.what();
        return false;
    }
    entries_.reserve(reader_->workers());
    reader_->each_worker([&](const checkpoint::worker_record& r, const void* state) { entries_.push_back({r, state}); });
    return true;
}

int state_walk::next(factory_worker_image& out, std::string& why) {
    while (next_entry_ == entries_.size()) {
        if (next_file_ == files_.size()) return FACTORY_END;
        if (!open_next_file(why)) return FACTORY_ERROR;
    }
    const entry& e = entries_[next_entry_++];
    out.pid = e.record.pid;
    out.hired_ns = e.record.hired_ns;
    out.last_seen_ns = e.record.last_seen_ns;
    out.materials = e.record.materials;
    out.state_size = e.record.state_size;
    out.state = e.state;
    return FACTORY_OK;
}

int state_walk::next_thunk(void* self, factory_worker_image* out, factory_error* err) {
    std::string why;
    const int rc = static_cast<state_walk*>(self)->next(*out, why);
    if (rc == FACTORY_ERROR && err != nullptr) {
        const std::size_t n = std::min(why.size(), sizeof(err->message) - 1);
        std::memcpy(err->message, why.data(), n);
        err->message[n] = '\0';
    }
    return rc;
}

} // namespace factory::purchasing
