// What the supervision tests share: inputs, the plugins' paths, and reading the books back.
#pragma once

#include "support/host_run.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace factory::testing {

// `lines` JSON materials over 50 pids; every `poison_every`-th line (0: none) and line
// `poison_at` (0: none) carry "poison":true, which the faulty blueprint acts on.
inline void write_input(const std::filesystem::path& file, std::size_t lines, std::size_t poison_at,
                        std::size_t poison_every = 0) {
    std::ofstream out(file);
    for (std::size_t i = 1; i <= lines; ++i) {
        out << "{\"pid\":" << i % 50 << ",\"n\":" << i;
        if (i == poison_at || (poison_every != 0 && i % poison_every == 0)) out << ",\"poison\":true";
        out << "}\n";
    }
}

inline std::uint64_t u(const nlohmann::json& j, const char* key) { return j.at(key).get<std::uint64_t>(); }

// The materials' identity, with every kind of loss: purchased = assembled + dead-lettered + lost.
inline bool materials_add_up(const nlohmann::json& s) {
    return u(s, "purchased") == u(s, "assembled") + u(s.at("dead_lettered"), "materials") +
                                    u(s.at("dead_letters_not_written"), "materials") +
                                    u(s.at("lost_in_crashes"), "materials");
}

// Every line of every file in a folder, parsed as JSON (fails the parse on a torn line).
inline std::vector<nlohmann::json> all_lines(const std::filesystem::path& dir) {
    std::vector<nlohmann::json> rows;
    if (!std::filesystem::exists(dir)) return rows;
    for (const auto& e : std::filesystem::directory_iterator(dir))
        for (auto& j : read_jsonl(e.path())) rows.push_back(std::move(j));
    return rows;
}

// factory-host run in `dir` with `args`, under a minute's watchdog.
inline host_result run_in(const std::filesystem::path& dir, std::vector<std::string> args) {
    host_options opt;
    opt.timeout = std::chrono::seconds(60);
    opt.cwd = dir;
    return run_host(std::move(args), opt);
}

// What every fix of a hole must give: the run ended by itself (the watchdog did not end it), with
// `exit_code`, and its books balance to the unit.
inline void require_ended(const host_result& r, int exit_code) {
    INFO(r.err);
    REQUIRE_FALSE(r.timed_out);
    CHECK(r.exit_code == exit_code);
    REQUIRE(r.summary.is_object());
    CHECK(r.summary.at("balanced") == true);
    CHECK(materials_add_up(r.summary));
}

inline bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

inline const std::string faulty = FACTORY_FAULTY_PLUGIN;
inline const std::string hostile_source = FACTORY_HOSTILE_SOURCE;
inline const std::string hostile_exporter = FACTORY_HOSTILE_EXPORTER;
inline const std::string big_blueprint = FACTORY_BIG_PLUGIN;

} // namespace factory::testing
