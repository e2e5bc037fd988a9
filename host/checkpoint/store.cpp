#include "checkpoint/store.hpp"

#include "checkpoint/paths.hpp"
#include "checkpoint/file_io.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <utility>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace factory::checkpoint {
namespace {

constexpr const char* manifest_name = "MANIFEST";

bool parse_u64(std::string_view text, std::uint64_t& v) {
    if (text.empty()) return false;
    const auto r = std::from_chars(text.data(), text.data() + text.size(), v);
    return r.ec == std::errc() && r.ptr == text.data() + text.size();
}

// "epoch-000000000007" -> 7; false for any other name.
bool epoch_of(const std::string& name, std::uint64_t& epoch) {
    constexpr std::string_view prefix = "epoch-";
    if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) return false;
    return parse_u64(std::string_view(name).substr(prefix.size()), epoch);
}

void make_private_dir(const fs::path& dir) {
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) fail("create the folder", dir, errno);
}

void check_folder(const fs::path& dir) {
    struct stat st{};
    if (::stat(dir.c_str(), &st) != 0) fail("open the checkpoint folder", dir, errno);
    if (!S_ISDIR(st.st_mode))
        throw checkpoint_error("checkpoint folder " + dir.string() + " is not a folder; give a folder for checkpoints");
}

std::string pid_in(int fd) {
    char buf[32] = {};
    const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
    std::uint64_t pid = 0;
    std::string_view text(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
    return parse_u64(text, pid) ? std::to_string(pid) : std::string("unknown");
}

// Sum of the sizes of the regular files in `dir` (one level: an epoch folder has no subfolders).
std::uint64_t bytes_in(const fs::path& dir) {
    std::uint64_t total = 0;
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        std::error_code size_ec;
        if (it->is_regular_file(size_ec)) {
            const auto n = it->file_size(size_ec);
            if (!size_ec) total += n;
        }
    }
    return total;
}

} // namespace

store store::open(const fs::path& dir) {
    std::error_code ec;
    if (!fs::exists(dir, ec)) {
        // "ck/" names the folder ck: create its parents with the umask's mode, ck itself 0700.
        const fs::path leaf = dir.has_filename() ? dir : dir.parent_path();
        if (leaf.has_parent_path()) fs::create_directories(leaf.parent_path(), ec);
        make_private_dir(leaf);
    }
    check_folder(dir);
    struct stat st{};
    ::stat(dir.c_str(), &st);
    if (st.st_uid != ::geteuid())
        throw checkpoint_error("checkpoint folder " + dir.string() + " belongs to another user (uid " +
                               std::to_string(st.st_uid) + "); use a folder of your own");
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
        throw checkpoint_error("checkpoint folder " + dir.string() +
                               " may be written by group or others, who could change what a run restores; run "
                               "'chmod go-w " + dir.string() + "'");

    const fs::path lock_path = dir / "lock";
    unique_fd lock = open_file(lock_path, O_RDWR | O_CREAT | O_NOFOLLOW);
    if (::flock(lock.get(), LOCK_EX | LOCK_NB) != 0) {
        const int err = errno;
        if (err == EWOULDBLOCK)
            throw checkpoint_error("another factory-host (pid " + pid_in(lock.get()) + ") uses " + dir.string() +
                                   "; wait for it to end, or give this run another checkpoint folder");
        fail("lock", lock_path, err);
    }
    const std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(lock.get(), 0) != 0 || ::pwrite(lock.get(), pid.data(), pid.size(), 0) < 0)
        fail("write", lock_path, errno);
    return store(dir, lock.release());
}

store store::view(const fs::path& dir) {
    check_folder(dir);
    return store(dir, -1);
}

store::store(store&& o) noexcept
    : dir_(std::move(o.dir_)), lock_fd_(std::exchange(o.lock_fd_, -1)), prune_problems_(std::move(o.prune_problems_)) {}

store& store::operator=(store&& o) noexcept {
    if (this != &o) {
        if (lock_fd_ >= 0) ::close(lock_fd_);
        dir_ = std::move(o.dir_);
        lock_fd_ = std::exchange(o.lock_fd_, -1);
        prune_problems_ = std::move(o.prune_problems_);
    }
    return *this;
}

store::~store() {
    if (lock_fd_ >= 0) ::close(lock_fd_);
}

std::string store::folder_name(std::uint64_t epoch) { return epoch_folder_name(epoch); }

fs::path store::dir_for(std::uint64_t epoch) const {
    fs::path d = dir_ / folder_name(epoch);
    make_private_dir(d);
    return d;
}

void store::publish(const manifest& m, std::uint32_t keep) {
    if (lock_fd_ < 0) throw checkpoint_error("cannot publish into " + dir_.string() + ": opened for reading only");
    const fs::path d = dir_for(m.epoch);
    const fs::path temp = d / ".MANIFEST.tmp";
    const fs::path final_path = d / manifest_name;
    try {
        const std::string text = m.to_json();
        unique_fd fd = open_file(temp, O_WRONLY | O_CREAT | O_TRUNC);
        write_all(fd.get(), text.data(), text.size(), temp);
        if (::fsync(fd.get()) != 0) fail("sync", temp, errno);
        if (const int err = fd.close(); err != 0) fail("close", temp, err);
        if (::rename(temp.c_str(), final_path.c_str()) != 0) fail("rename into place", final_path, errno);
        sync_dir(d);
        sync_dir(dir_);
    } catch (...) {
        ::unlink(temp.c_str());
        throw;
    }
    prune(m.epoch, keep);
}

void store::prune(std::uint64_t published, std::uint32_t keep) {
    prune_problems_.clear();
    const std::vector<entry> all = list();
    std::vector<std::uint64_t> kept{published};
    std::uint32_t usable = 1; // the one just published
    for (auto it = all.rbegin(); it != all.rend(); ++it)
        if (it->epoch < published && it->complete && it->problem.empty() && usable < std::max<std::uint32_t>(keep, 1)) {
            kept.push_back(it->epoch);
            ++usable;
        }
    for (const entry& e : all) {
        if (e.epoch >= published || std::find(kept.begin(), kept.end(), e.epoch) != kept.end()) continue;
        const fs::path d = dir_ / folder_name(e.epoch);
        // The MANIFEST first: a removal cut short leaves an incomplete folder, never a complete-looking one.
        std::error_code ec;
        fs::remove(d / manifest_name, ec);
        if (!ec) fs::remove_all(d, ec);
        if (ec) prune_problems_.push_back("cannot remove " + d.string() + ": " + ec.message());
    }
}

std::vector<store::entry> store::list() const {
    std::vector<entry> out;
    std::error_code ec;
    for (fs::directory_iterator it(dir_, ec), end; !ec && it != end; it.increment(ec)) {
        entry e;
        std::error_code type_ec;
        if (!epoch_of(it->path().filename().string(), e.epoch) || !it->is_directory(type_ec)) continue;
        const fs::path d = it->path();
        e.bytes = bytes_in(d);
        const fs::path mf = d / manifest_name;
        if (!fs::exists(mf, type_ec)) {
            e.problem = "no MANIFEST (the checkpoint did not finish)";
        } else {
            try {
                e.m = manifest::from_json(read_text(mf));
                if (e.m->epoch != e.epoch)
                    e.problem = "its MANIFEST says epoch " + std::to_string(e.m->epoch);
                else
                    e.complete = true;
            } catch (const checkpoint_error& x) {
                e.problem = std::string("MANIFEST: ") + x.what();
                e.m.reset();
            }
        }
        if (e.complete)
            for (const file_entry& f : e.m->files) {
                std::error_code size_ec;
                const auto n = fs::file_size(d / f.name, size_ec);
                if (size_ec) {
                    e.problem = f.name + " is missing";
                    break;
                }
                if (n != f.bytes) {
                    e.problem = f.name + " has " + std::to_string(n) + " bytes, its MANIFEST says " + std::to_string(f.bytes);
                    break;
                }
            }
        out.push_back(std::move(e));
    }
    if (ec) fail("list", dir_, ec.value());
    std::sort(out.begin(), out.end(), [](const entry& a, const entry& b) { return a.epoch < b.epoch; });
    return out;
}

std::string store::verify(const entry& e) const {
    if (!e.complete) return "incomplete: " + e.problem;
    if (!e.problem.empty()) return e.problem;
    for (const file_entry& f : e.m->files) {
        try {
            const snapshot_reader r(dir_ / folder_name(e.epoch) / f.name);
            if (r.checksum() != f.checksum || r.bytes() != f.bytes)
                return f.name + ": checksum " + to_hex(r.checksum()) + ", its MANIFEST says " + to_hex(f.checksum);
            if (r.epoch() != e.epoch) return f.name + ": written for epoch " + std::to_string(r.epoch());
            if (r.workers() != f.workers)
                return f.name + ": " + std::to_string(r.workers()) + " workers, its MANIFEST says " +
                       std::to_string(f.workers);
        } catch (const checkpoint_error& x) {
            return x.what();
        }
    }
    return {};
}

std::optional<manifest> store::latest(std::vector<std::string>& skipped) const {
    const std::vector<entry> all = list();
    for (auto it = all.rbegin(); it != all.rend(); ++it) {
        const std::string why = verify(*it);
        if (why.empty()) return it->m;
        skipped.push_back("epoch " + std::to_string(it->epoch) + ": " + why);
    }
    return std::nullopt;
}

std::uint64_t store::highest_epoch() const {
    std::uint64_t highest = 0;
    std::error_code ec;
    for (fs::directory_iterator it(dir_, ec), end; !ec && it != end; it.increment(ec)) {
        std::uint64_t e = 0;
        if (epoch_of(it->path().filename().string(), e)) highest = std::max(highest, e);
    }
    if (ec) fail("list", dir_, ec.value());
    return highest;
}

void store::quarantine(std::uint64_t seq, const std::string& why) {
    const fs::path file = dir_ / "quarantine";
    if (lock_fd_ < 0) throw checkpoint_error("cannot write " + file.string() + ": opened for reading only");
    std::string line = std::to_string(seq) + "\t" + why + "\n";
    std::replace_if(line.begin() + static_cast<std::ptrdiff_t>(line.find('\t')), line.end() - 1,
                    [](char c) { return c == '\n' || c == '\r'; }, ' ');
    const bool existed = fs::exists(file);
    unique_fd fd = open_file(file, O_WRONLY | O_APPEND | O_CREAT);
    write_all(fd.get(), line.data(), line.size(), file); // one write: appends never interleave
    if (::fsync(fd.get()) != 0) fail("sync", file, errno);
    if (!existed) sync_dir(dir_);
}

std::vector<std::uint64_t> store::quarantined() const {
    const fs::path file = dir_ / "quarantine";
    std::error_code ec;
    if (!fs::exists(file, ec)) return {};
    const std::string text = read_text(file);
    std::vector<std::uint64_t> seqs;
    std::size_t at = 0;
    while (at < text.size()) {
        std::size_t eol = text.find('\n', at);
        if (eol == std::string::npos) break; // a line cut short by a crash: its fsync never returned
        const std::string_view line(text.data() + at, eol - at);
        std::uint64_t seq = 0;
        if (parse_u64(line.substr(0, line.find('\t')), seq)) seqs.push_back(seq);
        at = eol + 1;
    }
    std::sort(seqs.begin(), seqs.end());
    seqs.erase(std::unique(seqs.begin(), seqs.end()), seqs.end());
    return seqs;
}

} // namespace factory::checkpoint
