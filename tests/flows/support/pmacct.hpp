// Running pmacctd (pmacct, from Debian) on a capture file, the way docs/flows.md states it: print
// plugin, 5-tuple aggregation, CSV with protocol numbers, one record per direction for the whole
// file, and a large plugin_pipe_size (with the default, pmacctd drops most packets of a large
// file without a word). A watchdog kills it after `timeout`.
#pragma once

#include "capture/expected.hpp"
#include "support/flow_records.hpp"

#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace factory::testing {

inline std::string pmacctd_path() {
    return FACTORY_PMACCTD;
}

// pmacctd's totals per one-way 5-tuple for `capture`, read from its CSV.
inline std::map<capture::flow_key, capture::tuple_total>
run_pmacctd(const std::filesystem::path& dir, const std::filesystem::path& capture,
            std::chrono::seconds timeout = std::chrono::seconds(60)) {
    if (pmacctd_path().empty() || !std::filesystem::exists(pmacctd_path()))
        throw std::runtime_error("pmacctd not found: install pmacct (scripts/install-deps.sh) and re-run cmake");
    const auto conf = dir / "pmacctd.conf";
    const auto csv = dir / "pmacct.csv";
    // Appending: each purge of its cache (when it fills up) adds its records; a new file per run.
    std::filesystem::remove(csv);
    {
        std::ofstream c(conf);
        c << "daemonize: false\n"
             "aggregate: src_host, dst_host, src_port, dst_port, proto\n"
             "plugins: print\n"
             "print_output: csv\n"
             "print_output_file: " << csv.string() << "\n"
             "print_output_file_append: true\n"
             "print_num_protos: true\n"
             "print_refresh_time: 3600\n"
             "plugin_pipe_size: 1024000000\n"
             "plugin_buffer_size: 10240000\n";
    }
    std::string exe = pmacctd_path(), f = "-f", conf_s = conf.string(), i = "-I", cap_s = capture.string();
    char* argv[] = {exe.data(), f.data(), conf_s.data(), i.data(), cap_s.data(), nullptr};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, (dir / "pmacctd.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, exe.c_str(), &fa, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) throw std::runtime_error("cannot start pmacctd");
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    int status = 0;
    while (::waitpid(pid, &status, WNOHANG) == 0) {
        if (std::chrono::steady_clock::now() > deadline) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, &status, 0);
            throw std::runtime_error("pmacctd did not finish within the watchdog's time");
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        throw std::runtime_error("pmacctd failed; see " + (dir / "pmacctd.log").string());
    std::map<capture::flow_key, capture::tuple_total> totals;
    std::ifstream in(csv);
    std::string line;
    std::getline(in, line); // SRC_IP,DST_IP,SRC_PORT,DST_PORT,PROTOCOL,PACKETS,BYTES
    if (line.rfind("SRC_IP,DST_IP,SRC_PORT,DST_PORT,PROTOCOL,PACKETS,BYTES", 0) != 0)
        throw std::runtime_error("pmacct.csv has an unexpected header: " + line);
    while (std::getline(in, line)) {
        if (line.rfind("SRC_IP,", 0) == 0) continue; // the header of a later purge
        std::istringstream s(line);
        std::string f[7];
        for (auto& x : f) std::getline(s, x, ',');
        capture::flow_key k;
        k.ip_version = f[0].find(':') != std::string::npos ? 6 : 4;
        k.src = parse_address(f[0], k.ip_version);
        k.dst = parse_address(f[1], k.ip_version);
        k.src_port = static_cast<std::uint16_t>(std::stoul(f[2]));
        k.dst_port = static_cast<std::uint16_t>(std::stoul(f[3]));
        k.protocol = static_cast<std::uint8_t>(std::stoul(f[4]));
        auto& t = totals[k];
        t.packets += std::stoull(f[5]);
        t.bytes += std::stoull(f[6]);
    }
    return totals;
}

} // namespace factory::testing
