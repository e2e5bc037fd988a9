#include "transportation/hook_watch.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>

using namespace factory;
using namespace factory::transportation;

namespace {

struct call {
    std::thread::id ran_on{};
    std::atomic<bool> release{false};
    int answer = FACTORY_OK;
};

int quick(void* ctx, factory_error* err) {
    auto* c = static_cast<call*>(ctx);
    c->ran_on = std::this_thread::get_id();
    if (c->answer != FACTORY_OK) std::strcpy(err->message, "said no");
    return c->answer;
}

// Blocks until the test releases it (after the watch gave up), so no thread is left behind.
int blocking(void* ctx, factory_error*) {
    auto* c = static_cast<call*>(ctx);
    while (!c->release.load()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    return FACTORY_OK;
}

} // namespace

TEST_CASE("without a limit, a hook runs on the caller's thread and its answer is passed on", "[transportation]") {
    hook_watch w("x", 0, nullptr);
    call c;
    c.answer = FACTORY_RETRY;
    factory_error err{};
    CHECK(w.run(&quick, &c, &err, "on_export") == FACTORY_RETRY);
    CHECK(std::string(err.message) == "said no");
    CHECK(c.ran_on == std::this_thread::get_id());
}

TEST_CASE("with a limit, a hook runs on the watch's thread, and its answer and message come back",
          "[transportation]") {
    hook_watch w("x", 5'000'000'000, nullptr);
    call c;
    factory_error err{};
    CHECK(w.run(&quick, &c, &err, "on_export") == FACTORY_OK);
    CHECK(c.ran_on != std::this_thread::get_id());
    c.answer = FACTORY_ERROR;
    CHECK(w.run(&quick, &c, &err, "on_flush") == FACTORY_ERROR);
    CHECK(std::string(err.message) == "said no");
    CHECK_FALSE(w.stuck());
}

TEST_CASE("a hook that outlives the limit makes the exporter stuck for good, and the wait beats the heart",
          "[transportation]") {
    shm::counter heartbeat;
    call slow;
    {
        hook_watch w("slowpoke", 300'000'000, &heartbeat);
        factory_error err{};
        CHECK(w.run(&blocking, &slow, &err, "on_export") == FACTORY_ERROR);
        CHECK(w.stuck());
        CHECK(std::string(err.message).find("exporter slowpoke stuck in on_export") == 0);
        CHECK(heartbeat.get() >= 2); // beat at least every 100 ms of the 300 ms wait
        // Every later call fails at once without reaching the plugin.
        call never;
        factory_error again{};
        CHECK(w.run(&quick, &never, &again, "on_flush") == FACTORY_ERROR);
        CHECK(never.ran_on == std::thread::id{});
        CHECK(std::string(again.message).find("is stuck in on_export") != std::string::npos);
    }
    // The watch is gone; its detached thread still holds the call until the plugin returns.
    slow.release = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
}
