// Small file helpers the fault tests share: writing inputs, reading dead letters back, modes.
#pragma once

#include "support/host_run.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace factory::testing {

inline void write_file(const std::filesystem::path& file, const std::string& bytes) {
    std::ofstream out(file, std::ios::binary);
    out << bytes;
}

// The dead letters one stage wrote into `dir` (e.g. "purchasing", "workshop 1",
// "transportation"), in the order written; empty when it wrote none.
inline std::vector<nlohmann::json> dead_letters(const std::filesystem::path& dir, std::string stage) {
    std::replace(stage.begin(), stage.end(), ' ', '-');
    auto file = dir / (stage + ".jsonl");
    return std::filesystem::exists(file) ? read_jsonl(file) : std::vector<nlohmann::json>{};
}

// Permission bits (07777) of a file or folder, not following a last symlink; -1 when absent.
inline int mode_of(const std::filesystem::path& p) {
    struct stat st{};
    return ::lstat(p.c_str(), &st) == 0 ? static_cast<int>(st.st_mode & 07777) : -1;
}

inline std::size_t line_count(const std::string& text) {
    return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

} // namespace factory::testing
