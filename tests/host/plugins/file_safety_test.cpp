// Plugins that other users could have written or swapped are refused before they are loaded.
#include "plugins/loader.hpp"
#include "test_support.hpp"

#include <catch2/catch.hpp>

#include <unistd.h>

using namespace factory::plugins;
namespace fs = std::filesystem;

namespace {

const fs::perms file_mode = fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read;

std::string refusal(const fs::path& file) {
    return factory::testing::message_of<load_error>([&] { load_file(file); });
}

} // namespace

TEST_CASE("a plugin in a private folder loads") {
    factory::testing::scratch_dir tmp;
    const auto file = tmp.copy_fixture("libfixture_widget.so", tmp.folder("safe"));
    CHECK(load_file(file).name() == "fixture_widget");
}

TEST_CASE("a world-writable plugin file is refused with the chmod that fixes it") {
    factory::testing::scratch_dir tmp;
    const auto file = tmp.copy_fixture("libfixture_widget.so", tmp.folder("d"));
    fs::permissions(file, file_mode | fs::perms::others_write);
    const auto msg = refusal(file);
    CHECK_THAT(msg, Catch::StartsWith(file.string() + ": refusing to load a plugin that other users can write to"));
    CHECK_THAT(msg, Catch::Contains("mode 0646"));
    CHECK_THAT(msg, Catch::Contains("chmod go-w " + file.string()));
}

TEST_CASE("a group-writable plugin file is refused") {
    factory::testing::scratch_dir tmp;
    const auto file = tmp.copy_fixture("libfixture_widget.so", tmp.folder("d"));
    fs::permissions(file, file_mode | fs::perms::group_write);
    CHECK_THAT(refusal(file), Catch::Contains("other users can write to"));
}

TEST_CASE("a plugin in a world-writable folder without the sticky bit is refused") {
    factory::testing::scratch_dir tmp;
    const auto dir = tmp.folder("open");
    const auto file = tmp.copy_fixture("libfixture_widget.so", dir);
    fs::permissions(dir, fs::perms::all);
    const auto msg = refusal(file);
    CHECK(msg.find('\n') == std::string::npos);
    CHECK_THAT(msg, Catch::Contains("from a folder that other users can write to"));
    CHECK_THAT(msg, Catch::Contains(dir.string() + " has mode 0777"));
    CHECK_THAT(msg, Catch::Contains("chmod go-w " + dir.string()));
}

TEST_CASE("a plugin in a group-writable folder is refused") {
    factory::testing::scratch_dir tmp;
    const auto dir = tmp.folder("group");
    const auto file = tmp.copy_fixture("libfixture_widget.so", dir);
    fs::permissions(dir, fs::perms::owner_all | fs::perms::group_all);
    CHECK_THAT(refusal(file), Catch::Contains("has mode 0770"));
}

TEST_CASE("a plugin in a sticky world-writable folder, like /tmp, loads") {
    factory::testing::scratch_dir tmp;
    const auto dir = tmp.folder("sticky");
    const auto file = tmp.copy_fixture("libfixture_widget.so", dir);
    fs::permissions(dir, fs::perms::all | fs::perms::sticky_bit);
    CHECK(load_file(file).name() == "fixture_widget");
}

TEST_CASE("a safe link to a plugin in an unsafe folder is refused for the real folder") {
    factory::testing::scratch_dir tmp;
    const auto open = tmp.folder("open");
    const auto file = tmp.copy_fixture("libfixture_widget.so", open);
    fs::permissions(open, fs::perms::all);
    const auto link = tmp.folder("safe") / "libfixture_widget.so";
    fs::create_symlink(file, link);
    const auto msg = refusal(link);
    CHECK_THAT(msg, Catch::StartsWith(link.string() + ": "));
    CHECK_THAT(msg, Catch::Contains(open.string() + " has mode 0777"));
}

TEST_CASE("a plugin file or folder that belongs to another user is refused") {
    if (::geteuid() != 0) {
        WARN("not root: cannot give a file to another user here; the check is not exercised");
        return;
    }
    constexpr uid_t nobody = 65534;
    factory::testing::scratch_dir tmp;
    const auto dir = tmp.folder("theirs");
    const auto file = tmp.copy_fixture("libfixture_widget.so", dir);
    REQUIRE(::chown(file.c_str(), nobody, nobody) == 0);
    auto msg = refusal(file);
    CHECK_THAT(msg, Catch::Contains("whose file " + file.string() + " belongs to another user (uid 65534)"));
    REQUIRE(::chown(file.c_str(), 0, 0) == 0);
    REQUIRE(::chown(dir.c_str(), nobody, nobody) == 0);
    msg = refusal(file);
    CHECK_THAT(msg, Catch::Contains("whose folder " + dir.string() + " belongs to another user"));
    REQUIRE(::chown(dir.c_str(), 0, 0) == 0);
    CHECK(load_file(file).name() == "fixture_widget");
}

TEST_CASE("a plugin under a world-writable folder without the sticky bit, however far up, is refused") {
    factory::testing::scratch_dir tmp;
    const auto open = tmp.folder("open");
    const auto dir = open / "a" / "plugins";
    fs::create_directories(dir);
    fs::permissions(open / "a", fs::perms::owner_all);
    fs::permissions(dir, fs::perms::owner_all);
    const auto file = tmp.copy_fixture("libfixture_widget.so", dir);
    fs::permissions(open, fs::perms::all);
    const auto msg = refusal(file);
    CHECK(msg == file.string() + ": refusing to load a plugin under a folder that other users can write to (" +
                     open.string() + " has mode 0777, so anyone could rename what is in it and put their own tree in "
                     "its place); run 'chmod go-w " + open.string() +
                     "' or move the plugin to a folder whose every parent only root or you can write");
    // Sticky, as /tmp is: only an entry's owner may rename it.
    fs::permissions(open, fs::perms::all | fs::perms::sticky_bit);
    CHECK(load_file(file).name() == "fixture_widget");
}

TEST_CASE("a safe link into a tree under a writable folder is refused for the real tree's folder") {
    factory::testing::scratch_dir tmp;
    const auto open = tmp.folder("open");
    const auto dir = open / "plugins";
    fs::create_directories(dir);
    fs::permissions(dir, fs::perms::owner_all);
    const auto file = tmp.copy_fixture("libfixture_widget.so", dir);
    fs::permissions(open, fs::perms::owner_all | fs::perms::group_all);
    const auto link = tmp.folder("safe") / "libfixture_widget.so";
    fs::create_symlink(file, link);
    const auto msg = refusal(link);
    CHECK_THAT(msg, Catch::StartsWith(link.string() + ": refusing to load a plugin under a folder"));
    CHECK_THAT(msg, Catch::Contains(open.string() + " has mode 0770"));
}

TEST_CASE("a root-owned plugin folder inside a folder another user owns is refused (root only)") {
    if (::geteuid() != 0) {
        WARN("not root: cannot give a folder to another user here; the check is not exercised");
        return;
    }
    constexpr uid_t nobody = 65534;
    factory::testing::scratch_dir tmp;
    const auto theirs = tmp.folder("theirs");
    const auto dir = theirs / "plugins";
    fs::create_directories(dir);
    fs::permissions(dir, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                             fs::perms::others_read | fs::perms::others_exec);
    fs::permissions(theirs, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                fs::perms::others_read | fs::perms::others_exec);
    const auto file = tmp.copy_fixture("libfixture_widget.so", dir);
    REQUIRE(::chown(theirs.c_str(), nobody, nobody) == 0);
    CHECK(refusal(file) == file.string() + ": refusing to load a plugin whose enclosing folder " + theirs.string() +
                               " belongs to another user (uid 65534), who could replace it; copy the plugin to a "
                               "folder of your own");
    REQUIRE(::chown(theirs.c_str(), 0, 0) == 0);
    CHECK(load_file(file).name() == "fixture_widget");
}
