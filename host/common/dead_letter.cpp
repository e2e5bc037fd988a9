#include "common/dead_letter.hpp"

#include "common/clock.hpp"
#include "common/log.hpp"

#include <factory/util/json.hpp>
#include <factory/util/render.hpp>

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace factory {

namespace {

const char* format_name(std::uint16_t f) {
    switch (f) {
    case FACTORY_FORMAT_BYTES: return "bytes";
    case FACTORY_FORMAT_FLOW4: return "flow4";
    case FACTORY_FORMAT_JSON: return "json";
    case FACTORY_FORMAT_PACKET: return "packet";
    default: return "custom";
    }
}

void append_hex(std::string& out, const void* data, std::size_t size) {
    static constexpr char digits[] = "0123456789abcdef";
    auto* p = static_cast<const unsigned char*>(data);
    out.push_back('"');
    for (std::size_t i = 0; i < size; ++i) {
        out.push_back(digits[p[i] >> 4]);
        out.push_back(digits[p[i] & 15]);
    }
    out.push_back('"');
}

// Valid UTF-8 without control characters other than tab: what survives a JSON string unchanged.
bool is_text(const void* data, std::size_t size) {
    auto* p = static_cast<const unsigned char*>(data);
    const unsigned char* end = p + size;
    while (p < end) {
        if (*p < 0x80) {
            if (*p < 0x20 && *p != '\t') return false;
            ++p;
            continue;
        }
        std::size_t n = json::detail::utf8_length(p, end);
        if (n == 0) return false;
        p += n;
    }
    return true;
}

} // namespace

dead_letter_writer::dead_letter_writer(std::filesystem::path dir, std::string stage)
    : dir_(std::move(dir)), stage_(std::move(stage)) {
    line_.reserve(4096);
}

dead_letter_writer::~dead_letter_writer() {
    if (fd_ >= 0) ::close(fd_);
}

std::filesystem::path dead_letter_writer::file() const {
    std::string name = stage_;
    for (char& c : name)
        if (c == ' ') c = '-';
    return dir_ / (name + ".jsonl");
}

bool dead_letter_writer::open() {
    if (fd_ >= 0) return true;
    if (open_failed_) return false;
    auto fail = [&](const std::string& why) {
        open_failed_ = true;
        log().error("cannot keep dead letters in {}: {}; every dead letter of this process is counted as lost",
                    dir_.string(), why);
        return false;
    };
    // The folder is made owner-only when this process makes it; one that exists keeps its mode
    // (it may be the user's working folder), but must be a folder of this user.
    std::error_code ec;
    if (dir_.has_parent_path()) std::filesystem::create_directories(dir_.parent_path(), ec);
    if (::mkdir(dir_.c_str(), 0700) != 0 && errno != EEXIST) return fail(std::strerror(errno));
    struct stat st {};
    if (::lstat(dir_.c_str(), &st) != 0) return fail(std::strerror(errno));
    if (!S_ISDIR(st.st_mode)) return fail("it is not a folder");
    if (st.st_uid != ::geteuid()) return fail("the folder belongs to another user");
    auto path = file();
    // O_NOFOLLOW: a link planted where the file should be is refused, not followed.
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) return fail(path.string() + ": " + std::strerror(errno));
    // O_CREAT's mode applies only to a new file; an existing one is tightened too.
    ::fchmod(fd, 0600);
    struct stat fst {};
    if (::fstat(fd, &fst) != 0) {
        ::close(fd);
        return fail(path.string() + ": " + std::strerror(errno));
    }
    size_ = fst.st_size;
    fd_ = fd;
    return true;
}

void dead_letter_writer::begin(std::string_view reason) {
    line_.clear();
    line_ += "{\"time\":\"";
    render::append_iso8601(line_, unix_ns());
    line_ += '"';
    line_ += ",\"stage\":";
    render::append_json_string(line_, stage_);
    line_ += ",\"reason\":";
    render::append_json_string(line_, reason);
}

void dead_letter_writer::report_failure(const std::string& why) {
    if (failures_++ == 0)
        log().error("cannot write a dead letter to {}: {}; dead letters that cannot be written are counted as "
                    "lost (free space or fix the folder for the next ones)",
                    file().string(), why);
}

bool dead_letter_writer::finish() {
    line_ += "}\n";
    if (!open()) {
        ++failures_;
        return false;
    }
    // One write per line: with O_APPEND, lines never interleave even across processes.
    ssize_t n = ::write(fd_, line_.data(), line_.size());
    if (n == static_cast<ssize_t>(line_.size())) {
        size_ += n;
        ++written_;
        return true;
    }
    const int why = n < 0 ? errno : ENOSPC;
    // A partial line would glue itself to the next one: cut the file back to its last whole line.
    // This process is the file's only writer (one file per stage), so size_ is that line's end.
    if (n > 0 && ::ftruncate(fd_, size_) != 0) size_ += n;
    report_failure(std::strerror(why));
    return false;
}

bool dead_letter_writer::rejected(std::string_view reason, const void* data, std::size_t size) {
    begin(reason);
    if (data != nullptr) {
        // Text stays readable; anything else (a damaged packet, invalid UTF-8) is kept exactly.
        if (is_text(data, size)) {
            line_ += ",\"data\":";
            render::append_json_string(line_, {static_cast<const char*>(data), size});
        } else {
            line_ += ",\"data_hex\":";
            append_hex(line_, data, size);
        }
    }
    return finish();
}

bool dead_letter_writer::material(std::string_view reason, const factory_material& m) {
    begin(reason);
    line_ += ",\"seq\":" + std::to_string(m.seq) + ",\"pid\":" + std::to_string(m.pid) +
             ",\"time_ns\":" + std::to_string(m.time_ns) + ",\"format\":\"" + format_name(m.format) + "\"";
    const char* payload = static_cast<const char*>(factory_material_payload(&m));
    if (m.format == FACTORY_FORMAT_JSON) {
        line_ += ",\"data\":";
        render::append_json_string(line_, {payload, m.size});
    } else {
        line_ += ",\"data_hex\":";
        append_hex(line_, payload, m.size);
    }
    return finish();
}

bool dead_letter_writer::product(std::string_view reason, std::string_view exporter,
                                 const factory_pclass* pclass, const factory_product& p) {
    begin(reason);
    if (!exporter.empty()) {
        line_ += ",\"exporter\":";
        render::append_json_string(line_, exporter);
    }
    line_ += ",\"pid\":" + std::to_string(p.pid) + ",\"pclass\":";
    if (pclass != nullptr) {
        render::append_json_string(line_, pclass->name);
        line_ += ",\"product\":";
        render::append_json(line_, *pclass, factory_product_payload(&p));
    } else {
        line_ += std::to_string(p.pclass) + ",\"data_hex\":";
        append_hex(line_, factory_product_payload(&p), p.size);
    }
    return finish();
}

} // namespace factory
