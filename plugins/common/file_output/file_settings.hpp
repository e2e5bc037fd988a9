// Settings the file exporters (jsonl, csv, stdout) share, read once at open.
//   truncate (bool)       empty existing files at open instead of appending
//   fsync (bool)          make every flush durable
//   buffer (size)         bytes buffered per file before they are written
//   time (ns|iso8601)     how time_ns fields are written
#pragma once

#include <factory/util/render.hpp>
#include <factory/settings.hpp>

#include <cstddef>

namespace factory::output {

struct file_options {
    bool truncate = false;
    std::size_t buffer_size = std::size_t{1} << 20;
    bool durable = false; // fsync at flush
};

// From the settings truncate, fsync and buffer (those an exporter declares).
file_options file_settings(const factory::settings& s);

// From the setting time.
render::options render_options(const factory::settings& s);

} // namespace factory::output
