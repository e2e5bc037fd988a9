#include "checkpoint/list_command.hpp"

#include "checkpoint/paths.hpp"
#include "checkpoint/store.hpp"
#include "plugins/text_table.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <ctime>

namespace fs = std::filesystem;

namespace factory::checkpoint {
namespace {

std::string utc_time(std::int64_t unix_ns) {
    const std::time_t s = static_cast<std::time_t>(unix_ns / 1'000'000'000);
    std::tm tm{};
    if (gmtime_r(&s, &tm) == nullptr) return "?";
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
    return buf;
}

std::string short_position(const std::string& hex) {
    if (hex.empty()) return "-";
    return hex.size() <= 20 ? hex : hex.substr(0, 12) + "..." + hex.substr(hex.size() - 5);
}

std::string workers_per_workshop(const manifest& m) {
    std::string text;
    for (std::uint32_t i = 0; i < m.workshops; ++i) {
        const std::string name = workshop_snapshot_name(i);
        std::string cell = "?";
        for (const file_entry& f : m.files)
            if (f.name == name) cell = std::to_string(f.workers);
        text += (i == 0 ? "" : "/") + cell;
    }
    return text.empty() ? "-" : text;
}

std::string human_size(std::uint64_t bytes) {
    if (bytes < 1024) return std::to_string(bytes) + " B";
    const char* units[] = {"KiB", "MiB", "GiB", "TiB"};
    double v = static_cast<double>(bytes) / 1024;
    int u = 0;
    for (; v >= 1024 && u < 3; ++u) v /= 1024;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f %s", v, units[u]);
    return buf;
}

// Whether DIR looks like a checkpoint folder: store::open made its lock, or it has epoch folders.
bool is_checkpoint_folder(const fs::path& dir, const store& s) {
    std::error_code ec;
    return fs::exists(dir / "lock", ec) || s.highest_epoch() > 0 || fs::exists(dir / store::folder_name(0), ec);
}

} // namespace

int list_command(const fs::path& dir, bool json, std::ostream& out, std::ostream& err) {
    std::error_code ec;
    if (!fs::exists(dir, ec)) {
        err << "factory-host checkpoints: " << dir.string() << " does not exist; give the checkpoint folder of a job\n";
        return 2;
    }
    try {
        const store s = store::view(dir);
        if (!is_checkpoint_folder(dir, s)) {
            err << "factory-host checkpoints: " << dir.string()
                << " is not a checkpoint folder (it has neither a lock file nor epoch-* folders)\n";
            return 2;
        }
        const std::vector<store::entry> all = s.list();
        std::vector<std::string> skipped;
        const std::optional<manifest> newest = s.latest(skipped);
        // Newer than the newest usable one: say why each is passed over (latest() read them).
        std::vector<std::string> why(all.size());
        for (std::size_t i = 0; i < all.size(); ++i)
            if (!newest || all[i].epoch > newest->epoch) why[i] = s.verify(all[i]);

        if (json) {
            nlohmann::json doc;
            doc["dir"] = dir.string();
            doc["newest_usable"] = newest ? nlohmann::json(newest->epoch) : nlohmann::json(nullptr);
            doc["skipped"] = skipped;
            doc["checkpoints"] = nlohmann::json::array();
            for (std::size_t i = 0; i < all.size(); ++i) {
                const store::entry& e = all[i];
                nlohmann::json row{{"epoch", e.epoch},
                                   {"complete", e.complete},
                                   {"bytes", e.bytes},
                                   {"problem", e.complete && !why[i].empty() ? why[i] : e.problem},
                                   {"newest_usable", newest && newest->epoch == e.epoch}};
                row["manifest"] = e.m ? nlohmann::json::parse(e.m->to_json()) : nlohmann::json(nullptr);
                doc["checkpoints"].push_back(std::move(row));
            }
            out << doc.dump(2) << '\n';
            return 0;
        }

        if (all.empty()) {
            out << "no checkpoints in " << dir.string() << '\n';
            return 0;
        }
        plugins::text_table table({"EPOCH", "TIME (UTC)", "PURCHASED", "POSITION", "WORKERS", "SIZE", "STATE"});
        for (std::size_t i = 0; i < all.size(); ++i) {
            const store::entry& e = all[i];
            std::string state;
            if (!e.complete)
                state = "incomplete: " + e.problem;
            else if (!why[i].empty() || !e.problem.empty())
                state = "complete, unusable: " + (why[i].empty() ? e.problem : why[i]);
            else
                state = std::string("complete") + (e.m->end_of_input ? ", end of input" : e.m->final ? ", final" : "");
            if (newest && newest->epoch == e.epoch) state += " (newest usable)";
            if (e.m)
                table.add({std::to_string(e.epoch), utc_time(e.m->created_unix_ns), std::to_string(e.m->purchased),
                           short_position(e.m->position_text), workers_per_workshop(*e.m), human_size(e.bytes), state});
            else
                table.add({std::to_string(e.epoch), "-", "-", "-", "-", human_size(e.bytes), state});
        }
        table.print(out);
        if (!newest) out << "no usable checkpoint: a run with this folder starts from the beginning\n";
        return 0;
    } catch (const checkpoint_error& x) {
        err << "factory-host checkpoints: " << x.what() << '\n';
        return 2;
    }
}

} // namespace factory::checkpoint
