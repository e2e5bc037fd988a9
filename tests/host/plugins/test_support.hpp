// Helpers shared by the plugin loading tests: where the fixture plugins are, and scratch folders.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

namespace factory::testing {

namespace fs = std::filesystem;

inline fs::path fixture_dir() { return FACTORY_TEST_FIXTURE_DIR; }
inline fs::path fixture(const std::string& file_name) { return fixture_dir() / file_name; }

// A fresh folder (mode 0700) removed with everything in it at the end of the test.
class scratch_dir {
public:
    scratch_dir() {
        std::string pattern = (fs::temp_directory_path() / "factory-plugins-test-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        path_ = pattern;
    }
    ~scratch_dir() {
        std::error_code ec;
        fs::permissions(path_, fs::perms::owner_all, ec);
        fs::remove_all(path_, ec);
    }
    scratch_dir(const scratch_dir&) = delete;
    scratch_dir& operator=(const scratch_dir&) = delete;

    const fs::path& path() const noexcept { return path_; }
    fs::path operator/(const std::string& name) const { return path_ / name; }

    // A sub-folder with owner-only rights.
    fs::path folder(const std::string& name) const {
        fs::create_directories(path_ / name);
        fs::permissions(path_ / name, fs::perms::owner_all);
        return path_ / name;
    }
    // Copies a fixture plugin into `folder` (as `as`, or under its own name), writable by its owner only.
    fs::path copy_fixture(const std::string& file_name, const fs::path& folder, const std::string& as = {}) const {
        const fs::path target = folder / (as.empty() ? file_name : as);
        fs::copy_file(fixture(file_name), target, fs::copy_options::overwrite_existing);
        fs::permissions(target, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                                    fs::perms::others_read);
        return target;
    }
    fs::path write(const std::string& name, const std::string& text) const {
        std::ofstream(path_ / name) << text;
        return path_ / name;
    }

private:
    fs::path path_;
};

// Runs `f`, which must throw E; returns its message (empty when it did not throw).
template <class E, class F>
std::string message_of(F&& f) {
    try {
        f();
    } catch (const E& e) {
        return e.what();
    }
    return {};
}

} // namespace factory::testing
