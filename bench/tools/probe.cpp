// bench_probe: CPU and memory of a running factory, from /proc: the process PID and every
// process descended from it (factory-host and its purchasing, workshops and transportation).
//   bench_probe cpu PID SECONDS   CPU used over SECONDS, in % of one core, per process then
//                                 "total"; a process that ends meanwhile is left out
//   bench_probe mem PID           resident memory now and at peak (VmRSS, VmHWM), KiB
// Output: one tab-separated line per process, its name first (spaces as '_'). CPU time comes
// from /proc/<pid>/task/*/schedstat (nanoseconds, all threads), or from utime + stime in
// /proc/<pid>/stat (clock ticks) where schedstat is missing. Exits 1 when PID does not exist, 2 on bad arguments.
#include <dirent.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

struct proc_stat {
    std::string name;
    long ppid = 0;
    double cpu_ns = 0;
};

bool read_stat(long pid, proc_stat& out) {
    std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(f, line)) return false;
    // The name sits in parentheses and may hold spaces or ')': the fields start after the last ')'.
    const auto open = line.find('('), close = line.rfind(')');
    if (open == std::string::npos || close == std::string::npos) return false;
    out.name = line.substr(open + 1, close - open - 1);
    for (char& c : out.name)
        if (c == ' ') c = '_';
    std::istringstream rest(line.substr(close + 2));
    std::vector<std::string> fields;
    for (std::string x; rest >> x;) fields.push_back(x);
    // Fields 3 on: state ppid ... utime (14) stime (15).
    if (fields.size() < 13) return false;
    out.ppid = std::atol(fields[1].c_str());
    const double ticks = std::atof(fields[11].c_str()) + std::atof(fields[12].c_str());
    out.cpu_ns = ticks * 1e9 / static_cast<double>(sysconf(_SC_CLK_TCK));
    // schedstat is per thread: sum the process's threads (the factory's are single-threaded today).
    double run_ns = 0;
    bool have = false;
    const std::string tasks = "/proc/" + std::to_string(pid) + "/task";
    if (DIR* d = opendir(tasks.c_str())) {
        while (dirent* e = readdir(d)) {
            if (e->d_name[0] == '.') continue;
            std::ifstream sched(tasks + "/" + e->d_name + "/schedstat");
            double ns = 0;
            if (sched >> ns) {
                run_ns += ns;
                have = true;
            }
        }
        closedir(d);
    }
    if (have) out.cpu_ns = run_ns;
    return true;
}

// PID and its descendants, by pid.
std::map<long, proc_stat> tree(long root) {
    std::map<long, proc_stat> all;
    if (DIR* d = opendir("/proc")) {
        while (dirent* e = readdir(d)) {
            char* end = nullptr;
            long pid = std::strtol(e->d_name, &end, 10);
            proc_stat s;
            if (*end == '\0' && pid > 0 && read_stat(pid, s)) all[pid] = s;
        }
        closedir(d);
    }
    std::map<long, proc_stat> out;
    if (all.count(root) == 0) return out;
    out[root] = all[root];
    for (bool grew = true; grew;) {
        grew = false;
        for (const auto& [pid, s] : all)
            if (out.count(pid) == 0 && out.count(s.ppid) != 0) {
                out[pid] = s;
                grew = true;
            }
    }
    return out;
}

long status_kib(long pid, const std::string& key) {
    std::ifstream f("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(f, line);)
        if (line.rfind(key + ":", 0) == 0) return std::atol(line.c_str() + key.size() + 1);
    return -1;
}

int usage() {
    std::fprintf(stderr, "usage: bench_probe cpu PID SECONDS | bench_probe mem PID\n");
    return 2;
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 3) return usage();
    const std::string what = argv[1];
    const long root = std::atol(argv[2]);
    if (root <= 0 || (what != "cpu" && what != "mem") || (what == "cpu") != (argc == 4)) return usage();
    auto before = tree(root);
    if (before.empty()) {
        std::fprintf(stderr, "bench_probe: no process %ld\n", root);
        return 1;
    }
    if (what == "mem") {
        for (const auto& [pid, s] : before)
            std::printf("%s\t%ld\t%ld\n", s.name.c_str(), status_kib(pid, "VmRSS"), status_kib(pid, "VmHWM"));
        return 0;
    }
    const double seconds = std::atof(argv[3]);
    if (!(seconds > 0)) return usage();
    const auto t0 = std::chrono::steady_clock::now();
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
    const double elapsed_ns =
        std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count();
    double total = 0;
    for (const auto& [pid, s] : before) {
        proc_stat now;
        if (!read_stat(pid, now) || now.name != s.name) continue;
        const double pct = 100.0 * (now.cpu_ns - s.cpu_ns) / elapsed_ns;
        total += pct;
        std::printf("%s\t%.3f\n", s.name.c_str(), pct);
    }
    std::printf("total\t%.3f\n", total);
    return 0;
}
