#include "http/proc_usage.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include <fcntl.h>
#include <unistd.h>

namespace factory::http {

std::optional<proc_usage> read_proc_usage(pid_t pid) {
    if (pid <= 0) return std::nullopt;
    const std::string path = "/proc/" + std::to_string(pid) + "/stat";
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return std::nullopt;
    char buf[1024];
    const ssize_t n = ::read(fd, buf, sizeof(buf) - 1);
    ::close(fd);
    if (n <= 0) return std::nullopt;
    buf[n] = '\0';
    // The command name (field 2) may hold spaces and parentheses: the fields after it start after
    // the last ')'. From there, field 3 (state) is token 1: utime is 12, stime 13, rss 22.
    const char* p = std::strrchr(buf, ')');
    if (p == nullptr) return std::nullopt;
    ++p;
    unsigned long long utime = 0, stime = 0, rss = 0;
    for (int token = 1; token <= 22; ++token) {
        while (*p == ' ') ++p;
        if (*p == '\0') return std::nullopt;
        char* end = nullptr;
        const unsigned long long v = std::strtoull(p, &end, 10);
        if (token == 12) utime = v;
        if (token == 13) stime = v;
        if (token == 22) rss = v;
        p = std::strchr(p, ' ');
        if (p == nullptr && token < 22) return std::nullopt;
        if (p == nullptr) break;
    }
    static const long ticks = ::sysconf(_SC_CLK_TCK);
    static const long page = ::sysconf(_SC_PAGESIZE);
    proc_usage u;
    u.cpu_seconds = static_cast<double>(utime + stime) / static_cast<double>(ticks > 0 ? ticks : 100);
    u.rss_bytes = rss * static_cast<unsigned long long>(page > 0 ? page : 4096);
    return u;
}

} // namespace factory::http
