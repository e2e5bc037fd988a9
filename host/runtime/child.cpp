#include "runtime/child.hpp"

#include "common/exit_codes.hpp"
#include "common/log.hpp"
#include "common/run_config.hpp"
#include "purchasing/purchasing.hpp"
#include "shm/barrier.hpp"
#include "shm/segment.hpp"
#include "transportation/transportation.hpp"
#include "workshop/workshop.hpp"

#include <csignal>
#include <cstdio>

#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

namespace factory::runtime {

namespace {

department department_of(role r) {
    switch (r) {
    case role::purchasing: return department::purchasing;
    case role::workshop: return department::workshop;
    case role::transportation: return department::transportation;
    }
    return department::ceo;
}

std::uint32_t slot_of(const child_identity& id) {
    switch (id.what) {
    case role::purchasing: return shm::purchasing_slot;
    case role::transportation: return shm::transport_slot;
    case role::workshop: return shm::workshop_slot(id.index);
    }
    return 0;
}

} // namespace

int child_main(const child_identity& id) {
    // If the host dies, so does the run: a child never outlives it. SIGKILL, because every
    // catchable signal is the host's to act on (below).
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != id.host_pid) return code(child_exit::not_ours);
    std::string name = role_name(id.what, id.index);
    ::prctl(PR_SET_NAME, name.c_str()); // top's COMM column (15 characters)
    // Ctrl-C, Ctrl-\, a hangup, timeout(1) and systemd's KillMode=control-group all signal the
    // whole process group at once; the host alone decides how the run ends, and stops its
    // children through the segment (or SIGKILL when they do not listen).
    for (int s : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE}) std::signal(s, SIG_IGN);
    // A plugin's printf is not output: stdout belongs to the stdout exporter, in transportation.
    // Elsewhere it joins the log on stderr instead of a stream someone may be parsing.
    if (id.what != role::transportation) ::dup2(STDERR_FILENO, STDOUT_FILENO);

    try {
        auto seg = shm::segment::open(id.segment);
        if (id.what == role::workshop && id.index >= seg.workshops()) return code(child_exit::not_ours);
        auto cfg = run_config::from_json(seg.config());
        make_logger(department_of(id.what), name, cfg.quiet ? "warn" : cfg.log_level);
        auto& me = seg.process(slot_of(id));
        me.pid.store(static_cast<std::int32_t>(::getpid()), std::memory_order_relaxed);
        me.state.store(static_cast<std::uint32_t>(shm::child_state::starting), std::memory_order_release);
        child_exit end = child_exit::finished;
        switch (id.what) {
        case role::purchasing: end = purchasing::run(seg, cfg); break;
        case role::workshop: end = workshop::run(seg, cfg, id.index); break;
        case role::transportation: end = transportation::run(seg, cfg); break;
        }
        rusage ru{};
        ::getrusage(RUSAGE_SELF, &ru);
        me.peak_rss_kib.set(static_cast<std::uint64_t>(ru.ru_maxrss));
        // The mark that makes this end orderly (child_end.hpp): reached only when the department
        // returned, never from a plugin that exits on its own.
        if (me.state.load() != static_cast<std::uint32_t>(shm::child_state::failed))
            me.state.store(static_cast<std::uint32_t>(shm::child_state::done), std::memory_order_release);
        return static_cast<int>(end);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "factory %s: %s\n", name.c_str(), e.what());
        return code(child_exit::setup_failed);
    }
}

} // namespace factory::runtime
