// The ops endpoint's answers while a factory runs: /metrics in Prometheus' format (checked by
// promtool), /healthz, /readyz, /api/status, and the refusal of a public address without opt-in.
#include "support/background_host.hpp"
#include "support/http_client.hpp"

#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <functional>
#include <thread>

using namespace factory::testing;

namespace {

std::vector<std::string> paced_run(std::uint16_t port, const std::string& duration) {
    return {"--source", "synthetic:keys=500,count=100000000", "--blueprint", "widget", "--exporter", "null",
            "--workshops", "2", "--rate", "4000", "--duration", duration, "--http", "127.0.0.1:" + std::to_string(port)};
}

bool wait_for_sample(std::uint16_t port, const std::function<bool(const nlohmann::json&)>& ok) {
    for (int i = 0; i < 100; ++i) {
        const auto r = http_get(port, "/api/status");
        if (r.status == 200 && ok(nlohmann::json::parse(r.body))) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return false;
}

} // namespace

TEST_CASE("promtool accepts /metrics, and the endpoints answer while the factory runs", "[http]") {
    REQUIRE(std::string(FACTORY_PROMTOOL) != ""); // scripts/install-deps.sh installs prometheus (promtool)
    const auto port = free_port();
    background_host host(paced_run(port, "30s"));
    REQUIRE(wait_for_status(port, "/readyz", 200));
    REQUIRE(http_get(port, "/healthz").status == 200);
    // Figures are sampled once a second: wait for a sample taken while the run runs.
    REQUIRE(wait_for_sample(port, [](const nlohmann::json& j) {
        return j.at("phase") == "running" && j.at("purchasing").at("purchased").get<std::uint64_t>() > 0;
    }));

    const auto m = http_get(port, "/metrics");
    REQUIRE(m.status == 200);
    CHECK(m.headers.find("Content-Type: text/plain; version=0.0.4") != std::string::npos);
    CHECK(m.body.find("\nfactory_materials_purchased_total ") != std::string::npos);
    CHECK(m.body.find("factory_build_info{version=\"") != std::string::npos);
    CHECK(m.body.find("factory_products_exported_total{exporter=\"null\"}") != std::string::npos);
    CHECK(m.body.find("factory_assembly_latency_seconds_bucket{le=\"+Inf\"}") != std::string::npos);
    CHECK(m.body.find("factory_process_cpu_seconds_total{process=\"workshop 2\"}") != std::string::npos);
    CHECK(m.body.find("factory_checkpoints_total") == std::string::npos); // no --checkpoint
    const auto dir = fresh_dir("promtool");
    {
        std::ofstream(dir / "metrics.txt") << m.body;
    }
    const std::string cmd = std::string(FACTORY_PROMTOOL) + " check metrics < " + (dir / "metrics.txt").string() +
                            " > " + (dir / "promtool.out").string() + " 2>&1";
    const int rc = std::system(cmd.c_str());
    std::ifstream said(dir / "promtool.out");
    const std::string promtool_said((std::istreambuf_iterator<char>(said)), std::istreambuf_iterator<char>());
    INFO("promtool: " << promtool_said);
    CHECK(rc == 0);
    CHECK(promtool_said.empty()); // no lint warnings either

    const auto s = http_get(port, "/api/status");
    REQUIRE(s.status == 200);
    CHECK(s.headers.find("Content-Type: application/json") != std::string::npos);
    const auto j = nlohmann::json::parse(s.body);
    CHECK(j.at("phase") == "running");
    CHECK(j.at("ready") == true);
    CHECK(j.at("workshops").size() == 2);
    CHECK(j.at("lines").size() == 2);
    CHECK(j.at("lanes").size() == 2);
    CHECK(j.at("exporters").at(0).at("name") == "null");
    CHECK(j.at("checkpoints").at("on") == false);
    CHECK(j.at("purchasing").at("purchased").get<std::uint64_t>() > 0);

    auto r = host.stop();
    REQUIRE(r.exit_code == 0);
    CHECK(r.summary.at("balanced") == true);
    std::filesystem::remove_all(dir);
}

TEST_CASE("with --checkpoint, /metrics and /api/status show the newest checkpoint, and promtool accepts them",
          "[http][checkpoints]") {
    const auto port = free_port();
    const auto dir = fresh_dir("http-checkpoints");
    auto args = paced_run(port, "30s");
    // Kept 8 at 500 ms: the sampled newest checkpoint is still on disk when the test looks, a second later.
    args.insert(args.end(), {"--checkpoint", (dir / "ck").string(), "--checkpoint-every", "500ms", "--checkpoints-kept", "8"});
    background_host host(args);
    nlohmann::json ck;
    REQUIRE(wait_for_sample(port, [&](const nlohmann::json& j) {
        ck = j.at("checkpoints");
        return ck.at("taken").get<std::uint64_t>() >= 2;
    }));
    CHECK(ck.at("on") == true);
    CHECK(ck.at("failed") == 0);
    CHECK(ck.at("last_epoch").get<std::uint64_t>() >= 2);
    CHECK(ck.at("last_bytes").get<std::uint64_t>() > 0);
    const double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    CHECK(ck.at("last_unix_seconds").get<double>() > now - 60);
    CHECK(ck.at("last_unix_seconds").get<double>() <= now + 1);
    char epoch_name[32];
    std::snprintf(epoch_name, sizeof epoch_name, "epoch-%012llu",
                  static_cast<unsigned long long>(ck.at("last_epoch").get<std::uint64_t>()));
    CHECK(std::filesystem::exists(dir / "ck" / epoch_name / "MANIFEST"));

    const auto m = http_get(port, "/metrics");
    REQUIRE(m.status == 200);
    for (const char* name : {"\nfactory_checkpoints_total ", "\nfactory_checkpoint_failures_total 0\n",
                             "\nfactory_checkpoint_last_epoch ", "\nfactory_checkpoint_last_timestamp_seconds ",
                             "\nfactory_checkpoint_last_duration_seconds ", "\nfactory_checkpoint_last_size_bytes "})
        CHECK(m.body.find(name) != std::string::npos);
    {
        std::ofstream(dir / "metrics.txt") << m.body;
    }
    const std::string cmd = std::string(FACTORY_PROMTOOL) + " check metrics < " + (dir / "metrics.txt").string() +
                            " > " + (dir / "promtool.out").string() + " 2>&1";
    CHECK(std::system(cmd.c_str()) == 0);
    auto r = host.stop();
    REQUIRE(r.exit_code == 0);
    CHECK(r.summary.at("checkpoints").at("taken").get<std::uint64_t>() >= ck.at("taken").get<std::uint64_t>());
    std::filesystem::remove_all(dir);
}

TEST_CASE("a non-loopback --http address is refused without --http-public, and --help says so", "[http]") {
    auto r = run_host({"--source", "synthetic:count=10", "--blueprint", "widget", "--exporter", "null",
                       "--http", "0.0.0.0:9100"});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("--http 0.0.0.0:9100 is not a loopback address") != std::string::npos);
    CHECK(r.err.find("add --http-public") != std::string::npos);

    auto h = run_host({"--help"});
    CHECK(h.exit_code == 0);
    CHECK(h.out.find("--http-public") != std::string::npos);
    CHECK(h.out.find("loopback") != std::string::npos);
}

TEST_CASE("a taken --http port refuses the run before anything starts", "[http]") {
    const auto port = free_port();
    background_host first(paced_run(port, "30s"));
    REQUIRE(wait_for_status(port, "/healthz", 200));
    auto r = run_host({"--source", "synthetic:count=10", "--blueprint", "widget", "--exporter", "null", "--http",
                       "127.0.0.1:" + std::to_string(port)});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("--http 127.0.0.1:" + std::to_string(port) + ": cannot listen there") != std::string::npos);
    CHECK(r.summary.is_null());
    CHECK(first.stop().exit_code == 0);
}

TEST_CASE("with --http-linger, the host serves the final figures after the run, until a signal", "[http]") {
    const auto port = free_port();
    auto args = paced_run(port, "2s");
    args.insert(args.end(), {"--http-linger", "120s"});
    background_host host(args, std::chrono::seconds(100));
    REQUIRE(wait_for_sample(port, [](const nlohmann::json& j) { return j.at("phase") == "ended"; }));
    const auto j = nlohmann::json::parse(http_get(port, "/api/status").body);
    CHECK(j.at("ready") == false);
    CHECK(http_get(port, "/readyz").status == 503);
    CHECK(http_get(port, "/healthz").status == 200);
    const auto m = http_get(port, "/metrics");
    auto r = host.stop(); // SIGTERM ends the wait long before the 120 s
    REQUIRE(r.exit_code == 0);
    const auto purchased = r.summary.at("purchased").get<std::uint64_t>();
    CHECK(purchased > 0);
    CHECK(j.at("purchasing").at("purchased") == purchased);
    CHECK(m.body.find("\nfactory_materials_purchased_total " + std::to_string(purchased) + "\n") != std::string::npos);
}
