#include "transportation/hook_watch.hpp"

#include "cli/units.hpp"
#include "common/log.hpp"

#include <chrono>
#include <cstdio>

namespace factory::transportation {

struct hook_watch::shared {
    std::mutex m;
    std::condition_variable cv;
    hook_fn fn = nullptr;
    void* ctx = nullptr;
    factory_error err{};
    int answer = 0;
    bool pending = false, done = false, quit = false;
};

hook_watch::hook_watch(std::string exporter, std::int64_t limit_ns, shm::counter* heartbeat)
    : exporter_(std::move(exporter)), limit_ns_(limit_ns), heartbeat_(heartbeat) {
    if (limit_ns_ <= 0) return;
    state_ = std::make_shared<shared>();
    thread_ = std::thread(serve, state_);
}

hook_watch::~hook_watch() {
    if (!thread_.joinable()) return;
    if (stuck_) {
        thread_.detach();
        return;
    }
    {
        std::lock_guard lock(state_->m);
        state_->quit = true;
    }
    state_->cv.notify_all();
    thread_.join();
}

void hook_watch::serve(std::shared_ptr<shared> s) {
    std::unique_lock lock(s->m);
    for (;;) {
        s->cv.wait(lock, [&] { return s->pending || s->quit; });
        if (s->quit) return;
        s->pending = false;
        auto fn = s->fn;
        void* ctx = s->ctx;
        lock.unlock();
        factory_error err{};
        const int answer = fn(ctx, &err);
        lock.lock();
        s->err = err;
        s->answer = answer;
        s->done = true;
        s->cv.notify_all();
    }
}

int hook_watch::run(hook_fn fn, void* ctx, factory_error* err, const char* hook) {
    if (stuck_) {
        std::snprintf(err->message, sizeof err->message, "exporter %s is stuck in %s since the run gave up on it",
                      exporter_.c_str(), stuck_in_.c_str());
        return FACTORY_ERROR;
    }
    if (limit_ns_ <= 0) return fn(ctx, err);
    std::unique_lock lock(state_->m);
    state_->fn = fn;
    state_->ctx = ctx;
    state_->done = false;
    state_->pending = true;
    state_->cv.notify_all();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::nanoseconds(limit_ns_);
    while (!state_->done) {
        // Wake now and then to beat: a slow exporter is not a hung transportation.
        state_->cv.wait_for(lock, std::chrono::milliseconds(100), [&] { return state_->done; });
        if (heartbeat_ != nullptr) heartbeat_->add();
        if (!state_->done && std::chrono::steady_clock::now() >= deadline) {
            stuck_ = true;
            stuck_in_ = hook;
            const std::string took = cli::format_duration(limit_ns_);
            log().error("exporter {} has not returned from {} for {} (--hang-timeout); it is not called again and "
                        "its products go to the dead-letter output",
                        exporter_, hook, took);
            std::snprintf(err->message, sizeof err->message, "exporter %s stuck in %s for %s (--hang-timeout)",
                          exporter_.c_str(), hook, took.c_str());
            return FACTORY_ERROR;
        }
    }
    *err = state_->err;
    return state_->answer;
}

} // namespace factory::transportation
