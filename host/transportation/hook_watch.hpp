// An exporter's hooks on a thread of their own, so that one that never returns cannot keep the run
// alive forever nor starve the other exporters. Each call is handed to the thread and waited for up
// to a limit (--hang-timeout); while it waits, the caller's heartbeat keeps beating, since
// transportation itself is not hung. A call that outlives the limit makes the exporter stuck for
// good: that call and every later one answer FACTORY_ERROR at once (its products go to the
// dead-letter output with the reason), and the exporter is never called again, not even on_close.
// Its thread is left to the process's end, blocked where the plugin holds it.
//
// One hand-off per batch and per flush, never per product. Thread rules: run() and stuck() from
// the one thread that owns the watch (transportation's).
#pragma once

#include "shm/counter.hpp"

#include <factory/abi.h>

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace factory::transportation {

class hook_watch {
public:
    using hook_fn = int (*)(void* ctx, factory_error* err);

    // limit_ns 0: no limit, hooks run on the caller's thread. heartbeat may be null.
    hook_watch(std::string exporter, std::int64_t limit_ns, shm::counter* heartbeat);
    ~hook_watch();
    hook_watch(const hook_watch&) = delete;
    hook_watch& operator=(const hook_watch&) = delete;

    // Runs fn(ctx, err) and returns its answer; or FACTORY_ERROR with err saying so when the
    // exporter is stuck, or becomes stuck in this call (`hook` names it in the message).
    int run(hook_fn fn, void* ctx, factory_error* err, const char* hook);
    bool stuck() const noexcept { return stuck_; }

private:
    struct shared; // the state both threads touch; outlives the watch when the thread is stuck
    // The thread's body. Its own reference keeps the state alive when the watch gives up on a stuck
    // call and is destroyed before the plugin ever returns.
    static void serve(std::shared_ptr<shared> s);

    std::string exporter_;
    std::int64_t limit_ns_;
    shm::counter* heartbeat_;
    std::shared_ptr<shared> state_;
    std::thread thread_;
    bool stuck_ = false;
    std::string stuck_in_;
};

} // namespace factory::transportation
