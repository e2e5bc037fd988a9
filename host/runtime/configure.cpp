#include "runtime/configure.hpp"

#include "cli/units.hpp"
#include "http/listen_address.hpp"
#include "plugins/resolve.hpp"
#include "plugins/search_path.hpp"
#include "plugins/settings_check.hpp"
#include "shm/ring.hpp"
#include "shm/stats.hpp"
#include "workshop/ticks.hpp"

#include <algorithm>
#include <bit>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include <sys/stat.h>
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

// Every product must fit its lane, or the first one shipped would wait forever for room that never
// comes: the blueprint's product classes give every record's size, so this is known now.
void check_products_fit(const plugins::plugin& bp, std::uint64_t lane_bytes) {
    const std::uint64_t capacity = ring_capacity_for(lane_bytes);
    const std::uint64_t largest = shm::max_record(capacity);
    const auto* d = bp.descriptor;
    for (std::uint32_t i = 0; i < d->pclass_count; ++i) {
        const std::uint64_t need = sizeof(factory_product) + d->pclasses[i].record_size;
        if (need > largest)
            throw std::runtime_error("blueprint " + std::string(bp.name()) + ": a product of pclass '" +
                                     d->pclasses[i].name + "' takes " + std::to_string(need) +
                                     " bytes, more than a lane of --lane-size " + cli::format_size(lane_bytes) +
                                     " can carry (a record may take a quarter of its lane); raise --lane-size to at least " +
                                     cli::format_size(std::bit_ceil((need + shm::ring_header_bytes) * 4)));
    }
}

// The dead-letter folder, if it exists, must be this user's own: dead letters hold the records
// themselves, and a folder another user owns could neither be trusted nor, often, written.
void check_dead_letter_owner(const std::filesystem::path& dir) {
    struct stat st {};
    if (::lstat(dir.c_str(), &st) != 0) return; // made on the first dead letter
    if (S_ISLNK(st.st_mode))
        throw std::runtime_error("--dead-letter " + dir.string() + " is a symbolic link; name the folder itself");
    if (st.st_uid != ::geteuid())
        throw std::runtime_error("--dead-letter " + dir.string() + " belongs to another user (uid " +
                                 std::to_string(st.st_uid) + "); name a folder of your own");
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

// Typed materials: the blueprint's layout goes to a source that can fill it. A blueprint that reads
// only records (no FACTORY_MATERIAL_TAKES_RAW) cannot run with a source that gives raw materials:
// every material would be refused, so the pairing is refused now.
material_layout material_layout_for(const plugins::plugin& source, const plugins::plugin& bp) {
    const factory_descriptor& s = *source.descriptor;
    const factory_descriptor& b = *bp.descriptor;
    if (b.material_layout == nullptr) return {};
    if ((s.material_flags & FACTORY_MATERIAL_FILLS_RECORDS) != 0) return material_layout(b.material_layout);
    if ((b.material_flags & FACTORY_MATERIAL_TAKES_RAW) != 0) return {};
    throw std::runtime_error("blueprint " + std::string(bp.name()) + " reads typed materials (its material_layout) "
                             "and source " + std::string(source.name()) + " cannot fill them (it gives raw "
                             "materials); use a source that fills records, such as jsonl, or a blueprint that "
                             "reads raw materials");
}

std::uint64_t ring_capacity_for(std::uint64_t bytes) {
    return std::bit_ceil(std::max<std::uint64_t>(bytes, 64u << 10));
}

run_config configure(const cli::run_options& opts) {
    auto path = plugins::standard_search_path(opts.plugin_dirs);
    run_config c;
    plugins::plugin source;
    c.source = choose(opts.source, plugins::kind::source, path, &source);
    plugins::plugin bp;
    c.blueprint = choose(opts.blueprint, plugins::kind::blueprint, path, &bp);
    check_products_fit(bp, opts.lane_bytes);
    c.materials = material_layout_for(source, bp);
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
    if (c.materials.record_size() > c.max_material)
        throw std::runtime_error("blueprint " + c.blueprint.name + ": its material_layout's records take " +
                                 std::to_string(c.materials.record_size()) + " bytes, more than --max-material " +
                                 std::to_string(c.max_material) + "; raise --max-material to at least that");
    c.export_retries = opts.export_retries;
    c.retry_backoff_ns = opts.retry_backoff_ns;
    check_duration("--hang-timeout", opts.hang_timeout_ns, true);
    // The supervisor looks for hangs on its once-a-second ops tick: a shorter timeout would be
    // honoured as a second at best, so it is refused rather than silently stretched.
    if (opts.hang_timeout_ns > 0 && opts.hang_timeout_ns < 1'000'000'000)
        throw std::runtime_error("--hang-timeout " + cli::format_duration(opts.hang_timeout_ns) +
                                 " is below what the hang check can honour (it runs once a second): give 1s or more, "
                                 "or 0 to turn it off");
    c.hang_timeout_ns = opts.hang_timeout_ns;
    c.max_restarts = opts.max_restarts;
    check_folder_option("--dead-letter", opts.dead_letter_dir);
    check_dead_letter_owner(opts.dead_letter_dir);
    c.max_dead_letters = opts.max_dead_letters.value_or(UINT64_MAX);
    if (opts.summary_json) check_file_option("--summary-json", *opts.summary_json);
    c.dead_letter_dir = opts.dead_letter_dir.string();
    c.log_level = opts.log_level;
    c.quiet = opts.quiet;
    if (opts.checkpoint_dir) {
        check_folder_option("--checkpoint", *opts.checkpoint_dir);
        const auto* hooks = source.descriptor->source;
        if (hooks == nullptr || hooks->on_position == nullptr || hooks->on_seek == nullptr)
            throw std::runtime_error("source " + c.source.name +
                                     " cannot say where its input stands, so a run could not resume from a "
                                     "checkpoint: --checkpoint needs a source that can (jsonl, pcap, synthetic)");
        c.source_keeps_state = (hooks->traits & FACTORY_SOURCE_KEEPS_STATE) != 0;
        c.checkpoint_dir = std::filesystem::absolute(*opts.checkpoint_dir).lexically_normal().string();
        c.checkpoint_every_ns = opts.checkpoint_every_ns;
        c.checkpoints_kept = opts.checkpoints_kept;
        c.savepoint_on_stop = opts.savepoint_on_stop;
    } else if (opts.savepoint_on_stop) {
        throw std::runtime_error("--on-stop savepoint keeps the workers in a checkpoint: give --checkpoint DIR too");
    }
    if (!opts.http.empty()) {
        try {
            c.http = http::listen_address::parse(opts.http, opts.http_public).to_string();
        } catch (const std::invalid_argument& e) {
            throw std::runtime_error(e.what());
        }
        c.http_public = opts.http_public;
        check_duration("--http-linger", opts.http_linger_ns, true);
        c.http_linger_ns = opts.http_linger_ns;
    }
    return c;
}

} // namespace factory::runtime
