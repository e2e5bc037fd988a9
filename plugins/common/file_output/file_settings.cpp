#include "file_settings.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace factory::output {

write_mode mode_of(std::string_view text) {
    if (text == "append") return write_mode::append;
    if (text == "replace") return write_mode::replace;
    return write_mode::refuse;
}

file_options file_settings(const factory::settings& s) {
    file_options o;
    o.mode = s.has("mode") ? mode_of(s.text("mode")) : write_mode::append;
    if (s.has("fsync")) o.durable = s.boolean("fsync");
    if (s.has("buffer")) o.buffer_size = static_cast<std::size_t>(s.size_bytes("buffer"));
    if (o.buffer_size == 0) o.buffer_size = 1; // buffer=0: write every batch at once
    return o;
}

render::options render_options(const factory::settings& s) {
    render::options o;
    o.time = s.text("time") == "iso8601" ? render::time_format::iso8601 : render::time_format::ns;
    return o;
}

void apply_mode(const std::string& path, write_mode mode, const char* where, bool remove,
                std::initializer_list<const char*> companions) {
    struct stat st{};
    if (mode == write_mode::append || ::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0)
        return;
    if (mode == write_mode::refuse)
        throw factory::error("'" + path + "' exists already (" + std::to_string(st.st_size) +
                             " bytes): set mode=append to add to it, or mode=replace to "
                             "start it afresh, or choose another " + where);
    if (!remove) {
        if (::truncate(path.c_str(), 0) != 0)
            throw factory::error("cannot empty '" + path + "' (mode=replace): " + std::strerror(errno));
        return;
    }
    for (const char* suffix : companions) {
        std::string other = path + suffix;
        if (::unlink(other.c_str()) != 0 && errno != ENOENT)
            throw factory::error("cannot remove '" + other + "' (mode=replace): " + std::strerror(errno));
    }
    if (::unlink(path.c_str()) != 0 && errno != ENOENT)
        throw factory::error("cannot remove '" + path + "' (mode=replace): " + std::strerror(errno));
}

} // namespace factory::output
