// Letting no one in, through factory-host: the shared segment and the dead letters are the owner's
// alone, a plugin other users could have replaced is refused with the reason, and a run opens no
// network socket unless an exporter asks for one.
#include "support/fault_files.hpp"
#include "support/host_run.hpp"
#include "support/process_sockets.hpp"

#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <string>

using namespace factory::testing;
namespace fs = std::filesystem;

namespace {

// What a test sees of the run while it is live, from the moment the host says it is running.
struct live_view {
    bool seen = false;
    int segment_mode = -1;
    uid_t segment_owner = static_cast<uid_t>(-1);
    std::size_t processes = 0;
    std::vector<std::string> ip_sockets;
};

host_options watch(const fs::path& cwd, live_view& view) {
    host_options opt;
    opt.cwd = cwd;
    opt.on_output = [&view](pid_t pid, const std::string& err) {
        if (view.seen || err.find("running:") == std::string::npos) return;
        view.seen = true;
        const std::string segment = "/dev/shm/factory-" + std::to_string(pid);
        struct stat st{};
        if (::stat(segment.c_str(), &st) == 0) {
            view.segment_mode = static_cast<int>(st.st_mode & 07777);
            view.segment_owner = st.st_uid;
        }
        std::set<std::string> inodes;
        auto tree = process_and_children(pid);
        view.processes = tree.size();
        for (pid_t p : tree) inodes.merge(socket_inodes(p));
        view.ip_sockets = ip_sockets_among(inodes);
    };
    return opt;
}

std::string refusal(const fs::path& plugin, const fs::path& culprit, const std::string& mode, bool folder) {
    if (folder)
        return plugin.string() + ": refusing to load a plugin from a folder that other users can write to (" +
               culprit.string() + " has mode " + mode + ", so anyone could replace the plugin); run 'chmod go-w " +
               culprit.string() + "' or move the plugin elsewhere";
    return plugin.string() + ": refusing to load a plugin that other users can write to (" + culprit.string() +
           " has mode " + mode + "); run 'chmod go-w " + culprit.string() + "'";
}

// A copy of the built widget plugin at `folder`/libwidget.so, the folder and the file with these modes.
fs::path copy_widget(const fs::path& folder, fs::perms folder_mode, fs::perms file_mode) {
    fs::create_directories(folder);
    auto file = folder / "libwidget.so";
    fs::copy_file(FACTORY_WIDGET_PLUGIN, file, fs::copy_options::overwrite_existing);
    fs::permissions(file, file_mode);
    fs::permissions(folder, folder_mode);
    return file;
}

const fs::perms rwxr_xr_x = fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                            fs::perms::others_read | fs::perms::others_exec;
const fs::perms rw_r__r__ = fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                            fs::perms::others_read;

} // namespace

TEST_CASE("while a run is live its shared segment is 0600 and no process holds a network socket", "[faults]") {
    auto dir = fresh_dir("segment");
    live_view view;
    auto r = run_host({"--source", "synthetic:keys=100", "--blueprint", "widget", "--exporter", "null",
                       "--workshops", "2", "--duration", "1s"},
                      watch(dir, view));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    REQUIRE(view.seen);
    CHECK(view.segment_mode == 0600);
    CHECK(view.segment_owner == ::geteuid());
    CHECK(view.processes == 5); // the host, purchasing, two workshops, transportation
    INFO("IP sockets: " << view.ip_sockets.size() << (view.ip_sockets.empty() ? "" : " " + view.ip_sockets[0]));
    CHECK(view.ip_sockets.empty());
    std::filesystem::remove_all(dir);
}

TEST_CASE("dead letters are the owner's alone: folder 0700, files 0600, whatever the umask", "[faults]") {
    auto dir = fresh_dir("dlmode");
    write_file(dir / "in.jsonl", "not json\n{\"pid\":1,\"size\":2}\n");
    // A dead-letter file left readable by an earlier run is tightened and appended to.
    fs::create_directories(dir / "dl");
    write_file(dir / "dl" / "purchasing.jsonl", "{\"reason\":\"from before\"}\n");
    fs::permissions(dir / "dl" / "purchasing.jsonl", rw_r__r__);
    const mode_t old_mask = ::umask(0);
    auto r = run_host({"--source", "jsonl:file=in.jsonl", "--blueprint", "widget", "--exporter", "null",
                       "--workshops", "1", "--dead-letter", "dl/new"},
                      {.cwd = dir});
    auto again = run_host({"--source", "jsonl:file=in.jsonl", "--blueprint", "widget", "--exporter", "null",
                           "--workshops", "1", "--dead-letter", "dl"},
                          {.cwd = dir});
    ::umask(old_mask);
    INFO(r.err << again.err);
    REQUIRE(r.exit_code == 0);
    REQUIRE(again.exit_code == 0);
    CHECK(mode_of(dir / "dl" / "new") == 0700);
    CHECK(mode_of(dir / "dl" / "new" / "purchasing.jsonl") == 0600);
    CHECK(mode_of(dir / "dl" / "new" / "workshop-1.jsonl") == 0600);
    CHECK(dead_letters(dir / "dl" / "new", "purchasing").size() == 1);
    CHECK(dead_letters(dir / "dl" / "new", "workshop 1").size() == 1);
    CHECK(mode_of(dir / "dl" / "purchasing.jsonl") == 0600);
    auto kept = dead_letters(dir / "dl", "purchasing");
    REQUIRE(kept.size() == 2);
    CHECK(kept[0].at("reason") == "from before");
    CHECK(kept[1].at("reason") == "line 1: invalid JSON at byte 0: expected '{': the document must be one JSON object");
    std::filesystem::remove_all(dir);
}

TEST_CASE("a plugin that other users could replace is refused, saying why and what to do", "[faults]") {
    auto dir = fresh_dir("pluginmode");
    write_file(dir / "in.jsonl", "{\"pid\":1,\"bytes\":2}\n");
    auto run_with = [&](std::vector<std::string> plugin_args) {
        std::vector<std::string> args{"--source", "jsonl:file=in.jsonl", "--exporter", "null", "--workshops", "1"};
        args.insert(args.end(), plugin_args.begin(), plugin_args.end());
        return run_host(args, {.cwd = dir});
    };

    SECTION("a plugin file and folder only its owner can write to loads (the control)") {
        auto file = copy_widget(dir / "safe", rwxr_xr_x, rw_r__r__);
        auto r = run_with({"--blueprint", file.string()});
        INFO(r.err);
        CHECK(r.exit_code == 0);
        CHECK(r.summary.at("assembled") == 1);
    }
    SECTION("a world-writable folder") {
        auto file = copy_widget(dir / "open", fs::perms::all, rw_r__r__);
        auto r = run_with({"--blueprint", file.string()});
        INFO(r.err);
        CHECK(r.exit_code == 2);
        CHECK(line_count(r.err) == 1);
        CHECK(r.err.find(refusal(file, dir / "open", "0777", true)) != std::string::npos);
        CHECK(r.summary.is_null());
    }
    SECTION("a group-writable plugin file") {
        auto file = copy_widget(dir / "safe", rwxr_xr_x, rw_r__r__ | fs::perms::group_write);
        auto r = run_with({"--blueprint", file.string()});
        INFO(r.err);
        CHECK(r.exit_code == 2);
        CHECK(line_count(r.err) == 1);
        CHECK(r.err.find(refusal(file, file, "0664", false)) != std::string::npos);
        CHECK(r.summary.is_null());
    }
    SECTION("a symlink in a safe folder to a plugin in a world-writable one") {
        auto real = copy_widget(dir / "open", fs::perms::all, rw_r__r__);
        fs::create_directories(dir / "safe");
        fs::permissions(dir / "safe", rwxr_xr_x);
        fs::create_symlink(real, dir / "safe" / "libwidget.so");
        auto r = run_with({"--blueprint", (dir / "safe" / "libwidget.so").string()});
        INFO(r.err);
        CHECK(r.exit_code == 2);
        CHECK(r.err.find(refusal(dir / "safe" / "libwidget.so", dir / "open", "0777", true)) != std::string::npos);
    }
    SECTION("a plugin found by name in a world-writable --plugin-dir: refused, not replaced by another") {
        auto file = copy_widget(dir / "open", fs::perms::all, rw_r__r__);
        auto r = run_with({"--plugin-dir", (dir / "open").string(), "--blueprint", "widget"});
        INFO(r.err);
        CHECK(r.exit_code == 2);
        CHECK(r.err.find(refusal(file, dir / "open", "0777", true)) != std::string::npos);
    }
    fs::permissions(dir, fs::perms::owner_all);
    std::filesystem::remove_all(dir);
}
