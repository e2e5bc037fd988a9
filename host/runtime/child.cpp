#include "runtime/child.hpp"

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
    // If the host dies, so does the run: a child never outlives it.
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != id.host_pid) return 1;
    std::string name = role_name(id.what, id.index);
    ::prctl(PR_SET_NAME, name.c_str()); // top's COMM column (15 characters)
    // Ctrl-C reaches the whole process group; the host alone decides how the run ends.
    std::signal(SIGINT, SIG_IGN);
    std::signal(SIGPIPE, SIG_IGN);

    try {
        auto seg = shm::segment::open(id.segment);
        if (id.what == role::workshop && id.index >= seg.workshops()) return 1;
        auto cfg = run_config::from_json(seg.config());
        make_logger(department_of(id.what), name, cfg.quiet ? "warn" : cfg.log_level);
        auto& me = seg.process(slot_of(id));
        me.pid.store(static_cast<std::int32_t>(::getpid()), std::memory_order_relaxed);
        me.state.store(static_cast<std::uint32_t>(shm::child_state::starting), std::memory_order_release);
        int code = 0;
        switch (id.what) {
        case role::purchasing: code = purchasing::run(seg, cfg); break;
        case role::workshop: code = workshop::run(seg, cfg, id.index); break;
        case role::transportation: code = transportation::run(seg, cfg); break;
        }
        rusage ru{};
        ::getrusage(RUSAGE_SELF, &ru);
        me.peak_rss_kib.set(static_cast<std::uint64_t>(ru.ru_maxrss));
        if (me.state.load() != static_cast<std::uint32_t>(shm::child_state::failed)) {
            me.exit_clean.store(code == 0 ? 1 : 0, std::memory_order_relaxed);
            me.state.store(static_cast<std::uint32_t>(shm::child_state::done), std::memory_order_release);
        }
        return code;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "factory %s: %s\n", name.c_str(), e.what());
        return 3;
    }
}

} // namespace factory::runtime
