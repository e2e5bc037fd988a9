#include "epoch_log.hpp"

#include <factory/settings.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace factory::output {
namespace {

constexpr const char* header = "factory-epochs 1";

std::string base_name(const std::string& path) {
    const auto slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string folder_of(const std::string& path) {
    const auto slash = path.rfind('/');
    return slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
}

[[noreturn]] void fail(const std::string& what, const std::string& path) {
    throw factory::error(what + " '" + path + "' failed: " + std::strerror(errno));
}

void sync_fd(int fd, const std::string& path) {
    if (::fsync(fd) != 0) {
        const int e = errno;
        ::close(fd);
        errno = e;
        fail("fsync of", path);
    }
}

} // namespace

epoch_log::epoch_log(std::string sidecar, std::vector<std::string> files)
    : sidecar_(std::move(sidecar)), files_(std::move(files)) {
    for (const std::string& f : files_) {
        names_.push_back(base_name(f));
        if (names_.back().find('\n') != std::string::npos)
            throw factory::error("output '" + f + "' has a line break in its name, which the epochs file '" +
                                 sidecar_ + "' cannot record; choose another name to use --checkpoint");
    }
}

std::vector<std::uint64_t> epoch_log::lengths(bool sync) const {
    std::vector<std::uint64_t> out;
    for (const std::string& f : files_) {
        const int fd = ::open(f.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            if (errno == ENOENT) {
                out.push_back(0); // not created yet: no product of its pclass so far
                continue;
            }
            fail("opening", f);
        }
        struct stat st{};
        if (::fstat(fd, &st) != 0) {
            const int e = errno;
            ::close(fd);
            errno = e;
            fail("stat of", f);
        }
        // Durable before its length is recorded: a length in the sidecar is never more than the disk has.
        if (sync && S_ISREG(st.st_mode)) sync_fd(fd, f);
        ::close(fd);
        out.push_back(S_ISREG(st.st_mode) ? static_cast<std::uint64_t>(st.st_size) : 0);
    }
    return out;
}

std::vector<epoch_log::entry> epoch_log::read() const {
    std::ifstream in(sidecar_);
    if (!in)
        throw factory::error("cannot read the epochs file '" + sidecar_ + "' (" + std::strerror(errno) +
                             "): without it the outputs cannot be returned to the checkpoint; restore the file, or "
                             "start the job afresh (a new checkpoint folder)");
    const auto damaged = [this](const std::string& why) {
        return factory::error("the epochs file '" + sidecar_ + "' is damaged (" + why +
                              "); restore it, or start the job afresh (a new checkpoint folder)");
    };
    std::string line;
    if (!std::getline(in, line) || line != header) throw damaged("no '" + std::string(header) + "' line first");
    std::vector<std::string> names;
    std::vector<entry> entries;
    while (std::getline(in, line)) {
        if (line.rfind("file ", 0) == 0) {
            if (!entries.empty()) throw damaged("a file line after an epoch line");
            names.push_back(line.substr(5));
            continue;
        }
        std::istringstream words(line);
        std::string tag;
        entry e{};
        if (!(words >> tag >> e.epoch) || tag != "epoch") throw damaged("unreadable line '" + line + "'");
        std::uint64_t n = 0;
        while (words >> n) e.lengths.push_back(n);
        if (!words.eof() || e.lengths.size() != names.size())
            throw damaged("epoch " + std::to_string(e.epoch) + " does not give one length per file");
        entries.push_back(std::move(e));
    }
    if (names != names_) {
        std::string listed;
        for (const auto& n : names) listed += (listed.empty() ? "" : ", ") + n;
        std::string wanted;
        for (const auto& n : names_) wanted += (wanted.empty() ? "" : ", ") + n;
        throw factory::error("the epochs file '" + sidecar_ + "' records the outputs " + listed + ", not " + wanted +
                             " (the blueprint's pclasses or the settings changed since the checkpoint); resume "
                             "with the same blueprint and settings, or start the job afresh");
    }
    return entries;
}

void epoch_log::write(const std::vector<entry>& entries) const {
    std::string text = std::string(header) + "\n";
    for (const auto& n : names_) text += "file " + n + "\n";
    for (const auto& e : entries) {
        text += "epoch " + std::to_string(e.epoch);
        for (std::uint64_t n : e.lengths) text += " " + std::to_string(n);
        text += "\n";
    }
    const std::string tmp = sidecar_ + ".tmp";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) fail("creating", tmp);
    for (std::size_t done = 0; done < text.size();) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            const int e = n < 0 ? errno : EIO;
            ::close(fd);
            errno = e;
            fail("writing", tmp);
        }
        done += static_cast<std::size_t>(n);
    }
    sync_fd(fd, tmp);
    ::close(fd);
    if (::rename(tmp.c_str(), sidecar_.c_str()) != 0) fail("renaming over", sidecar_);
    // The rename, and any output file created since the last commit, reach the disk with the folder.
    const std::string folder = folder_of(sidecar_);
    const int dir = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) fail("opening folder", folder);
    sync_fd(dir, folder);
    ::close(dir);
}

void epoch_log::start() { write({entry{0, lengths(true)}}); }

void epoch_log::commit(std::uint64_t epoch) {
    std::vector<entry> entries;
    struct stat st{};
    if (::stat(sidecar_.c_str(), &st) == 0) entries = read();
    std::erase_if(entries, [epoch](const entry& e) { return e.epoch >= epoch; });
    entries.push_back(entry{epoch, lengths(true)});
    if (entries.size() > kept) entries.erase(entries.begin(), entries.end() - static_cast<long>(kept));
    write(entries);
}

void epoch_log::resume(std::uint64_t epoch) {
    std::vector<entry> entries = read();
    const auto at = std::find_if(entries.begin(), entries.end(), [epoch](const entry& e) { return e.epoch == epoch; });
    if (at == entries.end()) {
        std::string held;
        for (const auto& e : entries) held += (held.empty() ? "" : ", ") + std::to_string(e.epoch);
        throw factory::error("the epochs file '" + sidecar_ + "' has no epoch " + std::to_string(epoch) + " (it holds " +
                             (held.empty() ? std::string("none") : held) +
                             "): the outputs cannot be returned to that checkpoint; resume from one it holds, or "
                             "start the job afresh");
    }
    const std::vector<std::uint64_t> now = lengths(false);
    for (std::size_t i = 0; i < files_.size(); ++i)
        if (now[i] < at->lengths[i])
            throw factory::error("'" + files_[i] + "' holds " + std::to_string(now[i]) + " bytes, fewer than the " +
                                 std::to_string(at->lengths[i]) + " it held at epoch " + std::to_string(epoch) +
                                 ": bytes the checkpoint counted on were lost; restore the file, or start the job "
                                 "afresh");
    for (std::size_t i = 0; i < files_.size(); ++i)
        if (now[i] > at->lengths[i] && ::truncate(files_[i].c_str(), static_cast<off_t>(at->lengths[i])) != 0)
            fail("cutting back (to its length at epoch " + std::to_string(epoch) + ")", files_[i]);
    entries.erase(at + 1, entries.end());
    write(entries);
}

} // namespace factory::output
