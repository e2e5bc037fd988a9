#include "runtime/child_end.hpp"

#include <cstring>

#include <sys/wait.h>

namespace factory::runtime {

child_end classify_end(role r, int wait_status, shm::child_state state) noexcept {
    if (!WIFEXITED(wait_status)) return child_end::died;
    const int c = WEXITSTATUS(wait_status);
    if (state == shm::child_state::failed && c == code(child_exit::refused)) return child_end::refused;
    if (state != shm::child_state::done) return child_end::died;
    if (c == code(child_exit::finished)) return child_end::finished;
    if ((r == role::purchasing && c == code(child_exit::source_failed)) ||
        (r == role::transportation && c == code(child_exit::undelivered)))
        return child_end::finished_unclean;
    return child_end::died;
}

std::string describe_status(int status) {
    if (WIFEXITED(status)) return "exit code " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status)) return std::string("signal ") + ::strsignal(WTERMSIG(status));
    return "status " + std::to_string(status);
}

} // namespace factory::runtime
