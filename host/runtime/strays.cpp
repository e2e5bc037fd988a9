#include "runtime/strays.hpp"

#include <cctype>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>

#include <dirent.h>
#include <sys/wait.h>
#include <unistd.h>

namespace factory::runtime {

namespace {

// The parent pid in /proc/<pid>/stat: the field after the command, which is in parentheses and may
// itself hold spaces and parentheses, so the text is read from the last ')'.
pid_t parent_of(const char* pid) {
    std::string path = std::string("/proc/") + pid + "/stat";
    std::FILE* f = std::fopen(path.c_str(), "re");
    if (f == nullptr) return 0;
    char buf[512];
    std::size_t n = std::fread(buf, 1, sizeof buf - 1, f);
    std::fclose(f);
    buf[n] = '\0';
    const char* close = std::strrchr(buf, ')');
    if (close == nullptr) return 0;
    char state = 0;
    int ppid = 0;
    if (std::sscanf(close + 1, " %c %d", &state, &ppid) != 2) return 0;
    return static_cast<pid_t>(ppid);
}

} // namespace

std::vector<pid_t> children_of_self() {
    std::vector<pid_t> out;
    const pid_t self = ::getpid();
    DIR* d = ::opendir("/proc");
    if (d == nullptr) return out;
    while (dirent* e = ::readdir(d)) {
        if (!std::isdigit(static_cast<unsigned char>(e->d_name[0]))) continue;
        if (parent_of(e->d_name) == self) out.push_back(static_cast<pid_t>(std::atol(e->d_name)));
    }
    ::closedir(d);
    return out;
}

std::size_t end_strays() {
    std::size_t ended = 0;
    // Each round may re-parent the strays' own children to this process; a fork bomb is not
    // chased forever.
    for (int round = 0; round < 16; ++round) {
        auto strays = children_of_self();
        if (strays.empty()) break;
        for (pid_t p : strays) ::kill(p, SIGKILL);
        for (pid_t p : strays)
            if (::waitpid(p, nullptr, 0) == p) ++ended;
    }
    // Children that ended on their own before this call are reaped too.
    while (::waitpid(-1, nullptr, WNOHANG) > 0) {
    }
    return ended;
}

} // namespace factory::runtime
