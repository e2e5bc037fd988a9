// Helpers of the checkpoint tests: an input whose per-pid results are known, the products of a run
// read back sorted (so runs can be compared to the byte whatever order workshops shipped in), and
// the summary's counts.
#pragma once

#include "support/host_run.hpp"

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace factory::testing {

// `lines` JSON materials over `pids` pids, with event time (1 ms apart, from 2026-01-01) so
// contracts run on the material clock; line `poison_at` (1-based; 0: none) carries "poison":true.
inline std::string keyed_input(std::size_t lines, std::size_t pids, std::size_t poison_at = 0) {
    std::string s;
    for (std::size_t i = 1; i <= lines; ++i) {
        s += "{\"pid\":" + std::to_string(i % pids) + ",\"ts\":" + std::to_string(1767225600000 + i) +
             ",\"n\":" + std::to_string(i) + ",\"bytes\":" + std::to_string(i % 97);
        if (i == poison_at) s += ",\"poison\":true";
        s += "}\n";
    }
    return s;
}

// Every line of every file in `dir`, sorted: a run's products, independent of shipping order.
inline std::vector<std::string> sorted_products(const std::filesystem::path& dir) {
    std::vector<std::string> lines;
    if (!std::filesystem::exists(dir)) return lines;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
        if (!e.is_regular_file() || e.path().filename().string().front() == '.') continue;
        std::ifstream in(e.path());
        for (std::string l; std::getline(in, l);)
            if (!l.empty()) lines.push_back(e.path().filename().string() + " " + l);
    }
    std::sort(lines.begin(), lines.end());
    return lines;
}

// Options for a run in `cwd` that sends `sig`, once the host's log shows `needle`, to its child
// titled `victim` ("factory: workshop 1"), to the host itself (victim "host"), or to the host's
// whole process group (victim ""); `sent` becomes true when it was sent.
inline host_options signal_when(const std::filesystem::path& cwd, const std::string& needle, const std::string& victim,
                                int sig, bool& sent) {
    host_options opt;
    opt.cwd = cwd;
    opt.own_process_group = victim.empty();
    opt.on_output = [&sent, needle, victim, sig](pid_t host, const std::string& err) {
        if (sent || err.find(needle) == std::string::npos) return;
        if (victim.empty()) sent = ::kill(-host, sig) == 0;
        else if (victim == "host") sent = ::kill(host, sig) == 0;
        else if (pid_t pid = find_child(host, victim); pid > 0) sent = ::kill(pid, sig) == 0;
    };
    return opt;
}

// The log line of a periodic checkpoint completing (any epoch: a resumed job continues its numbers).
inline const std::string any_checkpoint = " complete in ";

inline std::uint64_t count_of(const nlohmann::json& j, const char* key) { return j.at(key).get<std::uint64_t>(); }

} // namespace factory::testing
