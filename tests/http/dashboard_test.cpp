// The dashboard page of a running factory, opened by headless Chromium: the rendered DOM shows
// every department, and its figures change from one look to the next. A screenshot is kept in
// the build folder (artifacts/dashboard.png).
#include "support/background_host.hpp"
#include "support/http_client.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <cstdio>
#include <regex>
#include <thread>

using namespace factory::testing;

namespace {

std::string chromium(const std::filesystem::path& profile, const std::string& what, const std::string& url) {
    const std::string cmd = std::string(FACTORY_CHROMIUM) +
                            " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run"
                            " --disable-background-networking --disable-component-update --disable-sync"
                            " --user-data-dir=" + profile.string() + " --window-size=1500,900 " + what + " " + url +
                            " 2>/dev/null";
    std::string out;
    FILE* p = ::popen(cmd.c_str(), "r");
    if (p == nullptr) return out;
    std::array<char, 65536> buf{};
    std::size_t n = 0;
    while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
    ::pclose(p);
    return out;
}

// The text of the element with id `id` (a leaf such as <b id="purchased">12.3k</b>).
std::string text_of(const std::string& dom, const std::string& id) {
    std::smatch m;
    if (std::regex_search(dom, m, std::regex("id=\"" + id + "\"[^>]*>([^<]*)<"))) return m[1];
    return "";
}

} // namespace

TEST_CASE("headless Chromium shows every department with live figures", "[http][chromium]") {
    REQUIRE(std::string(FACTORY_CHROMIUM) != ""); // scripts/install-deps.sh installs chromium
    const auto port = free_port();
    const auto profile = fresh_dir("chromium");
    background_host host({"--source", "synthetic:keys=2000,count=100000000", "--blueprint", "widget", "--exporter",
                          "null", "--workshops", "2", "--rate", "5000", "--duration", "90s", "--http",
                          "127.0.0.1:" + std::to_string(port)},
                         std::chrono::seconds(200));
    REQUIRE(wait_for_status(port, "/readyz", 200));
    // Ready is before the first purchase (slow under the sanitizers): wait, bounded, until the
    // status counts one, so the first look has figures to show.
    bool buying = false;
    for (int i = 0; i < 100 && !buying; ++i) {
        buying = std::regex_search(http_get(port, "/api/status").body, std::regex("\"purchased\": *[1-9]"));
        if (!buying) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    REQUIRE(buying);
    const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/";

    const std::string first = chromium(profile, "--dump-dom", url);
    std::this_thread::sleep_for(std::chrono::seconds(2));
    const std::string second = chromium(profile, "--dump-dom", url);
    std::filesystem::create_directories(FACTORY_HTTP_ARTIFACTS);
    const auto shot = std::filesystem::path(FACTORY_HTTP_ARTIFACTS) / "dashboard.png";
    std::filesystem::remove(shot);
    chromium(profile, "--screenshot=" + shot.string(), url);

    for (const auto* dom : {&first, &second}) {
        INFO(dom->substr(0, 400));
        for (const char* dept : {"dept-purchasing", "dept-lines", "dept-workshops", "dept-lanes", "dept-transportation",
                                 "dept-exporters"})
            CHECK(dom->find(std::string("id=\"") + dept + "\"") != std::string::npos);
        // Rendered by the page's script, not the static markup (which says 0).
        CHECK(std::regex_search(*dom, std::regex("line 2</span><b class=\"(OK|LOW|HIGH)\"")));
        CHECK(std::regex_search(*dom, std::regex("roster <b class=\"roster\">[0-9.]+k?</b>")));
        CHECK(dom->find("<span>null</span>") != std::string::npos);
        CHECK(text_of(*dom, "phase") == "running");
    }
    const std::string a = text_of(first, "purchased"), b = text_of(second, "purchased");
    INFO("purchased: " << a << " then " << b);
    CHECK(!a.empty());
    CHECK(a != "0");
    CHECK(a != b);
    CHECK(text_of(first, "run-seconds") != text_of(second, "run-seconds"));
    CHECK(std::filesystem::exists(shot));
    CHECK(std::filesystem::file_size(shot) > 10'000);

    auto r = host.stop();
    CHECK(r.exit_code == 0);
    CHECK(r.summary.at("balanced") == true);
    std::filesystem::remove_all(profile);
}
