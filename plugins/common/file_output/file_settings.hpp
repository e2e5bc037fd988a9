// Settings the file exporters (jsonl, csv, sqlite, stdout) share, read once at open.
//   mode (refuse|append|replace)  what to do when an output file exists already and holds data
//   fsync (bool)                  make every flush durable
//   buffer (size)                 bytes buffered per file before they are written
//   time (ns|iso8601)             how time_ns fields are written
#pragma once

#include <factory/util/render.hpp>
#include <factory/settings.hpp>

#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>

namespace factory::output {

// What to do with an output file that exists, holding data, when a run starts: refuse to start
// (the default: a second run never mixes into the first one's output unasked), append to it, or
// replace it (empty it first).
enum class write_mode { refuse, append, replace };

// The `mode` setting, as each file exporter declares it.
inline constexpr factory::setting mode_setting{
    "mode", FACTORY_SETTING_ENUM, "refuse",
    "when an output file exists already: refuse to start, append to it, or replace it", "refuse|append|replace"};

write_mode mode_of(std::string_view text);

struct file_options {
    write_mode mode = write_mode::refuse;
    std::size_t buffer_size = std::size_t{1} << 20;
    bool durable = false; // fsync at flush
};

// From the settings mode, fsync and buffer (those an exporter declares; mode defaults to append
// for an exporter that does not declare it).
file_options file_settings(const factory::settings& s);

// From the setting time.
render::options render_options(const factory::settings& s);

// Applies `mode` to `path` when a run starts writing it (with its lock held): refuse throws
// factory::error naming the file, its size and the two settings that allow it (`where` names the
// setting that chose the file: "dir" or "file"); replace empties it (truncates it, or with
// `remove` removes it and the files named `path` + each of `companions`); append does nothing.
// A missing or empty file is left alone whatever the mode.
void apply_mode(const std::string& path, write_mode mode, const char* where, bool remove = false,
                std::initializer_list<const char*> companions = {});

} // namespace factory::output
