// Helpers for the command-line tests: running parse() on a list of words, and scratch files.
#pragma once

#include "cli/command_line.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace factory::testing {

struct parsed {
    cli::invocation inv;
    std::string out, err;
};

inline parsed parse_words(std::vector<std::string> words) {
    words.insert(words.begin(), "factory-host");
    std::vector<const char*> argv;
    for (const auto& w : words) argv.push_back(w.c_str());
    std::ostringstream out, err;
    auto inv = cli::parse(static_cast<int>(argv.size()), argv.data(), out, err);
    return {std::move(inv), out.str(), err.str()};
}

// A fresh folder, removed at the end of the test.
class scratch_dir {
public:
    scratch_dir() {
        std::string pattern = (std::filesystem::temp_directory_path() / "factory-cli-test-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        path_ = pattern;
    }
    ~scratch_dir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    scratch_dir(const scratch_dir&) = delete;
    scratch_dir& operator=(const scratch_dir&) = delete;

    std::string write(const std::string& name, const std::string& text) const {
        std::ofstream(path_ / name) << text;
        return (path_ / name).string();
    }

private:
    std::filesystem::path path_;
};

} // namespace factory::testing
