#include "file_settings.hpp"

namespace factory::output {

file_options file_settings(const factory::settings& s) {
    file_options o;
    if (s.has("truncate")) o.truncate = s.boolean("truncate");
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

} // namespace factory::output
