// A real Prometheus server scrapes a running factory every second; afterwards its HTTP API holds
// the very count of materials purchased that the run's --summary-json reports.
#include "support/background_host.hpp"
#include "support/http_client.hpp"

#include <catch2/catch.hpp>

#include <fstream>

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

extern char** environ;

using namespace factory::testing;

namespace {

// Prometheus on loopback with its own config and storage, ended (SIGTERM, then SIGKILL) with the test.
class prometheus_server {
public:
    prometheus_server(const std::filesystem::path& dir, std::uint16_t port, std::uint16_t target_port) {
        std::ofstream(dir / "prometheus.yml") << "global:\n  scrape_interval: 1s\n  scrape_timeout: 900ms\n"
                                                 "scrape_configs:\n  - job_name: factory\n    static_configs:\n"
                                                 "      - targets: ['127.0.0.1:"
                                              << target_port << "']\n";
        std::vector<std::string> args{FACTORY_PROMETHEUS,
                                      "--config.file=" + (dir / "prometheus.yml").string(),
                                      "--storage.tsdb.path=" + (dir / "data").string(),
                                      "--web.listen-address=127.0.0.1:" + std::to_string(port),
                                      "--log.level=warn"};
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        const std::string log = (dir / "prometheus.log").string();
        posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        posix_spawn_file_actions_adddup2(&fa, 1, 2);
        if (posix_spawn(&pid_, args[0].c_str(), &fa, nullptr, argv.data(), environ) != 0) pid_ = 0;
        posix_spawn_file_actions_destroy(&fa);
    }
    ~prometheus_server() {
        if (pid_ <= 0) return;
        ::kill(pid_, SIGTERM);
        for (int i = 0; i < 100; ++i) {
            if (::waitpid(pid_, nullptr, WNOHANG) == pid_) return;
            ::usleep(100'000);
        }
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
    }
    bool started() const { return pid_ > 0; }

private:
    pid_t pid_ = 0;
};

} // namespace

TEST_CASE("Prometheus scrapes the run and ends with the purchased count of its summary", "[http][prometheus]") {
    REQUIRE(std::string(FACTORY_PROMETHEUS) != ""); // scripts/install-deps.sh installs prometheus
    const auto dir = fresh_dir("prometheus");
    const auto host_port = free_port();
    const auto prom_port = free_port();
    prometheus_server prom(dir, prom_port, host_port);
    REQUIRE(prom.started());
    REQUIRE(wait_for_status(prom_port, "/-/ready", 200));

    // --http-linger keeps the final figures served for a few scrapes after the books are closed.
    auto r = run_host({"--source", "synthetic:keys=500,count=100000000", "--blueprint", "widget", "--exporter",
                       "null", "--workshops", "2", "--rate", "3000", "--duration", "6s", "--http",
                       "127.0.0.1:" + std::to_string(host_port), "--http-linger", "3s"});
    REQUIRE(r.exit_code == 0);
    REQUIRE(r.summary.at("balanced") == true);
    const auto purchased = r.summary.at("purchased").get<std::uint64_t>();
    REQUIRE(purchased > 0);

    // The largest value over the run: after the host is gone, Prometheus marks the series stale,
    // which a range function reads past.
    const auto q = http_get(prom_port, "/api/v1/query?query=max_over_time(factory_materials_purchased_total%5B5m%5D)");
    INFO(q.body);
    REQUIRE(q.status == 200);
    const auto j = nlohmann::json::parse(q.body);
    REQUIRE(j.at("status") == "success");
    REQUIRE(j.at("data").at("result").size() == 1);
    const std::string value = j.at("data").at("result").at(0).at("value").at(1).get<std::string>();
    CHECK(std::stoull(value) == purchased);
    // Scraped during the run too, not only at the end: the series has a smaller value before.
    const auto c = http_get(prom_port, "/api/v1/query?query=min_over_time(factory_materials_purchased_total%5B5m%5D)");
    const auto cj = nlohmann::json::parse(c.body);
    REQUIRE(cj.at("data").at("result").size() == 1);
    CHECK(std::stoull(cj.at("data").at("result").at(0).at("value").at(1).get<std::string>()) < purchased);
    std::filesystem::remove_all(dir);
}
