// exporter_instance passes the run's checkpoint flags to the exporter at open, and calls on_commit
// under its hook watch.
#include "transportation/exporter_instance.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <stdexcept>
#include <string>

using namespace factory;
using factory::transportation::export_checkpoints;
using factory::transportation::exporter_instance;

namespace {

plugin_choice commits_fixture(bool echo_open) {
    plugin_choice c;
    c.name = "fixture_commits";
    c.file = std::string(FACTORY_TEST_BINARY_DIR) + "/tests/host/plugins/fixtures/libexporter_fixture_commits.so";
    c.settings = {{"echo_open", echo_open ? "true" : "false"}};
    return c;
}

std::string open_failure(export_checkpoints ck) {
    std::atomic<std::uint32_t> abort{0};
    factory_export_info info{};
    try {
        exporter_instance e(commits_fixture(true), info, &abort, 0, nullptr, ck);
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "opened";
}

} // namespace

TEST_CASE("the exporter learns the checkpoint flags and resume epoch at open", "[exporter_instance]") {
    CHECK_THAT(open_failure({}), Catch::EndsWith("checkpoints 0 resuming 0 resume_epoch 0"));
    CHECK_THAT(open_failure({FACTORY_EXPORT_CHECKPOINTS, 0}), Catch::EndsWith("checkpoints 1 resuming 0 resume_epoch 0"));
    CHECK_THAT(open_failure({FACTORY_EXPORT_CHECKPOINTS | FACTORY_EXPORT_RESUME, 7}),
               Catch::EndsWith("checkpoints 1 resuming 1 resume_epoch 7"));
    // A resume epoch without the resume flag means nothing and is not passed on.
    CHECK_THAT(open_failure({FACTORY_EXPORT_CHECKPOINTS, 7}), Catch::EndsWith("checkpoints 1 resuming 0 resume_epoch 0"));
}

TEST_CASE("commit calls on_commit under the watch and passes its answer on", "[exporter_instance]") {
    std::atomic<std::uint32_t> abort{0};
    factory_export_info info{};
    for (std::int64_t hang_limit : {std::int64_t{0}, std::int64_t{60'000'000'000}}) {
        INFO("hang limit " << hang_limit);
        exporter_instance e(commits_fixture(false), info, &abort, hang_limit, nullptr, {FACTORY_EXPORT_CHECKPOINTS, 0});
        CHECK(e.commits());
        factory_error err{};
        CHECK(e.commit(2, &err) == FACTORY_OK);
        CHECK(e.commit(3, &err) == FACTORY_ERROR);
        CHECK(std::string(err.message) == "commit 3 refused");
    }
}

TEST_CASE("an exporter without on_commit does not commit, and says so when asked", "[exporter_instance]") {
    factory_exporter_hooks hooks{};
    hooks.struct_size = sizeof hooks;
    hooks.on_close = [](void*) {};
    static int dummy = 0;
    exporter_instance e("plain", &hooks, &dummy);
    CHECK_FALSE(e.commits());
    factory_error err{};
    CHECK(e.commit(1, &err) == FACTORY_ERROR);
    CHECK(std::string(err.message) == "exporter plain does not commit epochs (no on_commit)");
}
