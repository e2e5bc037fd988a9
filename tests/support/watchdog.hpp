// A watchdog for tests that could hang (lost wake-ups, a peer process that never answers): it
// kills the whole test binary with a message and exit code 70 when its scope outlives `seconds`,
// so CI fails at once instead of stalling until its own timeout.
#pragma once

#include <csignal>

#include <unistd.h>

namespace factory::testing {

struct watchdog {
    explicit watchdog(unsigned seconds) {
        std::signal(SIGALRM, on_alarm);
        ::alarm(seconds);
    }
    ~watchdog() { ::alarm(0); }
    watchdog(const watchdog&) = delete;
    watchdog& operator=(const watchdog&) = delete;

private:
    static void on_alarm(int) {
        static const char message[] = "watchdog expired: a wait that should have ended hung (lost wake-up or peer)\n";
        (void)!::write(STDERR_FILENO, message, sizeof message - 1);
        ::_exit(70);
    }
};

} // namespace factory::testing
