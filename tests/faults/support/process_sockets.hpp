// Which network sockets a process tree holds, read from /proc: for the test that a run opens none
// unless asked.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace factory::testing {

// `root` and every process whose parent is `root` (the host and its departments).
inline std::vector<pid_t> process_and_children(pid_t root) {
    std::vector<pid_t> all{root};
    for (const auto& e : std::filesystem::directory_iterator("/proc")) {
        const std::string name = e.path().filename().string();
        if (name.find_first_not_of("0123456789") != std::string::npos) continue;
        std::ifstream stat(e.path() / "stat");
        std::string line;
        std::getline(stat, line);
        // The title may hold spaces and parentheses: the fields after it start past the last ')'.
        const auto close = line.rfind(')');
        if (close == std::string::npos || close + 2 >= line.size()) continue;
        std::istringstream rest(line.substr(close + 2));
        char state = 0;
        pid_t parent = 0;
        rest >> state >> parent;
        if (parent == root) all.push_back(static_cast<pid_t>(std::stol(name)));
    }
    return all;
}

// The socket inodes among the open files of `pid`.
inline std::set<std::string> socket_inodes(pid_t pid) {
    std::set<std::string> inodes;
    std::error_code ec;
    for (std::filesystem::directory_iterator it("/proc/" + std::to_string(pid) + "/fd", ec), end; !ec && it != end;
         it.increment(ec)) {
        const std::string target = std::filesystem::read_symlink(it->path(), ec).string();
        if (target.rfind("socket:[", 0) == 0) inodes.insert(target.substr(8, target.size() - 9));
    }
    return inodes;
}

// The lines of /proc/net/{tcp,tcp6,udp,udp6,raw,raw6} whose inode is one of `inodes`: the IP
// sockets (listening, bound or connected) among them. Unix-domain sockets are not network sockets.
inline std::vector<std::string> ip_sockets_among(const std::set<std::string>& inodes) {
    std::vector<std::string> found;
    for (const char* table : {"tcp", "tcp6", "udp", "udp6", "raw", "raw6"}) {
        std::ifstream in(std::string("/proc/net/") + table);
        std::string line;
        std::getline(in, line); // header
        while (std::getline(in, line)) {
            std::istringstream fields(line);
            std::string f, inode;
            // sl local rem st tx:rx tr:when retrnsmt uid timeout inode
            for (int i = 0; i < 10 && fields >> f; ++i) inode = f;
            if (inodes.count(inode) != 0) found.push_back(std::string(table) + ": " + line);
        }
    }
    return found;
}

} // namespace factory::testing
