// The host services of a source that keeps its workers' state (FACTORY_SOURCE_KEEPS_STATE, under
// --checkpoint): a worker handed to its workshop, a worker let go, a checkpoint taken now. The
// first two become control frames on the pid's line (shm/checkpoint_frame.hpp), in their place
// among the materials; the third is the checkpointer's. One thread: the source's, in its hooks.
#pragma once

#include "purchasing/buyer.hpp"
#include "purchasing/checkpointer.hpp"
#include "shm/checkpoint_frame.hpp"

#include <factory/abi.h>

#include <algorithm>
#include <cstring>
#include <string>

namespace factory::purchasing {

class handover {
public:
    handover(buyer& buy, checkpointer& ck) noexcept : buy_(buy), ck_(ck) {}

    static int restore(void* self, const factory_worker_image* w, factory_error* err) {
        auto* me = static_cast<handover*>(self);
        if (w == nullptr || (w->state_size != 0 && w->state == nullptr))
            return fail(err, "host_restore_worker: no worker, or a state size without state");
        if (w->state_size > me->buy_.max_payload() - sizeof(shm::control_worker))
            return fail(err, "host_restore_worker: pid " + std::to_string(w->pid) + "'s state of " +
                                 std::to_string(w->state_size) + " bytes does not fit in a line record; raise --max-material");
        const shm::control_worker head{w->hired_ns, w->last_seen_ns, w->materials, w->state_size};
        if (!me->buy_.push_control(static_cast<std::uint16_t>(shm::barrier_kind::restore_worker), w->pid, &head,
                                   sizeof head, w->state, w->state_size))
            return fail(err, "host_restore_worker: the run is stopping");
        return FACTORY_OK;
    }
    static int release(void* self, std::uint64_t pid, factory_error* err) {
        auto* me = static_cast<handover*>(self);
        if (!me->buy_.push_control(static_cast<std::uint16_t>(shm::barrier_kind::release_worker), pid, nullptr, 0,
                                   nullptr, 0))
            return fail(err, "host_release_worker: the run is stopping");
        return FACTORY_OK;
    }
    static int checkpoint_now(void* self, factory_error* err) {
        auto* me = static_cast<handover*>(self);
        std::string why;
        return me->ck_.take_now(why) ? FACTORY_OK : fail(err, why);
    }

private:
    static int fail(factory_error* err, const std::string& why) {
        if (err != nullptr) {
            const std::size_t n = std::min(why.size(), sizeof(err->message) - 1);
            std::memcpy(err->message, why.data(), n);
            err->message[n] = '\0';
        }
        return FACTORY_ERROR;
    }
    buyer& buy_;
    checkpointer& ck_;
};

} // namespace factory::purchasing
