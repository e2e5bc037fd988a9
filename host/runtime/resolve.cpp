#include "runtime/resolve.hpp"

#include "plugins/resolve.hpp"
#include "plugins/search_path.hpp"
#include "plugins/settings_check.hpp"
#include "shm/stats.hpp"
#include "workshop/ticks.hpp"

#include <filesystem>
#include <stdexcept>
#include <thread>

#include <unistd.h>

namespace factory::runtime {

namespace {

plugin_choice choose(const cli::plugin_spec& spec, plugins::kind k, const plugins::search_path& path,
                     plugins::plugin* loaded = nullptr) {
    plugins::plugin p = plugins::resolve(spec.target, k, path);
    plugin_choice c;
    c.name = std::string(p.name());
    c.file = p.file.string();
    c.settings = plugins::check_settings(p, spec.settings, spec.base_dir);
    if (loaded != nullptr) *loaded = p;
    return c;
}

// The name of the source setting whose value makes materials carry event time, when one of them
// is set (FACTORY_SETTING_EVENT_TIME in the descriptor: read without running plugin code).
std::string event_time_setting(const factory_descriptor& d, const plugin_choice& chosen) {
    for (std::uint32_t i = 0; i < d.setting_count; ++i) {
        if ((d.settings[i].flags & FACTORY_SETTING_EVENT_TIME) == 0) continue;
        for (const auto& [key, value] : chosen.settings)
            if (key == d.settings[i].key && !value.empty()) return key;
    }
    return {};
}

void check_duration(const char* option, std::int64_t ns, bool zero_allowed) {
    if (ns < 0 || (ns == 0 && !zero_allowed))
        throw std::runtime_error(std::string(option) + " must be " + (zero_allowed ? "zero or more" : "positive"));
    if (ns >= max_duration_ns)
        throw std::runtime_error(std::string(option) + " must be under 24 days (the roster's tick range)");
}

// A folder the run will create on first use (--dead-letter): it must be a folder if it exists, or
// creatable in its nearest existing parent.
void check_folder_option(const char* option, const std::filesystem::path& dir) {
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::path at = fs::absolute(dir, ec);
    if (fs::exists(at, ec)) {
        if (!fs::is_directory(at, ec))
            throw std::runtime_error(std::string(option) + " " + dir.string() + " is not a folder; name a folder");
        if (::access(at.c_str(), W_OK | X_OK) != 0)
            throw std::runtime_error(std::string(option) + " " + dir.string() + " is not writable");
        return;
    }
    fs::path parent = at.parent_path();
    while (!parent.empty() && !fs::exists(parent, ec)) parent = parent.parent_path();
    if (parent.empty() || !fs::is_directory(parent, ec) || ::access(parent.c_str(), W_OK | X_OK) != 0)
        throw std::runtime_error(std::string(option) + " " + dir.string() + " cannot be created (" +
                                 parent.string() + " is not a writable folder)");
}

// A file the host writes at the end (--summary-json): its folder must exist and be writable now,
// not after an hour of work.
void check_file_option(const char* option, const std::filesystem::path& file) {
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::path at = fs::absolute(file, ec);
    if (fs::is_directory(at, ec))
        throw std::runtime_error(std::string(option) + " " + file.string() + " is a folder; name a file");
    fs::path parent = at.parent_path();
    if (!fs::is_directory(parent, ec))
        throw std::runtime_error(std::string(option) + " " + file.string() + ": the folder " + parent.string() +
                                 " does not exist; create it first");
    if (::access(parent.c_str(), W_OK | X_OK) != 0)
        throw std::runtime_error(std::string(option) + " " + file.string() + ": the folder " + parent.string() +
                                 " is not writable");
}

} // namespace

run_config resolve(const cli::run_options& opts) {
    auto path = plugins::standard_search_path(opts.plugin_dirs);
    run_config c;
    plugins::plugin source;
    c.source = choose(opts.source, plugins::kind::source, path, &source);
    c.blueprint = choose(opts.blueprint, plugins::kind::blueprint, path);
    if (opts.exporters.empty()) {
        c.exporters.push_back(choose(cli::plugin_spec{"jsonl", {}}, plugins::kind::exporter, path));
    } else {
        for (const auto& e : opts.exporters) c.exporters.push_back(choose(e, plugins::kind::exporter, path));
    }
    if (c.exporters.size() > shm::max_exporters)
        throw std::runtime_error("at most " + std::to_string(shm::max_exporters) + " --exporter options");

    unsigned cores = std::thread::hardware_concurrency();
    c.workshops = opts.workshops != 0 ? opts.workshops : (cores != 0 ? cores : 1);
    c.rate = opts.rate;
    check_duration("--contract", opts.contract_ns, false);
    check_duration("--inspect", opts.inspect_ns, true);
    check_duration("--max-age", opts.max_age_ns, true);
    c.contract_ns = opts.contract_ns;
    c.inspect_ns = opts.inspect_ns;
    c.max_age_ns = opts.max_age_ns;
    c.max_workers = opts.max_workers;
    c.expect_workers = opts.expect_workers;
    if (opts.clock) {
        c.material_clock = *opts.clock == cli::clock_mode::material;
        c.clock_choice = c.material_clock ? "material (--clock material)" : "wall (--clock wall)";
    } else if (const std::string key = event_time_setting(*source.descriptor, c.source); !key.empty()) {
        // A source that gives event time: the wall clock would fire every worker at shutdown.
        c.material_clock = true;
        c.clock_choice = "material (the source gives event time: its setting " + key +
                         "; --clock wall to count wall time)";
    } else {
        c.clock_choice = "wall (the source gives no event time)";
    }
    if (opts.flush_ns <= 0) throw std::runtime_error("--flush must be positive");
    c.flush_ns = opts.flush_ns;
    if (opts.max_material < 16 || opts.max_material > opts.line_bytes / 8)
        throw std::runtime_error("--max-material must be between 16 bytes and an eighth of --line-size (" +
                                 std::to_string(opts.line_bytes / 8) + ")");
    c.max_material = opts.max_material;
    c.export_retries = opts.export_retries;
    c.retry_backoff_ns = opts.retry_backoff_ns;
    check_duration("--hang-timeout", opts.hang_timeout_ns, true);
    c.hang_timeout_ns = opts.hang_timeout_ns;
    c.max_restarts = opts.max_restarts;
    check_folder_option("--dead-letter", opts.dead_letter_dir);
    if (opts.summary_json) check_file_option("--summary-json", *opts.summary_json);
    c.dead_letter_dir = opts.dead_letter_dir.string();
    c.log_level = opts.log_level;
    c.quiet = opts.quiet;
    return c;
}

} // namespace factory::runtime
