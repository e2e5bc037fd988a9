#include "pclass_files.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>

namespace factory::output {
namespace {

bool fit_for_file_name(std::string_view name) {
    if (name.empty() || name == "." || name == "..") return false;
    for (char c : name)
        if (c == '/' || c == '\0') return false;
    return true;
}

} // namespace

void make_folder(const std::string& dir, const char* setting) {
    if (dir.empty()) throw factory::error(std::string("setting '") + setting + "' is empty; name a folder");
    // Each missing component in turn, so that every folder made here is private (0700).
    for (std::size_t i = 1; i <= dir.size(); ++i) {
        if (i != dir.size() && dir[i] != '/') continue;
        std::string part = dir.substr(0, i);
        if (::mkdir(part.c_str(), 0700) != 0 && errno != EEXIST)
            throw factory::error(std::string("setting '") + setting + "': cannot create folder '" + part +
                                 "': " + std::strerror(errno));
    }
    struct stat st{};
    if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
        throw factory::error(std::string("setting '") + setting + "': '" + dir +
                             "' is not a folder; name a folder, or remove the file in the way");
    if (::access(dir.c_str(), W_OK | X_OK) != 0)
        throw factory::error(std::string("setting '") + setting + "': folder '" + dir +
                             "' is not writable: " + std::strerror(errno));
}

pclass_files::pclass_files(const std::string& dir, const std::string& extension, const file_options& o,
                           const factory::export_info& info)
    : options_(o) {
    make_folder(dir, "dir");
    for (const factory_pclass& pc : info) {
        if (!fit_for_file_name(pc.name))
            throw factory::error(std::string("pclass '") + pc.name + "' cannot name a file");
        paths_.push_back(dir + "/" + pc.name + extension);
    }
    // Every lock before any file is looked at: a start refused for a lock changes nothing, and
    // one refused for an existing file (mode=refuse) has emptied nothing either.
    for (const std::string& p : paths_) locks_.push_back(std::make_unique<output_lock>(p, "dir"));
    // A resumed job's files are its own: it cuts them back instead of applying the mode.
    for (std::size_t i = 0; i < paths_.size(); ++i)
        if (!locks_[i]->resumed() && !info.resuming()) apply_mode(paths_[i], o.mode, "dir");
    epochs_ = std::make_unique<epoch_log>(dir + "/.factory-epochs-" + extension.substr(extension.find('.') + 1), paths_);
    if (info.resuming()) epochs_->resume(info.resume_epoch());
    else if (info.checkpoints()) epochs_->start();
    files_.resize(paths_.size());
}

output_file* pclass_files::get(std::uint32_t pclass, std::string& why) {
    if (pclass >= files_.size()) {
        why = "batch of pclass " + std::to_string(pclass) + ", but the blueprint declared " +
              std::to_string(files_.size());
        return nullptr;
    }
    if (files_[pclass] && files_[pclass]->lost() && !files_[pclass]->reopen(why)) return nullptr;
    if (!files_[pclass]) {
        try {
            // The mode was applied at open; from here on, always append.
            files_[pclass] = std::make_unique<output_file>(paths_[pclass], options_.buffer_size, options_.durable);
        } catch (const std::exception& e) {
            why = e.what();
            return nullptr;
        }
    }
    return files_[pclass].get();
}

bool pclass_files::flush(std::string& why, bool& lost) {
    bool ok = true;
    lost = false;
    std::string one;
    for (auto& f : files_)
        if (f && !f->flush(one)) {
            // A lost file decides the answer (error), so its reason is the one given.
            if (ok || (f->lost() && !lost)) why = one;
            ok = false;
            lost = lost || f->lost();
        }
    return ok;
}

} // namespace factory::output
