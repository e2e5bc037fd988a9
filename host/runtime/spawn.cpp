#include "runtime/spawn.hpp"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include <spawn.h>
#include <unistd.h>

extern char** environ;

namespace factory::runtime {

pid_t spawn_child(role r, std::uint32_t index, const std::string& segment) {
    std::string title = "factory: " + role_name(r, index);
    std::string role_value = r == role::purchasing      ? "purchasing"
                             : r == role::transportation ? "transportation"
                                                         : "workshop:" + std::to_string(index);
    std::vector<std::string> env_store;
    for (char** e = environ; *e != nullptr; ++e) {
        std::string_view kv(*e);
        if (kv.rfind(std::string(role_env) + "=", 0) == 0 || kv.rfind(std::string(segment_env) + "=", 0) == 0)
            continue;
        env_store.emplace_back(kv);
    }
    env_store.push_back(std::string(role_env) + "=" + role_value);
    env_store.push_back(std::string(segment_env) + "=" + segment);
    std::vector<char*> envp;
    for (auto& s : env_store) envp.push_back(s.data());
    envp.push_back(nullptr);
    char* argv[] = {title.data(), nullptr};

    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    // The child starts with default signal dispositions and nothing blocked, whatever the host's
    // Asio signal handling has set up.
    sigset_t none, defaults;
    sigemptyset(&none);
    sigemptyset(&defaults);
    for (int s : {SIGINT, SIGTERM, SIGCHLD, SIGHUP, SIGPIPE, SIGUSR1}) sigaddset(&defaults, s);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    // Anything buffered in the host's stdio must not be written twice.
    std::fflush(nullptr);
    pid_t pid = 0;
    int rc = posix_spawn(&pid, "/proc/self/exe", nullptr, &attr, argv, envp.data());
    posix_spawnattr_destroy(&attr);
    if (rc != 0)
        throw std::runtime_error("cannot start the " + role_name(r, index) + " process: " + std::strerror(rc));
    return pid;
}

} // namespace factory::runtime
